/**
 * The auth handler as the unit tests drive it: the real handler, the real
 * CognitoIdentityProviderClient with `send` stubbed by aws-sdk-client-mock,
 * a log sink that keeps every line, and a config whose Cognito endpoint is a
 * closed local port, so nothing can reach the network even if a stub is missing.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { parseAuthConfig, type AuthConfig } from '../../../origin/core/config';
import { jsonLineLogger } from '../../../origin/core/request-log';
import { createAuthHandler } from '../../../origin/auth/handler';
import { FIXTURE } from './events';

export const TEST_ENV = Object.freeze({
  USER_POOL_ID: 'eu-west-1_TestPool1',
  USER_POOL_CLIENT_ID: 'testclient0000000000000001',
  SITE_ORIGIN: FIXTURE.siteOrigin,
  COGNITO_ENDPOINT: 'http://127.0.0.1:9',
  COGNITO_MAX_ATTEMPTS: '1',
});

export function testConfig(overrides: Record<string, string> = {}): AuthConfig {
  return parseAuthConfig({ ...TEST_ENV, ...overrides });
}

function mockCognito() {
  return mockClient(CognitoIdentityProviderClient);
}

export type CognitoMock = ReturnType<typeof mockCognito>;

export interface Harness {
  readonly cognito: CognitoMock;
  readonly logs: string[];
  readonly config: AuthConfig;
  invoke(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult>;
}

/** Call in a describe block: sets up the stub before each test and restores it after. */
export function useHarness(overrides: Record<string, string> = {}): Harness {
  const logs: string[] = [];
  const config = testConfig(overrides);
  const cognito = mockCognito();
  let handler: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> = () => {
    throw new Error('useHarness: invoke() is only available inside a test');
  };

  beforeEach(() => {
    cognito.reset();
    logs.length = 0;
    let clock = 1000;
    handler = createAuthHandler({
      config,
      logger: jsonLineLogger((line) => logs.push(line)),
      now: () => (clock += 7),
    });
  });
  afterAll(() => cognito.restore());

  return {
    cognito,
    logs,
    config,
    invoke: (event) => handler(event),
  };
}

export interface ErrorJson {
  error: { code: string; message: string };
}

/** The body of an error response, checked to have exactly the docs/http-api.md shape. */
export function errorBody(result: APIGatewayProxyResult): ErrorJson {
  const parsed: unknown = JSON.parse(result.body);
  if (typeof parsed !== 'object' || parsed === null || !('error' in parsed)) throw new Error(`not an error body: ${result.body}`);
  const { error } = parsed;
  if (typeof error !== 'object' || error === null) throw new Error(`not an error body: ${result.body}`);
  const keys = Object.keys(error).sort();
  if (keys.join(',') !== 'code,message' || Object.keys(parsed).length !== 1) {
    throw new Error(`error body has unexpected keys: ${result.body}`);
  }
  const { code, message } = error as Record<string, unknown>;
  if (typeof code !== 'string' || typeof message !== 'string') throw new Error(`bad error body: ${result.body}`);
  return { error: { code, message } };
}

export function jsonBody(result: APIGatewayProxyResult): Record<string, unknown> {
  const parsed: unknown = JSON.parse(result.body);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`not a JSON object: ${result.body}`);
  return { ...parsed };
}

/** The parsed log lines. */
export function logEntries(logs: readonly string[]): Array<Record<string, unknown>> {
  return logs.map((line) => {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null) throw new Error(`log line is not an object: ${line}`);
    return { ...parsed };
  });
}

/** A JWT-shaped token with the given claims; the signature is fake (the API never verifies Cognito's tokens). */
export function fakeJwt(claims: Record<string, unknown>, marker = 'sig'): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'test' })}.${part(claims)}.${Buffer.from(`fake-signature-${marker}`).toString('base64url')}`;
}
