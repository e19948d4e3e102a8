/**
 * Every Cognito failure the API maps, driven through the real handler with
 * recorded events and the real client's `send` stubbed.
 */
import {
  AdminInitiateAuthCommand,
  AliasExistsException,
  CodeDeliveryFailureException,
  CodeMismatchException,
  CognitoIdentityProviderServiceException,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ExpiredCodeException,
  ForgotPasswordCommand,
  InternalErrorException,
  InvalidParameterException,
  InvalidPasswordException,
  LimitExceededException,
  NotAuthorizedException,
  PasswordHistoryPolicyViolationException,
  PasswordResetRequiredException,
  RefreshTokenReuseException,
  ResendConfirmationCodeCommand,
  ResourceNotFoundException,
  RevokeTokenCommand,
  SignUpCommand,
  TooManyFailedAttemptsException,
  TooManyRequestsException,
  UnauthorizedException,
  UnsupportedOperationException,
  UnsupportedTokenTypeException,
  UserNotConfirmedException,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { INTERNAL_MESSAGE } from '../../../origin/core/error-response';
import { type FixtureName, loadEvent, setCookies } from '../support/events';
import { errorBody, jsonBody, logEntries, useHarness } from '../support/harness';

const h = useHarness();

/** Cognito's own message, which must never reach a client. */
const COGNITO_MESSAGE = 'cognito-internal-message-must-not-leak';
const client = { message: COGNITO_MESSAGE, $metadata: { httpStatusCode: 400 } };
const server = { message: COGNITO_MESSAGE, $metadata: { httpStatusCode: 500 } };

/** cognito-local's answer to an operation it does not implement: HTTP 500, `__type` CognitoLocal#Unsupported. */
function unsupportedByCognitoLocal(): CognitoIdentityProviderServiceException {
  return new CognitoIdentityProviderServiceException({
    name: 'Unsupported',
    $fault: 'server',
    message: COGNITO_MESSAGE,
    $metadata: { httpStatusCode: 500 },
  });
}

function throttled(): CognitoIdentityProviderServiceException {
  const error = new CognitoIdentityProviderServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    message: COGNITO_MESSAGE,
    $metadata: { httpStatusCode: 400 },
  });
  error.$retryable = { throttling: true };
  return error;
}

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:443 ${COGNITO_MESSAGE}`), { code });
}

function timeoutError(): Error {
  const error = new Error(`Connection timed out ${COGNITO_MESSAGE}`);
  error.name = 'TimeoutError';
  return error;
}

/** Any of the SDK command classes (only used with instanceof). */
type Command = new (input: never) => object;

const ROUTES: Record<string, { fixture: FixtureName; command: Command }> = {
  register: { fixture: 'auth-register', command: SignUpCommand },
  confirm: { fixture: 'auth-confirm', command: ConfirmSignUpCommand },
  resend: { fixture: 'auth-resend', command: ResendConfirmationCodeCommand },
  login: { fixture: 'auth-login', command: AdminInitiateAuthCommand },
  refresh: { fixture: 'auth-refresh', command: AdminInitiateAuthCommand },
  logout: { fixture: 'auth-logout', command: RevokeTokenCommand },
  forgot: { fixture: 'auth-forgot', command: ForgotPasswordCommand },
  reset: { fixture: 'auth-reset', command: ConfirmForgotPasswordCommand },
};

type Case = [route: keyof typeof ROUTES, failure: string, error: () => Error, status: number, code: string];

const ERROR_CASES: Case[] = [
  ['register', 'UsernameExistsException', () => new UsernameExistsException(client), 409, 'USER_EXISTS'],
  ['register', 'InvalidPasswordException', () => new InvalidPasswordException(client), 400, 'INVALID_PASSWORD'],
  ['register', 'TooManyRequestsException', () => new TooManyRequestsException(client), 429, 'TOO_MANY_REQUESTS'],
  ['register', 'InternalErrorException', () => new InternalErrorException(server), 503, 'AUTH_UNAVAILABLE'],
  ['register', 'CodeDeliveryFailureException', () => new CodeDeliveryFailureException(client), 503, 'AUTH_UNAVAILABLE'],
  ['register', 'InvalidParameterException (a deployment bug)', () => new InvalidParameterException(client), 500, 'INTERNAL'],
  ['register', 'ResourceNotFoundException (wrong pool or client)', () => new ResourceNotFoundException(client), 500, 'INTERNAL'],
  ['register', 'an unknown Error', () => new Error(COGNITO_MESSAGE), 500, 'INTERNAL'],
  ['confirm', 'CodeMismatchException', () => new CodeMismatchException(client), 400, 'CODE_MISMATCH'],
  ['confirm', 'ExpiredCodeException', () => new ExpiredCodeException(client), 400, 'CODE_EXPIRED'],
  ['confirm', 'UserNotFoundException (no enumeration)', () => new UserNotFoundException(client), 400, 'CODE_MISMATCH'],
  ['confirm', 'NotAuthorizedException (already confirmed)', () => new NotAuthorizedException(client), 400, 'CODE_MISMATCH'],
  ['confirm', 'AliasExistsException', () => new AliasExistsException(client), 409, 'USER_EXISTS'],
  ['confirm', 'TooManyFailedAttemptsException', () => new TooManyFailedAttemptsException(client), 429, 'TOO_MANY_REQUESTS'],
  ['resend', 'LimitExceededException', () => new LimitExceededException(client), 429, 'TOO_MANY_REQUESTS'],
  ['resend', 'HTTP 500 "Unsupported" (cognito-local)', unsupportedByCognitoLocal, 503, 'AUTH_UNAVAILABLE'],
  ['resend', 'CodeDeliveryFailureException', () => new CodeDeliveryFailureException(client), 503, 'AUTH_UNAVAILABLE'],
  ['login', 'NotAuthorizedException', () => new NotAuthorizedException(client), 401, 'INVALID_CREDENTIALS'],
  ['login', 'UserNotFoundException', () => new UserNotFoundException(client), 401, 'INVALID_CREDENTIALS'],
  [
    'login',
    'InvalidPasswordException (cognito-local: wrong password)',
    () => new InvalidPasswordException(client),
    401,
    'INVALID_CREDENTIALS',
  ],
  ['login', 'UserNotConfirmedException', () => new UserNotConfirmedException(client), 403, 'USER_NOT_CONFIRMED'],
  [
    'login',
    'PasswordResetRequiredException (an administrator reset the password)',
    () => new PasswordResetRequiredException(client),
    403,
    'PASSWORD_RESET_REQUIRED',
  ],
  ['login', 'TooManyRequestsException', () => new TooManyRequestsException(client), 429, 'TOO_MANY_REQUESTS'],
  ['login', 'a throttling error', throttled, 503, 'AUTH_UNAVAILABLE'],
  ['login', 'InternalErrorException', () => new InternalErrorException(server), 503, 'AUTH_UNAVAILABLE'],
  ['login', 'connection refused', () => networkError('ECONNREFUSED'), 503, 'AUTH_UNAVAILABLE'],
  ['login', 'DNS failure', () => networkError('ENOTFOUND'), 503, 'AUTH_UNAVAILABLE'],
  ['login', 'a timeout', timeoutError, 503, 'AUTH_UNAVAILABLE'],
  ['refresh', 'NotAuthorizedException (revoked or expired)', () => new NotAuthorizedException(client), 401, 'INVALID_REFRESH'],
  ['refresh', 'UserNotFoundException', () => new UserNotFoundException(client), 401, 'INVALID_REFRESH'],
  ['refresh', 'RefreshTokenReuseException', () => new RefreshTokenReuseException(client), 401, 'INVALID_REFRESH'],
  ['refresh', 'InternalErrorException', () => new InternalErrorException(server), 503, 'AUTH_UNAVAILABLE'],
  ['logout', 'InternalErrorException', () => new InternalErrorException(server), 503, 'AUTH_UNAVAILABLE'],
  ['logout', 'HTTP 500 "Unsupported"', unsupportedByCognitoLocal, 503, 'AUTH_UNAVAILABLE'],
  ['logout', 'UnsupportedOperationException (revocation disabled)', () => new UnsupportedOperationException(client), 500, 'INTERNAL'],
  ['logout', 'TooManyRequestsException', () => new TooManyRequestsException(client), 429, 'TOO_MANY_REQUESTS'],
  ['forgot', 'LimitExceededException', () => new LimitExceededException(client), 429, 'TOO_MANY_REQUESTS'],
  ['forgot', 'InternalErrorException', () => new InternalErrorException(server), 503, 'AUTH_UNAVAILABLE'],
  ['reset', 'CodeMismatchException', () => new CodeMismatchException(client), 400, 'CODE_MISMATCH'],
  ['reset', 'ExpiredCodeException', () => new ExpiredCodeException(client), 400, 'CODE_EXPIRED'],
  ['reset', 'InvalidPasswordException', () => new InvalidPasswordException(client), 400, 'INVALID_PASSWORD'],
  ['reset', 'PasswordHistoryPolicyViolationException', () => new PasswordHistoryPolicyViolationException(client), 400, 'INVALID_PASSWORD'],
  ['reset', 'UserNotFoundException (no enumeration)', () => new UserNotFoundException(client), 400, 'CODE_MISMATCH'],
  ['reset', 'LimitExceededException', () => new LimitExceededException(client), 429, 'TOO_MANY_REQUESTS'],
];

describe('Cognito failures map to the API errors of docs/http-api.md', () => {
  it.each(ERROR_CASES)('/auth/%s: %s ⇒ %i %s', async (route, _failure, error, status, code) => {
    const { fixture, command } = ROUTES[route] ?? fail(route);
    h.cognito.onAnyCommand().rejects(error());
    const result = await h.invoke(loadEvent(fixture));
    expect(result.statusCode).toBe(status);
    expect(result.headers?.['Cache-Control']).toBe('no-store');
    expect(result.headers?.['Content-Type']).toBe('application/json; charset=utf-8');
    const body = errorBody(result);
    expect(body.error.code).toBe(code);
    expect(result.body).not.toContain(COGNITO_MESSAGE);
    if (code === 'INTERNAL') expect(body.error.message).toBe(INTERNAL_MESSAGE);
    expect(h.cognito.calls()).toHaveLength(1);
    expect(h.cognito.call(0).args[0]).toBeInstanceOf(command);
    const [entry] = logEntries(h.logs);
    expect(entry).toMatchObject({ status, outcome: code });
  });

  it('gives one and the same answer for an unknown user and a wrong password', async () => {
    h.cognito.on(AdminInitiateAuthCommand).rejects(new UserNotFoundException(client));
    const unknownUser = await h.invoke(loadEvent('auth-login'));
    h.cognito.on(AdminInitiateAuthCommand).rejects(new NotAuthorizedException(client));
    const wrongPassword = await h.invoke(loadEvent('auth-login'));
    h.cognito.on(AdminInitiateAuthCommand).rejects(new InvalidPasswordException(client));
    const wrongPasswordLocal = await h.invoke(loadEvent('auth-login'));
    expect(unknownUser.body).toBe(wrongPassword.body);
    expect(wrongPasswordLocal.body).toBe(wrongPassword.body);
    expect(unknownUser.statusCode).toBe(wrongPassword.statusCode);
  });

  it('logs the Cognito exception name as the detail, never its message', async () => {
    h.cognito.on(AdminInitiateAuthCommand).rejects(new NotAuthorizedException(client));
    await h.invoke(loadEvent('auth-login'));
    expect(logEntries(h.logs)[0]).toMatchObject({ detail: 'NotAuthorizedException (HTTP 400)' });
    expect(h.logs.join('\n')).not.toContain(COGNITO_MESSAGE);
  });

  it('logs an unexpected error in full (server side only)', async () => {
    h.cognito.on(SignUpCommand).rejects(new ResourceNotFoundException(client));
    const result = await h.invoke(loadEvent('auth-register'));
    expect(result.body).not.toContain(COGNITO_MESSAGE);
    const [entry] = logEntries(h.logs);
    expect(entry).toMatchObject({
      level: 'error',
      outcome: 'INTERNAL',
      error: { name: 'ResourceNotFoundException', message: COGNITO_MESSAGE },
    });
  });
});

describe('the refresh cookie after a failure', () => {
  it('is cleared when the refresh token is refused', async () => {
    h.cognito.on(AdminInitiateAuthCommand).rejects(new NotAuthorizedException(client));
    const result = await h.invoke(loadEvent('auth-refresh'));
    expect(setCookies(result)).toHaveLength(1);
    expect(setCookies(result)[0]).toMatch(/^__Secure-edge_upload_refresh=; Max-Age=0;/);
  });

  it('is kept when Cognito is unavailable, so the browser can try again', async () => {
    h.cognito.on(AdminInitiateAuthCommand).rejects(new InternalErrorException(server));
    const result = await h.invoke(loadEvent('auth-refresh'));
    expect(result.statusCode).toBe(503);
    expect(setCookies(result)).toEqual([]);
  });

  it('is cleared on logout even when the revocation fails (and the failure is reported, not hidden)', async () => {
    h.cognito.on(RevokeTokenCommand).rejects(unsupportedByCognitoLocal());
    const result = await h.invoke(loadEvent('auth-logout'));
    expect(result.statusCode).toBe(503);
    expect(setCookies(result)[0]).toMatch(/^__Secure-edge_upload_refresh=; Max-Age=0;/);
  });
});

describe('failures that mean "nothing to reveal" or "already done"', () => {
  it.each([
    ['UserNotFoundException', () => new UserNotFoundException(client)],
    ['NotAuthorizedException', () => new NotAuthorizedException(client)],
    ['InvalidParameterException (already confirmed)', () => new InvalidParameterException(client)],
  ])('/auth/resend and /auth/forgot answer 200 SENT for %s', async (_name, error) => {
    h.cognito.on(ResendConfirmationCodeCommand).rejects(error());
    h.cognito.on(ForgotPasswordCommand).rejects(error());
    for (const fixture of ['auth-resend', 'auth-forgot'] as const) {
      const result = await h.invoke(loadEvent(fixture));
      expect(result.statusCode).toBe(200);
      expect(jsonBody(result)).toEqual({ status: 'SENT' });
    }
  });

  it.each([
    ['NotAuthorizedException', () => new NotAuthorizedException(client)],
    ['UnauthorizedException', () => new UnauthorizedException(client)],
    ['UnsupportedTokenTypeException', () => new UnsupportedTokenTypeException(client)],
    ['InvalidParameterException', () => new InvalidParameterException(client)],
  ])('/auth/logout answers 204 when the token was not usable anyway (%s)', async (_name, error) => {
    h.cognito.on(RevokeTokenCommand).rejects(error());
    const result = await h.invoke(loadEvent('auth-logout'));
    expect(result.statusCode).toBe(204);
    expect(setCookies(result)[0]).toMatch(/^__Secure-edge_upload_refresh=; Max-Age=0;/);
    expect(logEntries(h.logs)[0]).toMatchObject({ outcome: 'LOGGED_OUT', detail: expect.stringContaining('Exception') });
  });
});

function fail(route: string): never {
  throw new Error(`no such route in the table: ${route}`);
}
