/**
 * CloudFront picks a behaviour on the normalized path and hands on the raw
 * one (infra/local/edge/path-normalization.ts cites the guide). Unit cases
 * first, then through a real local edge on a free port whose parts are
 * stand-ins that record the URI each one was given.
 */
import type { APIGatewayProxyEvent, CloudFrontRequestEvent } from 'aws-lambda';
import { request as httpRequest } from 'node:http';
import { createFirewall } from '../../../../infra/firewall/engine';
import type { CloudFrontFunction, CloudFrontFunctionViewerRequestEvent } from '../../../../infra/local/edge/cloudfront-function-shapes';
import { behaviourFor } from '../../../../infra/local/edge/behaviours';
import { listenLocalEdge, type LocalEdge } from '../../../../infra/local/edge/local-edge';
import { normalizePathForMatching, removeDotSegments } from '../../../../infra/local/edge/path-normalization';

describe('normalizePathForMatching', () => {
  it.each([
    ['/presign', '/presign'],
    ['//presign', '/presign'],
    ['///presign', '/presign'],
    ['/x/../presign', '/presign'],
    ['/./presign', '/presign'],
    ['/../presign', '/presign'],
    ['/a/b/../../presign', '/presign'],
    ['/%70resign', '/presign'],
    ['/%70%72%65%73%69%67%6E', '/presign'],
    ['/x/%2e%2e/presign', '/presign'],
    ['/x/%2E./presign', '/presign'],
    ['/auth//login', '/auth/login'],
    ['/auth/x/../login', '/auth/login'],
    ['/x%2f..%2fpresign', '/x%2F..%2Fpresign'],
    ['/a%2fb', '/a%2Fb'],
    ['/%7euser', '/~user'],
    ['/caf%C3%A9', '/caf%C3%A9'],
    ['/100%', '/100%'],
    ['/%zz', '/%zz'],
    ['/Presign', '/Presign'],
    ['/a/b/..', '/a/'],
    ['/a/.', '/a/'],
    ['/..', '/'],
    ['/', '/'],
    ['/a//../b', '/b'],
  ])('%s → %s', (raw, normalized) => {
    expect(normalizePathForMatching(raw)).toBe(normalized);
  });

  it.each([
    // RFC 3986 §5.4's examples, on absolute paths.
    ['/a/b/c/./../../g', '/a/g'],
    ['/b/c/g;x=1/y', '/b/c/g;x=1/y'],
    ['/b/c/./g', '/b/c/g'],
    ['/b/c/../g', '/b/g'],
    ['/b/c/g/../..', '/b/'],
  ])('remove_dot_segments(%s) = %s', (raw, normalized) => {
    expect(removeDotSegments(raw)).toBe(normalized);
  });

  it.each([
    ['//presign', 'presign'],
    ['/x/../presign', 'presign'],
    ['/%70resign', 'presign'],
    ['/auth/x/../login', 'auth'],
    ['//auth/login', 'auth'],
    ['/presign/', 'presign'],
    ['//presign//multipart/./parts', 'presign'],
    ['/PRESIGN', 'default'],
    ['/x%2f..%2fpresign', 'default'],
  ])('%s reaches the %s behaviour', (raw, name) => {
    expect(behaviourFor(normalizePathForMatching(raw)).name).toBe(name);
  });
});

describe('the local edge picks the behaviour CloudFront would, and passes the raw URI', () => {
  let edge: LocalEdge;
  const seen: { by: string; uri: string }[] = [];

  /** A stand-in CloudFront Function that records its URI and answers 200 itself. */
  const recordingFunction = (by: string): CloudFrontFunction => ({
    run(event: CloudFrontFunctionViewerRequestEvent) {
      seen.push({ by, uri: event.request.uri });
      return { kind: 'response', response: { statusCode: 200, body: by }, logs: [] };
    },
  });

  beforeAll(async () => {
    edge = await listenLocalEdge({ port: 0 });
    edge.attach({
      firewall: createFirewall({ version: 1, source: 'none', rules: [], cloudFrontGeoRestriction: [] }),
      siteRouter: recordingFunction('site-router'),
      authGuard: recordingFunction('auth-guard'),
      presign: {
        name: 'presign-stand-in',
        async invoke(event: CloudFrontRequestEvent) {
          const uri = event.Records[0]?.cf.request.uri ?? '';
          seen.push({ by: 'presign', uri });
          return { status: '200', body: 'presign' };
        },
      },
      authApi: async (event: APIGatewayProxyEvent) => ({ statusCode: 500, body: `unexpected ${event.path}` }),
      site: { serve: () => ({ status: 500, headers: [], body: Buffer.from('unexpected') }) },
      mailbox: { messagesFor: () => [] },
      securityHeaders: {},
      log: () => undefined,
    });
  });

  afterAll(async () => {
    await edge.close();
  });

  /** Sends `path` byte for byte (fetch and URL would resolve the dot segments first). */
  function post(path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: edge.port, method: 'POST', path, headers: { 'content-length': '0' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it.each([
    ['/presign', 'presign'],
    ['//presign', 'presign'],
    ['/x/../presign', 'presign'],
    ['/./presign', 'presign'],
    ['/%70resign', 'presign'],
    ['/auth/x/../login', 'auth-guard'],
    ['//auth/login', 'auth-guard'],
  ])('POST %s is answered by %s, which sees the raw URI', async (path, by) => {
    seen.length = 0;
    const answer = await post(path);
    expect(answer).toEqual({ status: 200, body: by });
    expect(seen).toEqual([{ by, uri: path }]);
  });

  it('leaves an encoded slash alone: /x%2f..%2fpresign is the default behaviour (GET only)', async () => {
    seen.length = 0;
    const answer = await post('/x%2f..%2fpresign');
    expect(answer.status).toBe(405);
    expect(seen).toEqual([]);
  });
});
