/**
 * The contract of the auth API's routes (docs/http-api.md "Auth routes"), shared by the
 * `auth-guard` CloudFront Function (compiled in at build time), the regional
 * auth handler and the local edge. Written once, here.
 */

export interface AuthRoute {
  /** Whether the route takes a JSON body (refresh and logout read only the cookie). */
  readonly body: boolean;
}

export const AUTH_ROUTES = Object.freeze({
  '/auth/register': { body: true },
  '/auth/confirm': { body: true },
  '/auth/resend': { body: true },
  '/auth/login': { body: true },
  '/auth/refresh': { body: false },
  '/auth/logout': { body: false },
  '/auth/forgot': { body: true },
  '/auth/reset': { body: true },
} satisfies Record<string, AuthRoute>);

export type AuthPath = keyof typeof AUTH_ROUTES;

/** The one method the auth routes accept. */
export const AUTH_METHOD = 'POST';

/** Largest auth request body, in bytes (docs/http-api.md: over 4 KiB is 413 PAYLOAD_TOO_LARGE). */
export const MAX_AUTH_BODY_BYTES = 4096;

/** Path of the refresh-token cookie: only the auth routes ever see it. */
export const REFRESH_COOKIE_PATH = '/auth';

export function isAuthPath(path: string): path is AuthPath {
  return Object.prototype.hasOwnProperty.call(AUTH_ROUTES, path);
}
