/**
 * The built `site-router` CloudFront Function (dist/edge-functions/site-router.js),
 * run in the cloudfront-js-2.0 sandbox against recorded viewer-request events.
 */
import {
  responseBody,
  type CloudFrontFunctionOutcome,
  type CloudFrontFunctionViewerRequestEvent,
} from '../../support/cloudfront-functions-sandbox';
import { cloudFrontFunctionUnderTest } from '../../support/cloudfront-functions-source';
import { loadFixture } from '../../support/fixtures';

const siteRouter = cloudFrontFunctionUnderTest('site-router');

type Scenario = 'site-asset' | 'site-app-route' | 'site-traversal';

function event(scenario: Scenario, uri?: string): CloudFrontFunctionViewerRequestEvent {
  const recorded = loadFixture<CloudFrontFunctionViewerRequestEvent>(`cloudfront-functions/${scenario}.json`);
  if (uri !== undefined) recorded.request.uri = uri;
  return recorded;
}

function expectPathRefused(outcome: CloudFrontFunctionOutcome): void {
  if (outcome.kind !== 'response') throw new Error(`expected a 400 response, got a request for ${outcome.request.uri}`);
  const { response } = outcome;
  expect(response.statusCode).toBe(400);
  expect(response.statusDescription).toBe('Bad Request');
  expect(response.headers).toEqual({
    'content-type': { value: 'application/json' },
    'cache-control': { value: 'no-store' },
  });
  expect(JSON.parse(responseBody(response).toString('utf8'))).toEqual({
    error: { code: 'INVALID_REQUEST', message: expect.any(String) },
  });
}

function forwardedUri(outcome: CloudFrontFunctionOutcome): string {
  if (outcome.kind !== 'request') throw new Error(`expected the request to pass, got ${outcome.response.statusCode}`);
  expect(outcome.returnedEventRequest).toBe(true);
  return outcome.request.uri;
}

describe('site-router: recorded events', () => {
  it('passes an asset request through untouched, as the same request object', () => {
    const input = event('site-asset');
    const outcome = siteRouter.run(input);
    expect(outcome).toEqual({ kind: 'request', request: input.request, returnedEventRequest: true, logs: [] });
  });

  it('rewrites an app route to /index.html and keeps everything else', () => {
    const input = event('site-app-route');
    const outcome = siteRouter.run(input);
    expect(outcome).toEqual({
      kind: 'request',
      request: { ...input.request, uri: '/index.html' },
      returnedEventRequest: true,
      logs: [],
    });
  });

  it('refuses a traversal attempt with 400 INVALID_REQUEST and does not echo the path', () => {
    const outcome = siteRouter.run(event('site-traversal'));
    expectPathRefused(outcome);
    if (outcome.kind === 'response') expect(responseBody(outcome.response).toString('utf8')).not.toContain('config.json');
  });
});

describe('site-router: paths that climb or smuggle are refused', () => {
  it.each([
    '/..',
    '/../index.html',
    '/assets/../index.html',
    '/assets/%2e%2e/index.html',
    '/assets/%2E%2E/index.html',
    '/assets/%2e%2E/index.html',
    '/assets/.%2e/index.html',
    '/assets/%2e./index.html',
    '/assets/..%2fsecret.js',
    '/x..y.js',
    '/assets\\index.html',
    '/assets%5cindex.html',
    '/assets%5Cindex.html',
    '/index.html\0.js',
    '/index.html%00.js',
    '/app/%00',
  ])('%j', (uri) => {
    expectPathRefused(siteRouter.run(event('site-asset', uri)));
  });
});

describe('site-router: app routes (no file extension) become /index.html', () => {
  it.each([
    '/',
    '/app',
    '/app/',
    '/app/upload',
    '/login',
    '/register',
    '/confirm',
    '/app/v1.2/upload',
    '/file.',
    '/authority',
    '/presigned',
  ])('%j', (uri) => {
    expect(forwardedUri(siteRouter.run(event('site-app-route', uri)))).toBe('/index.html');
  });
});

describe('site-router: assets pass through untouched', () => {
  it.each([
    '/index.html',
    '/favicon.ico',
    '/assets/index-4f9c2a.js',
    '/assets/logo.svg',
    '/robots.txt',
    '/.well-known/security.txt',
    '/downloads/archive.tar.gz',
    '/assets/%E2%9C%93.png',
  ])('%j', (uri) => {
    expect(forwardedUri(siteRouter.run(event('site-asset', uri)))).toBe(uri);
  });
});

describe('site-router: paths of other behaviours are never rewritten', () => {
  it.each(['/auth', '/auth/', '/auth/login', '/auth/refresh', '/presign', '/presign/'])('%j', (uri) => {
    expect(forwardedUri(siteRouter.run(event('site-app-route', uri)))).toBe(uri);
  });
});
