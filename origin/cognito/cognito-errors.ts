/**
 * The one place where Cognito's failures become the auth API's errors
 * (docs/http-api.md). Branches on the SDK's exception classes (instanceof)
 * and on `$fault` / HTTP status, never on message text. The general table
 * applies to every call; a few operations refine it, so that no route
 * reveals whether an account exists and each route only answers with the
 * codes docs/http-api.md lists for it:
 *
 * | Cognito                                                    | API |
 * |------------------------------------------------------------|-----|
 * | UsernameExists, AliasExists                                | 409 USER_EXISTS |
 * | CodeMismatch / ExpiredCode                                 | 400 CODE_MISMATCH / CODE_EXPIRED |
 * | NotAuthorized, UserNotFound                                | 401 INVALID_CREDENTIALS (one message) |
 * | UserNotConfirmed                                           | 403 USER_NOT_CONFIRMED |
 * | PasswordResetRequired                                      | 403 PASSWORD_RESET_REQUIRED |
 * | InvalidPassword, PasswordHistoryPolicyViolation            | 400 INVALID_PASSWORD |
 * | TooManyRequests, LimitExceeded, TooManyFailedAttempts      | 429 TOO_MANY_REQUESTS |
 * | InternalError, CodeDeliveryFailure, other throttling, any 5xx, network failure, timeout | 503 AUTH_UNAVAILABLE |
 * | anything else (ResourceNotFound, InvalidParameter, …)      | 500 INTERNAL (a deployment bug: logged in full) |
 *
 * Refinements:
 * - login: InvalidPassword also means "wrong password" (cognito-local answers
 *   a wrong password with it; AWS uses NotAuthorized) ⇒ INVALID_CREDENTIALS.
 * - refresh: NotAuthorized, UserNotFound, UserNotConfirmed, RefreshTokenReuse ⇒ 401 INVALID_REFRESH.
 * - confirm, reset: NotAuthorized, UserNotFound ⇒ CODE_MISMATCH (an unknown or
 *   already-confirmed account looks like a wrong code).
 * - resend, forgot: UserNotFound, NotAuthorized, InvalidParameter are hidden:
 *   the route answers SENT as for a known account (see `isHiddenDeliveryFailure`).
 * - logout: NotAuthorized, Unauthorized, UnsupportedTokenType, InvalidParameter
 *   mean the token was not usable anyway (see `isUnusableTokenFailure`).
 */
import {
  AliasExistsException,
  CodeDeliveryFailureException,
  CodeMismatchException,
  CognitoIdentityProviderServiceException,
  ExpiredCodeException,
  InternalErrorException,
  InvalidParameterException,
  InvalidPasswordException,
  LimitExceededException,
  NotAuthorizedException,
  PasswordHistoryPolicyViolationException,
  PasswordResetRequiredException,
  RefreshTokenReuseException,
  TooManyFailedAttemptsException,
  TooManyRequestsException,
  UnauthorizedException,
  UnsupportedTokenTypeException,
  UserNotConfirmedException,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  AuthUnavailableError,
  CodeExpiredError,
  CodeMismatchError,
  InvalidCredentialsError,
  InvalidPasswordError,
  InvalidRefreshError,
  PasswordResetRequiredError,
  TooManyRequestsError,
  UserExistsError,
  UserNotConfirmedError,
} from '../core/errors';
import { describePasswordPolicy } from '../core/password-policy';

export type CognitoOperation =
  | 'SignUp'
  | 'ConfirmSignUp'
  | 'ResendConfirmationCode'
  | 'PasswordLogin'
  | 'Refresh'
  | 'RevokeToken'
  | 'ForgotPassword'
  | 'ConfirmForgotPassword';

/** Names and codes the SDK (and Node) use for a call that never got a service answer. */
const TRANSPORT_ERROR_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError']);
const TRANSPORT_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** The auth API error for a failed Cognito call, or the original value when it is not a known failure (⇒ 500). */
export function translateCognitoError(operation: CognitoOperation, error: unknown): unknown {
  const options = { detail: describeCognitoError(error), cause: error };
  if (!(error instanceof CognitoIdentityProviderServiceException)) {
    return isTransportFailure(error) ? new AuthUnavailableError(options) : error;
  }

  switch (operation) {
    case 'PasswordLogin':
      if (error instanceof InvalidPasswordException) return new InvalidCredentialsError(options);
      break;
    case 'Refresh':
      if (
        error instanceof NotAuthorizedException ||
        error instanceof UserNotFoundException ||
        error instanceof UserNotConfirmedException ||
        error instanceof RefreshTokenReuseException
      ) {
        return new InvalidRefreshError(options);
      }
      break;
    case 'ConfirmSignUp':
    case 'ConfirmForgotPassword':
      if (error instanceof NotAuthorizedException || error instanceof UserNotFoundException) {
        return new CodeMismatchError(options);
      }
      break;
    default:
      break;
  }

  if (error instanceof UsernameExistsException || error instanceof AliasExistsException) return new UserExistsError(options);
  if (error instanceof CodeMismatchException) return new CodeMismatchError(options);
  if (error instanceof ExpiredCodeException) return new CodeExpiredError(options);
  if (error instanceof NotAuthorizedException || error instanceof UserNotFoundException) {
    return new InvalidCredentialsError(options);
  }
  if (error instanceof UserNotConfirmedException) return new UserNotConfirmedError(options);
  if (error instanceof PasswordResetRequiredException) return new PasswordResetRequiredError(options);
  if (error instanceof InvalidPasswordException || error instanceof PasswordHistoryPolicyViolationException) {
    // Cognito refused a password our own check accepted (a stricter pool policy, a reused password):
    // say what the policy wants, never Cognito's own message.
    return new InvalidPasswordError(
      `The password was not accepted. Choose a new one: ${describePasswordPolicy()}, not used before.`,
      [],
      options,
    );
  }
  if (
    error instanceof TooManyRequestsException ||
    error instanceof LimitExceededException ||
    error instanceof TooManyFailedAttemptsException
  ) {
    return new TooManyRequestsError(options);
  }
  if (
    error instanceof InternalErrorException ||
    error instanceof CodeDeliveryFailureException ||
    error.$fault === 'server' ||
    (error.$metadata.httpStatusCode ?? 0) >= 500 ||
    error.$retryable?.throttling === true
  ) {
    return new AuthUnavailableError(options);
  }
  return error;
}

/**
 * Resend and forgot must answer the same for known and unknown emails:
 * these failures only say the account does not exist, is already confirmed,
 * or has no verified address, so they are hidden behind the usual SENT.
 */
export function isHiddenDeliveryFailure(error: unknown): boolean {
  return error instanceof UserNotFoundException || error instanceof NotAuthorizedException || error instanceof InvalidParameterException;
}

/** RevokeToken failures that mean the token could not be used anyway (unknown, expired, already revoked, not a refresh token). */
export function isUnusableTokenFailure(error: unknown): boolean {
  return (
    error instanceof NotAuthorizedException ||
    error instanceof UnauthorizedException ||
    error instanceof UnsupportedTokenTypeException ||
    error instanceof InvalidParameterException
  );
}

/** A short, safe description for the log line: an exception name or error code, never a message. */
export function describeCognitoError(error: unknown): string {
  if (error instanceof CognitoIdentityProviderServiceException) {
    const status = error.$metadata.httpStatusCode;
    return status === undefined ? error.name : `${error.name} (HTTP ${status})`;
  }
  return errorCode(error) ?? errorName(error) ?? typeof error;
}

/**
 * Node's network errors are duck-typed on purpose: they may come from another
 * realm (a test runner's sandbox), where `instanceof Error` is false.
 */
function isTransportFailure(error: unknown): boolean {
  const name = errorName(error);
  if (name !== undefined && TRANSPORT_ERROR_NAMES.has(name)) return true;
  const code = errorCode(error);
  return code !== undefined && TRANSPORT_ERROR_CODES.has(code);
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const { code } = error;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code) ? code : undefined;
}

function errorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('name' in error)) return undefined;
  const { name } = error;
  return typeof name === 'string' && /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(name) ? name : undefined;
}
