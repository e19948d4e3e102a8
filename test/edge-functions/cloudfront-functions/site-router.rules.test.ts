/**
 * The edges of the site-router's three patterns, run against the TypeScript
 * source in-process; site-router.test.ts runs the recorded events against the
 * built file.
 */
import type { CloudFrontFunctionViewerRequestEvent } from '../../support/cloudfront-functions-sandbox';
import { loadCloudFrontFunctionSource } from '../../support/cloudfront-functions-source';
import { loadFixture } from '../../support/fixtures';

const siteRouter = loadCloudFrontFunctionSource('site-router');

function run(uri: string) {
  const event = loadFixture<CloudFrontFunctionViewerRequestEvent>('cloudfront-functions/site-asset.json');
  event.request.uri = uri;
  return { event, outcome: siteRouter.run(event) };
}

function forwarded(uri: string): string {
  const { event, outcome } = run(uri);
  if (outcome.kind !== 'request') throw new Error(`${uri} was refused`);
  expect(outcome.returnedEventRequest).toBe(true);
  expect({ ...outcome.request, uri: event.request.uri }).toEqual(event.request);
  return outcome.request.uri;
}

describe('site-router (source)', () => {
  it.each(['/a/../b', '/a/.%2e/b', '/a/%2E%2e/b', '/a/%2e./b', '/..', '/a\\b', '/a%5cb', '/a%5Cb', '/a\0b', '/a%00b'])(
    'refuses %j with the exact 400 answer',
    (uri) => {
      const { outcome } = run(uri);
      expect(outcome).toEqual({
        kind: 'response',
        logs: [],
        response: {
          statusCode: 400,
          statusDescription: 'Bad Request',
          headers: { 'content-type': { value: 'application/json' }, 'cache-control': { value: 'no-store' } },
          body: {
            encoding: 'text',
            data: JSON.stringify({ error: { code: 'INVALID_REQUEST', message: 'The request path is not allowed.' } }),
          },
        },
      });
    },
  );

  it.each(['/a.b/c', '/v1.2/upload', '/x/auth', '/authx', '/presigned', '/app/auth/x', '/%2e/x', '/a.'])(
    'rewrites %j to the app shell',
    (uri) => {
      expect(forwarded(uri)).toBe('/index.html');
    },
  );

  it.each(['/auth', '/auth/login', '/presign', '/presign/multipart', '/a.js', '/a/b.c.css', '/favicon.ico'])('passes %j through', (uri) => {
    expect(forwarded(uri)).toBe(uri);
  });
});
