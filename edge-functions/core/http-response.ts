/**
 * Transport-neutral responses and the one error mapper of the edge (docs/http-api.md).
 * Adapters (Lambda@Edge, the local edge) turn an HttpResponse into their own
 * shape; nothing else decides what a client sees when something goes wrong.
 */
import { INTERNAL, INTERNAL_MESSAGE } from '../contract/http-errors';
import { EdgeUploadError, MethodNotAllowedError, UnauthorizedError, type ErrorCode } from './errors';

export interface HttpResponse {
  readonly status: number;
  /** Header names in their canonical case; adapters lower-case them where the transport wants it. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly file?: number };
}

const BASE_HEADERS = Object.freeze({
  'Content-Type': 'application/json',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
});

export function jsonResponse(status: number, body: unknown, extraHeaders: Record<string, string> = {}): HttpResponse {
  return { status, headers: { ...BASE_HEADERS, ...extraHeaders }, body: JSON.stringify(body) };
}

/**
 * Any thrown value → the `{error:{code,message}}` response. Our own errors carry a safe
 * message; anything else is a bug and becomes a generic 500 that says nothing.
 */
export function errorResponse(error: unknown): HttpResponse {
  if (!(error instanceof EdgeUploadError)) {
    return jsonResponse(INTERNAL.status, { error: { code: INTERNAL.code, message: INTERNAL_MESSAGE } });
  }
  const body: ErrorBody = {
    error:
      error.file === undefined
        ? { code: error.code, message: error.message }
        : { code: error.code, message: error.message, file: error.file },
  };
  const headers: Record<string, string> = {};
  if (error instanceof UnauthorizedError) headers['WWW-Authenticate'] = 'Bearer';
  if (error instanceof MethodNotAllowedError) headers['Allow'] = error.allow.join(', ');
  return jsonResponse(error.status, body, headers);
}
