/**
 * One structured JSON line per request, and never a secret in it.
 */
import {
  AdminInitiateAuthCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  InternalErrorException,
  NotAuthorizedException,
  ResendConfirmationCodeCommand,
  RevokeTokenCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createAuthHandler } from '../../../origin/auth/handler';
import { emfProblems } from '../../support/emf';
import { FIXTURE, loadEvent, withBody, withHeader, withPath, type FixtureName } from '../support/events';
import { fakeJwt, logEntries, testConfig, useHarness } from '../support/harness';

const h = useHarness();
const ACCESS = fakeJwt({ token_use: 'access', iat: 1, exp: 3601 }, 'access-secret');
const ID = fakeJwt({ token_use: 'id', iat: 1, exp: 3601, email: FIXTURE.email }, 'id-secret');
const ISSUED_REFRESH = 'eyJjdHkiOiJKV1QifQ.issued-refresh-secret.a.b.c';

/** Everything that must never appear in a log line. */
const SECRETS = [
  FIXTURE.email,
  'ann@',
  FIXTURE.password,
  FIXTURE.newPassword,
  FIXTURE.confirmCode,
  FIXTURE.resetCode,
  FIXTURE.refreshToken,
  'REDACTED-ciphertext',
  ACCESS,
  ID,
  ISSUED_REFRESH,
  'issued-refresh-secret',
  'theme=dark',
];

const FIXTURES: FixtureName[] = [
  'auth-register',
  'auth-confirm',
  'auth-resend',
  'auth-login',
  'auth-login-base64',
  'auth-refresh',
  'auth-logout',
  'auth-forgot',
  'auth-reset',
];

function stubSuccess(): void {
  h.cognito.on(SignUpCommand).resolves({ UserConfirmed: false, UserSub: 'sub', CodeDeliveryDetails: { Destination: FIXTURE.email } });
  h.cognito.on(ConfirmSignUpCommand).resolves({});
  h.cognito.on(ResendConfirmationCodeCommand).resolves({ CodeDeliveryDetails: { Destination: FIXTURE.email } });
  h.cognito.on(AdminInitiateAuthCommand).resolves({
    AuthenticationResult: { AccessToken: ACCESS, IdToken: ID, RefreshToken: ISSUED_REFRESH, ExpiresIn: 3600 },
  });
  h.cognito.on(RevokeTokenCommand).resolves({});
  h.cognito.on(ForgotPasswordCommand).resolves({ CodeDeliveryDetails: { Destination: FIXTURE.email } });
  h.cognito.on(ConfirmForgotPasswordCommand).resolves({});
}

describe('the request log', () => {
  it('writes exactly one JSON line per request with route, method, status, outcome and latency', async () => {
    stubSuccess();
    const expected: Array<[FixtureName, number, string]> = [
      ['auth-register', 201, 'CONFIRMATION_REQUIRED'],
      ['auth-confirm', 200, 'CONFIRMED'],
      ['auth-resend', 200, 'SENT'],
      ['auth-login', 200, 'LOGGED_IN'],
      ['auth-refresh', 200, 'REFRESHED'],
      ['auth-logout', 204, 'LOGGED_OUT'],
      ['auth-forgot', 200, 'SENT'],
      ['auth-reset', 200, 'PASSWORD_RESET'],
    ];
    for (const [name, status, outcome] of expected) {
      const event = loadEvent(name);
      const before = h.logs.length;
      const result = await h.invoke(event);
      expect(result.statusCode).toBe(status);
      expect(h.logs.length).toBe(before + 1);
      const line = h.logs[before] ?? '';
      expect(line).not.toContain('\n');
      expect(JSON.parse(line)).toEqual({
        level: 'info',
        msg: 'auth request',
        route: event.path,
        method: 'POST',
        status,
        outcome,
        latencyMs: 7,
        requestId: event.requestContext.requestId,
        _aws: expect.any(Object),
        Route: event.path,
        Outcome: 'OK',
        Requests: 1,
        LatencyMs: 7,
      });
    }
  });

  it('names a failed check as the outcome and the reason as the detail', async () => {
    await h.invoke(withHeader(loadEvent('auth-login'), 'Origin', 'https://evil.example'));
    await h.invoke(withPath(loadEvent('auth-login'), '/auth/../../etc/passwd'));
    const [origin, notFound] = logEntries(h.logs);
    expect(origin).toMatchObject({ route: '/auth/login', status: 403, outcome: 'FORBIDDEN_ORIGIN', detail: 'origin' });
    expect(notFound).toMatchObject({ route: 'unknown', status: 404, outcome: 'NOT_FOUND' });
    expect(h.logs.join('\n')).not.toContain('passwd');
  });

  it('never contains a token, password, code, email or cookie, whatever the outcome', async () => {
    stubSuccess();
    for (const name of FIXTURES) await h.invoke(loadEvent(name));
    h.cognito.on(AdminInitiateAuthCommand).rejects(new NotAuthorizedException({ message: `bad ${FIXTURE.password}`, $metadata: {} }));
    h.cognito.on(SignUpCommand).rejects(new InternalErrorException({ message: `down for ${FIXTURE.email}`, $metadata: {} }));
    h.cognito.on(RevokeTokenCommand).rejects(new InternalErrorException({ message: FIXTURE.refreshToken, $metadata: {} }));
    for (const name of FIXTURES) await h.invoke(loadEvent(name));
    await h.invoke(withBody(loadEvent('auth-register'), { email: FIXTURE.email, password: 'weak' }));
    await h.invoke(withBody(loadEvent('auth-confirm'), { email: FIXTURE.email, code: `${FIXTURE.confirmCode}9` }));
    await h.invoke(withBody(loadEvent('auth-login'), `{"email":"${FIXTURE.email}","password":"${FIXTURE.password}"`));

    expect(h.logs.length).toBe(FIXTURES.length * 2 + 3);
    // Every one of them an EMF line: the metrics come from these very lines.
    for (const line of h.logs) expect(emfProblems(line)).toEqual([]);
    const all = h.logs.join('\n');
    for (const secret of SECRETS) expect(all).not.toContain(secret);
  });

  it('keeps the refresh token out of every response body', async () => {
    stubSuccess();
    h.cognito.on(AdminInitiateAuthCommand).resolves({
      AuthenticationResult: { AccessToken: ACCESS, IdToken: ID, RefreshToken: ISSUED_REFRESH, ExpiresIn: 3600 },
    });
    for (const name of FIXTURES) {
      const result = await h.invoke(loadEvent(name));
      expect(result.body).not.toContain(ISSUED_REFRESH);
      expect(result.body).not.toContain(FIXTURE.refreshToken);
      expect(result.body).not.toContain(FIXTURE.password);
    }
  });

  it('marks a 500 as an error and logs the unexpected error in full', async () => {
    h.cognito.on(ConfirmSignUpCommand).rejects(new TypeError('cannot read properties of undefined'));
    const result = await h.invoke(loadEvent('auth-confirm'));
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('cannot read');
    const [entry] = logEntries(h.logs);
    expect(entry).toMatchObject({
      level: 'error',
      outcome: 'INTERNAL',
      error: { name: 'TypeError', message: 'cannot read properties of undefined', stack: expect.stringContaining('TypeError') },
    });
  });

  it('still answers when the log sink throws', async () => {
    h.cognito.on(ForgotPasswordCommand).resolves({});
    const handler = createAuthHandler({
      config: testConfig(),
      logger: {
        log: () => {
          throw new Error('disk full');
        },
      },
    });
    const result = await handler(loadEvent('auth-forgot'));
    expect(result.statusCode).toBe(200);
  });
});
