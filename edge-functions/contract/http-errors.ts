/**
 * The HTTP error contract (docs/http-api.md): every `code` an answer of this
 * system can carry in its `{"error":{"code","message"}}` body, the status it is
 * sent with, and the one message for a failure nobody foresaw (500 INTERNAL).
 *
 * Defined once, here; the edge (edge-functions/core/errors.ts), the
 * CloudFront Functions, the auth API (origin/core/errors.ts), the local edge
 * (infra/local/edge/errors.ts), the firewall's block bodies
 * (infra/shared/firewall-responses.ts) and the site and the client library (client/core/errors.ts)
 * take their codes and statuses from it.
 *
 * Pure data with no imports, so any deployable may import it without pulling
 * anything else in. Each entry is its own const because the CloudFront
 * Functions have a 2 KB budget: their build tree-shakes this module, so a
 * function carries only the entries it names.
 */

// The edge (/presign*) and its CloudFront Functions.
export const INVALID_REQUEST = { code: 'INVALID_REQUEST', status: 400 } as const;
export const INVALID_FILENAME = { code: 'INVALID_FILENAME', status: 400 } as const;
export const EMPTY_FILE = { code: 'EMPTY_FILE', status: 400 } as const;
export const FILE_TOO_LARGE = { code: 'FILE_TOO_LARGE', status: 413 } as const;
/** Within the type's limit but over the largest POST form: go up as a multipart upload. */
export const USE_MULTIPART = { code: 'USE_MULTIPART', status: 413 } as const;
export const UNSUPPORTED_TYPE = { code: 'UNSUPPORTED_TYPE', status: 415 } as const;
export const UNSUPPORTED_MEDIA_TYPE = { code: 'UNSUPPORTED_MEDIA_TYPE', status: 415 } as const;
export const PAYLOAD_TOO_LARGE = { code: 'PAYLOAD_TOO_LARGE', status: 413 } as const;
export const UNAUTHORIZED = { code: 'UNAUTHORIZED', status: 401 } as const;
export const METHOD_NOT_ALLOWED = { code: 'METHOD_NOT_ALLOWED', status: 405 } as const;
export const NOT_FOUND = { code: 'NOT_FOUND', status: 404 } as const;
export const INVALID_TICKET = { code: 'INVALID_TICKET', status: 403 } as const;
/** A key that is not one of the caller's own files ("Your files" routes). */
export const FORBIDDEN_KEY = { code: 'FORBIDDEN_KEY', status: 403 } as const;

// The auth API (/auth/*).
export const INVALID_PASSWORD = { code: 'INVALID_PASSWORD', status: 400 } as const;
export const USER_EXISTS = { code: 'USER_EXISTS', status: 409 } as const;
export const CODE_MISMATCH = { code: 'CODE_MISMATCH', status: 400 } as const;
export const CODE_EXPIRED = { code: 'CODE_EXPIRED', status: 400 } as const;
export const INVALID_CREDENTIALS = { code: 'INVALID_CREDENTIALS', status: 401 } as const;
export const USER_NOT_CONFIRMED = { code: 'USER_NOT_CONFIRMED', status: 403 } as const;
/** The password was right, but the pool wants a step the API does not offer (MFA, a new password, a custom challenge). */
export const UNSUPPORTED_CHALLENGE = { code: 'UNSUPPORTED_CHALLENGE', status: 403 } as const;
/** The pool says this user must reset the password before logging in (an administrator asked for it, or a user migration). */
export const PASSWORD_RESET_REQUIRED = { code: 'PASSWORD_RESET_REQUIRED', status: 403 } as const;
export const INVALID_REFRESH = { code: 'INVALID_REFRESH', status: 401 } as const;
export const AUTH_UNAVAILABLE = { code: 'AUTH_UNAVAILABLE', status: 503 } as const;
export const FORBIDDEN_ORIGIN = { code: 'FORBIDDEN_ORIGIN', status: 403 } as const;

// The firewall (a rule in infra/firewall/firewall-rules.yaml may pick another block status).
export const TOO_MANY_REQUESTS = { code: 'TOO_MANY_REQUESTS', status: 429 } as const;
export const REQUEST_BLOCKED = { code: 'REQUEST_BLOCKED', status: 403 } as const;

/**
 * Anything unforeseen: a bug or an outage. Always with INTERNAL_MESSAGE, never
 * the error's own text. (The local edge, like CloudFront, answers 502/503 when
 * an edge function fails or there is no origin to reach; the code stays
 * INTERNAL: INTERNAL_BAD_GATEWAY and INTERNAL_UNAVAILABLE below.)
 */
export const INTERNAL = { code: 'INTERNAL', status: 500 } as const;

/**
 * The statuses the edge itself answers a failure with, as CloudFront does
 * (its own 502 and 503), still with the code INTERNAL and INTERNAL_MESSAGE.
 * Not in HTTP_ERRORS (its keys are codes, and the code is INTERNAL's). The
 * code is spelled out: reading INTERNAL.code here would keep INTERNAL in every
 * CloudFront Function's build (the auth guard went over its 2 KB budget).
 * 502: an edge function answered something CloudFront refuses, or let a
 * request through to a behaviour without an origin.
 */
export const INTERNAL_BAD_GATEWAY = { code: 'INTERNAL', status: 502 } as const;
/** 503: an edge function threw or ran out of time, or the origin cannot be reached (the local stack before it is ready). */
export const INTERNAL_UNAVAILABLE = { code: 'INTERNAL', status: 503 } as const;

/** The one message of a 500 INTERNAL, wherever it is sent. */
export const INTERNAL_MESSAGE = 'Something went wrong on our side. Please try again.';

/** The whole table, code → entry. */
export const HTTP_ERRORS = {
  INVALID_REQUEST,
  INVALID_FILENAME,
  EMPTY_FILE,
  FILE_TOO_LARGE,
  USE_MULTIPART,
  UNSUPPORTED_TYPE,
  UNSUPPORTED_MEDIA_TYPE,
  PAYLOAD_TOO_LARGE,
  UNAUTHORIZED,
  METHOD_NOT_ALLOWED,
  NOT_FOUND,
  INVALID_TICKET,
  FORBIDDEN_KEY,
  INVALID_PASSWORD,
  USER_EXISTS,
  CODE_MISMATCH,
  CODE_EXPIRED,
  INVALID_CREDENTIALS,
  USER_NOT_CONFIRMED,
  UNSUPPORTED_CHALLENGE,
  PASSWORD_RESET_REQUIRED,
  INVALID_REFRESH,
  AUTH_UNAVAILABLE,
  FORBIDDEN_ORIGIN,
  TOO_MANY_REQUESTS,
  REQUEST_BLOCKED,
  INTERNAL,
} as const;

export type HttpErrorCode = keyof typeof HTTP_ERRORS;

export interface HttpErrorEntry {
  readonly code: HttpErrorCode;
  readonly status: number;
}

export function isHttpErrorCode(code: string): code is HttpErrorCode {
  return Object.prototype.hasOwnProperty.call(HTTP_ERRORS, code);
}
