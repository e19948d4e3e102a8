/**
 * Real RS256 key pairs and Cognito-shaped access/id tokens for tests: nothing
 * is mocked, the verifier checks real signatures. Keys are generated per test
 * run and never written to disk.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { EdgeConfig, RsaJwk } from '../../edge-functions/core/edge-config';

export const TEST_ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool1';
export const TEST_CLIENT_ID = 'testclient0123456789abcdef';
export const TEST_SUB = '0b9a6f2c-1111-4222-8333-444455556666';

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly jwk: RsaJwk;
}

export function newSigningKey(kid = 'test-key-1'): SigningKey {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const exported = publicKey.export({ format: 'jwk' });
  if (typeof exported.n !== 'string' || typeof exported.e !== 'string') throw new Error('RSA export failed');
  return { kid, privateKey, jwk: { kid, kty: 'RSA', n: exported.n, e: exported.e, alg: 'RS256', use: 'sig' } };
}

export interface TokenOptions {
  readonly claims?: Record<string, unknown>;
  readonly header?: Record<string, unknown>;
  /** Seconds since the epoch used for iat/exp; defaults to now. */
  readonly now?: number;
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A Cognito access token for TEST_SUB, valid for an hour, signed with `key`. */
export function accessToken(key: SigningKey, options: TokenOptions = {}): string {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const header = { kid: key.kid, alg: 'RS256', ...options.header };
  const payload = {
    sub: TEST_SUB,
    iss: TEST_ISSUER,
    client_id: TEST_CLIENT_ID,
    origin_jti: 'origin-jti-test',
    event_id: 'event-test',
    token_use: 'access',
    scope: 'aws.cognito.signin.user.admin',
    auth_time: now,
    exp: now + 3600,
    iat: now,
    jti: 'jti-test',
    username: TEST_SUB,
    ...options.claims,
  };
  const signingInput = `${b64url(header)}.${b64url(payload)}`;
  const signature = sign('RSA-SHA256', Buffer.from(signingInput), key.privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

/** A Cognito id token: same key, audience instead of client_id. The edge must refuse it. */
export function idToken(key: SigningKey, options: TokenOptions = {}): string {
  return accessToken(key, {
    ...options,
    claims: { token_use: 'id', aud: TEST_CLIENT_ID, client_id: undefined, email: 'someone@example.com', ...options.claims },
  });
}

/** A config.json for the edge, pointing at the test issuer and key. */
export function testEdgeConfig(
  key: SigningKey,
  overrides: Partial<Record<keyof EdgeConfig | 'clientId', unknown>> = {},
): Record<string, unknown> {
  return {
    issuer: TEST_ISSUER,
    clientIds: [TEST_CLIENT_ID],
    jwks: { keys: [key.jwk] },
    bucket: 'acme-uploads',
    region: 'eu-west-1',
    uploadUrl: 'https://acme-uploads.s3-accelerate.amazonaws.com/',
    kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    policyTtlSeconds: 300,
    multipartTicketKeys: TEST_TICKET_KEYS,
    ...overrides,
  };
}

/** Obviously fake multipart ticket keys (32 bytes each, the minimum); the first signs. */
export const TEST_TICKET_KEYS = Object.freeze([
  Object.freeze({ id: 'test-ticket-1', secret: Buffer.alloc(32, 'ticket-key-one/').toString('base64') }),
  Object.freeze({ id: 'test-ticket-0', secret: Buffer.alloc(32, 'ticket-key-zero/').toString('base64') }),
]);

/** Fixed, obviously fake signing credentials (the shape of Lambda's temporary ones). */
export const TEST_CREDENTIALS = Object.freeze({
  accessKeyId: 'ASIATESTTESTTEST0001',
  secretAccessKey: 'testsecret/testsecret+testsecret0000000001',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLEtestSessionToken0000000000000000000000000000',
});
