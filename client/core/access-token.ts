/**
 * Where the library gets its access token. The site passes its Session (the
 * token in memory, refreshed from the HttpOnly cookie); another app passes a
 * `getToken()` callback over its own sign-in. Either way an authorized call
 * that answers 401 gets exactly one fresh token and one more try, then
 * SessionExpiredError: a token the edge refuses twice will not get better.
 */
import { UNAUTHORIZED } from '../../edge-functions/contract/http-errors';
import { ApiError, SessionExpiredError } from './errors';

/** Runs an authorized call with a current access token (site/core/session.ts's Session is one). */
export interface AccessTokens {
  withAccessToken<T>(call: (accessToken: string) => Promise<T>): Promise<T>;
}

export interface GetTokenOptions {
  /** True after the edge answered 401 with the last token: return a new one (refresh it), not the cached one. */
  readonly forceRefresh: boolean;
}

/** The app's token source: a Cognito access token of a client id the edge trusts (docs/http-api.md). */
export type GetToken = (options: GetTokenOptions) => string | Promise<string>;

export function tokensFrom(getToken: GetToken): AccessTokens {
  return {
    async withAccessToken<T>(call: (accessToken: string) => Promise<T>): Promise<T> {
      try {
        return await call(await getToken({ forceRefresh: false }));
      } catch (error) {
        if (!isUnauthorized(error)) throw error;
      }
      try {
        return await call(await getToken({ forceRefresh: true }));
      } catch (error) {
        if (!isUnauthorized(error)) throw error;
        throw new SessionExpiredError();
      }
    },
  };
}

export function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiError && error.status === UNAUTHORIZED.status;
}
