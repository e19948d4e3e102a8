/**
 * What every hostile case through the local edge shares: a request sender
 * that plays a fresh viewer per case, and the one oracle that every refusal
 * must satisfy (docs/http-api.md): the expected status and stable code, the error
 * shape and nothing else, no 5xx, no signed form anywhere in the answer, no
 * secret echoed back, no stack trace.
 *
 * Each case comes from its own viewer IP (the local edge takes it from
 * `X-Forwarded-For`, docs/local-stack.md), so the shipped firewall rules stay in force
 * (rate limits, geo deny, body size) without one case's requests counting
 * against the next case's budget.
 */
import { readFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey, createSign, type KeyObject } from 'node:crypto';
import type { LocalStack } from '../../../../infra/local/local-stack';
import { send, type HttpAnswer } from '../../../support/post-forms';

export type Headers = Record<string, string>;

export interface HostileRequest {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Headers;
  /** A string is sent as is; an object is JSON-encoded; undefined sends no body. */
  readonly body?: unknown;
  /** Play the site's own page (Origin and Sec-Fetch-Site of the site). @default true for POST */
  readonly sameOrigin?: boolean;
  /** Leave out the default Content-Type: application/json. */
  readonly noContentType?: boolean;
}

let viewerCounter = 0;
/** A viewer address no other case (in this process) uses: 10.x.y.z from a per-process base. */
export function freshViewerIp(): string {
  viewerCounter += 1;
  const n = (process.pid % 200) * 65_536 + viewerCounter;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

export function bodyBytes(body: unknown): Buffer | undefined {
  if (body === undefined) return undefined;
  if (Buffer.isBuffer(body)) return body;
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
}

/** One request through the local edge, from a fresh viewer unless the case names its own. */
export function hostileRequest(stack: LocalStack, request: HostileRequest): Promise<HttpAnswer> {
  const method = request.method ?? 'POST';
  const bytes = bodyBytes(request.body);
  const sameOrigin = request.sameOrigin ?? method === 'POST';
  const headers: Headers = {
    'X-Forwarded-For': freshViewerIp(),
    ...(bytes === undefined || request.noContentType ? {} : { 'Content-Type': 'application/json' }),
    ...(bytes === undefined ? {} : { 'Content-Length': String(bytes.length) }),
    ...(sameOrigin ? { Origin: stack.url, 'Sec-Fetch-Site': 'same-origin' } : {}),
    ...request.headers,
  };
  for (const [name, value] of Object.entries(headers)) if (value === '\u0000omit') delete headers[name];
  return send(`${stack.url}${request.path}`, method, bytes, headers);
}

/** A header value that removes a default header from the request (see hostileRequest). */
export const OMIT = '\u0000omit';

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly file?: number };
}

/** The signs of a signed upload form; none may appear in a refusal. */
const POLICY_MARKERS = /"(?:uploads|fields|Policy|X-Amz-Signature|X-Amz-Credential)"|x-amz-signature=|AWS4-HMAC-SHA256/i;
/** A Node stack frame: "at fn (file.js:12:3)". */
const STACK_FRAME = /\bat .+\.(?:js|ts|mjs|cjs):\d+/;

export function containsPolicy(answer: HttpAnswer): boolean {
  return POLICY_MARKERS.test(answer.body) || Object.keys(answer.headers).some((name) => name.startsWith('x-amz-meta'));
}

export interface RefusalExpectation {
  readonly status: number;
  readonly code: string;
  /** The index of the failing file, for per-file presign errors. */
  readonly file?: number;
  /** For 405: the Allow header, or a pattern it must match. @default 'POST' (the functions' own answer) */
  readonly allow?: string | RegExp;
}

/**
 * The docs/http-api.md refusal: status and code, exactly the error shape, JSON,
 * no-store, no policy, none of `secrets`, no stack trace; 401 carries
 * `WWW-Authenticate: Bearer` on /presign, 405 an `Allow` header.
 */
export function expectRefused(answer: HttpAnswer, expected: RefusalExpectation, secrets: readonly string[] = []): ErrorBody {
  expect(answer.status).toBeLessThan(500);
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    throw new Error(`not a JSON error (HTTP ${answer.status}): ${answer.body.slice(0, 300)}`);
  }
  const error = (body as { error?: Record<string, unknown> }).error ?? {};
  expect({ status: answer.status, code: error['code'] }).toEqual({ status: expected.status, code: expected.code });
  expect(Object.keys(body as object)).toEqual(['error']);
  expect(typeof error['message']).toBe('string');
  for (const key of Object.keys(error)) expect(['code', 'message', 'file']).toContain(key);
  if (expected.file !== undefined) expect(error['file']).toBe(expected.file);
  expect(String(answer.headers['content-type'])).toMatch(/^application\/json/);
  expect(answer.headers['cache-control']).toBe('no-store');
  expect(containsPolicy(answer)).toBe(false);
  expect(answer.body).not.toMatch(STACK_FRAME);
  // An error message is one line of prose: nothing a viewer sent can split it or a header.
  expect(String(error['message'])).not.toMatch(/[\r\n\u0000]/);
  for (const secret of secrets) if (secret.length >= 6) expect(answer.body).not.toContain(secret);
  if (expected.status === 405) {
    const allow = expected.allow ?? 'POST';
    if (typeof allow === 'string') expect(answer.headers['allow']).toBe(allow);
    else expect(String(answer.headers['allow'])).toMatch(allow);
  }
  return body as ErrorBody;
}

// ---------------------------------------------------------------------------
// Tokens signed with the local pool's own key, so a refusal is for the one
// claim a case changes and not for a bad signature. cognito-local signs every
// token with the fixed key it ships (lib/keys/cognitoLocal.private.json, kid
// "CognitoLocal"); the local stack bakes the matching JWKS into the presign
// config. The key is read from the installed package, never copied.

export interface PoolSigner {
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** The public key as PEM: what an HS256 key-confusion attack uses as its HMAC secret. */
  readonly publicPem: string;
}

export function cognitoLocalSigner(): PoolSigner {
  const file = require.resolve('cognito-local/lib/keys/cognitoLocal.private.json');
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const pem = (parsed as { pem?: unknown }).pem;
  if (typeof pem !== 'string') throw new Error(`${file} holds no PEM key`);
  const publicPem = createPublicKey(pem).export({ format: 'pem', type: 'spki' }).toString();
  return { kid: 'CognitoLocal', privateKey: createPrivateKey(pem), publicPem };
}

const b64url = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export function jwtParts(token: string): { header: Record<string, unknown>; claims: Record<string, unknown>; signature: string } {
  const [header = '', claims = '', signature = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as Record<string, unknown>,
    signature,
  };
}

/** RS256 over header.claims with `key` (the pool's key, or any other). */
export function signRs(header: Record<string, unknown>, claims: Record<string, unknown>, key: KeyObject, algorithm = 'RSA-SHA256'): string {
  const input = `${b64url(header)}.${b64url(claims)}`;
  const signer = createSign(algorithm);
  signer.update(input);
  return `${input}.${signer.sign(key).toString('base64url')}`;
}

/** A token whose claims (and header) are changed from a real one and signed again with the pool's key. */
export function resigned(
  signer: PoolSigner,
  real: string,
  change: { claims?: Record<string, unknown>; header?: Record<string, unknown>; drop?: readonly string[] } = {},
): string {
  const { header, claims } = jwtParts(real);
  const nextClaims: Record<string, unknown> = { ...claims, ...change.claims };
  for (const name of change.drop ?? []) delete nextClaims[name];
  return signRs({ ...header, kid: signer.kid, ...change.header }, nextClaims, signer.privateKey);
}
