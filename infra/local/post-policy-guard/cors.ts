/**
 * CORS for browser uploads, as an S3 bucket with one CORS rule would answer:
 * AllowedOrigins = the configured origins (an entry may hold one `*`
 * wildcard, like S3's), AllowedMethods and AllowedHeaders = the deployed
 * bucket's own (infra/shared/upload-cors.ts: GET, PUT, POST, DELETE — forms
 * POST; a multipart upload POSTs create and complete, PUTs parts, GETs its
 * part list and DELETEs to abort — and content-type, content-md5, x-amz-*,
 * the headers a presigned URL signs), ExposeHeaders = ETag (each part's, which the page must read back for
 * complete), Location, x-amz-request-id. A preflight from another
 * origin is refused with 403; an actual POST from another origin is still
 * processed (S3 does not block it) but gets no CORS headers, so the browser
 * hides the answer from the page.
 */
import { UPLOAD_CORS_HEADERS, UPLOAD_CORS_METHODS } from '../../shared/upload-cors';
import { CorsBadRequestError, CorsForbiddenError } from './errors';

export const EXPOSED_HEADERS = 'ETag, Location, x-amz-request-id';
/** How long a browser may cache a preflight answer (S3 examples use 3000 s). */
export const PREFLIGHT_MAX_AGE_SECONDS = 3000;
/** Also s3rver's bucket rule by default (../s3rver.ts): s3rver adds the CORS headers to the answers the guard passes on, so both must allow what this preflight allows. */
export const ALLOWED_METHODS: readonly string[] = UPLOAD_CORS_METHODS;
/** Also s3rver's bucket rule by default. */
export const ALLOWED_HEADERS: readonly string[] = UPLOAD_CORS_HEADERS;

export function isOriginAllowed(origin: string, allowedOrigins: readonly string[]): boolean {
  return allowedOrigins.some((pattern) => matchesPattern(origin, pattern));
}

/** An S3 CORS pattern: exact, or with one `*` standing for any run of characters. */
function matchesPattern(value: string, pattern: string): boolean {
  const star = pattern.indexOf('*');
  if (star === -1) return pattern === value;
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  return value.length >= head.length + tail.length && value.startsWith(head) && value.endsWith(tail);
}

/** Whether every requested header is allowed (S3 compares header names case-insensitively). */
function requestHeadersAllowed(requested: string): boolean {
  const names = requested
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  return names.every((name) => ALLOWED_HEADERS.some((pattern) => matchesPattern(name, pattern)));
}

/** The headers to add to an answer the guard gives itself (form POST, multipart), success or error; none for other origins. */
export function corsHeaders(origin: string | undefined, allowedOrigins: readonly string[]): Record<string, string> {
  if (origin === undefined || !isOriginAllowed(origin, allowedOrigins)) return {};
  return {
    'Access-Control-Allow-Origin': allowedOrigins.includes('*') ? '*' : origin,
    'Access-Control-Allow-Methods': ALLOWED_METHODS.join(', '),
    'Access-Control-Expose-Headers': EXPOSED_HEADERS,
    'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_SECONDS),
    Vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  };
}

export interface PreflightRequest {
  readonly origin: string | undefined;
  readonly method: string | undefined;
  readonly requestHeaders: string | undefined;
}

/** The headers of a 200 preflight answer, or a refusal. */
export function preflightHeaders(request: PreflightRequest, allowedOrigins: readonly string[]): Record<string, string> {
  if (request.origin === undefined) throw new CorsBadRequestError('Insufficient information. Origin request header needed.');
  if (request.method === undefined) throw new CorsBadRequestError('Invalid Access-Control-Request-Method: null');
  if (!ALLOWED_METHODS.includes(request.method) || !isOriginAllowed(request.origin, allowedOrigins)) {
    throw new CorsForbiddenError(request.method);
  }
  const headers = corsHeaders(request.origin, allowedOrigins);
  const requested = request.requestHeaders?.trim();
  if (!requested) return headers;
  if (!requestHeadersAllowed(requested)) throw new CorsForbiddenError(request.method);
  return { ...headers, 'Access-Control-Allow-Headers': requested };
}
