/**
 * The refresh-token cookie (DESIGN §3): the refresh token lives only here,
 * `HttpOnly; Secure; SameSite=Strict; Path=/auth`, so script never sees it
 * and only the auth routes receive it. These attributes are fixed, not
 * settings; only the name and lifetime are configurable. Browsers accept
 * Secure cookies from http://localhost and http://127.0.0.1, so the local
 * stack works without TLS.
 */
import { REFRESH_COOKIE_PATH } from '../../edge-functions/core/auth-routes';

export interface RefreshCookieSettings {
  readonly name: string;
  readonly maxAgeSeconds: number;
}

/** RFC 6265 §4.1.1 cookie-name (an RFC 7230 token). */
export const COOKIE_NAME_PATTERN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * What a Cognito refresh token can look like: JWT/JWE compact serialization
 * (base64url segments joined by dots). Also keeps the value cookie-safe.
 */
const REFRESH_TOKEN_PATTERN = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)*$/;

/** Browsers keep at most 4096 bytes per cookie, name and attributes included. */
const MAX_COOKIE_VALUE_LENGTH = 4096;

const FIXED_ATTRIBUTES = `Path=${REFRESH_COOKIE_PATH}; HttpOnly; Secure; SameSite=Strict`;

export function refreshCookie(token: string, settings: RefreshCookieSettings): string {
  if (!isPlausibleRefreshToken(token)) {
    // Never put a value in a header that could break out of the cookie.
    throw new Error('Refusing to set a refresh cookie with an unexpected token format');
  }
  return `${settings.name}=${token}; Max-Age=${settings.maxAgeSeconds}; ${FIXED_ATTRIBUTES}`;
}

/** Expires the cookie now (same name, path and attributes, so the browser replaces it). */
export function clearedRefreshCookie(settings: RefreshCookieSettings): string {
  return `${settings.name}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; ${FIXED_ATTRIBUTES}`;
}

/**
 * The value of the cookie `name` from Cookie request headers, or undefined.
 * When the name appears more than once, the first wins: browsers list the
 * cookie with the longest path first, and ours is host-only with Path=/auth.
 */
export function readCookie(cookieHeaders: readonly string[], name: string): string | undefined {
  for (const header of cookieHeaders) {
    for (const pair of header.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      if (pair.slice(0, eq).trim() !== name) continue;
      return stripQuotes(pair.slice(eq + 1).trim());
    }
  }
  return undefined;
}

export function isPlausibleRefreshToken(value: string): boolean {
  return value.length > 0 && value.length <= MAX_COOKIE_VALUE_LENGTH && REFRESH_TOKEN_PATTERN.test(value);
}

function stripQuotes(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}
