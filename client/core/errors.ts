/**
 * The site's one error hierarchy. Every failure the app shows to a person is
 * one of these, with the data a program needs in fields (`status`, `code`,
 * `file`), so callers branch with `instanceof` and never on message text.
 * Messages are written for people.
 */
import { type HttpErrorCode, isHttpErrorCode } from '../../edge-functions/contract/http-errors';

/**
 * Every code of the HTTP error contract (edge-functions/contract/http-errors.ts)
 * and whether an answer with it may work when the same request is made again
 * later. Typed from the table's keys: a new code fails the type check here
 * until the site says how it treats it.
 */
export const API_ERROR_TRANSIENT: Readonly<Record<HttpErrorCode, boolean>> = Object.freeze({
  INVALID_REQUEST: false,
  INVALID_FILENAME: false,
  EMPTY_FILE: false,
  FILE_TOO_LARGE: false,
  USE_MULTIPART: false,
  UNSUPPORTED_TYPE: false,
  UNSUPPORTED_MEDIA_TYPE: false,
  PAYLOAD_TOO_LARGE: false,
  UNAUTHORIZED: false,
  METHOD_NOT_ALLOWED: false,
  NOT_FOUND: false,
  INVALID_TICKET: false,
  FORBIDDEN_KEY: false,
  INVALID_PASSWORD: false,
  USER_EXISTS: false,
  CODE_MISMATCH: false,
  CODE_EXPIRED: false,
  INVALID_CREDENTIALS: false,
  USER_NOT_CONFIRMED: false,
  UNSUPPORTED_CHALLENGE: false,
  PASSWORD_RESET_REQUIRED: false,
  INVALID_REFRESH: false,
  AUTH_UNAVAILABLE: true,
  FORBIDDEN_ORIGIN: false,
  TOO_MANY_REQUESTS: true,
  REQUEST_BLOCKED: false,
  INTERNAL: true,
});

/** For a code outside the table (`HTTP_<status>`, a proxy's answer): by the status. */
export function transientStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

export abstract class SiteError extends Error {
  /** Whether doing the same thing again later may work (a network blip, a busy server). */
  abstract readonly transient: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The request never got an answer: offline, DNS, a dropped connection, a CORS refusal. */
export class NetworkError extends SiteError {
  readonly transient = true;

  constructor(message = 'The connection failed. Check your network and try again.', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The caller aborted the request (cancel, log out, leaving the screen). */
export class AbortedError extends SiteError {
  readonly transient = false;

  constructor(message = 'Cancelled.') {
    super(message);
  }
}

/** An answer of the site's own API (`/auth/*`, `/presign`) in the error shape of docs/http-api.md. */
export class ApiError extends SiteError {
  readonly status: number;
  /** The stable machine code, e.g. `FILE_TOO_LARGE`; `HTTP_<status>` when the body had none. */
  readonly code: string;
  /** Index into the request's `files` for per-file presign errors. */
  readonly file: number | undefined;
  readonly transient: boolean;

  constructor(status: number, code: string, message: string, file?: number) {
    super(message);
    this.status = status;
    this.code = code;
    this.file = file;
    this.transient = isHttpErrorCode(code) ? API_ERROR_TRANSIENT[code] : transientStatus(status);
  }
}

/** The session ended (refresh refused, or a fresh token still refused): the person must log in again. */
export class SessionExpiredError extends SiteError {
  readonly transient = false;

  constructor(message = 'Your session has ended. Please log in again.') {
    super(message);
  }
}

/** An answer that is not the shape the contract promises (a proxy's HTML page, a truncated body). */
export class UnexpectedResponseError extends SiteError {
  readonly transient = true;
  readonly status: number;

  constructor(status: number, message = 'The server sent an answer this page does not understand. Try again in a moment.') {
    super(message);
    this.status = status;
  }
}

/** S3 (or the local POST-policy guard) refused an upload; `message` is the readable version of its XML error. */
export class S3ServiceError extends SiteError {
  readonly status: number;
  /** S3's error code (`AccessDenied`, `EntityTooLarge`, …), or undefined when the body was not S3 XML. */
  readonly code: string | undefined;
  /** S3's own words, for the details line. */
  readonly s3Message: string | undefined;
  readonly requestId: string | undefined;
  readonly transient: boolean;

  constructor(fields: { status: number; code?: string; s3Message?: string; requestId?: string; message: string; transient: boolean }) {
    super(fields.message);
    this.status = fields.status;
    this.code = fields.code;
    this.s3Message = fields.s3Message;
    this.requestId = fields.requestId;
    this.transient = fields.transient;
  }
}

/** The codes a file can be refused with before any request; the same codes the edge answers (a subset of the table's). */
export type FileRejectionCode = Extract<HttpErrorCode, 'INVALID_FILENAME' | 'UNSUPPORTED_TYPE' | 'EMPTY_FILE' | 'FILE_TOO_LARGE'>;

/** A picked file breaks the upload rules; found in the browser, so no request was made. */
export class FileRejectedError extends SiteError {
  readonly transient = false;
  readonly code: FileRejectionCode;

  constructor(code: FileRejectionCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Why a large (multipart) upload stopped or had to start again; `code` for programs, the message for people. */
export type MultipartErrorCode =
  | 'TICKET_EXPIRED' //   the edge's ticket ran out (24 h) or the upload is gone from S3: it starts again from the beginning
  | 'ETAG_HIDDEN' //      S3 stored a part but the page could not read its ETag (the bucket's CORS must expose it)
  | 'BAD_ANSWER'; //      a signed answer or S3 XML that does not fit the upload (part sizes, counts, UploadId)

const MULTIPART_MESSAGES: Readonly<Record<MultipartErrorCode, string>> = {
  TICKET_EXPIRED: 'This upload was left unfinished for too long to be resumed, so it started again from the beginning.',
  ETAG_HIDDEN: 'The storage service accepted a part but did not let this page read its receipt (ETag). Please tell the site owner.',
  BAD_ANSWER: 'The server sent an answer that does not fit this upload. Try again in a moment.',
};

export class MultipartError extends SiteError {
  readonly code: MultipartErrorCode;
  readonly transient: boolean;

  constructor(code: MultipartErrorCode, message = MULTIPART_MESSAGES[code]) {
    super(message);
    this.code = code;
    this.transient = code === 'BAD_ANSWER';
  }
}

/** The browser could not read the picked file (moved, deleted or changed on disk since it was chosen). */
export class FileReadError extends SiteError {
  readonly transient = false;

  constructor(message = 'This file could not be read. If it was moved or changed, choose it again.', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** What a person should read for any thrown value: a SiteError's message, or a generic sentence for a bug. */
export function messageFor(error: unknown): string {
  return error instanceof SiteError ? error.message : 'Something went wrong on this page. Reload it and try again.';
}
