import { INTERNAL_MESSAGE, redact, toErrorResponse } from '../../../origin/core/error-response';
import {
  type AuthApiError,
  AuthUnavailableError,
  CodeExpiredError,
  CodeMismatchError,
  ForbiddenOriginError,
  InvalidCredentialsError,
  InvalidPasswordError,
  InvalidRefreshError,
  InvalidRequestError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  TooManyRequestsError,
  UnsupportedMediaTypeError,
  UserExistsError,
  UserNotConfirmedError,
} from '../../../origin/core/errors';
import { accessTokenLifetimeSeconds } from '../../../origin/core/token-lifetime';

describe('toErrorResponse', () => {
  it.each<[AuthApiError, number, string]>([
    [new InvalidRequestError('bad'), 400, 'INVALID_REQUEST'],
    [new InvalidPasswordError('weak', []), 400, 'INVALID_PASSWORD'],
    [new UserExistsError(), 409, 'USER_EXISTS'],
    [new CodeMismatchError(), 400, 'CODE_MISMATCH'],
    [new CodeExpiredError(), 400, 'CODE_EXPIRED'],
    [new InvalidCredentialsError(), 401, 'INVALID_CREDENTIALS'],
    [new UserNotConfirmedError(), 403, 'USER_NOT_CONFIRMED'],
    [new InvalidRefreshError(), 401, 'INVALID_REFRESH'],
    [new TooManyRequestsError(), 429, 'TOO_MANY_REQUESTS'],
    [new AuthUnavailableError(), 503, 'AUTH_UNAVAILABLE'],
    [new MethodNotAllowedError(['POST']), 405, 'METHOD_NOT_ALLOWED'],
    [new UnsupportedMediaTypeError(), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    [new PayloadTooLargeError(4096), 413, 'PAYLOAD_TOO_LARGE'],
    [new ForbiddenOriginError(), 403, 'FORBIDDEN_ORIGIN'],
    [new NotFoundError(), 404, 'NOT_FOUND'],
  ])('%s ⇒ %i %s with the safe message', (error, status, code) => {
    const { response, outcome } = toErrorResponse(error);
    expect(response.status).toBe(status);
    expect(JSON.parse(response.body)).toEqual({ error: { code, message: error.message } });
    expect(response.headers).toMatchObject({ 'Cache-Control': 'no-store', 'Content-Type': 'application/json; charset=utf-8' });
    expect(outcome).toMatchObject({ code, status, internal: undefined });
  });

  it('adds Allow to a 405', () => {
    expect(toErrorResponse(new MethodNotAllowedError(['POST'])).response.headers).toMatchObject({ Allow: 'POST' });
  });

  it('keeps the detail for the log, out of the body', () => {
    const { response, outcome } = toErrorResponse(new InvalidCredentialsError({ detail: 'UserNotFoundException' }));
    expect(outcome.detail).toBe('UserNotFoundException');
    expect(response.body).not.toContain('UserNotFound');
  });

  it.each([new Error('db password is hunter2'), new TypeError('x is undefined'), 'a string', 42, null, undefined, { message: 'object' }])(
    'turns any other thrown value (%p) into 500 INTERNAL with a generic message',
    (thrown) => {
      const { response, outcome } = toErrorResponse(thrown);
      expect(response.status).toBe(500);
      expect(JSON.parse(response.body)).toEqual({ error: { code: 'INTERNAL', message: INTERNAL_MESSAGE } });
      expect(outcome.code).toBe('INTERNAL');
      expect(outcome.internal).toBeDefined();
    },
  );

  it('carries cookies given to it (to clear the refresh cookie)', () => {
    expect(toErrorResponse(new InvalidRefreshError(), ['a=; Max-Age=0']).response.cookies).toEqual(['a=; Max-Age=0']);
  });

  it('redacts emails and tokens from what it logs of an unexpected error', () => {
    const { outcome } = toErrorResponse(new Error('failed for ann.o+x@example.co.uk with eyJraWQiOi.eyJzdWIiOi.sig'));
    expect(outcome.internal?.message).toBe('failed for [email] with [token]');
    expect(redact('at f (/app/node_modules/@aws-sdk/x/index.js:1:2)')).toBe('at f (/app/node_modules/@aws-sdk/x/index.js:1:2)');
  });
});

describe('accessTokenLifetimeSeconds', () => {
  const jwt = (claims: unknown): string => `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

  it('prefers Cognito ExpiresIn', () => {
    expect(accessTokenLifetimeSeconds(3600, 'not-a-jwt')).toBe(3600);
  });

  it('falls back to exp - iat of the access token', () => {
    expect(accessTokenLifetimeSeconds(undefined, jwt({ iat: 1000, exp: 4600 }))).toBe(3600);
  });

  it.each(['not-a-jwt', 'a.!!!.c', jwt({ iat: 1000 }), jwt({ iat: 5000, exp: 4000 }), jwt('string'), jwt({ iat: '1', exp: '2' })])(
    'gives up on %s',
    (token) => {
      expect(accessTokenLifetimeSeconds(undefined, token)).toBeUndefined();
    },
  );
});
