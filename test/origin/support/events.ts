/**
 * Recorded API Gateway REST proxy events (test/fixtures/api-gateway), loaded
 * fresh for every use and varied by cloning, never hand-built.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';

export type FixtureName =
  | 'auth-register'
  | 'auth-confirm'
  | 'auth-resend'
  | 'auth-login'
  | 'auth-login-base64'
  | 'auth-refresh'
  | 'auth-logout'
  | 'auth-forgot'
  | 'auth-reset';

const FIXTURE_DIR = path.join(__dirname, '..', '..', 'fixtures', 'api-gateway');

/** Values the fixtures carry, for assertions (all fake, all sanitized). */
export const FIXTURE = Object.freeze({
  siteOrigin: 'https://uploads.example.com',
  email: 'ann@example.com',
  password: 'Correct-Horse-9-Battery',
  newPassword: 'Another-Horse-7-Battery',
  confirmCode: '123456',
  resetCode: '654321',
  refreshCookieName: '__Secure-edge_upload_refresh',
  refreshToken:
    'eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.REDACTED-encrypted-key.REDACTED-iv.REDACTED-ciphertext.REDACTED-tag',
});

export function loadEvent(name: FixtureName): APIGatewayProxyEvent {
  const parsed: unknown = JSON.parse(readFileSync(path.join(FIXTURE_DIR, `${name}.json`), 'utf8'));
  assertProxyEvent(parsed, name);
  return parsed;
}

export function assertProxyEvent(value: unknown, name = 'event'): asserts value is APIGatewayProxyEvent {
  if (typeof value !== 'object' || value === null) throw new Error(`${name}: not an object`);
  const checks: Array<[string, (v: unknown) => boolean]> = [
    ['resource', (v) => typeof v === 'string'],
    ['path', (v) => typeof v === 'string'],
    ['httpMethod', (v) => typeof v === 'string'],
    ['headers', (v) => typeof v === 'object' && v !== null],
    ['multiValueHeaders', (v) => typeof v === 'object' && v !== null],
    ['requestContext', (v) => typeof v === 'object' && v !== null],
    ['body', (v) => v === null || typeof v === 'string'],
    ['isBase64Encoded', (v) => typeof v === 'boolean'],
  ];
  for (const [key, ok] of checks) {
    if (!ok((value as Record<string, unknown>)[key])) throw new Error(`${name}: bad or missing ${key}`);
  }
}

/** A clone with a new JSON body (an object is serialized; a string is sent as is). */
export function withBody(event: APIGatewayProxyEvent, body: unknown): APIGatewayProxyEvent {
  return { ...structuredClone(event), body: typeof body === 'string' ? body : JSON.stringify(body), isBase64Encoded: false };
}

export function withBase64Body(event: APIGatewayProxyEvent, text: string): APIGatewayProxyEvent {
  return { ...structuredClone(event), body: Buffer.from(text, 'utf8').toString('base64'), isBase64Encoded: true };
}

export function withoutBody(event: APIGatewayProxyEvent): APIGatewayProxyEvent {
  return { ...structuredClone(event), body: null, isBase64Encoded: false };
}

export function withMethod(event: APIGatewayProxyEvent, method: string): APIGatewayProxyEvent {
  const clone = structuredClone(event);
  clone.httpMethod = method;
  clone.requestContext.httpMethod = method;
  return clone;
}

export function withPath(event: APIGatewayProxyEvent, newPath: string): APIGatewayProxyEvent {
  const clone = structuredClone(event);
  clone.path = newPath;
  clone.requestContext.path = `/${clone.requestContext.stage}${newPath}`;
  return clone;
}

/**
 * A clone with header `name` set to `values` (all of them, as API Gateway
 * would), or removed when `values` is empty; matched case-insensitively.
 */
export function withHeader(event: APIGatewayProxyEvent, name: string, ...values: string[]): APIGatewayProxyEvent {
  const clone = structuredClone(event);
  const headers = clone.headers;
  const multi = clone.multiValueHeaders;
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name.toLowerCase()) delete headers[key];
  for (const key of Object.keys(multi)) if (key.toLowerCase() === name.toLowerCase()) delete multi[key];
  const last = values[values.length - 1];
  if (last !== undefined) {
    headers[name] = last;
    multi[name] = values;
  }
  return clone;
}

/** The Set-Cookie values of a proxy result. */
export function setCookies(result: { multiValueHeaders?: { [name: string]: Array<boolean | number | string> } }): string[] {
  return (result.multiValueHeaders?.['Set-Cookie'] ?? []).map(String);
}
