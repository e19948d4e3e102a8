/**
 * The one error hierarchy of the regional auth API (docs/http-api.md "Auth routes").
 *
 * Every failure the auth API reports on purpose is a subclass of AuthApiError
 * with a stable `code`, an HTTP `status` and a message that is safe to show to
 * the person who sent the request. `detail` says, for the server-side log
 * only, what caused it (for example the Cognito exception name); it is never
 * sent to the client. Anything else that is thrown is a bug or an outage we
 * did not foresee: the mapper in error-response.ts turns it into a generic
 * 500 INTERNAL and never exposes its message. Codes and statuses come from
 * the one table of the HTTP error contract, edge-functions/contract/http-errors.ts.
 */
import {
  AUTH_UNAVAILABLE,
  CODE_EXPIRED,
  CODE_MISMATCH,
  FORBIDDEN_ORIGIN,
  type HttpErrorCode,
  INVALID_CREDENTIALS,
  INVALID_PASSWORD,
  INVALID_REFRESH,
  INVALID_REQUEST,
  METHOD_NOT_ALLOWED,
  NOT_FOUND,
  PASSWORD_RESET_REQUIRED,
  PAYLOAD_TOO_LARGE,
  TOO_MANY_REQUESTS,
  UNSUPPORTED_CHALLENGE,
  UNSUPPORTED_MEDIA_TYPE,
  USER_EXISTS,
  USER_NOT_CONFIRMED,
} from '../../edge-functions/contract/http-errors';

/** The codes of the auth API: a subset of the table's. */
export type AuthErrorCode = Extract<
  HttpErrorCode,
  | 'INVALID_REQUEST'
  | 'INVALID_PASSWORD'
  | 'USER_EXISTS'
  | 'CODE_MISMATCH'
  | 'CODE_EXPIRED'
  | 'INVALID_CREDENTIALS'
  | 'USER_NOT_CONFIRMED'
  | 'UNSUPPORTED_CHALLENGE'
  | 'PASSWORD_RESET_REQUIRED'
  | 'INVALID_REFRESH'
  | 'TOO_MANY_REQUESTS'
  | 'AUTH_UNAVAILABLE'
  | 'METHOD_NOT_ALLOWED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'FORBIDDEN_ORIGIN'
  | 'NOT_FOUND'
  | 'INTERNAL'
>;

export interface AuthErrorOptions {
  /** For the log line only: what caused this (an exception name, a reason). Never sent to the client. */
  readonly detail?: string;
  readonly cause?: unknown;
}

export abstract class AuthApiError extends Error {
  abstract readonly code: Exclude<AuthErrorCode, 'INTERNAL'>;
  abstract readonly status: number;
  readonly detail: string | undefined;

  constructor(message: string, options?: AuthErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.detail = options?.detail;
  }
}

export class InvalidRequestError extends AuthApiError {
  readonly code = INVALID_REQUEST.code;
  readonly status = INVALID_REQUEST.status;
}

/** The password does not meet the policy; `unmet` lists the rules it breaks, in words. */
export class InvalidPasswordError extends AuthApiError {
  readonly code = INVALID_PASSWORD.code;
  readonly status = INVALID_PASSWORD.status;
  readonly unmet: readonly string[];

  constructor(message: string, unmet: readonly string[], options?: AuthErrorOptions) {
    super(message, options);
    this.unmet = unmet;
  }
}

export class UserExistsError extends AuthApiError {
  readonly code = USER_EXISTS.code;
  readonly status = USER_EXISTS.status;

  constructor(options?: AuthErrorOptions) {
    super('An account with this email address already exists.', options);
  }
}

export class CodeMismatchError extends AuthApiError {
  readonly code = CODE_MISMATCH.code;
  readonly status = CODE_MISMATCH.status;

  constructor(options?: AuthErrorOptions) {
    super('The code is not correct. Check the code and try again.', options);
  }
}

export class CodeExpiredError extends AuthApiError {
  readonly code = CODE_EXPIRED.code;
  readonly status = CODE_EXPIRED.status;

  constructor(options?: AuthErrorOptions) {
    super('The code has expired. Ask for a new code.', options);
  }
}

/** One message for an unknown user and a wrong password: the client cannot tell them apart. */
export class InvalidCredentialsError extends AuthApiError {
  readonly code = INVALID_CREDENTIALS.code;
  readonly status = INVALID_CREDENTIALS.status;

  constructor(options?: AuthErrorOptions) {
    super('The email address or password is not correct.', options);
  }
}

export class UserNotConfirmedError extends AuthApiError {
  readonly code = USER_NOT_CONFIRMED.code;
  readonly status = USER_NOT_CONFIRMED.status;

  constructor(options?: AuthErrorOptions) {
    super('Confirm your email address before you log in.', options);
  }
}

/**
 * The pool wants a new password before this user may log in (an administrator
 * reset it, or the user was migrated): the forgot/reset flow is the way out.
 * Cognito's own answer tells the caller the account exists, as this does.
 */
export class PasswordResetRequiredError extends AuthApiError {
  readonly code = PASSWORD_RESET_REQUIRED.code;
  readonly status = PASSWORD_RESET_REQUIRED.status;

  constructor(options?: AuthErrorOptions) {
    super('Your password must be reset before you can log in: ask for a reset code with "Forgot your password?".', options);
  }
}

/** Missing, malformed, expired or revoked refresh token: one code, no detail to the client. */
export class InvalidRefreshError extends AuthApiError {
  readonly code = INVALID_REFRESH.code;
  readonly status = INVALID_REFRESH.status;

  constructor(options?: AuthErrorOptions) {
    super('The session has ended. Log in again.', options);
  }
}

export class TooManyRequestsError extends AuthApiError {
  readonly code = TOO_MANY_REQUESTS.code;
  readonly status = TOO_MANY_REQUESTS.status;

  constructor(options?: AuthErrorOptions) {
    super('Too many attempts. Wait a while and try again.', options);
  }
}

/** Cognito is down, throttling us, unreachable, or does not support the call (cognito-local). */
export class AuthUnavailableError extends AuthApiError {
  readonly code = AUTH_UNAVAILABLE.code;
  readonly status = AUTH_UNAVAILABLE.status;

  constructor(options?: AuthErrorOptions) {
    super('The sign-in service is unavailable. Try again later.', options);
  }
}

export class MethodNotAllowedError extends AuthApiError {
  readonly code = METHOD_NOT_ALLOWED.code;
  readonly status = METHOD_NOT_ALLOWED.status;
  readonly allow: readonly string[];

  constructor(allow: readonly string[], options?: AuthErrorOptions) {
    super(`Use ${allow.join(', ')} for this path.`, options);
    this.allow = allow;
  }
}

/**
 * The password was right, but the pool wants a step this API does not offer
 * (MFA, a new password for a user an administrator invited, a custom
 * challenge): a clear 403 with one stable code, never a 500. Which challenge
 * goes to the log only. Like USER_NOT_CONFIRMED, it tells the caller the
 * password was right, which Cognito's own answer tells them too.
 */
export class UnsupportedChallengeError extends AuthApiError {
  readonly code = UNSUPPORTED_CHALLENGE.code;
  readonly status = UNSUPPORTED_CHALLENGE.status;
  readonly challenge: string;

  constructor(challenge: string | undefined, options?: AuthErrorOptions) {
    const name = challenge ?? '(none)';
    super(challengeMessage(name), { detail: `challenge ${name}`, ...options });
    this.challenge = name;
  }
}

const MFA_CHALLENGES: ReadonlySet<string> = new Set([
  'SMS_MFA',
  'SOFTWARE_TOKEN_MFA',
  'EMAIL_OTP',
  'SELECT_MFA_TYPE',
  'MFA_SETUP',
  'SMS_OTP',
]);

function challengeMessage(challenge: string): string {
  if (MFA_CHALLENGES.has(challenge)) {
    return "This account signs in with a second factor (MFA), which this sign-in does not support. Sign in through your organization's own sign-in page.";
  }
  if (challenge === 'NEW_PASSWORD_REQUIRED') {
    return "This account must choose a new password before its first sign-in, which this sign-in does not support. Use the invitation's sign-in page, or reset the password.";
  }
  return 'This account needs a sign-in step that this sign-in does not support.';
}

export class UnsupportedMediaTypeError extends AuthApiError {
  readonly code = UNSUPPORTED_MEDIA_TYPE.code;
  readonly status = UNSUPPORTED_MEDIA_TYPE.status;

  constructor(options?: AuthErrorOptions) {
    super('Send the body as JSON with Content-Type: application/json.', options);
  }
}

export class PayloadTooLargeError extends AuthApiError {
  readonly code = PAYLOAD_TOO_LARGE.code;
  readonly status = PAYLOAD_TOO_LARGE.status;

  constructor(limitBytes: number, options?: AuthErrorOptions) {
    super(`The request body is larger than ${limitBytes} bytes.`, options);
  }
}

export class ForbiddenOriginError extends AuthApiError {
  readonly code = FORBIDDEN_ORIGIN.code;
  readonly status = FORBIDDEN_ORIGIN.status;

  constructor(options?: AuthErrorOptions) {
    super('Cross-site requests are not allowed.', options);
  }
}

export class NotFoundError extends AuthApiError {
  readonly code = NOT_FOUND.code;
  readonly status = NOT_FOUND.status;

  constructor(options?: AuthErrorOptions) {
    super('There is no such auth route.', options);
  }
}

/** A broken deployment (bad environment): fails the cold start loudly, never a request quietly. */
export class AuthConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid auth API configuration: ${problems.join('; ')}`);
    this.name = 'AuthConfigError';
    this.problems = problems;
  }
}

/**
 * Cognito answered in a way this API does not handle: no tokens and no
 * challenge either, no token lifetime. (A challenge is UnsupportedChallengeError.)
 * Not an AuthApiError on purpose: it is a 500 INTERNAL, logged in full.
 */
export class UnexpectedCognitoResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnexpectedCognitoResponseError';
  }
}
