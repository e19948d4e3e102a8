/**
 * The built `auth-guard` CloudFront Function (dist/edge-functions/auth-guard.js),
 * run in the cloudfront-js-2.0 sandbox against recorded viewer-request events:
 * every check of docs/http-api.md for `/auth/*`, and the order they run in.
 */
import { AUTH_ROUTES, MAX_AUTH_BODY_BYTES } from '../../../edge-functions/core/auth-routes';
import {
  responseBody,
  type CloudFrontFunctionOutcome,
  type CloudFrontFunctionViewerRequestEvent,
} from '../../support/cloudfront-functions-sandbox';
import { cloudFrontFunctionUnderTest } from '../../support/cloudfront-functions-source';
import { loadFixture } from '../../support/fixtures';

const authGuard = cloudFrontFunctionUnderTest('auth-guard');

type Scenario =
  | 'auth-login-ok'
  | 'auth-local-edge-login'
  | 'auth-refresh-cookie'
  | 'auth-cross-origin'
  | 'auth-wrong-method'
  | 'auth-wrong-content-type'
  | 'auth-too-large'
  | 'auth-unknown-route';

function event(scenario: Scenario): CloudFrontFunctionViewerRequestEvent {
  return loadFixture<CloudFrontFunctionViewerRequestEvent>(`cloudfront-functions/${scenario}.json`);
}

/** The recorded good login, with headers set (a string) or removed (undefined). */
function login(headers: Record<string, string | undefined>, uri = '/auth/login', method = 'POST'): CloudFrontFunctionViewerRequestEvent {
  const recorded = event('auth-login-ok');
  recorded.request.uri = uri;
  recorded.request.method = method;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) delete recorded.request.headers[name];
    else recorded.request.headers[name] = { value };
  }
  return recorded;
}

const STATUS = {
  INVALID_REQUEST: [400, 'Bad Request'],
  FORBIDDEN_ORIGIN: [403, 'Forbidden'],
  NOT_FOUND: [404, 'Not Found'],
  METHOD_NOT_ALLOWED: [405, 'Method Not Allowed'],
  PAYLOAD_TOO_LARGE: [413, 'Payload Too Large'],
  UNSUPPORTED_MEDIA_TYPE: [415, 'Unsupported Media Type'],
} as const;

type Code = keyof typeof STATUS;

function expectRefused(outcome: CloudFrontFunctionOutcome, code: Code): void {
  if (outcome.kind !== 'response') throw new Error(`expected ${code}, but the request passed`);
  const { response } = outcome;
  const [statusCode, statusDescription] = STATUS[code];
  expect(response.statusCode).toBe(statusCode);
  expect(response.statusDescription).toBe(statusDescription);
  expect(response.headers).toEqual({
    'content-type': { value: 'application/json' },
    'cache-control': { value: 'no-store' },
    ...(code === 'METHOD_NOT_ALLOWED' ? { allow: { value: 'POST' } } : {}),
  });
  expect(JSON.parse(responseBody(response).toString('utf8'))).toEqual({ error: { code, message: expect.any(String) } });
}

function expectPassed(input: CloudFrontFunctionViewerRequestEvent, outcome: CloudFrontFunctionOutcome): void {
  if (outcome.kind !== 'request') {
    throw new Error(`expected the request to pass, got ${outcome.response.statusCode} ${responseBody(outcome.response).toString('utf8')}`);
  }
  expect(outcome.returnedEventRequest).toBe(true);
  expect(outcome.request).toEqual(input.request);
}

describe('auth-guard: recorded events', () => {
  it.each<Scenario>(['auth-login-ok', 'auth-local-edge-login', 'auth-refresh-cookie'])('passes %s through unchanged', (scenario) => {
    const input = event(scenario);
    expectPassed(input, authGuard.run(input));
  });

  it.each<[Scenario, Code]>([
    ['auth-unknown-route', 'NOT_FOUND'],
    ['auth-wrong-method', 'METHOD_NOT_ALLOWED'],
    ['auth-cross-origin', 'FORBIDDEN_ORIGIN'],
    ['auth-wrong-content-type', 'UNSUPPORTED_MEDIA_TYPE'],
    ['auth-too-large', 'PAYLOAD_TOO_LARGE'],
  ])('answers %s with %s', (scenario, code) => {
    expectRefused(authGuard.run(event(scenario)), code);
  });
});

describe('auth-guard: routes (the table compiled in from edge-functions/core/auth-routes.ts)', () => {
  it.each(Object.entries(AUTH_ROUTES))('%s passes when well-formed (body: %o)', (uri, route) => {
    const input = login(route.body ? {} : { 'content-type': undefined, 'content-length': '0' }, uri);
    expectPassed(input, authGuard.run(input));
  });

  it.each([
    '/auth',
    '/auth/',
    '/auth/admin',
    '/auth/login/',
    '/auth/LOGIN',
    '/auth/login.json',
    '/auth/constructor',
    '/auth/__proto__',
    '/auth/hasOwnProperty',
    '/presign',
  ])('%s is 404 NOT_FOUND', (uri) => {
    expectRefused(authGuard.run(login({}, uri)), 'NOT_FOUND');
  });
});

describe('auth-guard: method', () => {
  it.each(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'post'])('%s is 405 METHOD_NOT_ALLOWED with Allow: POST', (method) => {
    expectRefused(authGuard.run(login({}, '/auth/login', method)), 'METHOD_NOT_ALLOWED');
  });
});

describe('auth-guard: same origin', () => {
  it.each([
    ['the same host in another case', { origin: 'https://Uploads.Example.COM' }],
    ['a default port on the origin', { origin: 'https://uploads.example.com:443' }],
    ['a default port on the host', { host: 'uploads.example.com:443' }],
    ['another scheme (the authority is what is compared)', { origin: 'http://uploads.example.com' }],
    ['no Origin and no Sec-Fetch-Site (not a browser)', { origin: undefined, 'sec-fetch-site': undefined }],
    ['no Origin, Sec-Fetch-Site same-origin', { origin: undefined }],
  ])('passes with %s', (_name, headers) => {
    const input = login(headers);
    expectPassed(input, authGuard.run(input));
  });

  it.each([
    ['another site', { origin: 'https://evil.example.net' }],
    ['a sibling subdomain', { origin: 'https://www.example.com' }],
    ['a look-alike suffix', { origin: 'https://uploads.example.com.evil.net' }],
    ['credentials smuggled into the origin', { origin: 'https://evil.net@uploads.example.com' }],
    ['a path on the origin', { origin: 'https://uploads.example.com/' }],
    ['an opaque origin', { origin: 'null' }],
    ['an origin that is not http(s)', { origin: 'chrome-extension://uploads.example.com' }],
    ['another port', { origin: 'https://uploads.example.com:8443' }],
    ['no Host to compare with', { host: undefined }],
    ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site same-site', { 'sec-fetch-site': 'same-site' }],
    ['Sec-Fetch-Site none (a user-started navigation)', { 'sec-fetch-site': 'none' }],
    ['Sec-Fetch-Site cross-site without Origin', { origin: undefined, 'sec-fetch-site': 'cross-site' }],
  ])('is 403 FORBIDDEN_ORIGIN with %s', (_name, headers) => {
    expectRefused(authGuard.run(login(headers)), 'FORBIDDEN_ORIGIN');
  });

  it('is 403 FORBIDDEN_ORIGIN when Origin is sent twice', () => {
    const input = login({});
    input.request.headers['origin'] = {
      value: 'https://uploads.example.com',
      multiValue: [{ value: 'https://uploads.example.com' }, { value: 'https://evil.example.net' }],
    };
    expectRefused(authGuard.run(input), 'FORBIDDEN_ORIGIN');
  });

  it('matches the local edge: http on 127.0.0.1 with a port', () => {
    const input = login({ host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000' });
    expectPassed(input, authGuard.run(input));
    expectRefused(authGuard.run(login({ host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3001' })), 'FORBIDDEN_ORIGIN');
  });
});

describe('auth-guard: content type of body routes', () => {
  it.each([
    'application/json',
    'Application/JSON',
    'application/json; charset=utf-8',
    'application/json;charset=UTF-8',
    ' application/json ',
  ])('%j passes', (contentType) => {
    const input = login({ 'content-type': contentType });
    expectPassed(input, authGuard.run(input));
  });

  it.each([
    ['missing', undefined],
    ['text/plain (the form-post CSRF type)', 'text/plain;charset=UTF-8'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['a longer type that starts alike', 'application/jsonp'],
    ['a JSON-based type', 'application/json-patch+json'],
    ['empty', ''],
  ])('%s is 415 UNSUPPORTED_MEDIA_TYPE', (_name, contentType) => {
    expectRefused(authGuard.run(login({ 'content-type': contentType })), 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('is 415 when Content-Type is sent twice', () => {
    const input = login({});
    input.request.headers['content-type'] = {
      value: 'application/json',
      multiValue: [{ value: 'application/json' }, { value: 'text/plain' }],
    };
    expectRefused(authGuard.run(input), 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('does not ask for a content type on the cookie-only routes', () => {
    const input = event('auth-refresh-cookie');
    input.request.headers['content-type'] = { value: 'text/plain' };
    expectPassed(input, authGuard.run(input));
  });
});

describe('auth-guard: content length', () => {
  it.each(['0', '1', String(MAX_AUTH_BODY_BYTES), `0${MAX_AUTH_BODY_BYTES}`])('%j passes', (length) => {
    const input = login({ 'content-length': length });
    expectPassed(input, authGuard.run(input));
  });

  it('passes without a Content-Length (the auth handler bounds the real body)', () => {
    const input = login({ 'content-length': undefined });
    expectPassed(input, authGuard.run(input));
  });

  it.each([String(MAX_AUTH_BODY_BYTES + 1), '5120', '99999999999999999999999'])('%j is 413 PAYLOAD_TOO_LARGE', (length) => {
    expectRefused(authGuard.run(login({ 'content-length': length })), 'PAYLOAD_TOO_LARGE');
  });

  it.each(['', 'abc', '-1', '1e3', '4.5', ' 12', '0x10', '１２'])('%j is 400 INVALID_REQUEST', (length) => {
    expectRefused(authGuard.run(login({ 'content-length': length })), 'INVALID_REQUEST');
  });

  it('is 400 when Content-Length is sent twice', () => {
    const input = login({});
    input.request.headers['content-length'] = { value: '10', multiValue: [{ value: '10' }, { value: '9000' }] };
    expectRefused(authGuard.run(input), 'INVALID_REQUEST');
  });

  it('applies to the cookie-only routes too', () => {
    const input = event('auth-refresh-cookie');
    input.request.headers['content-length'] = { value: '9000' };
    expectRefused(authGuard.run(input), 'PAYLOAD_TOO_LARGE');
  });
});

describe('auth-guard: check order (path, method, origin, content type, content length)', () => {
  it('path before method', () => {
    expectRefused(authGuard.run(login({}, '/auth/admin', 'GET')), 'NOT_FOUND');
  });

  it('method before origin', () => {
    expectRefused(authGuard.run(login({ origin: 'https://evil.example.net' }, '/auth/login', 'GET')), 'METHOD_NOT_ALLOWED');
  });

  it('origin before content type (a cross-site form post learns nothing about the body rules)', () => {
    expectRefused(authGuard.run(login({ origin: 'https://evil.example.net', 'content-type': 'text/plain' })), 'FORBIDDEN_ORIGIN');
  });

  it('content type before content length', () => {
    expectRefused(authGuard.run(login({ 'content-type': 'text/plain', 'content-length': '9000' })), 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('auth-guard: error bodies', () => {
  it('never echo what the viewer sent', () => {
    const outcome = authGuard.run(login({ origin: 'https://evil.example.net', 'content-length': '99999' }, '/auth/login'));
    if (outcome.kind !== 'response') throw new Error('expected a response');
    const body = responseBody(outcome.response).toString('utf8');
    expect(body).not.toContain('evil');
    expect(body).not.toContain('99999');
  });
});
