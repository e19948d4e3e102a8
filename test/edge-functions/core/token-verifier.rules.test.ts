/**
 * What the token verifier lets through as the owner of an upload: a `sub`
 * that stays inside its key segment, from an RS256 access token with an
 * expiry. Plus the JWKS back-off, driven by its own clock.
 */
import type { Fetcher } from 'aws-jwt-verify/https';
import { parseEdgeConfig } from '../../../edge-functions/core/edge-config';
import { UnauthorizedError } from '../../../edge-functions/core/errors';
import { backoffFetcher, createTokenVerifier, JWKS_FETCH_BACKOFF_MS } from '../../../edge-functions/core/token-verifier';
import { accessToken, newSigningKey, TEST_SUB, testEdgeConfig } from '../../support/tokens';

const key = newSigningKey('rules-kid');
const config = parseEdgeConfig(testEdgeConfig(key), 300);
const offline: Fetcher = {
  async fetch() {
    throw new Error('network is off in tests');
  },
};
const verifier = () => createTokenVerifier(config, { fetcher: offline });

async function reason(token: string): Promise<string> {
  try {
    await verifier().verify(token);
  } catch (error) {
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as UnauthorizedError).message).toBe('A valid access token is required.');
    return (error as UnauthorizedError).reason;
  }
  throw new Error('expected the token to be refused');
}

describe('createTokenVerifier: the sub', () => {
  it.each([
    ['a path after a valid-looking sub', 'abc/../other-user'],
    ['a path before it', '../other-user'],
    ['a trailing newline', `${TEST_SUB}\n`],
    ['an empty sub', ''],
    ['129 characters', 'a'.repeat(129)],
  ])('refuses %s', async (_label, sub) => {
    expect(await reason(accessToken(key, { claims: { sub } }))).toBe('sub is missing or unsafe');
  });

  it('accepts a sub of 128 safe characters, and returns it alone', async () => {
    const sub = `${'A-z_9'.repeat(25)}abc`;
    expect(sub).toHaveLength(128);
    await expect(verifier().verify(accessToken(key, { claims: { sub } }))).resolves.toStrictEqual({ sub });
  });
});

describe('createTokenVerifier: the token', () => {
  it('refuses a token without exp, which would never expire', async () => {
    expect(await reason(accessToken(key, { claims: { exp: undefined } }))).toBe('exp is missing');
  });

  it('refuses a header that is not RS256 before verifying anything', async () => {
    expect(await reason(accessToken(key, { header: { alg: 'RS384' } }))).toBe('alg is not RS256');
  });

  it('reports a library failure by its class name only', async () => {
    expect(await reason('not-a-jwt')).toMatch(/^[A-Za-z]+Error$/);
    expect(await reason(accessToken(key, { claims: { token_use: 'id' } }))).toMatch(/^[A-Za-z]+Error$/);
  });
});

describe('backoffFetcher', () => {
  function flaky() {
    const calls: string[] = [];
    let fail = true;
    const inner: Fetcher = {
      async fetch(uri: string) {
        calls.push(uri);
        if (fail) throw new Error('down');
        return new ArrayBuffer(0);
      },
    };
    return { calls, inner, recover: () => (fail = false) };
  }

  it('after a failure refuses at once until the back-off has fully passed, then asks again', async () => {
    const { calls, inner, recover } = flaky();
    let now = 1_000_000;
    const fetcher = backoffFetcher(inner, () => now);
    await expect(fetcher.fetch('u1')).rejects.toThrow('down');
    now += JWKS_FETCH_BACKOFF_MS - 1;
    await expect(fetcher.fetch('u2')).rejects.toThrow('JWKS fetch is backing off after a failure');
    expect(calls).toEqual(['u1']);
    now += 1;
    recover();
    await expect(fetcher.fetch('u3')).resolves.toBeInstanceOf(ArrayBuffer);
    expect(calls).toEqual(['u1', 'u3']);
  });

  it('does not back off after a success', async () => {
    const { calls, inner, recover } = flaky();
    recover();
    const fetcher = backoffFetcher(inner, () => 5);
    await fetcher.fetch('a');
    await fetcher.fetch('b');
    expect(calls).toEqual(['a', 'b']);
  });

  it('starts the back-off at the time of the failure, not at the first call', async () => {
    const { calls, inner } = flaky();
    let now = 0;
    const fetcher = backoffFetcher(inner, () => now);
    await expect(fetcher.fetch('first')).rejects.toThrow('down');
    now = JWKS_FETCH_BACKOFF_MS;
    await expect(fetcher.fetch('second')).rejects.toThrow('down');
    now = JWKS_FETCH_BACKOFF_MS * 2 - 1;
    await expect(fetcher.fetch('third')).rejects.toThrow('backing off');
    expect(calls).toEqual(['first', 'second']);
  });
});
