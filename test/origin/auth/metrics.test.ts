/**
 * The auth API's one log line per request is CloudWatch Embedded Metric
 * Format (README "Metrics"): every route with its success and a failure,
 * and the refusals before any route runs, parsed and checked against the EMF
 * rules (test/support/emf.ts). Route is one of the eight routes or `/auth/*`;
 * Outcome is OK or the error code. Secrets are checked in logging.test.ts,
 * on the same lines.
 */
import {
  AdminInitiateAuthCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  InternalErrorException,
  ResendConfirmationCodeCommand,
  RevokeTokenCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { AUTH_ROUTES } from '../../../edge-functions/core/auth-routes';
import { expectedDirectives, parseEmfLine } from '../../support/emf';
import { FIXTURE, loadEvent, withHeader, withPath, type FixtureName } from '../support/events';
import { fakeJwt, useHarness } from '../support/harness';

const h = useHarness();

const ROUTE_FIXTURES: Array<[route: string, fixture: FixtureName]> = [
  ['/auth/register', 'auth-register'],
  ['/auth/confirm', 'auth-confirm'],
  ['/auth/resend', 'auth-resend'],
  ['/auth/login', 'auth-login'],
  ['/auth/refresh', 'auth-refresh'],
  ['/auth/logout', 'auth-logout'],
  ['/auth/forgot', 'auth-forgot'],
  ['/auth/reset', 'auth-reset'],
];

function stubSuccess(): void {
  const access = fakeJwt({ token_use: 'access', iat: 1, exp: 3601 }, 'access-secret');
  const id = fakeJwt({ token_use: 'id', iat: 1, exp: 3601, email: FIXTURE.email }, 'id-secret');
  h.cognito.on(SignUpCommand).resolves({ UserConfirmed: false, UserSub: 'sub', CodeDeliveryDetails: { Destination: FIXTURE.email } });
  h.cognito.on(ConfirmSignUpCommand).resolves({});
  h.cognito.on(ResendConfirmationCodeCommand).resolves({ CodeDeliveryDetails: { Destination: FIXTURE.email } });
  h.cognito
    .on(AdminInitiateAuthCommand)
    .resolves({ AuthenticationResult: { AccessToken: access, IdToken: id, RefreshToken: 'r.e.f', ExpiresIn: 3600 } });
  h.cognito.on(RevokeTokenCommand).resolves({});
  h.cognito.on(ForgotPasswordCommand).resolves({ CodeDeliveryDetails: { Destination: FIXTURE.email } });
  h.cognito.on(ConfirmForgotPasswordCommand).resolves({});
}

function onlyLine(): Record<string, unknown> {
  expect(h.logs).toHaveLength(1);
  return parseEmfLine(h.logs[0] ?? '');
}

describe('the auth log line, in Embedded Metric Format', () => {
  it('covers the eight routes of the contract, no more', () => {
    expect(ROUTE_FIXTURES.map(([route]) => route).sort()).toEqual(Object.keys(AUTH_ROUTES).sort());
  });

  it.each(ROUTE_FIXTURES)(
    '%s, answered: Route is the route, Outcome OK, with the namespace, dimensions and metrics',
    async (route, fixture) => {
      stubSuccess();
      const result = await h.invoke(loadEvent(fixture));
      expect(result.statusCode).toBeLessThan(300);
      const line = onlyLine();
      expect(line['_aws']).toEqual({ Timestamp: expect.any(Number), CloudWatchMetrics: expectedDirectives() });
      expect(line).toMatchObject({ Route: route, Outcome: 'OK', Requests: 1, LatencyMs: 7, route, latencyMs: 7 });
    },
  );

  it.each(ROUTE_FIXTURES)('%s, Cognito down: Outcome AUTH_UNAVAILABLE, the error code', async (route, fixture) => {
    // Every Cognito call fails.
    h.cognito.rejects(new InternalErrorException({ message: 'down', $metadata: {} }));
    const result = await h.invoke(loadEvent(fixture));
    const line = onlyLine();
    expect(line['Route']).toBe(route);
    // Logout still answers 204 when revoking fails (the cookie is cleared anyway): that is OK.
    expect(line['Outcome']).toBe(result.statusCode < 400 ? 'OK' : 'AUTH_UNAVAILABLE');
    if (route !== '/auth/logout') expect(line['Outcome']).toBe('AUTH_UNAVAILABLE');
  });

  it('names a refusal before any action by its code: a foreign Origin, a wrong method', async () => {
    await h.invoke(withHeader(loadEvent('auth-login'), 'Origin', 'https://evil.example'));
    const event = loadEvent('auth-register');
    await h.invoke({ ...event, httpMethod: 'GET' });
    const [origin, method] = h.logs.map(parseEmfLine);
    expect(origin).toMatchObject({ Route: '/auth/login', Outcome: 'FORBIDDEN_ORIGIN' });
    expect(method).toMatchObject({ Route: '/auth/register', Outcome: 'METHOD_NOT_ALLOWED' });
  });

  it.each(['/auth/../../etc/passwd', '/auth/unknown', `/auth/${'x'.repeat(3000)}`, '/Auth/login'])(
    'any other path (%#) is the one bounded Route /auth/*, never the path',
    async (path) => {
      await h.invoke(withPath(loadEvent('auth-login'), path));
      const line = onlyLine();
      expect(line).toMatchObject({ Route: '/auth/*', Outcome: 'NOT_FOUND' });
      expect(h.logs[0]).not.toContain('passwd');
      expect(h.logs[0]).not.toContain('xxxxxxxx');
    },
  );
});
