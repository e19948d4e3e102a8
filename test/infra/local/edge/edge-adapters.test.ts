/**
 * The local edge's adapters, without a server: a viewer request becomes the
 * same event shapes AWS records (checked key by key against test/fixtures),
 * generated responses are checked as CloudFront checks them, behaviours and
 * viewers are picked as docs/http-api.md "Who answers which path" and docs/local-stack.md say.
 */
import type { CloudFrontResultResponse } from 'aws-lambda';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { replyFromProxyResult, toApiGatewayEvent } from '../../../../infra/local/edge/api-gateway-proxy';
import { behaviourFor } from '../../../../infra/local/edge/behaviours';
import {
  originHeadersFrom,
  replyFromFunctionResponse,
  toCloudFrontFunctionEvent,
} from '../../../../infra/local/edge/cloudfront-function-events';
import { EdgeFunctionError } from '../../../../infra/local/edge/errors';
import type { ViewerRequest } from '../../../../infra/local/edge/http-exchange';
import {
  LAMBDA_EDGE_VIEWER_BODY_BYTES,
  loadLambdaEdgeFunction,
  replyFromLambdaEdgeResponse,
  toLambdaEdgeEvent,
} from '../../../../infra/local/edge/lambda-edge';
import { viewerCountry, viewerIp } from '../../../../infra/local/edge/viewer';
import { loadFixture } from '../../../support/fixtures';
import { keyPaths } from '../support/key-paths';

const distribution = { distributionDomainName: '127.0.0.1:3000', distributionId: 'LOCALEDGE' };

function viewerRequest(overrides: Partial<ViewerRequest> = {}): ViewerRequest {
  return {
    requestId: 'req-1',
    method: 'POST',
    path: '/presign',
    query: '',
    headers: [
      ['Host', '127.0.0.1:3000'],
      ['Authorization', 'Bearer a.b.c'],
      ['Content-Type', 'application/json'],
      ['Connection', 'keep-alive'],
    ],
    body: Buffer.from('{"files":[]}'),
    bodyOverLimit: false,
    viewer: { ip: '203.0.113.9', country: 'US' },
    socketIp: '127.0.0.1',
    receivedAt: new Date('2026-11-29T12:00:04Z'),
    ...overrides,
  };
}

describe('Lambda@Edge viewer-request events', () => {
  it('have the keys of a recorded event, the viewer IP, the header case as sent, no hop-by-hop headers', () => {
    const event = toLambdaEdgeEvent(viewerRequest(), distribution);
    expect(keyPaths(event, ['headers'])).toEqual(keyPaths(loadFixture('lambda-edge/presign-one-file.json'), ['headers']));
    const request = event.Records[0]!.cf.request;
    expect(request.clientIp).toBe('203.0.113.9');
    expect(request.headers['authorization']).toEqual([{ key: 'Authorization', value: 'Bearer a.b.c' }]);
    expect(request.headers['connection']).toBeUndefined();
    expect(Buffer.from(request.body!.data, 'base64').toString()).toBe('{"files":[]}');
    expect(request.body!.inputTruncated).toBe(false);
  });

  it('cut the body at 40 KB with inputTruncated, and have no body when none was sent', () => {
    const big = toLambdaEdgeEvent(viewerRequest({ body: Buffer.alloc(LAMBDA_EDGE_VIEWER_BODY_BYTES + 1, 0x61) }), distribution);
    const body = big.Records[0]!.cf.request.body!;
    expect(body.inputTruncated).toBe(true);
    expect(Buffer.from(body.data, 'base64').length).toBe(LAMBDA_EDGE_VIEWER_BODY_BYTES);
    const exact = toLambdaEdgeEvent(viewerRequest({ body: Buffer.alloc(LAMBDA_EDGE_VIEWER_BODY_BYTES, 0x61) }), distribution);
    expect(exact.Records[0]!.cf.request.body!.inputTruncated).toBe(false);
    expect('body' in toLambdaEdgeEvent(viewerRequest({ method: 'GET', body: Buffer.alloc(0) }), distribution).Records[0]!.cf.request).toBe(
      false,
    );
  });

  it('keep repeated headers as a list, and a header named __proto__ as a header', () => {
    const event = toLambdaEdgeEvent(
      viewerRequest({
        headers: [
          ['X-A', '1'],
          ['x-a', '2'],
          ['__proto__', 'x'],
        ],
      }),
      distribution,
    );
    const headers = event.Records[0]!.cf.request.headers;
    expect(headers['x-a']).toEqual([
      { key: 'X-A', value: '1' },
      { key: 'x-a', value: '2' },
    ]);
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
    expect(Object.keys(headers)).toContain('__proto__');
  });
});

describe('Lambda@Edge generated responses', () => {
  const ok: CloudFrontResultResponse = {
    status: '200',
    statusDescription: 'OK',
    headers: { 'content-type': [{ key: 'Content-Type', value: 'application/json' }] },
    bodyEncoding: 'text',
    body: '{}',
  };

  it('become the reply; a base64 body is decoded', () => {
    expect(replyFromLambdaEdgeResponse(ok, 'presign')).toEqual({
      status: 200,
      statusText: 'OK',
      headers: [['Content-Type', 'application/json']],
      body: Buffer.from('{}'),
    });
    const gz = replyFromLambdaEdgeResponse({ ...ok, bodyEncoding: 'base64', body: Buffer.from('hi').toString('base64') }, 'presign');
    expect(gz.body.toString()).toBe('hi');
  });

  it.each<[string, CloudFrontResultResponse]>([
    ['a bad status', { ...ok, status: '2000' }],
    ['a header CloudFront reserves', { ...ok, headers: { 'x-cache': [{ key: 'X-Cache', value: 'Hit' }] } }],
    ['a header whose key does not match its name', { ...ok, headers: { 'content-type': [{ key: 'Content-Length', value: '1' }] } }],
    ['a body over 40 KB', { ...ok, body: 'x'.repeat(41 * 1024) }],
  ])('with %s are refused as CloudFront would (502)', (_, response) => {
    expect(() => replyFromLambdaEdgeResponse(response, 'presign')).toThrow(EdgeFunctionError);
    try {
      replyFromLambdaEdgeResponse(response, 'presign');
    } catch (error) {
      expect((error as EdgeFunctionError).status).toBe(502);
    }
  });
});

describe('loading a Lambda@Edge bundle', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'edge-bundle-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function bundle(name: string, source: string): string {
    const file = path.join(dir, name, 'index.js');
    require('node:fs').mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, source);
    return file;
  }
  const event = () => toLambdaEdgeEvent(viewerRequest(), distribution);
  const logs: string[] = [];
  const options = (extra = {}) => ({
    name: 'fn',
    environment: { AWS_REGION: 'us-east-1', ONLY: 'this' },
    log: (line: string) => logs.push(line),
    ...extra,
  });

  it('gives the function only its own environment, its own console, and its own folder', async () => {
    const file = bundle(
      'env',
      `
      const fs = require('node:fs');
      const config = JSON.parse(fs.readFileSync(require('node:path').join(__dirname, 'config.json'), 'utf8'));
      exports.handler = async () => { console.log('hello', 42); return { status: '200', body: JSON.stringify({ env: Object.keys(process.env).sort(), config }) }; };
    `,
    );
    writeFileSync(path.join(dir, 'env', 'config.json'), '{"a":1}');
    const fn = loadLambdaEdgeFunction(file, options());
    const result = (await fn.invoke(event())) as CloudFrontResultResponse;
    expect(JSON.parse(result.body ?? '')).toEqual({ env: ['AWS_REGION', 'ONLY'], config: { a: 1 } });
    expect(logs).toContain('hello 42');
  });

  it('cold-starts on every load: a second load reads a changed config', async () => {
    const file = bundle(
      'cold',
      `const c = require('node:fs').readFileSync(__dirname + '/config.json', 'utf8'); exports.handler = async () => ({ status: '200', body: c });`,
    );
    writeFileSync(path.join(dir, 'cold', 'config.json'), 'one');
    const first = loadLambdaEdgeFunction(file, options());
    writeFileSync(path.join(dir, 'cold', 'config.json'), 'two');
    const second = loadLambdaEdgeFunction(file, options());
    expect(((await first.invoke(event())) as CloudFrontResultResponse).body).toBe('one');
    expect(((await second.invoke(event())) as CloudFrontResultResponse).body).toBe('two');
  });

  it('refuses a bundle that needs a package, and fails loudly when the module throws at load', () => {
    expect(() => loadLambdaEdgeFunction(bundle('dep', `require('aws-jwt-verify'); exports.handler = async () => ({})`), options())).toThrow(
      /not a Node built-in/,
    );
    expect(() => loadLambdaEdgeFunction(bundle('bad', `throw new Error('bad config')`), options())).toThrow(/bad config/);
  });

  it('accepts callback-style handlers', async () => {
    const fn = loadLambdaEdgeFunction(
      bundle('cb', `exports.handler = (event, context, callback) => callback(null, { status: '204' });`),
      options(),
    );
    expect(await fn.invoke(event())).toEqual({ status: '204' });
  });

  it('turns a throw and a timeout into 503 execution errors', async () => {
    const throws = loadLambdaEdgeFunction(bundle('throws', `exports.handler = async () => { throw new Error('boom'); };`), options());
    await expect(throws.invoke(event())).rejects.toMatchObject({ status: 503 });
    const hangs = loadLambdaEdgeFunction(bundle('hangs', `exports.handler = () => new Promise(() => {});`), options({ timeoutMs: 50 }));
    await expect(hangs.invoke(event())).rejects.toMatchObject({ status: 503 });
  });
});

describe('CloudFront Functions events', () => {
  it('have the keys of a recorded event; cookies leave the headers; repeats become multiValue', () => {
    const event = toCloudFrontFunctionEvent(
      viewerRequest({
        method: 'GET',
        path: '/app/upload',
        query: 'folder=holiday&tag=a&tag=b&flag',
        headers: [
          ['Host', '127.0.0.1:3000'],
          ['Cookie', 'theme=dark; edge_upload_refresh=t'],
          ['Accept', 'text/html'],
          ['X-Dup', '1'],
          ['X-Dup', '2'],
        ],
      }),
      distribution,
    );
    const functions = ['headers', 'cookies', 'querystring'];
    const withoutRepeats = (paths: string[]) => paths.filter((p) => !p.includes('multiValue'));
    expect(withoutRepeats(keyPaths(event, functions))).toEqual(
      keyPaths(loadFixture('cloudfront-functions/site-app-route.json'), functions),
    );
    expect(event.request.headers['cookie']).toBeUndefined();
    expect(event.request.cookies).toEqual({ theme: { value: 'dark' }, edge_upload_refresh: { value: 't' } });
    expect(event.request.querystring).toEqual({
      folder: { value: 'holiday' },
      tag: { value: 'a', multiValue: [{ value: 'a' }, { value: 'b' }] },
      flag: { value: '' },
    });
    expect(event.request.headers['x-dup']).toEqual({ value: '1', multiValue: [{ value: '1' }, { value: '2' }] });
    expect(event.viewer.ip).toBe('203.0.113.9');
  });

  it('a request let through goes to the origin with the viewer’s header case and its cookies joined again', () => {
    const viewer = viewerRequest({
      headers: [
        ['Content-Type', 'application/json'],
        ['Cookie', 'a=1; b=2'],
      ],
    });
    const event = toCloudFrontFunctionEvent(viewer, distribution);
    expect(originHeadersFrom(event.request, viewer.headers)).toEqual([
      ['Content-Type', 'application/json'],
      ['Cookie', 'a=1; b=2'],
    ]);
  });

  it('a generated response becomes the reply, cookies as Set-Cookie', () => {
    const reply = replyFromFunctionResponse({
      statusCode: 405,
      statusDescription: 'Method Not Allowed',
      headers: { allow: { value: 'POST' } },
      cookies: { c: { value: 'v', attributes: 'Path=/auth; HttpOnly' } },
      body: { encoding: 'text', data: '{}' },
    });
    expect(reply).toEqual({
      status: 405,
      statusText: 'Method Not Allowed',
      headers: [
        ['allow', 'POST'],
        ['Set-Cookie', 'c=v; Path=/auth; HttpOnly'],
      ],
      body: Buffer.from('{}'),
    });
  });
});

describe('API Gateway proxy events', () => {
  const origin = {
    method: 'POST',
    path: '/auth/login',
    query: 'a=1&a=2&e=x%40y.z',
    headers: [
      ['Content-Type', 'application/json'],
      ['X-Dup', '1'],
      ['X-Dup', '2'],
    ] as Array<[string, string]>,
    body: Buffer.from('{"email":"a@b.co"}'),
    sourceIp: '203.0.113.9',
    receivedAt: new Date('2026-11-29T12:00:04Z'),
  };

  it('have the keys of a recorded event, API Gateway’s header and query maps, a text body', () => {
    const event = toApiGatewayEvent(origin);
    const single = toApiGatewayEvent({ ...origin, query: '', headers: [['Content-Type', 'application/json']] });
    expect(keyPaths(single, ['headers', 'multiValueHeaders'])).toEqual(
      keyPaths(loadFixture('api-gateway/auth-login.json'), ['headers', 'multiValueHeaders']),
    );
    expect(event.headers['X-Dup']).toBe('2');
    expect(event.multiValueHeaders['X-Dup']).toEqual(['1', '2']);
    expect(event.queryStringParameters).toEqual({ a: '2', e: 'x@y.z' });
    expect(event.multiValueQueryStringParameters).toEqual({ a: ['1', '2'], e: ['x@y.z'] });
    expect(event.pathParameters).toEqual({ proxy: 'login' });
    expect(event.requestContext.identity.sourceIp).toBe('203.0.113.9');
    expect(event.requestContext.requestTime).toBe('29/Nov/2026:12:00:04 +0000');
    expect(event.body).toBe('{"email":"a@b.co"}');
    expect(event.isBase64Encoded).toBe(false);
  });

  it('pass bytes that are not UTF-8 as base64, and no body as null', () => {
    const binary = toApiGatewayEvent({ ...origin, body: Buffer.from([0xff, 0xfe, 0x00]) });
    expect(binary).toMatchObject({ isBase64Encoded: true, body: '//4A' });
    expect(toApiGatewayEvent({ ...origin, body: Buffer.alloc(0) }).body).toBeNull();
  });

  it('keep a header named __proto__ a header', () => {
    const event = toApiGatewayEvent({ ...origin, headers: [['__proto__', 'x']], query: '__proto__=1' });
    expect(Object.keys(event.headers)).toEqual(['__proto__']);
    expect(Object.keys(event.multiValueHeaders)).toEqual(['__proto__']);
    expect(Object.keys(event.queryStringParameters ?? {})).toEqual(['__proto__']);
  });

  it('results become the reply, multiValueHeaders (Set-Cookie) included', () => {
    const reply = replyFromProxyResult({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json' },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
      body: '{}',
    });
    expect(reply.headers).toEqual([
      ['Content-Type', 'application/json'],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
    ]);
  });
});

describe('behaviours and viewers', () => {
  it.each([
    ['/presign', 'presign'],
    ['/presign/', 'presign'],
    ['/presign/multipart', 'presign'],
    ['/presign/multipart/parts', 'presign'],
    ['/presignX', 'presign'],
    ['/Presign', 'default'],
    ['/auth/login', 'auth'],
    ['/auth/', 'auth'],
    ['/auth', 'default'],
    ['/AUTH/login', 'default'],
    ['/_local/mailbox', 'mailbox'],
    ['/_local/metrics', 'metrics'],
    ['/', 'default'],
    ['/app/upload', 'default'],
  ])('%s → %s', (route, name) => {
    expect(behaviourFor(route).name).toBe(name);
  });

  it('takes the viewer IP from the first X-Forwarded-For entry when it is an IP, else the socket', () => {
    expect(viewerIp([['X-Forwarded-For', '203.0.113.5, 10.0.0.1']], '127.0.0.1')).toBe('203.0.113.5');
    expect(viewerIp([['x-forwarded-for', '2001:db8::1']], '127.0.0.1')).toBe('2001:db8::1');
    expect(viewerIp([['X-Forwarded-For', 'evil, 203.0.113.5']], '127.0.0.1')).toBe('127.0.0.1');
    expect(viewerIp([], '127.0.0.1')).toBe('127.0.0.1');
  });

  it('takes the country from CloudFront-Viewer-Country, upper-cased, else US', () => {
    expect(viewerCountry([['CloudFront-Viewer-Country', 'kp']])).toBe('KP');
    expect(viewerCountry([['CloudFront-Viewer-Country', 'USA']])).toBe('US');
    expect(viewerCountry([])).toBe('US');
  });
});
