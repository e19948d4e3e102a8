/**
 * CloudFront Function `auth-guard` (runtime cloudfront-js-2.0), viewer-request
 * on the `/auth/*` behaviour, in front of the regional auth API (docs/http-api.md "Who answers which path").
 *
 * It refuses, at the edge and in the error shape of docs/http-api.md, what the auth
 * API would refuse anyway, so junk never costs a trip to the region. Checks
 * run in this order, and the first failure answers:
 *
 * 1. path:   not one of AUTH_ROUTES                       → 404 NOT_FOUND
 * 2. method: not AUTH_METHOD (POST)                        → 405 METHOD_NOT_ALLOWED, `Allow: POST`
 * 3. origin: cross-site (see `isSameSite` below)           → 403 FORBIDDEN_ORIGIN
 * 4. type:   a body route without `application/json`       → 415 UNSUPPORTED_MEDIA_TYPE
 * 5. size:   `content-length` not a decimal integer        → 400 INVALID_REQUEST
 *            `content-length` over MAX_AUTH_BODY_BYTES     → 413 PAYLOAD_TOO_LARGE
 *
 * Path and method come first because they say whether the request is aimed at
 * the API at all; the origin comes before the body checks so that a cross-site
 * attempt learns nothing about what a valid body would look like.
 *
 * A CloudFront Function cannot see the body, so `content-length` is the only
 * size signal here; a request without one (chunked) passes, and the auth
 * handler and the WAF body-size rule still bound the real body.
 *
 * Anything that passes is returned as the very request object CloudFront gave.
 *
 * The route table and limits are compiled in from edge-functions/core/auth-routes.ts
 * at build time (one definition, shared with the auth handler and the local edge).
 */
import type { CloudFrontFunctionsEvent } from 'aws-lambda';
import { AUTH_METHOD, AUTH_ROUTES, MAX_AUTH_BODY_BYTES, isAuthPath } from '../core/auth-routes';
import {
  FORBIDDEN_ORIGIN,
  INVALID_REQUEST,
  METHOD_NOT_ALLOWED,
  NOT_FOUND,
  PAYLOAD_TOO_LARGE,
  UNSUPPORTED_MEDIA_TYPE,
} from '../contract/http-errors';
import { errorResponse as reject, type ErrorResponse } from './error-response';

type ViewerRequest = CloudFrontFunctionsEvent['request'];
type Header = ViewerRequest['headers'][string] | undefined;

/** `application/json`, any case, optionally followed by parameters such as `; charset=utf-8`. */
const JSON_MEDIA_TYPE = /^\s*application\/json\s*(?:;|$)/i;

/** An `Origin` header value that can be compared: http(s), a host, an optional port, nothing else. */
const SERIALIZED_ORIGIN = /^https?:\/\/([^/?#@\s]+)$/i;

/** A default port adds nothing to an authority: `example.com:443` is `example.com`. */
const DEFAULT_PORT = /:(?:80|443)$/;

const DECIMAL = /^\d+$/;

function handler(event: CloudFrontFunctionsEvent): ViewerRequest | ErrorResponse {
  const request = event.request;
  const headers = request.headers;
  const uri = request.uri;

  if (!isAuthPath(uri)) return reject(NOT_FOUND, 'Not Found', 'There is no such auth route.');

  if (request.method !== AUTH_METHOD) {
    return reject(METHOD_NOT_ALLOWED, 'Method Not Allowed', `Auth routes accept ${AUTH_METHOD} only.`, AUTH_METHOD);
  }

  if (!isSameSite(single(headers['origin']), single(headers['sec-fetch-site']), single(headers['host']))) {
    return reject(FORBIDDEN_ORIGIN, 'Forbidden', 'Cross-site requests are not allowed.');
  }

  const contentType = single(headers['content-type']);
  if (AUTH_ROUTES[uri].body && !(typeof contentType === 'string' && JSON_MEDIA_TYPE.test(contentType))) {
    return reject(UNSUPPORTED_MEDIA_TYPE, 'Unsupported Media Type', 'The body must be application/json.');
  }

  const contentLength = single(headers['content-length']);
  if (contentLength !== undefined) {
    if (contentLength === null || !DECIMAL.test(contentLength)) {
      return reject(INVALID_REQUEST, 'Bad Request', 'The Content-Length header is not valid.');
    }
    if (Number(contentLength) > MAX_AUTH_BODY_BYTES) {
      return reject(PAYLOAD_TOO_LARGE, 'Payload Too Large', `The body is larger than ${MAX_AUTH_BODY_BYTES} bytes.`);
    }
  }

  return request;
}

/**
 * The one value of a header: undefined when it is absent, null when the
 * viewer sent it more than once (never trusted: which copy would the origin read?).
 */
function single(header: Header): string | null | undefined {
  if (header === undefined) return undefined;
  return header.multiValue && header.multiValue.length > 1 ? null : header.value;
}

/**
 * Same-origin rules (docs/http-api.md: "an Origin that is not the site's own" is 403):
 *
 * - `Origin`, when sent, must name the host the request was sent to. We compare
 *   the authority (host and port, case-insensitive, default ports dropped),
 *   not the scheme: on AWS the distribution is HTTPS-only, so the scheme is
 *   always https and adds nothing, while the local edge serves the same code
 *   over plain http on 127.0.0.1:3000. `Origin: null` (sandboxed frames,
 *   cross-site redirects) never matches.
 * - `Sec-Fetch-Site`, when sent, must be `same-origin`. `same-site` would let a
 *   sibling subdomain in; `none` means a navigation the user started (address
 *   bar, bookmark), which never issues the app's JSON POSTs; `cross-site` is
 *   the attack itself. So only `same-origin` passes.
 * - Neither header: not a browser-driven cross-site request (browsers send
 *   `Origin` on every POST), e.g. curl or a test client; it passes, and the
 *   refresh cookie is SameSite=Strict besides.
 */
function isSameSite(origin: string | null | undefined, fetchSite: string | null | undefined, host: string | null | undefined): boolean {
  if (fetchSite !== undefined && fetchSite !== 'same-origin') return false;
  if (origin === undefined) return true;
  const match = origin === null ? null : SERIALIZED_ORIGIN.exec(origin);
  const authority = match ? match[1] : undefined;
  return typeof authority === 'string' && typeof host === 'string' && normalizeAuthority(authority) === normalizeAuthority(host);
}

function normalizeAuthority(authority: string): string {
  return authority.toLowerCase().replace(DEFAULT_PORT, '');
}

/** The handler's type, for tools; a type-only export leaves no `export` in the built script. */
export type AuthGuardHandler = typeof handler;
