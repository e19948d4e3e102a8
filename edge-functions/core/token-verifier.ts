/**
 * Verification of Cognito access tokens with aws-jwt-verify.
 *
 * The JWKS from config.json is preloaded with `cacheJwks`, so verifying a
 * token makes no network call; a token whose `kid` is not in it makes the
 * library fetch `<issuer>/.well-known/jwks.json` once (its penalty box
 * rate-limits further fetches). Only RS256 is accepted: the header is
 * checked before the library sees the token, and the configured keys are RSA.
 */
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import type { JwksCache } from 'aws-jwt-verify/jwk';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
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
  /** Replaces the library's JWKS cache (and with it the fetcher): tests switch the network off here. */
  readonly jwksCache?: JwksCache;
}

/** A Cognito sub is a UUID; anything that could leave its key segment is refused. */
const SAFE_SUB = /^[A-Za-z0-9_-]{1,128}$/;

export function createTokenVerifier(
  config: Pick<EdgeConfig, 'issuer' | 'clientId' | 'jwks'>,
  options: TokenVerifierOptions = {},
): TokenVerifier {
  const { clientId } = config;
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
  const verifier =
    options.jwksCache === undefined
      ? JwtVerifier.create(verifierProps)
      : JwtVerifier.create(verifierProps, { jwksCache: options.jwksCache });
  verifier.cacheJwks({ keys: config.jwks.keys.map((key) => ({ ...key })) });

  return {
    async verify(token: string): Promise<AccessTokenClaims> {
      let payload;
      try {
        const { header } = decomposeUnverifiedJwt(token);
        if (header.alg !== 'RS256') throw new UnauthorizedError('alg is not RS256');
        payload = await verifier.verify(token);
      } catch (error) {
        if (error instanceof UnauthorizedError) throw error;
        throw new UnauthorizedError(error instanceof Error ? error.constructor.name : 'unverifiable token');
      }
      const { sub } = payload;
      if (typeof sub !== 'string' || !SAFE_SUB.test(sub)) throw new UnauthorizedError('sub is missing or unsafe');
      return { sub };
    },
  };
}
