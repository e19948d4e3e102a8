import { createHmac, sign } from 'node:crypto';
import type { Fetcher } from 'aws-jwt-verify/https';
import { parseEdgeConfig } from '../../../edge-functions/core/edge-config';
import { UnauthorizedError } from '../../../edge-functions/core/errors';
import { createTokenVerifier, JWKS_FETCH_BACKOFF_MS } from '../../../edge-functions/core/token-verifier';
import { accessToken, idToken, newSigningKey, TEST_ISSUER, TEST_SUB, testEdgeConfig } from '../../support/tokens';

const key = newSigningKey('kid-baked');
const otherKey = newSigningKey('kid-rotated');
const config = parseEdgeConfig(testEdgeConfig(key), 300);

/** The network is off in tests: the JWKS fetcher records what it was asked and serves only what the test allows. */
function offlineFetcher(served?: unknown) {
  const calls: string[] = [];
  const fetcher: Fetcher = {
    async fetch(uri: string) {
      calls.push(uri);
      if (served === undefined) throw new Error('network is off in tests');
      return new TextEncoder().encode(JSON.stringify(served)).buffer as ArrayBuffer;
    },
  };
  return { calls, fetcher };
}

function verifierWith(served?: unknown, now?: () => number) {
  const { calls, fetcher } = offlineFetcher(served);
  return { calls, verifier: createTokenVerifier(config, now === undefined ? { fetcher } : { fetcher, now }) };
}

async function refusal(promise: Promise<unknown>): Promise<UnauthorizedError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UnauthorizedError);
    return error as UnauthorizedError;
  }
  throw new Error('expected the token to be refused');
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('createTokenVerifier', () => {
  it('accepts a valid access token from the baked-in JWKS without any fetch', async () => {
    const { calls, verifier } = verifierWith();
    await expect(verifier.verify(accessToken(key))).resolves.toEqual({ sub: TEST_SUB });
    expect(calls).toEqual([]);
  });

  it.each([
    ['expired', () => accessToken(key, { now: Math.floor(Date.now() / 1000) - 7200 })],
    ['not yet valid', () => accessToken(key, { claims: { nbf: Math.floor(Date.now() / 1000) + 600 } })],
    ['from another issuer', () => accessToken(key, { claims: { iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' } })],
    ['for another client', () => accessToken(key, { claims: { client_id: 'someoneelse' } })],
    ['an id token', () => idToken(key)],
    ['without token_use', () => accessToken(key, { claims: { token_use: undefined } })],
    ['with a sub that could leave its key segment', () => accessToken(key, { claims: { sub: '../other-user' } })],
    ['without a sub', () => accessToken(key, { claims: { sub: undefined } })],
    ['without exp (it would never expire)', () => accessToken(key, { claims: { exp: undefined } })],
    ['signed by a key we do not trust under our kid', () => accessToken({ ...otherKey, kid: key.kid })],
  ])('refuses a token %s', async (_label, make) => {
    const { verifier } = verifierWith();
    await refusal(verifier.verify(make()));
  });

  it('refuses alg none even with a known kid', async () => {
    const { verifier } = verifierWith();
    const valid = accessToken(key).split('.');
    const unsigned = `${b64url({ alg: 'none', kid: key.kid })}.${valid[1]}.`;
    expect((await refusal(verifier.verify(unsigned))).reason).toMatch(/RS256|JwtParseError/);
  });

  it('refuses HS256 signed with the public modulus as the secret (key confusion)', async () => {
    const { verifier } = verifierWith();
    const payload = accessToken(key).split('.')[1];
    const input = `${b64url({ alg: 'HS256', kid: key.kid })}.${payload}`;
    const signature = createHmac('sha256', key.jwk.n).update(input).digest('base64url');
    await refusal(verifier.verify(`${input}.${signature}`));
  });

  it('refuses RS512 even when signed by the trusted key', async () => {
    const { verifier } = verifierWith();
    const input = `${b64url({ alg: 'RS512', kid: key.kid })}.${accessToken(key).split('.')[1]}`;
    const signature = sign('RSA-SHA512', Buffer.from(input), key.privateKey).toString('base64url');
    await refusal(verifier.verify(`${input}.${signature}`));
  });

  it.each(['', 'abc', 'a.b.c', 'x'.repeat(5000)])('refuses garbage %#', async (garbage) => {
    const { verifier } = verifierWith();
    await refusal(verifier.verify(garbage));
  });

  it('fetches <issuer>/.well-known/jwks.json for an unknown kid (key rotation), then trusts the new key', async () => {
    const { calls, verifier } = verifierWith({ keys: [key.jwk, otherKey.jwk] });
    await expect(verifier.verify(accessToken(otherKey))).resolves.toEqual({ sub: TEST_SUB });
    expect(calls).toEqual([`${TEST_ISSUER}/.well-known/jwks.json`]);
  });

  it('refuses unknown kids while the JWKS cannot be fetched, with one fetch per back-off period, not one per token', async () => {
    let clock = 1_000_000;
    const { calls, verifier } = verifierWith(undefined, () => clock);
    for (let i = 0; i < 20; i += 1) await refusal(verifier.verify(accessToken({ ...otherKey, kid: `kid-made-up-${i}` })));
    expect(calls).toHaveLength(1);
    clock += JWKS_FETCH_BACKOFF_MS;
    await refusal(verifier.verify(accessToken(otherKey)));
    expect(calls).toHaveLength(2);
  });
});
