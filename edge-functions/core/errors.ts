/**
 * The one error hierarchy of the edge deployable (docs/http-api.md).
 *
 * Every error the presign path can raise on purpose is a subclass of
 * EdgeUploadError with a stable `code`, an HTTP `status` and a message that is
 * safe to show to the person who sent the request. Anything else that is
 * thrown is, by definition, a bug: the mapper in http-response.ts turns it
 * into a generic 500 INTERNAL and never exposes its message. Codes and
 * statuses come from the one table of the HTTP error contract,
 * edge-functions/contract/http-errors.ts.
 */
import {
  EMPTY_FILE,
  FILE_TOO_LARGE,
  FORBIDDEN_KEY,
  INVALID_FILENAME,
  INVALID_REQUEST,
  INVALID_TICKET,
  METHOD_NOT_ALLOWED,
  NOT_FOUND,
  PAYLOAD_TOO_LARGE,
  UNAUTHORIZED,
  UNSUPPORTED_MEDIA_TYPE,
  UNSUPPORTED_TYPE,
  USE_MULTIPART,
  type HttpErrorCode,
} from '../contract/http-errors';

/** The codes of the edge: a subset of the table's. */
export type ErrorCode = Extract<
  HttpErrorCode,
  | 'INVALID_REQUEST'
  | 'INVALID_FILENAME'
  | 'FILE_TOO_LARGE'
  | 'USE_MULTIPART'
  | 'EMPTY_FILE'
  | 'UNSUPPORTED_TYPE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNAUTHORIZED'
  | 'METHOD_NOT_ALLOWED'
  | 'NOT_FOUND'
  | 'INVALID_TICKET'
  | 'FORBIDDEN_KEY'
  | 'INTERNAL'
>;

export abstract class EdgeUploadError extends Error {
  abstract readonly code: ErrorCode;
  abstract readonly status: number;
  /** Index into `files` for per-file errors. */
  readonly file: number | undefined;

  constructor(message: string, file?: number) {
    super(message);
    this.name = new.target.name;
    this.file = file;
  }
}

export class InvalidRequestError extends EdgeUploadError {
  readonly code = INVALID_REQUEST.code;
  readonly status = INVALID_REQUEST.status;
}

export class InvalidFilenameError extends EdgeUploadError {
  readonly code = INVALID_FILENAME.code;
  readonly status = INVALID_FILENAME.status;
}

export class FileTooLargeError extends EdgeUploadError {
  readonly code = FILE_TOO_LARGE.code;
  readonly status = FILE_TOO_LARGE.status;
}

/**
 * The file is within its type's limit but over `postMaxBytes`, the largest
 * POST form: it must go up as a multipart upload (POST /presign/multipart).
 */
export class UseMultipartError extends EdgeUploadError {
  readonly code = USE_MULTIPART.code;
  readonly status = USE_MULTIPART.status;
}

export class EmptyFileError extends EdgeUploadError {
  readonly code = EMPTY_FILE.code;
  readonly status = EMPTY_FILE.status;
}

export class UnsupportedTypeError extends EdgeUploadError {
  readonly code = UNSUPPORTED_TYPE.code;
  readonly status = UNSUPPORTED_TYPE.status;
}

export class UnsupportedMediaTypeError extends EdgeUploadError {
  readonly code = UNSUPPORTED_MEDIA_TYPE.code;
  readonly status = UNSUPPORTED_MEDIA_TYPE.status;
}

/** The request, or the response it would need, is larger than the edge can carry. */
export class PayloadTooLargeError extends EdgeUploadError {
  readonly code = PAYLOAD_TOO_LARGE.code;
  readonly status = PAYLOAD_TOO_LARGE.status;
}

/**
 * Any failure to authenticate. The client learns nothing about why (expired,
 * wrong issuer, bad signature ... all look the same); `reason` is for logs.
 */
export class UnauthorizedError extends EdgeUploadError {
  readonly code = UNAUTHORIZED.code;
  readonly status = UNAUTHORIZED.status;
  readonly reason: string;

  constructor(reason: string) {
    super('A valid access token is required.');
    this.reason = reason;
  }
}

export class MethodNotAllowedError extends EdgeUploadError {
  readonly code = METHOD_NOT_ALLOWED.code;
  readonly status = METHOD_NOT_ALLOWED.status;
  readonly allow: readonly string[];

  constructor(method: string, allow: readonly string[]) {
    super(`${safeMethod(method)} is not allowed here; use ${allow.join(', ')}.`);
    this.allow = allow;
  }
}

/** A path under the presign behaviour that is not one of its routes. */
export class NotFoundError extends EdgeUploadError {
  readonly code = NOT_FOUND.code;
  readonly status = NOT_FOUND.status;

  constructor() {
    super(
      'There is nothing here: the presign routes are /presign, /presign/multipart, /presign/multipart/parts, /presign/files and /presign/files/access.',
    );
  }
}

/**
 * Any multipart ticket failure: forged, expired, unknown signing key, another
 * user's, another key's. The client sees one code; `reason` says which check
 * failed, for logs only (it never carries the ticket).
 */
export class InvalidTicketError extends EdgeUploadError {
  readonly code = INVALID_TICKET.code;
  readonly status = INVALID_TICKET.status;
  readonly reason: string;

  constructor(reason: string) {
    super('The upload ticket is not valid for this upload; start the upload again.');
    this.reason = reason;
  }
}

/**
 * A key that is not one of the caller's own files (docs/http-api.md, "Your
 * files"): another user's prefix, `..`, encoded or look-alike characters,
 * anything off the key scheme. One code for every reason; the message never
 * echoes the key.
 */
export class ForbiddenKeyError extends EdgeUploadError {
  readonly code = FORBIDDEN_KEY.code;
  readonly status = FORBIDDEN_KEY.status;
}

/** A broken deployment (bad config.json, no credentials): fails loudly, never blamed on the client. */
export class EdgeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EdgeConfigError';
  }
}

function safeMethod(method: string): string {
  return /^[A-Z]{1,16}$/.test(method) ? method : 'This method';
}
