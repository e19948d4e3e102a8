/**
 * The auth API's configuration, read from environment variables once at cold
 * start, validated, and frozen. A bad value fails the cold start with one
 * message that lists every problem; it never fails a request later.
 */
import { AuthConfigError } from './errors';
import { COOKIE_NAME_PATTERN, REFRESH_COOKIE_PREFIX, type RefreshCookieSettings } from './cookies';

export interface CognitoClientSettings {
  /** The pool's region, taken from the pool id (`eu-west-1_AbC…` ⇒ `eu-west-1`). */
  readonly region: string;
  /** Only for the local stack (cognito-local); on AWS the SDK picks the endpoint. */
  readonly endpoint: string | undefined;
  /** SDK attempts per call, first try included. */
  readonly maxAttempts: number;
  /** Per attempt; kept well under API Gateway's 29 s integration timeout. */
  readonly requestTimeoutMs: number;
}

export interface AuthConfig {
  readonly userPoolId: string;
  readonly clientId: string;
  /** The site's own origin (`https://example.com`): the only `Origin` a request may carry. */
  readonly siteOrigin: string;
  readonly refreshCookie: RefreshCookieSettings;
  readonly cognito: CognitoClientSettings;
}

/** The environment variables, for docs and for tests. */
export const AUTH_ENV = Object.freeze({
  userPoolId: 'USER_POOL_ID',
  clientId: 'USER_POOL_CLIENT_ID',
  siteOrigin: 'SITE_ORIGIN',
  cognitoEndpoint: 'COGNITO_ENDPOINT',
  cookieName: 'REFRESH_COOKIE_NAME',
  cookieMaxAge: 'REFRESH_COOKIE_MAX_AGE_SECONDS',
  maxAttempts: 'COGNITO_MAX_ATTEMPTS',
  requestTimeoutMs: 'COGNITO_REQUEST_TIMEOUT_MS',
});

export const DEFAULT_REFRESH_COOKIE_NAME = `${REFRESH_COOKIE_PREFIX}edge_upload_refresh`;
/** 30 days: Cognito's default refresh-token validity. Set it to the app client's RefreshTokenValidity. */
export const DEFAULT_REFRESH_COOKIE_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;
/** Cognito's longest refresh-token validity: 10 years. */
const MAX_REFRESH_COOKIE_MAX_AGE_SECONDS = 10 * 365 * 24 * 60 * 60;
/** The SDK's own default: one try and two retries. */
export const DEFAULT_COGNITO_MAX_ATTEMPTS = 3;
export const DEFAULT_COGNITO_REQUEST_TIMEOUT_MS = 5000;

/** Cognito's documented patterns for a user pool id and an app client id. */
const USER_POOL_ID_PATTERN = /^([a-z0-9-]+)_[0-9a-zA-Z]+$/;
const CLIENT_ID_PATTERN = /^[\w+]{1,128}$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export type Env = Readonly<Record<string, string | undefined>>;

export function parseAuthConfig(env: Env): AuthConfig {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const required = (name: string): string => {
    const value = get(name);
    if (value === undefined) problems.push(`${name} is required`);
    return value ?? '';
  };

  const userPoolId = required(AUTH_ENV.userPoolId);
  const region = USER_POOL_ID_PATTERN.exec(userPoolId)?.[1];
  if (userPoolId !== '' && (region === undefined || userPoolId.length > 55)) {
    problems.push(`${AUTH_ENV.userPoolId} must look like <region>_<id>, for example eu-west-1_AbCdEfGhI`);
  }

  const clientId = required(AUTH_ENV.clientId);
  if (clientId !== '' && !CLIENT_ID_PATTERN.test(clientId)) {
    problems.push(`${AUTH_ENV.clientId} must be a Cognito app client id (letters, digits, _ or +)`);
  }

  const siteOrigin = parseSiteOrigin(required(AUTH_ENV.siteOrigin), problems);
  const endpoint = parseEndpoint(get(AUTH_ENV.cognitoEndpoint), problems);

  const cookieName = get(AUTH_ENV.cookieName) ?? DEFAULT_REFRESH_COOKIE_NAME;
  if (!COOKIE_NAME_PATTERN.test(cookieName) || cookieName.length > 64) {
    problems.push(`${AUTH_ENV.cookieName} must be a cookie name of at most 64 token characters`);
  } else if (cookieName.startsWith('__Host-')) {
    problems.push(`${AUTH_ENV.cookieName} cannot use the __Host- prefix: it requires Path=/ and the cookie is Path=/auth`);
  } else if (!cookieName.startsWith(REFRESH_COOKIE_PREFIX)) {
    // Without the prefix a plain-http response (a sibling subdomain's, say) could set the name.
    problems.push(`${AUTH_ENV.cookieName} must start with ${REFRESH_COOKIE_PREFIX}`);
  }

  const maxAgeSeconds = parseInteger(
    env,
    AUTH_ENV.cookieMaxAge,
    DEFAULT_REFRESH_COOKIE_MAX_AGE_SECONDS,
    60,
    MAX_REFRESH_COOKIE_MAX_AGE_SECONDS,
    problems,
  );
  const maxAttempts = parseInteger(env, AUTH_ENV.maxAttempts, DEFAULT_COGNITO_MAX_ATTEMPTS, 1, 10, problems);
  const requestTimeoutMs = parseInteger(env, AUTH_ENV.requestTimeoutMs, DEFAULT_COGNITO_REQUEST_TIMEOUT_MS, 100, 25_000, problems);

  if (problems.length > 0) throw new AuthConfigError(problems);

  return deepFreeze({
    userPoolId,
    clientId,
    siteOrigin,
    refreshCookie: { name: cookieName, maxAgeSeconds },
    cognito: { region: region ?? '', endpoint, maxAttempts, requestTimeoutMs },
  });
}

function parseSiteOrigin(value: string, problems: string[]): string {
  if (value === '') return '';
  const url = tryUrl(value);
  if (url === undefined || url.origin === 'null' || url.origin !== value.replace(/\/$/, '').toLowerCase()) {
    problems.push(`${AUTH_ENV.siteOrigin} must be an origin such as https://uploads.example.com (scheme, host, optional port; no path)`);
    return '';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    problems.push(`${AUTH_ENV.siteOrigin} must use https (http is allowed only for localhost and 127.0.0.1)`);
  }
  return url.origin;
}

function parseEndpoint(value: string | undefined, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  const url = tryUrl(value);
  if (
    url === undefined ||
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    url.hash !== ''
  ) {
    problems.push(`${AUTH_ENV.cognitoEndpoint} must be an http(s) URL such as http://127.0.0.1:9229`);
    return undefined;
  }
  return url.href;
}

function parseInteger(env: Env, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max}`);
    return fallback;
  }
  return Number(raw);
}

function tryUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null) deepFreeze(child);
  }
  return Object.freeze(value);
}
