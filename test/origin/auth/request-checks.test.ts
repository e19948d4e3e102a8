/**
 * The boundary checks every request passes before Cognito is called
 * (docs/http-api.md: 404, 405, 403, 415, 413, 400), on recorded events.
 */
import { AdminInitiateAuthCommand, ForgotPasswordCommand, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { AUTH_ROUTES, MAX_AUTH_BODY_BYTES } from '../../../edge-functions/core/auth-routes';
import {
  FIXTURE,
  loadEvent,
  withBase64Body,
  withBody,
  withHeader,
  withMethod,
  withoutBody,
  withPath,
  type FixtureName,
} from '../support/events';
import { errorBody, jsonBody, useHarness } from '../support/harness';

const h = useHarness();

const ALL_FIXTURES: FixtureName[] = [
  'auth-register',
  'auth-confirm',
  'auth-resend',
  'auth-login',
  'auth-refresh',
  'auth-logout',
  'auth-forgot',
  'auth-reset',
];
const BODY_FIXTURES = ALL_FIXTURES.filter((name) => AUTH_ROUTES[loadEvent(name).path as keyof typeof AUTH_ROUTES].body);

beforeEach(() => {
  h.cognito.onAnyCommand().resolves({});
});

async function expectError(fixtureEvent: Parameters<typeof h.invoke>[0], status: number, code: string): Promise<void> {
  const result = await h.invoke(fixtureEvent);
  expect(result.statusCode).toBe(status);
  expect(result.headers?.['Cache-Control']).toBe('no-store');
  expect(result.headers?.['Content-Type']).toBe('application/json; charset=utf-8');
  expect(errorBody(result).error.code).toBe(code);
  expect(h.cognito.calls()).toHaveLength(0);
}

describe('routing', () => {
  it.each(['/auth/unknown', '/auth', '/auth/', '/auth/login/', '/AUTH/LOGIN', '/presign', '/', '/auth/login/../register'])(
    '404 NOT_FOUND for %s',
    async (path) => {
      await expectError(withPath(loadEvent('auth-login'), path), 404, 'NOT_FOUND');
    },
  );
});

describe('method', () => {
  it.each(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'])('405 METHOD_NOT_ALLOWED with Allow: POST for %s', async (method) => {
    for (const name of ALL_FIXTURES) {
      const result = await h.invoke(withMethod(loadEvent(name), method));
      expect(result.statusCode).toBe(405);
      expect(result.headers?.Allow).toBe('POST');
      expect(errorBody(result).error.code).toBe('METHOD_NOT_ALLOWED');
    }
    expect(h.cognito.calls()).toHaveLength(0);
  });
});

describe('origin', () => {
  it.each([
    'https://evil.example',
    'null',
    'http://uploads.example.com',
    'https://uploads.example.com:8443',
    'https://sub.uploads.example.com',
  ])('403 FORBIDDEN_ORIGIN for Origin: %s', async (origin) => {
    for (const name of ALL_FIXTURES) {
      await expectError(withHeader(loadEvent(name), 'Origin', origin), 403, 'FORBIDDEN_ORIGIN');
    }
  });

  it('403 when any of several Origin headers is foreign', async () => {
    await expectError(withHeader(loadEvent('auth-login'), 'origin', FIXTURE.siteOrigin, 'https://evil.example'), 403, 'FORBIDDEN_ORIGIN');
  });

  it.each(['cross-site', 'same-site', 'CROSS-SITE'])('403 for Sec-Fetch-Site: %s even with the right Origin', async (site) => {
    await expectError(withHeader(loadEvent('auth-logout'), 'Sec-Fetch-Site', site), 403, 'FORBIDDEN_ORIGIN');
  });

  it('allows a request without Origin or Sec-Fetch-Site (a non-browser client)', async () => {
    h.cognito.on(ForgotPasswordCommand).resolves({});
    const event = withHeader(withHeader(loadEvent('auth-forgot'), 'Origin'), 'Sec-Fetch-Site');
    const result = await h.invoke(event);
    expect(result.statusCode).toBe(200);
  });

  it('allows Sec-Fetch-Site: none and same-origin', async () => {
    for (const site of ['none', 'same-origin']) {
      const result = await h.invoke(withHeader(loadEvent('auth-forgot'), 'Sec-Fetch-Site', site));
      expect(result.statusCode).toBe(200);
    }
  });
});

describe('content type', () => {
  it.each(BODY_FIXTURES)('415 UNSUPPORTED_MEDIA_TYPE on %s without Content-Type', async (name) => {
    await expectError(withHeader(loadEvent(name), 'Content-Type'), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it.each([
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json; charset=latin1',
    'application/jsonp',
    'application/json-patch+json',
  ])('415 for Content-Type: %s', async (type) => {
    await expectError(withHeader(loadEvent('auth-register'), 'Content-Type', type), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('415 for two Content-Type headers', async () => {
    await expectError(
      withHeader(loadEvent('auth-register'), 'Content-Type', 'application/json', 'text/plain'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON; Charset="UTF-8"'])('accepts %s', async (type) => {
    h.cognito.on(ForgotPasswordCommand).resolves({});
    const result = await h.invoke(withHeader(loadEvent('auth-forgot'), 'content-type', type));
    expect(result.statusCode).toBe(200);
  });

  it('does not require a content type on refresh and logout (they read only the cookie)', async () => {
    const result = await h.invoke(withHeader(loadEvent('auth-logout'), 'Content-Type', 'text/plain'));
    expect(result.statusCode).toBe(204);
  });
});

describe('body size', () => {
  const oversized = JSON.stringify({ email: FIXTURE.email, password: 'x'.repeat(MAX_AUTH_BODY_BYTES) });

  it.each(ALL_FIXTURES)('413 PAYLOAD_TOO_LARGE on %s over 4 KiB', async (name) => {
    await expectError(withBody(loadEvent(name), oversized), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('counts bytes, not characters', async () => {
    const multibyte = JSON.stringify({ email: FIXTURE.email, password: 'é'.repeat(MAX_AUTH_BODY_BYTES / 2) });
    expect(multibyte.length).toBeLessThan(MAX_AUTH_BODY_BYTES + 64);
    await expectError(withBody(loadEvent('auth-login'), multibyte), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('413 for a base64 body that decodes to over 4 KiB', async () => {
    await expectError(withBase64Body(loadEvent('auth-login'), oversized), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('accepts a body of exactly 4 KiB', async () => {
    h.cognito.on(ForgotPasswordCommand).resolves({});
    const base = JSON.stringify({ email: FIXTURE.email });
    const padded = `${base.slice(0, -1) + ' '.repeat(MAX_AUTH_BODY_BYTES - base.length)}}`;
    expect(Buffer.byteLength(padded)).toBe(MAX_AUTH_BODY_BYTES);
    const result = await h.invoke(withBody(loadEvent('auth-forgot'), padded));
    expect(result.statusCode).toBe(200);
  });
});

describe('body content', () => {
  it.each([
    ['no body', null],
    ['an empty body', ''],
    ['malformed JSON', '{"email":'],
    ['a JSON array', '[]'],
    ['a JSON string', '"ann@example.com"'],
    ['JSON null', 'null'],
    ['a missing field', { email: FIXTURE.email }],
    ['an extra field', { email: FIXTURE.email, password: FIXTURE.password, admin: true }],
    ['a __proto__ field', '{"email":"ann@example.com","password":"Correct-Horse-9-Battery","__proto__":{"admin":true}}'],
    ['a non-string email', { email: 42, password: FIXTURE.password }],
    ['an invalid email', { email: 'not-an-email', password: FIXTURE.password }],
    ['an email with spaces inside', { email: 'ann smith@example.com', password: FIXTURE.password }],
    [
      'an email over 254 characters',
      { email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`, password: FIXTURE.password },
    ],
    ['an empty password', { email: FIXTURE.email, password: '' }],
    ['a non-string password', { email: FIXTURE.email, password: ['x'] }],
  ])('400 INVALID_REQUEST for %s', async (_name, body) => {
    const event = body === null ? withoutBody(loadEvent('auth-login')) : withBody(loadEvent('auth-login'), body);
    await expectError(event, 400, 'INVALID_REQUEST');
  });

  it('never echoes what was sent in the error message', async () => {
    const result = await h.invoke(withBody(loadEvent('auth-register'), { email: 'ann@example.com<script>', password: FIXTURE.password }));
    expect(result.statusCode).toBe(400);
    expect(result.body).not.toContain('<script>');
    expect(result.body).not.toContain('ann@');
  });

  it('400 INVALID_REQUEST for a base64 body that is not base64 or not UTF-8', async () => {
    const notBase64 = { ...loadEvent('auth-login'), body: 'this is not base64!', isBase64Encoded: true };
    await expectError(notBase64, 400, 'INVALID_REQUEST');
    const notUtf8 = { ...loadEvent('auth-login'), body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64'), isBase64Encoded: true };
    await expectError(notUtf8, 400, 'INVALID_REQUEST');
  });

  it('reads the same body whether or not it was base64-encoded', async () => {
    h.cognito.on(SignUpCommand).resolves({ UserConfirmed: false, UserSub: 'x' });
    const plain = loadEvent('auth-register');
    const encoded = withBase64Body(plain, plain.body ?? '');
    const [a, b] = [await h.invoke(plain), await h.invoke(encoded)];
    expect(b.statusCode).toBe(a.statusCode);
    expect(jsonBody(b)).toEqual(jsonBody(a));
    const inputs = h.cognito.commandCalls(SignUpCommand).map((call) => call.args[0].input);
    expect(inputs[1]).toEqual(inputs[0]);
  });

  it('checks in the documented order: 404, 405, 403, 415, 413, 400', async () => {
    const everythingWrong = withHeader(
      withHeader(withBody(loadEvent('auth-login'), 'x'.repeat(5000)), 'Content-Type', 'text/plain'),
      'Origin',
      'https://evil.example',
    );
    await expectError(withPath(withMethod(everythingWrong, 'GET'), '/auth/nope'), 404, 'NOT_FOUND');
    await expectError(withMethod(everythingWrong, 'GET'), 405, 'METHOD_NOT_ALLOWED');
    await expectError(everythingWrong, 403, 'FORBIDDEN_ORIGIN');
    await expectError(withHeader(everythingWrong, 'Origin'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await expectError(withHeader(withHeader(everythingWrong, 'Origin'), 'Content-Type', 'application/json'), 413, 'PAYLOAD_TOO_LARGE');
    expect(h.cognito.commandCalls(AdminInitiateAuthCommand)).toHaveLength(0);
  });
});
