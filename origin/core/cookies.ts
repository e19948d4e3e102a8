/**
 * The refresh-token cookie (docs/http-api.md): the refresh token lives only here,
 * `HttpOnly; Secure; SameSite=Strict; Path=/auth`, so script never sees it
 * and only the auth routes receive it. These attributes are fixed, not
 * settings; only the name and lifetime are configurable, and the name always
 * carries the `__Secure-` prefix, so a browser refuses the name from any
 * response that is not Secure (a plain-http page of a sibling subdomain, for
 * one). Browsers accept Secure and `__Secure-` cookies from http://localhost
 * and http://127.0.0.1 (checked with Debian's Chromium 156), so the local stack
 * works without TLS.
 *
 * Cookie tossing: a sibling subdomain can still plant a cookie of the same
 * name for the parent domain with a longer path (`Path=/auth/refresh`), and
 * browsers list it first. So a request that carries the name more than once
 * is refused (readRefreshCookie), never resolved by picking one.
 */
import { REFRESH_COOKIE_PATH } from '../../edge-functions/core/auth-routes';

export interface RefreshCookieSettings {
  readonly name: string;
  readonly maxAgeSeconds: number;
}

/** Every refresh cookie name starts with this (RFC 6265bis §4.1.3.1). */
export const REFRESH_COOKIE_PREFIX = '__Secure-';

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

/** What the Cookie headers hold under one name. */
export type CookieLookup =
  | { readonly kind: 'none' }
  | { readonly kind: 'one'; readonly value: string }
  | { readonly kind: 'several'; readonly count: number };

/**
 * The cookie `name` from Cookie request headers. Ours is host-only with
 * Path=/auth, so a browser sends it once; a second copy was planted (a
 * sibling subdomain's Domain= cookie, or a longer path that browsers list
 * first), and nothing says which copy is ours: `several`, never a pick.
 */
export function readCookie(cookieHeaders: readonly string[], name: string): CookieLookup {
  const values: string[] = [];
  for (const header of cookieHeaders) {
    for (const pair of header.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      if (pair.slice(0, eq).trim() !== name) continue;
      values.push(stripQuotes(pair.slice(eq + 1).trim()));
    }
  }
  const [first] = values;
  if (first === undefined) return { kind: 'none' };
  return values.length === 1 ? { kind: 'one', value: first } : { kind: 'several', count: values.length };
}

export function isPlausibleRefreshToken(value: string): boolean {
  return value.length > 0 && value.length <= MAX_COOKIE_VALUE_LENGTH && REFRESH_TOKEN_PATTERN.test(value);
}

function stripQuotes(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}
