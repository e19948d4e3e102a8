/**
 * The local edge's own refusals and failures, as CloudFront would answer
 * them, in the error shape of docs/http-api.md. Everything the edge answers by
 * itself goes through `edgeErrorReply`, the one mapper: our errors carry a
 * safe message, anything else is a bug and becomes a generic 500 INTERNAL
 * (logged in full by the caller, never sent).
 *
 * Answers that come from the functions and the auth API (their own errors)
 * do not pass through here: the edge forwards those as they are.
 */
import {
  INTERNAL,
  type INTERNAL_BAD_GATEWAY,
  INTERNAL_MESSAGE,
  INTERNAL_UNAVAILABLE,
  INVALID_REQUEST,
  METHOD_NOT_ALLOWED,
  NOT_FOUND,
  PAYLOAD_TOO_LARGE,
  type HttpErrorCode,
} from '../../../edge-functions/contract/http-errors';
import { jsonReply, type EdgeReply } from './http-exchange';

/** The codes the local edge answers by itself: a subset of edge-functions/contract/http-errors.ts. */
export type LocalEdgeErrorCode = Extract<
  HttpErrorCode,
  'INVALID_REQUEST' | 'NOT_FOUND' | 'METHOD_NOT_ALLOWED' | 'PAYLOAD_TOO_LARGE' | 'INTERNAL'
>;

export abstract class LocalEdgeError extends Error {
  abstract readonly code: LocalEdgeErrorCode;
  abstract readonly status: number;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }

  /** Extra response headers (Allow, …). */
  headers(): Record<string, string> {
    return {};
  }
}

export class EdgeInvalidRequestError extends LocalEdgeError {
  readonly code = INVALID_REQUEST.code;
  readonly status = INVALID_REQUEST.status;
}

export class EdgeNotFoundError extends LocalEdgeError {
  readonly code = NOT_FOUND.code;
  readonly status = NOT_FOUND.status;
}

/** A method the behaviour does not allow (CloudFront itself answers 403 here; docs/http-api.md asks for 405). */
export class EdgeMethodNotAllowedError extends LocalEdgeError {
  readonly code = METHOD_NOT_ALLOWED.code;
  readonly status = METHOD_NOT_ALLOWED.status;

  constructor(
    message: string,
    readonly allow: readonly string[],
  ) {
    super(message);
  }

  override headers(): Record<string, string> {
    return { Allow: this.allow.join(', ') };
  }
}

/** The viewer's body is larger than the edge reads at all (API Gateway's 10 MB payload limit). */
export class EdgePayloadTooLargeError extends LocalEdgeError {
  readonly code = PAYLOAD_TOO_LARGE.code;
  readonly status = PAYLOAD_TOO_LARGE.status;
}

/**
 * An edge function failed as CloudFront would report it: 503 when it threw
 * or ran out of time (an execution error, INTERNAL_UNAVAILABLE), 502 when it
 * answered something CloudFront refuses (a validation error,
 * INTERNAL_BAD_GATEWAY). The code stays INTERNAL and the message
 * INTERNAL_MESSAGE: to the client this is an unknown failure; the cause
 * (this error's message) is in the edge's log.
 */
export class EdgeFunctionError extends LocalEdgeError {
  readonly code = INTERNAL.code;

  constructor(
    message: string,
    readonly status: typeof INTERNAL_BAD_GATEWAY.status | typeof INTERNAL_UNAVAILABLE.status,
    readonly functionName: string,
  ) {
    super(message);
  }
}

/**
 * The stack is not ready: the edge listens before its parts (the origins)
 * exist. CloudFront answers an origin it cannot reach with its own 503; here
 * that is INTERNAL_UNAVAILABLE, with INTERNAL_MESSAGE like any INTERNAL.
 */
export class EdgeNotReadyError extends LocalEdgeError {
  readonly code = INTERNAL_UNAVAILABLE.code;
  readonly status = INTERNAL_UNAVAILABLE.status;

  constructor() {
    super('The local stack is still starting.');
  }
}

/** Any thrown value → the reply the viewer sees. */
export function edgeErrorReply(error: unknown): EdgeReply {
  if (error instanceof LocalEdgeError && error.code === INTERNAL.code) {
    return jsonReply(error.status, { error: { code: error.code, message: INTERNAL_MESSAGE } });
  }
  if (error instanceof LocalEdgeError) {
    return jsonReply(error.status, { error: { code: error.code, message: error.message } }, error.headers());
  }
  return jsonReply(INTERNAL.status, { error: { code: INTERNAL.code, message: INTERNAL_MESSAGE } });
}
