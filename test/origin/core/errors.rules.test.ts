/**
 * The messages of docs/http-api.md "Auth routes", word for word as the client
 * receives them, and what each error keeps for the log (name, detail, cause).
 */
import { toErrorResponse } from '../../../origin/core/error-response';
import {
  type AuthApiError,
  AuthConfigError,
  AuthUnavailableError,
  CodeExpiredError,
  CodeMismatchError,
  ForbiddenOriginError,
  InvalidCredentialsError,
  InvalidRefreshError,
  InvalidRequestError,
  MethodNotAllowedError,
  NotFoundError,
  PasswordResetRequiredError,
  PayloadTooLargeError,
  TooManyRequestsError,
  UnexpectedCognitoResponseError,
  UnsupportedChallengeError,
  UnsupportedMediaTypeError,
  UserExistsError,
  UserNotConfirmedError,
} from '../../../origin/core/errors';

const MFA_MESSAGE =
  "This account signs in with a second factor (MFA), which this sign-in does not support. Sign in through your organization's own sign-in page.";

/** What the client reads: the body of the error response. */
const sent = (error: AuthApiError): unknown => JSON.parse(toErrorResponse(error).response.body);

describe('the messages the client receives', () => {
  it.each<[AuthApiError, string, string]>([
    [new UserExistsError(), 'USER_EXISTS', 'An account with this email address already exists.'],
    [new CodeMismatchError(), 'CODE_MISMATCH', 'The code is not correct. Check the code and try again.'],
    [new CodeExpiredError(), 'CODE_EXPIRED', 'The code has expired. Ask for a new code.'],
    [new InvalidCredentialsError(), 'INVALID_CREDENTIALS', 'The email address or password is not correct.'],
    [new UserNotConfirmedError(), 'USER_NOT_CONFIRMED', 'Confirm your email address before you log in.'],
    [
      new PasswordResetRequiredError(),
      'PASSWORD_RESET_REQUIRED',
      'Your password must be reset before you can log in: ask for a reset code with "Forgot your password?".',
    ],
    [new InvalidRefreshError(), 'INVALID_REFRESH', 'The session has ended. Log in again.'],
    [new TooManyRequestsError(), 'TOO_MANY_REQUESTS', 'Too many attempts. Wait a while and try again.'],
    [new AuthUnavailableError(), 'AUTH_UNAVAILABLE', 'The sign-in service is unavailable. Try again later.'],
    [new MethodNotAllowedError(['GET', 'POST']), 'METHOD_NOT_ALLOWED', 'Use GET, POST for this path.'],
    [new UnsupportedMediaTypeError(), 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as JSON with Content-Type: application/json.'],
    [new PayloadTooLargeError(4096), 'PAYLOAD_TOO_LARGE', 'The request body is larger than 4096 bytes.'],
    [new ForbiddenOriginError(), 'FORBIDDEN_ORIGIN', 'Cross-site requests are not allowed.'],
    [new NotFoundError(), 'NOT_FOUND', 'There is no such auth route.'],
  ])('%s says %s: %s', (error, code, message) => {
    expect(sent(error)).toEqual({ error: { code, message } });
  });

  it('lists every allowed method in the 405 message and header', () => {
    const { response } = toErrorResponse(new MethodNotAllowedError(['GET', 'POST']));
    expect(response.headers).toMatchObject({ Allow: 'GET, POST' });
  });
});

describe('UnsupportedChallengeError', () => {
  it.each(['SMS_MFA', 'SOFTWARE_TOKEN_MFA', 'EMAIL_OTP', 'SELECT_MFA_TYPE', 'MFA_SETUP', 'SMS_OTP'])(
    'tells the user a second factor (%s) is not supported here',
    (challenge) => {
      const error = new UnsupportedChallengeError(challenge);
      expect(sent(error)).toEqual({ error: { code: 'UNSUPPORTED_CHALLENGE', message: MFA_MESSAGE } });
      expect(toErrorResponse(error).response.status).toBe(403);
      expect(toErrorResponse(error).outcome.detail).toBe(`challenge ${challenge}`);
    },
  );

  it('asks a user who must choose a new password to use the invitation or reset it', () => {
    expect(sent(new UnsupportedChallengeError('NEW_PASSWORD_REQUIRED'))).toEqual({
      error: {
        code: 'UNSUPPORTED_CHALLENGE',
        message:
          "This account must choose a new password before its first sign-in, which this sign-in does not support. Use the invitation's sign-in page, or reset the password.",
      },
    });
  });

  it('says a sign-in step is missing for any other challenge, and logs which one', () => {
    const error = new UnsupportedChallengeError('CUSTOM_CHALLENGE');
    expect(sent(error)).toEqual({
      error: { code: 'UNSUPPORTED_CHALLENGE', message: 'This account needs a sign-in step that this sign-in does not support.' },
    });
    expect(error.challenge).toBe('CUSTOM_CHALLENGE');
    expect(toErrorResponse(error).outcome.detail).toBe('challenge CUSTOM_CHALLENGE');
  });

  it('logs "(none)" when Cognito names no challenge', () => {
    const error = new UnsupportedChallengeError(undefined);
    expect(error.challenge).toBe('(none)');
    expect(toErrorResponse(error).outcome.detail).toBe('challenge (none)');
  });

  it('lets the caller give its own detail', () => {
    expect(toErrorResponse(new UnsupportedChallengeError('SMS_MFA', { detail: 'mine' })).outcome.detail).toBe('mine');
  });
});

describe('what an error keeps for the log', () => {
  it('is named after its class', () => {
    expect(new InvalidRequestError('x').name).toBe('InvalidRequestError');
    expect(new NotFoundError().name).toBe('NotFoundError');
  });

  it('keeps the cause it was given', () => {
    const cause = new Error('Cognito said no');
    const error = new AuthUnavailableError({ cause, detail: 'InternalErrorException' });
    expect(error.cause).toBe(cause);
    expect(error.detail).toBe('InternalErrorException');
  });

  it('has no cause at all when given none', () => {
    expect('cause' in new AuthUnavailableError()).toBe(false);
    expect('cause' in new AuthUnavailableError({ detail: 'x' })).toBe(false);
  });

  it('a broken configuration lists every problem', () => {
    const error = new AuthConfigError(['USER_POOL_ID is missing', 'REGION is missing']);
    expect(error.name).toBe('AuthConfigError');
    expect(error.message).toBe('Invalid auth API configuration: USER_POOL_ID is missing; REGION is missing');
    expect(error.problems).toEqual(['USER_POOL_ID is missing', 'REGION is missing']);
  });

  it('an unexpected Cognito answer is a named 500 with its message in the log', () => {
    const error = new UnexpectedCognitoResponseError('no tokens and no challenge');
    expect(error.name).toBe('UnexpectedCognitoResponseError');
    expect(error.message).toBe('no tokens and no challenge');
    const { response, outcome } = toErrorResponse(error);
    expect(response.status).toBe(500);
    expect(outcome.internal).toMatchObject({ name: 'UnexpectedCognitoResponseError', message: 'no tokens and no challenge' });
  });
});
