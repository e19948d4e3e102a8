/**
 * The one place that turns any thrown value into the error response of
 * docs/http-api.md: `{"error":{"code","message"}}`. An AuthApiError sends its safe
 * message; anything else is a 500 INTERNAL with a generic message, and its
 * details go only to the server-side log.
 */
import { INTERNAL, INTERNAL_MESSAGE } from '../../edge-functions/contract/http-errors';
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

/** The one generic 500 message of the whole system (edge-functions/contract/http-errors.ts). */
export { INTERNAL_MESSAGE };

export function toErrorResponse(
  error: unknown,
  cookies: readonly string[] = [],
): { readonly response: AuthResponse; readonly outcome: ErrorOutcome } {
  if (error instanceof AuthApiError) {
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    const headers: Record<string, string> = error instanceof MethodNotAllowedError ? { Allow: error.allow.join(', ') } : {};
    return {
      response: jsonResponse(error.status, body, { cookies, headers }),
      outcome: { code: error.code, status: error.status, detail: error.detail, internal: undefined },
    };
  }
  const body: ErrorBody = { error: { code: INTERNAL.code, message: INTERNAL_MESSAGE } };
  return {
    response: jsonResponse(INTERNAL.status, body, { cookies }),
    outcome: { code: INTERNAL.code, status: INTERNAL.status, detail: undefined, internal: describeError(error) },
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

/**
 * JWT / JWE compact serializations (Cognito's access, id and refresh tokens all
 * start with `eyJ`): `eyJ` and the rest of its run of base64url characters and
 * dots, when that run holds a dot. Written as "match the run, then look for
 * the dot" because `/eyJ[…]*(?:\.[…]*)+/g` retried from every `eyJ` of a long
 * dot-free run, which is quadratic.
 */
const TOKEN_RUN = /eyJ[A-Za-z0-9_.-]*/g;

/**
 * Defence in depth for the one log field built from foreign text: an
 * unexpected error's message and stack lose anything that looks like an email
 * address or a token before they are logged. Linear in the length of `text`.
 */
export function redact(text: string): string {
  return redactEmails(text.replace(TOKEN_RUN, (run) => (run.includes('.') ? '[token]' : run)));
}

/**
 * Replaces what the pattern
 * `/[A-Za-z0-9._%+'!#$&*=?^`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g`
 * would match with `[email]`, match for match, in one pass: that pattern is
 * quadratic (from every start in a long run of local-part characters it scans
 * to the run's end looking for `@`). Here each `@` looks left once, back to the
 * previous `@` at most, and right once, up to the next `@` at most.
 */
function redactEmails(text: string): string {
  let out = '';
  let copied = 0;
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    // The pattern's leftmost start for this `@`: the start of the run of
    // local-part characters before it, but never inside the previous match.
    let start = at;
    while (start > copied && isLocalPartChar(text.charCodeAt(start - 1))) start -= 1;
    if (start === at) continue;
    const end = emailDomainEnd(text, at + 1);
    if (end < 0) continue;
    out += `${text.slice(copied, start)}[email]`;
    copied = end;
    at = end - 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * Where the pattern's domain part `[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`
 * ends when it starts at `from`, or -1 when it cannot match there. Backtracking
 * prefers the most labels, so the match ends in the last label (not the first)
 * that begins with two letters, after that label's leading letters.
 */
function emailDomainEnd(text: string, from: number): number {
  let end = -1;
  let position = from;
  for (let label = 0; position < text.length && isDomainChar(text.charCodeAt(position)); label += 1) {
    const labelStart = position;
    while (position < text.length && isAsciiLetter(text.charCodeAt(position))) position += 1;
    if (label > 0 && position - labelStart >= 2) end = position;
    while (position < text.length && isDomainChar(text.charCodeAt(position))) position += 1;
    if (text.charCodeAt(position) !== 0x2e || !isDomainChar(text.charCodeAt(position + 1))) break;
    position += 1;
  }
  return end;
}

function isAsciiLetter(unit: number): boolean {
  return (unit >= 0x41 && unit <= 0x5a) || (unit >= 0x61 && unit <= 0x7a);
}

function isDigit(unit: number): boolean {
  return unit >= 0x30 && unit <= 0x39;
}

/** `[A-Za-z0-9-]` */
function isDomainChar(unit: number): boolean {
  return isAsciiLetter(unit) || isDigit(unit) || unit === 0x2d;
}

/** `[A-Za-z0-9._%+'!#$&*=?^`{|}~-]` */
function isLocalPartChar(unit: number): boolean {
  return isAsciiLetter(unit) || isDigit(unit) || "._%+'!#$&*=?^`{|}~-".includes(String.fromCharCode(unit));
}
