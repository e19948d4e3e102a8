import {
  AdminInitiateAuthCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  ResendConfirmationCodeCommand,
  RevokeTokenCommand,
  SignUpCommand,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { createAuthHandler } from '../../../origin/auth/handler';
import { FIXTURE, loadEvent, setCookies, withBody, withHeader } from '../support/events';
import { errorBody, fakeJwt, jsonBody, logEntries, TEST_ENV, testConfig, useHarness } from '../support/harness';

const h = useHarness();
const ACCESS = fakeJwt({ token_use: 'access', iat: 1_800_000_000, exp: 1_800_003_600 }, 'access');
const ID = fakeJwt({ token_use: 'id', iat: 1_800_000_000, exp: 1_800_003_600 }, 'id');
const ISSUED_REFRESH = 'eyJjdHkiOiJKV1QifQ.issued-refresh-token-for-tests.x.y.z';
const $metadata = { httpStatusCode: 400 };

function expectNoStoreJson(result: APIGatewayProxyResult): void {
  expect(result.headers?.['Cache-Control']).toBe('no-store');
  expect(result.headers?.['Content-Type']).toBe('application/json; charset=utf-8');
}

function expectRefreshCookie(cookie: string | undefined, value: string): void {
  expect(cookie).toBeDefined();
  const [pair, ...attributes] = (cookie ?? '').split('; ');
  expect(pair).toBe(`${FIXTURE.refreshCookieName}=${value}`);
  expect(attributes).toEqual(expect.arrayContaining(['Path=/auth', 'HttpOnly', 'Secure', 'SameSite=Strict']));
  expect(attributes).toContain('Max-Age=2592000');
  expect(attributes.some((a) => a.startsWith('Domain='))).toBe(false);
}

function expectClearedCookie(cookie: string | undefined): void {
  expect(cookie).toBeDefined();
  const [pair, ...attributes] = (cookie ?? '').split('; ');
  expect(pair).toBe(`${FIXTURE.refreshCookieName}=`);
  expect(attributes).toEqual(expect.arrayContaining(['Max-Age=0', 'Path=/auth', 'HttpOnly', 'Secure', 'SameSite=Strict']));
}

describe('POST /auth/register', () => {
  it('signs the user up with the email as user name and answers 201 CONFIRMATION_REQUIRED', async () => {
    h.cognito.on(SignUpCommand).resolves({
      UserConfirmed: false,
      UserSub: '00000000-0000-4000-8000-000000000001',
      CodeDeliveryDetails: { Destination: 'a***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' },
    });
    const result = await h.invoke(loadEvent('auth-register'));
    expect(result.statusCode).toBe(201);
    expectNoStoreJson(result);
    expect(jsonBody(result)).toEqual({ status: 'CONFIRMATION_REQUIRED', destination: 'a***@e***' });
    expect(h.cognito.commandCalls(SignUpCommand)[0]?.args[0].input).toEqual({
      ClientId: TEST_ENV.USER_POOL_CLIENT_ID,
      Username: FIXTURE.email,
      Password: FIXTURE.password,
      UserAttributes: [{ Name: 'email', Value: FIXTURE.email }],
    });
  });

  it('masks an unmasked destination (cognito-local returns the full address)', async () => {
    h.cognito.on(SignUpCommand).resolves({ UserConfirmed: false, UserSub: 'x', CodeDeliveryDetails: { Destination: FIXTURE.email } });
    const result = await h.invoke(loadEvent('auth-register'));
    expect(jsonBody(result)).toEqual({ status: 'CONFIRMATION_REQUIRED', destination: 'a***@e***' });
    expect(result.body).not.toContain(FIXTURE.email);
  });

  it('normalizes the email (trim, lower case) before calling Cognito', async () => {
    h.cognito.on(SignUpCommand).resolves({ UserConfirmed: false, UserSub: 'x' });
    await h.invoke(withBody(loadEvent('auth-register'), { email: '  Ann@Example.COM ', password: FIXTURE.password }));
    expect(h.cognito.commandCalls(SignUpCommand)[0]?.args[0].input.Username).toBe('ann@example.com');
  });

  it('answers 201 CONFIRMED when the pool confirms the user at once', async () => {
    h.cognito.on(SignUpCommand).resolves({ UserConfirmed: true, UserSub: 'x' });
    const result = await h.invoke(loadEvent('auth-register'));
    expect(result.statusCode).toBe(201);
    expect(jsonBody(result)).toEqual({ status: 'CONFIRMED' });
  });

  it('checks the password policy before calling Cognito and says what is missing', async () => {
    const result = await h.invoke(withBody(loadEvent('auth-register'), { email: FIXTURE.email, password: 'alllowercase' }));
    expect(result.statusCode).toBe(400);
    const { error } = errorBody(result);
    expect(error.code).toBe('INVALID_PASSWORD');
    // What is missing comes first, then the whole policy.
    expect(error.message).toMatch(/^The password needs an uppercase letter \(A-Z\), a digit \(0-9\), a symbol/);
    expect(error.message).toContain('The policy: at least 12 characters');
    expect(h.cognito.commandCalls(SignUpCommand)).toHaveLength(0);
  });
});

describe('POST /auth/confirm', () => {
  it('confirms with the code and answers 200 CONFIRMED', async () => {
    h.cognito.on(ConfirmSignUpCommand).resolves({});
    const result = await h.invoke(loadEvent('auth-confirm'));
    expect(result.statusCode).toBe(200);
    expectNoStoreJson(result);
    expect(jsonBody(result)).toEqual({ status: 'CONFIRMED' });
    expect(h.cognito.commandCalls(ConfirmSignUpCommand)[0]?.args[0].input).toEqual({
      ClientId: TEST_ENV.USER_POOL_CLIENT_ID,
      Username: FIXTURE.email,
      ConfirmationCode: FIXTURE.confirmCode,
    });
  });

  it('refuses a code that is not 6 digits without calling Cognito', async () => {
    for (const code of ['12345', '1234567', 'abcdef', '', 123456]) {
      const result = await h.invoke(withBody(loadEvent('auth-confirm'), { email: FIXTURE.email, code }));
      expect(result.statusCode).toBe(400);
      expect(errorBody(result).error.code).toBe('INVALID_REQUEST');
    }
    expect(h.cognito.commandCalls(ConfirmSignUpCommand)).toHaveLength(0);
  });
});

describe('POST /auth/resend', () => {
  it('resends the code and answers 200 SENT', async () => {
    h.cognito.on(ResendConfirmationCodeCommand).resolves({ CodeDeliveryDetails: { Destination: 'a***@e***' } });
    const result = await h.invoke(loadEvent('auth-resend'));
    expect(result.statusCode).toBe(200);
    expect(jsonBody(result)).toEqual({ status: 'SENT' });
    expect(h.cognito.commandCalls(ResendConfirmationCodeCommand)[0]?.args[0].input).toEqual({
      ClientId: TEST_ENV.USER_POOL_CLIENT_ID,
      Username: FIXTURE.email,
    });
  });

  it('answers exactly the same for an unknown email (no enumeration)', async () => {
    h.cognito.on(ResendConfirmationCodeCommand).resolves({ CodeDeliveryDetails: { Destination: 'a***@e***' } });
    const known = await h.invoke(loadEvent('auth-resend'));
    h.cognito
      .on(ResendConfirmationCodeCommand)
      .rejects(new UserNotFoundException({ message: 'Username/client id combination not found.', $metadata }));
    const unknown = await h.invoke(loadEvent('auth-resend'));
    expect(unknown.statusCode).toBe(known.statusCode);
    expect(unknown.body).toBe(known.body);
    expect(unknown.headers).toEqual(known.headers);
    expect(logEntries(h.logs)[1]).toMatchObject({ outcome: 'SENT', detail: 'UserNotFoundException (HTTP 400)' });
  });
});

describe('POST /auth/login', () => {
  beforeEach(() => {
    h.cognito.on(AdminInitiateAuthCommand).resolves({
      AuthenticationResult: { AccessToken: ACCESS, IdToken: ID, RefreshToken: ISSUED_REFRESH, ExpiresIn: 3600, TokenType: 'Bearer' },
    });
  });

  it('logs in with ADMIN_USER_PASSWORD_AUTH and returns the tokens, the refresh token only as a cookie', async () => {
    const result = await h.invoke(loadEvent('auth-login'));
    expect(result.statusCode).toBe(200);
    expectNoStoreJson(result);
    expect(jsonBody(result)).toEqual({ accessToken: ACCESS, idToken: ID, expiresIn: 3600, tokenType: 'Bearer' });
    expect(result.body).not.toContain(ISSUED_REFRESH);
    const cookies = setCookies(result);
    expect(cookies).toHaveLength(1);
    expectRefreshCookie(cookies[0], ISSUED_REFRESH);
    expect(h.cognito.commandCalls(AdminInitiateAuthCommand)[0]?.args[0].input).toEqual({
      UserPoolId: TEST_ENV.USER_POOL_ID,
      ClientId: TEST_ENV.USER_POOL_CLIENT_ID,
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: FIXTURE.email, PASSWORD: FIXTURE.password },
    });
  });

  it('reads a base64-encoded body (isBase64Encoded)', async () => {
    const result = await h.invoke(loadEvent('auth-login-base64'));
    expect(result.statusCode).toBe(200);
    expect(h.cognito.commandCalls(AdminInitiateAuthCommand)[0]?.args[0].input.AuthParameters).toEqual({
      USERNAME: FIXTURE.email,
      PASSWORD: FIXTURE.password,
    });
  });

  it('does not apply the password policy to login (only the length limit)', async () => {
    const result = await h.invoke(withBody(loadEvent('auth-login'), { email: FIXTURE.email, password: 'short' }));
    expect(result.statusCode).toBe(200);
    const tooLong = await h.invoke(withBody(loadEvent('auth-login'), { email: FIXTURE.email, password: 'x'.repeat(257) }));
    expect(tooLong.statusCode).toBe(400);
    expect(errorBody(tooLong).error.code).toBe('INVALID_REQUEST');
  });

  it('takes expiresIn from the access token when Cognito leaves ExpiresIn out (cognito-local)', async () => {
    h.cognito.on(AdminInitiateAuthCommand).resolves({
      AuthenticationResult: { AccessToken: ACCESS, IdToken: ID, RefreshToken: ISSUED_REFRESH },
    });
    const result = await h.invoke(loadEvent('auth-login'));
    expect(jsonBody(result)).toMatchObject({ expiresIn: 3600, tokenType: 'Bearer' });
  });

  it.each([
    ['NEW_PASSWORD_REQUIRED', /new password/],
    ['SOFTWARE_TOKEN_MFA', /MFA/],
    ['SMS_MFA', /MFA/],
    ['MFA_SETUP', /MFA/],
    ['SELECT_MFA_TYPE', /MFA/],
    ['EMAIL_OTP', /MFA/],
    ['CUSTOM_CHALLENGE', /sign-in step/],
  ])('answers 403 UNSUPPORTED_CHALLENGE (never a 500, never a fake success) when Cognito asks for %s', async (challenge, message) => {
    h.cognito.on(AdminInitiateAuthCommand).resolves({ ChallengeName: challenge as 'SMS_MFA', Session: 'session-that-must-not-leak' });
    const result = await h.invoke(loadEvent('auth-login'));
    expect(result.statusCode).toBe(403);
    expect(errorBody(result).error).toEqual({ code: 'UNSUPPORTED_CHALLENGE', message: expect.stringMatching(message) });
    expect(setCookies(result)).toEqual([]);
    expect(result.body).not.toContain('session-that-must-not-leak');
    expect(h.logs.join('\n')).toContain(`challenge ${challenge}`);
    expect(h.logs.join('\n')).not.toContain('session-that-must-not-leak');
  });

  it('still answers 500 INTERNAL when Cognito sends neither tokens nor a challenge', async () => {
    h.cognito.on(AdminInitiateAuthCommand).resolves({});
    const result = await h.invoke(loadEvent('auth-login'));
    expect(result.statusCode).toBe(500);
    expect(errorBody(result).error.code).toBe('INTERNAL');
  });

  it('uses the configured cookie name and lifetime', async () => {
    const custom = handlerWith({ REFRESH_COOKIE_NAME: '__Secure-refresh', REFRESH_COOKIE_MAX_AGE_SECONDS: '86400' });
    const result = await custom(loadEvent('auth-login'));
    expect(setCookies(result)[0]).toBe(`__Secure-refresh=${ISSUED_REFRESH}; Max-Age=86400; Path=/auth; HttpOnly; Secure; SameSite=Strict`);
  });
});

describe('POST /auth/refresh', () => {
  it('refreshes with REFRESH_TOKEN_AUTH using the cookie, and sets no new cookie when the token is not rotated', async () => {
    h.cognito.on(AdminInitiateAuthCommand).resolves({ AuthenticationResult: { AccessToken: ACCESS, IdToken: ID, ExpiresIn: 3600 } });
    const result = await h.invoke(loadEvent('auth-refresh'));
    expect(result.statusCode).toBe(200);
    expectNoStoreJson(result);
    expect(jsonBody(result)).toEqual({ accessToken: ACCESS, idToken: ID, expiresIn: 3600, tokenType: 'Bearer' });
    expect(setCookies(result)).toEqual([]);
    expect(h.cognito.commandCalls(AdminInitiateAuthCommand)[0]?.args[0].input).toEqual({
      UserPoolId: TEST_ENV.USER_POOL_ID,
      ClientId: TEST_ENV.USER_POOL_CLIENT_ID,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: FIXTURE.refreshToken },
    });
  });

  it('sets the new cookie when the pool rotates the refresh token', async () => {
    h.cognito.on(AdminInitiateAuthCommand).resolves({
      AuthenticationResult: { AccessToken: ACCESS, IdToken: ID, ExpiresIn: 3600, RefreshToken: ISSUED_REFRESH },
    });
    const result = await h.invoke(loadEvent('auth-refresh'));
    expect(result.body).not.toContain(ISSUED_REFRESH);
    expectRefreshCookie(setCookies(result)[0], ISSUED_REFRESH);
  });

  it('answers 401 INVALID_REFRESH without calling Cognito when there is no cookie, and clears it', async () => {
    const result = await h.invoke(withHeader(loadEvent('auth-refresh'), 'Cookie'));
    expect(result.statusCode).toBe(401);
    expect(errorBody(result).error.code).toBe('INVALID_REFRESH');
    expectClearedCookie(setCookies(result)[0]);
    expect(h.cognito.commandCalls(AdminInitiateAuthCommand)).toHaveLength(0);
  });

  it('answers 401 INVALID_REFRESH for a cookie that cannot be a token', async () => {
    const result = await h.invoke(withHeader(loadEvent('auth-refresh'), 'Cookie', `${FIXTURE.refreshCookieName}=not a token!`));
    expect(result.statusCode).toBe(401);
    expect(errorBody(result).error.code).toBe('INVALID_REFRESH');
    expect(h.cognito.commandCalls(AdminInitiateAuthCommand)).toHaveLength(0);
  });

  it.each([
    ['in one Cookie header', [`${FIXTURE.refreshCookieName}=eyJplanted.a.b; ${FIXTURE.refreshCookieName}=${FIXTURE.refreshToken}`]],
    [
      'in two Cookie headers',
      [`${FIXTURE.refreshCookieName}=eyJplanted.a.b`, `theme=dark; ${FIXTURE.refreshCookieName}=${FIXTURE.refreshToken}`],
    ],
    [
      'even when both copies are equal',
      [`${FIXTURE.refreshCookieName}=${FIXTURE.refreshToken}; ${FIXTURE.refreshCookieName}=${FIXTURE.refreshToken}`],
    ],
  ])(
    'answers 401 INVALID_REFRESH to two refresh cookies (cookie tossing) %s, clears ours and asks Cognito nothing',
    async (_label, cookies) => {
      h.cognito.on(AdminInitiateAuthCommand).resolves({ AuthenticationResult: { AccessToken: ACCESS, IdToken: ID, ExpiresIn: 3600 } });
      const result = await h.invoke(withHeader(loadEvent('auth-refresh'), 'Cookie', ...cookies));
      expect(result.statusCode).toBe(401);
      expect(errorBody(result).error.code).toBe('INVALID_REFRESH');
      expect(setCookies(result)).toHaveLength(1);
      expectClearedCookie(setCookies(result)[0]);
      expect(h.cognito.commandCalls(AdminInitiateAuthCommand)).toHaveLength(0);
    },
  );

  it('ignores a body: the cookie is the only input', async () => {
    h.cognito.on(AdminInitiateAuthCommand).resolves({ AuthenticationResult: { AccessToken: ACCESS, IdToken: ID, ExpiresIn: 60 } });
    const result = await h.invoke(withBody(loadEvent('auth-refresh'), '{"refreshToken":"ignored"}'));
    expect(result.statusCode).toBe(200);
  });
});

describe('POST /auth/logout', () => {
  it('revokes the refresh token, clears the cookie and answers 204 with no body', async () => {
    h.cognito.on(RevokeTokenCommand).resolves({});
    const result = await h.invoke(loadEvent('auth-logout'));
    expect(result.statusCode).toBe(204);
    expect(result.body).toBe('');
    expect(result.headers?.['Cache-Control']).toBe('no-store');
    expectClearedCookie(setCookies(result)[0]);
    expect(h.cognito.commandCalls(RevokeTokenCommand)[0]?.args[0].input).toEqual({
      ClientId: TEST_ENV.USER_POOL_CLIENT_ID,
      Token: FIXTURE.refreshToken,
    });
  });

  it('answers 401 INVALID_REFRESH to two refresh cookies, clears ours and revokes neither (which one is ours is unknown)', async () => {
    h.cognito.on(RevokeTokenCommand).resolves({});
    const cookie = `${FIXTURE.refreshCookieName}=eyJplanted.a.b; ${FIXTURE.refreshCookieName}=${FIXTURE.refreshToken}`;
    const result = await h.invoke(withHeader(loadEvent('auth-logout'), 'Cookie', cookie));
    expect(result.statusCode).toBe(401);
    expect(errorBody(result).error.code).toBe('INVALID_REFRESH');
    expect(setCookies(result)).toHaveLength(1);
    expectClearedCookie(setCookies(result)[0]);
    expect(h.cognito.commandCalls(RevokeTokenCommand)).toHaveLength(0);
  });

  it('answers 204 and clears the cookie when there is no cookie, without calling Cognito', async () => {
    const result = await h.invoke(withHeader(loadEvent('auth-logout'), 'Cookie'));
    expect(result.statusCode).toBe(204);
    expectClearedCookie(setCookies(result)[0]);
    expect(h.cognito.commandCalls(RevokeTokenCommand)).toHaveLength(0);
  });
});

describe('POST /auth/forgot', () => {
  it('starts a reset and answers 200 SENT, the same for an unknown email', async () => {
    h.cognito.on(ForgotPasswordCommand).resolves({ CodeDeliveryDetails: { Destination: 'a***@e***' } });
    const known = await h.invoke(loadEvent('auth-forgot'));
    expect(known.statusCode).toBe(200);
    expect(jsonBody(known)).toEqual({ status: 'SENT' });
    expect(h.cognito.commandCalls(ForgotPasswordCommand)[0]?.args[0].input).toEqual({
      ClientId: TEST_ENV.USER_POOL_CLIENT_ID,
      Username: FIXTURE.email,
    });
    h.cognito.on(ForgotPasswordCommand).rejects(new UserNotFoundException({ message: 'User not found.', $metadata }));
    const unknown = await h.invoke(loadEvent('auth-forgot'));
    expect(unknown.statusCode).toBe(known.statusCode);
    expect(unknown.body).toBe(known.body);
  });
});

describe('POST /auth/reset', () => {
  it('sets the new password with the code and answers 200 PASSWORD_RESET', async () => {
    h.cognito.on(ConfirmForgotPasswordCommand).resolves({});
    const result = await h.invoke(loadEvent('auth-reset'));
    expect(result.statusCode).toBe(200);
    expect(jsonBody(result)).toEqual({ status: 'PASSWORD_RESET' });
    expect(h.cognito.commandCalls(ConfirmForgotPasswordCommand)[0]?.args[0].input).toEqual({
      ClientId: TEST_ENV.USER_POOL_CLIENT_ID,
      Username: FIXTURE.email,
      ConfirmationCode: FIXTURE.resetCode,
      Password: FIXTURE.newPassword,
    });
  });

  it('checks the new password against the policy before calling Cognito', async () => {
    const result = await h.invoke(
      withBody(loadEvent('auth-reset'), { email: FIXTURE.email, code: FIXTURE.resetCode, newPassword: 'Short-1a' }),
    );
    expect(result.statusCode).toBe(400);
    const { error } = errorBody(result);
    expect(error.code).toBe('INVALID_PASSWORD');
    expect(error.message).toContain('at least 12 characters');
    expect(h.cognito.commandCalls(ConfirmForgotPasswordCommand)).toHaveLength(0);
  });
});

/** A one-off handler with other settings; the Cognito stub of `h` still answers its calls. */
function handlerWith(overrides: Record<string, string>) {
  return createAuthHandler({ config: testConfig(overrides), logger: { log: () => undefined } });
}
