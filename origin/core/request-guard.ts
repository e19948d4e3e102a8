/**
 * The checks every auth request passes before any route logic runs, in this
 * order: known route (404), method (405), origin (403), content type on body
 * routes (415), body size (413), body encoding (400). They are the same
 * checks the auth-guard CloudFront Function makes, repeated here because the
 * API must be safe on its own.
 */
import { AUTH_METHOD, AUTH_ROUTES, MAX_AUTH_BODY_BYTES, isAuthPath, type AuthPath } from '../../edge-functions/core/auth-routes';
import {
  ForbiddenOriginError,
  InvalidRequestError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from './errors';
import { headerValues, type AuthRequest } from './http';

/** Fetch Metadata values that mean "another site sent this" (same-site is a sibling subdomain: still not us). */
const CROSS_SITE_FETCHES = new Set(['cross-site', 'same-site']);

/** Longest base64 text that can decode to MAX_AUTH_BODY_BYTES, so larger input is refused without decoding it. */
const MAX_BASE64_LENGTH = Math.ceil(MAX_AUTH_BODY_BYTES / 3) * 4;
const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;

export function resolveRoute(request: AuthRequest): AuthPath {
  if (!isAuthPath(request.path)) throw new NotFoundError({ detail: 'unknown path' });
  return request.path;
}

export function checkMethod(request: AuthRequest): void {
  if (request.method !== AUTH_METHOD) {
    throw new MethodNotAllowedError([AUTH_METHOD], { detail: 'method' });
  }
}

/**
 * Refuses a request that a browser says came from another site: an `Origin`
 * that is not the site's own (including `null`), or `Sec-Fetch-Site`
 * cross-site / same-site. No Origin at all is a non-browser client (or an old
 * browser) and is allowed; the SameSite=Strict cookie still protects it.
 */
export function checkOrigin(request: AuthRequest, siteOrigin: string): void {
  const origins = headerValues(request, 'origin');
  if (origins.some((origin) => origin.trim() !== siteOrigin)) {
    throw new ForbiddenOriginError({ detail: 'origin' });
  }
  const fetchSites = headerValues(request, 'sec-fetch-site');
  if (fetchSites.some((site) => CROSS_SITE_FETCHES.has(site.trim().toLowerCase()))) {
    throw new ForbiddenOriginError({ detail: 'sec-fetch-site' });
  }
}

/** `application/json`, optionally with `charset=utf-8`; exactly one Content-Type header. */
export function checkContentType(request: AuthRequest, route: AuthPath): void {
  if (!AUTH_ROUTES[route].body) return;
  const values = headerValues(request, 'content-type');
  const value = values[0];
  if (values.length !== 1 || value === undefined || !isJsonMediaType(value)) {
    throw new UnsupportedMediaTypeError({ detail: values.length === 0 ? 'no content type' : 'content type' });
  }
}

export function isJsonMediaType(value: string): boolean {
  const [type, ...params] = value.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((param) => param === '' || /^charset="?utf-8"?$/.test(param));
}

/**
 * The body as UTF-8 text ('' when absent), after the size limit. Applies to
 * every route: refresh and logout ignore their body but still refuse a big one.
 */
export function readBody(request: AuthRequest): string {
  const raw = request.rawBody ?? '';
  if (!request.isBase64Encoded) {
    if (Buffer.byteLength(raw, 'utf8') > MAX_AUTH_BODY_BYTES) throw new PayloadTooLargeError(MAX_AUTH_BODY_BYTES);
    return raw;
  }
  if (raw.length > MAX_BASE64_LENGTH) throw new PayloadTooLargeError(MAX_AUTH_BODY_BYTES);
  if (raw.length % 4 !== 0 || !BASE64_PATTERN.test(raw)) {
    throw new InvalidRequestError('The body is not valid base64.', { detail: 'base64' });
  }
  const bytes = Buffer.from(raw, 'base64');
  if (bytes.length > MAX_AUTH_BODY_BYTES) throw new PayloadTooLargeError(MAX_AUTH_BODY_BYTES);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InvalidRequestError('The body is not valid UTF-8.', { detail: 'utf-8' });
  }
}
