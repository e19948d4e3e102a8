/**
 * Verification of Cognito access tokens with aws-jwt-verify.
 *
 * The JWKS from config.json is preloaded with `cacheJwks`, so verifying a
 * token makes no network call; a token whose `kid` is not in it makes the
 * library fetch `<issuer>/.well-known/jwks.json` (key rotation). Its penalty
 * box rate-limits fetches that succeed without the kid; a fetch that fails
 * starts our own back-off, so a flood of tokens with made-up kids costs one
 * round trip per back-off period while the JWKS endpoint is down, not one per
 * token. Only RS256 is accepted: the header is checked before the library
 * sees the token, and the configured keys are RSA.
 */
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import { SimpleFetcher, type Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import {
  CognitoJwtInvalidClientIdError,
  CognitoJwtInvalidTokenUseError,
  FailedAssertionError,
  JwksNotAvailableInCacheError,
  JwtExpiredError,
  JwtInvalidClaimError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  FetchError,
} from 'aws-jwt-verify/error';
import { JwtVerifier } from 'aws-jwt-verify/jwt-verifier';
import type { EdgeConfig } from './edge-config';
import { UnauthorizedError } from './errors';

export interface AccessTokenClaims {
  /** The user's Cognito `sub`: the owner of every object they upload. */
  readonly sub: string;
}

export interface TokenVerifier {
  /** Resolves with the claims of a valid access token; rejects with UnauthorizedError otherwise. */
  verify(token: string): Promise<AccessTokenClaims>;
}

export interface TokenVerifierOptions {
  /** How the JWKS is fetched for an unknown kid. @default aws-jwt-verify's SimpleFetcher (tests switch the network off here) */
  readonly fetcher?: Fetcher;
  /** @default Date.now */
  readonly now?: () => number;
}

/** After a failed JWKS fetch, further fetches fail at once for this long. */
export const JWKS_FETCH_BACKOFF_MS = 10_000;

/** Wraps a fetcher so that a failure is not retried before JWKS_FETCH_BACKOFF_MS has passed. */
export function backoffFetcher(inner: Fetcher, now: () => number = Date.now): Fetcher {
  let failedAt = Number.NEGATIVE_INFINITY;
  return {
    async fetch(uri, requestOptions, data) {
      if (now() - failedAt < JWKS_FETCH_BACKOFF_MS) throw new Error('JWKS fetch is backing off after a failure');
      try {
        return await inner.fetch(uri, requestOptions, data);
      } catch (error) {
        failedAt = now();
        throw error;
      }
    },
  };
}

/** A Cognito sub is a UUID; anything that could leave its key segment is refused. */
const SAFE_SUB = /^[A-Za-z0-9_-]{1,128}$/;

export function createTokenVerifier(
  config: Pick<EdgeConfig, 'issuer' | 'clientIds' | 'jwks'>,
  options: TokenVerifierOptions = {},
): TokenVerifier {
  // A copy: the library's types want a mutable array; any one of these clients is trusted.
  const clientId = [...config.clientIds];
  const verifierProps = {
    issuer: config.issuer,
    audience: null,
    customJwtCheck: ({ payload }: { payload: Parameters<typeof validateCognitoJwtFields>[0] }) => {
      // The library checks `exp` only when a token has one; a Cognito access token always does,
      // and one without it would never expire.
      if (typeof payload.exp !== 'number') throw new UnauthorizedError('exp is missing');
      validateCognitoJwtFields(payload, { tokenUse: 'access', clientId });
    },
  };
  const fetcher = backoffFetcher(options.fetcher ?? new SimpleFetcher(), options.now);
  const verifier = JwtVerifier.create(verifierProps, { jwksCache: new SimpleJwksCache({ fetcher }) });
  verifier.cacheJwks({ keys: config.jwks.keys.map((key) => ({ ...key })) });

  return {
    async verify(token: string): Promise<AccessTokenClaims> {
      let payload: Awaited<ReturnType<typeof verifier.verify>>;
      try {
        const { header } = decomposeUnverifiedJwt(token);
        if (header.alg !== 'RS256') throw new UnauthorizedError('alg is not RS256');
        payload = await verifier.verify(token);
      } catch (error) {
        if (error instanceof UnauthorizedError) throw error;
        throw new UnauthorizedError(refusalReason(error));
      }
      const { sub } = payload;
      if (typeof sub !== 'string' || !SAFE_SUB.test(sub)) throw new UnauthorizedError('sub is missing or unsafe');
      return { sub };
    },
  };
}

/**
 * Why the library refused a token, for the log: its error's class name. Named
 * here rather than read from the constructor, because the edge bundle is
 * minified without keeping names (it saves ~4.6 KB of a 50 KB budget). The
 * most specific classes come first: several extend JwtInvalidClaimError.
 */
export const REFUSAL_REASONS: ReadonlyArray<readonly [abstract new (...args: never[]) => Error, string]> = [
  [JwtExpiredError, 'JwtExpiredError'],
  [JwtNotBeforeError, 'JwtNotBeforeError'],
  [JwtInvalidIssuerError, 'JwtInvalidIssuerError'],
  [CognitoJwtInvalidTokenUseError, 'CognitoJwtInvalidTokenUseError'],
  [CognitoJwtInvalidClientIdError, 'CognitoJwtInvalidClientIdError'],
  [JwtInvalidClaimError, 'JwtInvalidClaimError'],
  [JwtInvalidSignatureAlgorithmError, 'JwtInvalidSignatureAlgorithmError'],
  [JwtInvalidSignatureError, 'JwtInvalidSignatureError'],
  [JwtWithoutValidKidError, 'JwtWithoutValidKidError'],
  [KidNotFoundInJwksError, 'KidNotFoundInJwksError'],
  [JwksNotAvailableInCacheError, 'JwksNotAvailableInCacheError'],
  [JwtParseError, 'JwtParseError'],
  [FetchError, 'FetchError'],
  [FailedAssertionError, 'FailedAssertionError'],
];

export function refusalReason(error: unknown): string {
  for (const [type, name] of REFUSAL_REASONS) if (error instanceof type) return name;
  return error instanceof Error ? 'unrecognized refusal' : 'unverifiable token';
}
