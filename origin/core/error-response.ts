/**
 * The one place that turns any thrown value into the error response of
 * DESIGN §3: `{"error":{"code","message"}}`. An AuthApiError sends its safe
 * message; anything else is a 500 INTERNAL with a generic message, and its
 * details go only to the server-side log.
 */
import { AuthApiError, MethodNotAllowedError, type AuthErrorCode } from './errors';
import { jsonResponse, type AuthResponse } from './http';

export interface ErrorBody {
  readonly error: { readonly code: AuthErrorCode; readonly message: string };
}

/** What the request log line may say about a failure. */
export interface ErrorOutcome {
  readonly code: AuthErrorCode;
  readonly status: number;
  readonly detail: string | undefined;
  /** Only for INTERNAL: the full error, for the server-side log. */
  readonly internal: LoggedError | undefined;
}

export interface LoggedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
}

export const INTERNAL_MESSAGE = 'Something went wrong on our side. Try again later.';

export function toErrorResponse(
  error: unknown,
  cookies: readonly string[] = [],
): { readonly response: AuthResponse; readonly outcome: ErrorOutcome } {
  if (error instanceof AuthApiError) {
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    const headers: Record<string, string> =
      error instanceof MethodNotAllowedError ? { Allow: error.allow.join(', ') } : {};
    return {
      response: jsonResponse(error.status, body, { cookies, headers }),
      outcome: { code: error.code, status: error.status, detail: error.detail, internal: undefined },
    };
  }
  const body: ErrorBody = { error: { code: 'INTERNAL', message: INTERNAL_MESSAGE } };
  return {
    response: jsonResponse(500, body, { cookies }),
    outcome: { code: 'INTERNAL', status: 500, detail: undefined, internal: describeError(error) },
  };
}

/** Duck-typed, so an Error from another realm (a test sandbox, a worker) is still logged in full. */
function describeError(error: unknown): LoggedError {
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') {
    const name = 'name' in error && typeof error.name === 'string' ? error.name : 'Error';
    const stack = 'stack' in error && typeof error.stack === 'string' ? redact(error.stack) : undefined;
    return { name, message: redact(error.message), stack };
  }
  return { name: typeof error, message: redact(String(error)), stack: undefined };
}

const EMAIL_LIKE = /[A-Za-z0-9._%+'!#$&*=?^`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** JWT / JWE compact serializations (Cognito's access, id and refresh tokens all start with `eyJ`). */
const TOKEN_LIKE = /eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)+/g;

/**
 * Defence in depth for the one log field built from foreign text: an
 * unexpected error's message and stack lose anything that looks like an email
 * address or a token before they are logged.
 */
export function redact(text: string): string {
  return text.replace(TOKEN_LIKE, '[token]').replace(EMAIL_LIKE, '[email]');
}
