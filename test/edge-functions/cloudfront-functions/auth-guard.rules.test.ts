/**
 * The edges of the auth-guard's checks, run against the TypeScript source
 * in-process (test/support/cloudfront-functions-source.ts); auth-guard.test.ts
 * runs the recorded events against the built file. Each refusal is checked
 * down to its status, headers and message.
 */
import type { CloudFrontFunctionOutcome, CloudFrontFunctionViewerRequestEvent } from '../../support/cloudfront-functions-sandbox';
import { loadCloudFrontFunctionSource } from '../../support/cloudfront-functions-source';
import { loadFixture } from '../../support/fixtures';

const authGuard = loadCloudFrontFunctionSource('auth-guard');

type Header = string | string[] | undefined;

/** The recorded good login with headers replaced (a list is a header sent more than once) or removed. */
function login(headers: Record<string, Header>, uri = '/auth/login', method = 'POST'): CloudFrontFunctionViewerRequestEvent {
  const event = loadFixture<CloudFrontFunctionViewerRequestEvent>('cloudfront-functions/auth-login-ok.json');
  event.request.uri = uri;
  event.request.method = method;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) delete event.request.headers[name];
    else if (typeof value === 'string') event.request.headers[name] = { value };
    else event.request.headers[name] = { value: value[0] ?? '', multiValue: value.map((v) => ({ value: v })) };
  }
  return event;
}

const REFUSALS = {
  INVALID_REQUEST: [400, 'Bad Request', 'The Content-Length header is not valid.'],
  FORBIDDEN_ORIGIN: [403, 'Forbidden', 'Cross-site requests are not allowed.'],
  NOT_FOUND: [404, 'Not Found', 'There is no such auth route.'],
  METHOD_NOT_ALLOWED: [405, 'Method Not Allowed', 'Auth routes accept POST only.'],
  PAYLOAD_TOO_LARGE: [413, 'Payload Too Large', 'The body is larger than 4096 bytes.'],
  UNSUPPORTED_MEDIA_TYPE: [415, 'Unsupported Media Type', 'The body must be application/json.'],
} as const;

function expectRefused(outcome: CloudFrontFunctionOutcome, code: keyof typeof REFUSALS): void {
  if (outcome.kind !== 'response') throw new Error(`expected ${code}, but the request passed`);
  const [statusCode, statusDescription, message] = REFUSALS[code];
  expect(outcome.response).toEqual({
    statusCode,
    statusDescription,
    headers: {
      'content-type': { value: 'application/json' },
      'cache-control': { value: 'no-store' },
      ...(code === 'METHOD_NOT_ALLOWED' ? { allow: { value: 'POST' } } : {}),
    },
    body: { encoding: 'text', data: JSON.stringify({ error: { code, message } }) },
  });
}

function expectPassed(event: CloudFrontFunctionViewerRequestEvent): void {
  const outcome = authGuard.run(event);
  if (outcome.kind !== 'request') throw new Error(`expected the request to pass, got ${outcome.response.statusCode}`);
  expect(outcome.returnedEventRequest).toBe(true);
  expect(outcome.request).toEqual(event.request);
}

describe('auth-guard (source): route and method', () => {
  it.each(['/auth', '/auth/', '/auth/login/', '/auth/LOGIN', '/auth/constructor', '/auth/__proto__'])('answers %s with 404', (uri) => {
    expectRefused(authGuard.run(login({}, uri)), 'NOT_FOUND');
  });

  it.each(['GET', 'post', 'PUT'])('answers %s with 405 and Allow: POST', (method) => {
    expectRefused(authGuard.run(login({}, '/auth/login', method)), 'METHOD_NOT_ALLOWED');
  });

  it('checks the route before the method, and the method before the origin', () => {
    expectRefused(authGuard.run(login({}, '/nope', 'GET')), 'NOT_FOUND');
    expectRefused(authGuard.run(login({ origin: 'https://evil.example' }, '/auth/login', 'GET')), 'METHOD_NOT_ALLOWED');
  });
});

describe('auth-guard (source): origin', () => {
  it.each([
    ['the same host in other letter case', { origin: 'https://UPLOADS.example.com' }],
    ['the default https port written out', { origin: 'https://uploads.example.com:443' }],
    ['the default http port on both sides', { origin: 'http://uploads.example.com:80', host: 'uploads.example.com' }],
    ['a matching non-default port (the local edge)', { origin: 'http://127.0.0.1:3000', host: '127.0.0.1:3000' }],
    ['no Origin and no Sec-Fetch-Site (curl)', { origin: undefined, 'sec-fetch-site': undefined }],
    ['no Sec-Fetch-Site with a matching Origin', { 'sec-fetch-site': undefined }],
  ])('passes %s', (_label, headers) => {
    expectPassed(login(headers));
  });

  it.each([
    ['another site', { origin: 'https://evil.example' }],
    ['a longer host that starts like ours', { origin: 'https://uploads.example.com.evil.example' }],
    ['junk before the scheme', { origin: 'xhttps://uploads.example.com' }],
    ['a path after the host', { origin: 'https://uploads.example.com/' }],
    ['credentials in the origin', { origin: 'https://user@uploads.example.com' }],
    ['a space in the origin', { origin: 'https://uploads.example.com ' }],
    ['another port', { origin: 'https://uploads.example.com:4430' }],
    ['a port that only ends in 443', { origin: 'https://uploads.example.com:8443' }],
    ['Origin: null', { origin: 'null' }],
    ['an Origin but no Host', { host: undefined }],
    ['two Origin headers', { origin: ['https://uploads.example.com', 'https://uploads.example.com'] }],
    ['two Host headers', { host: ['uploads.example.com', 'uploads.example.com'] }],
    ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
    ['Sec-Fetch-Site: none', { 'sec-fetch-site': 'none' }],
    ['Sec-Fetch-Site: cross-site without an Origin', { 'sec-fetch-site': 'cross-site', origin: undefined }],
    ['two Sec-Fetch-Site headers', { 'sec-fetch-site': ['same-origin', 'same-origin'] }],
  ])('refuses %s with 403', (_label, headers) => {
    expectRefused(authGuard.run(login(headers)), 'FORBIDDEN_ORIGIN');
  });

  it('passes a header that CloudFront lists with a single value', () => {
    expectPassed(login({ origin: ['https://uploads.example.com'], host: ['uploads.example.com'], 'content-type': ['application/json'] }));
  });

  it('does not drop a default port from the middle of an authority', () => {
    expectRefused(authGuard.run(login({ origin: 'https://uploads.example.com:443x', host: 'uploads.example.comx' })), 'FORBIDDEN_ORIGIN');
    expectRefused(authGuard.run(login({ origin: 'https://uploads.example.com:4431', host: 'uploads.example.com1' })), 'FORBIDDEN_ORIGIN');
  });

  it('checks the origin before the content type', () => {
    expectRefused(authGuard.run(login({ origin: 'https://evil.example', 'content-type': 'text/plain' })), 'FORBIDDEN_ORIGIN');
  });
});

describe('auth-guard (source): content type', () => {
  it.each([
    'application/json',
    'APPLICATION/JSON',
    ' application/json',
    'application/json; charset=utf-8',
    'application/json ;charset=utf-8',
  ])('passes %j', (contentType) => {
    expectPassed(login({ 'content-type': contentType }));
  });

  it.each([
    ['a JSON type hidden in a parameter', 'text/plain;a=application/json'],
    ['a longer type', 'application/jsonx'],
    ['a prefix', 'xapplication/json'],
    ['text/plain', 'text/plain'],
    ['no Content-Type', undefined],
    ['two Content-Type headers', ['application/json', 'application/json']],
  ])('refuses %s on a body route with 415', (_label, contentType) => {
    expectRefused(authGuard.run(login({ 'content-type': contentType })), 'UNSUPPORTED_MEDIA_TYPE');
  });

  it.each(['/auth/register', '/auth/confirm', '/auth/resend', '/auth/login', '/auth/forgot', '/auth/reset'])(
    'asks for JSON on %s',
    (uri) => {
      expectRefused(authGuard.run(login({ 'content-type': 'text/plain' }, uri)), 'UNSUPPORTED_MEDIA_TYPE');
    },
  );

  it('does not ask for a Content-Type on the routes without a body', () => {
    expectPassed(login({ 'content-type': undefined, 'content-length': undefined }, '/auth/refresh'));
    expectPassed(login({ 'content-type': 'text/plain', 'content-length': '0' }, '/auth/logout'));
  });

  it('checks the content type before the length', () => {
    expectRefused(authGuard.run(login({ 'content-type': 'text/plain', 'content-length': 'x' })), 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('auth-guard (source): content length', () => {
  it.each(['0', '4096', '0004096'])('passes Content-Length %s', (contentLength) => {
    expectPassed(login({ 'content-length': contentLength }));
  });

  it('passes a request without Content-Length (chunked)', () => {
    expectPassed(login({ 'content-length': undefined }));
  });

  it.each(['4097', '99999999999999999999'])('answers Content-Length %s with 413', (contentLength) => {
    expectRefused(authGuard.run(login({ 'content-length': contentLength })), 'PAYLOAD_TOO_LARGE');
  });

  it.each(['', '-1', '12a', 'a12', '1e3', ' 12', '0x10', ['12', '12']])('answers Content-Length %j with 400', (contentLength) => {
    expectRefused(authGuard.run(login({ 'content-length': contentLength })), 'INVALID_REQUEST');
  });
});
