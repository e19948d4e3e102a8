/**
 * CORS for the presign routes, for exactly the configured origins
 * (docs/http-api.md, "Cross-origin calls"). Pure: headers in, an answer or
 * extra headers out; the handler calls it before any route or crypto runs.
 *
 * - A preflight (OPTIONS with Origin and Access-Control-Request-Method) from
 *   an allowed origin, for POST, asking for no header beyond authorization and
 *   content-type, on a known route, is answered here with 204.
 * - Any other preflight is left to the router, which answers it as today
 *   (405 with Allow: POST, or 404) and without CORS headers: the browser then
 *   blocks the call. No partial grant is ever sent.
 * - Every other answer (2xx and errors alike) gets Access-Control-Allow-Origin
 *   for an allowed Origin. No Allow-Credentials: only bearer tokens cross
 *   origins; the refresh cookie stays first-party.
 *
 * Origins are compared as whole strings: `https://app.example.com.evil.test`
 * and `null` match nothing, and there are no wildcards.
 */
import type { HttpResponse } from './http-response';

export const CORS_ALLOWED_METHODS = Object.freeze(['POST'] as const);
/** Lower case: what browsers send in Access-Control-Request-Headers. */
export const CORS_ALLOWED_HEADERS = Object.freeze(['authorization', 'content-type'] as const);
/** How long a browser may reuse a preflight answer (Chromium caps it at 7,200 s). */
export const CORS_MAX_AGE_SECONDS = 600;

export interface CorsRequest {
  readonly method: string;
  /** Lower-case header names; the first value of each. */
  readonly headers: Readonly<Record<string, string | undefined>>;
}

/** The origin the request may be answered for, or undefined: no CORS headers for it. */
export function allowedOrigin(request: CorsRequest, allowedOrigins: readonly string[]): string | undefined {
  const origin = request.headers.origin;
  if (origin === undefined || allowedOrigins.length === 0) return undefined;
  return allowedOrigins.includes(origin) ? origin : undefined;
}

export function isPreflight(request: CorsRequest): boolean {
  return (
    request.method === 'OPTIONS' && request.headers.origin !== undefined && request.headers['access-control-request-method'] !== undefined
  );
}

/**
 * The 204 for a preflight this edge grants, or undefined for any request it
 * does not answer here (not a preflight, an origin not on the list, another
 * method, another header).
 */
export function preflightResponse(request: CorsRequest, allowedOrigins: readonly string[]): HttpResponse | undefined {
  if (!isPreflight(request)) return undefined;
  const origin = allowedOrigin(request, allowedOrigins);
  if (origin === undefined) return undefined;
  // The method is matched case-sensitively, as browsers send it (Fetch standard: byte-case for methods).
  if (!(CORS_ALLOWED_METHODS as readonly string[]).includes(request.headers['access-control-request-method'] ?? '')) return undefined;
  if (!requestedHeadersAllowed(request.headers['access-control-request-headers'])) return undefined;
  return {
    status: 204,
    headers: {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Methods': CORS_ALLOWED_METHODS.join(', '),
      'Access-Control-Allow-Headers': CORS_ALLOWED_HEADERS.join(', '),
      'Access-Control-Max-Age': String(CORS_MAX_AGE_SECONDS),
      'Cache-Control': 'no-store',
      Vary: 'Origin',
    },
    body: '',
  };
}

/** A comma-separated list of header names (case-insensitive); absent or empty asks for none. */
function requestedHeadersAllowed(value: string | undefined): boolean {
  if (value === undefined) return true;
  return value
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '')
    .every((name) => (CORS_ALLOWED_HEADERS as readonly string[]).includes(name));
}

/**
 * The answer with Access-Control-Allow-Origin for an allowed Origin. When a
 * list is configured, every answer says `Vary: Origin`, since whether it
 * carries the header depends on the Origin; without a list nothing changes.
 */
export function withCorsHeaders(response: HttpResponse, request: CorsRequest, allowedOrigins: readonly string[]): HttpResponse {
  if (allowedOrigins.length === 0 || response.headers['Access-Control-Allow-Origin'] !== undefined) return response;
  // A preflight that was not granted above gets no grant on its refusal either: the browser must block.
  const origin = isPreflight(request) ? undefined : allowedOrigin(request, allowedOrigins);
  const headers: Record<string, string> = { ...response.headers, Vary: varyWithOrigin(response.headers.Vary) };
  if (origin !== undefined) headers['Access-Control-Allow-Origin'] = origin;
  return { ...response, headers };
}

function varyWithOrigin(vary: string | undefined): string {
  if (vary === undefined || vary === '') return 'Origin';
  return vary.split(',').some((name) => name.trim().toLowerCase() === 'origin') ? vary : `${vary}, Origin`;
}
