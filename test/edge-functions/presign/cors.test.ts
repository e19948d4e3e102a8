/**
 * CORS at the edge (edge-functions/core/cors.ts), through the real handler
 * and recorded viewer-request events: a granted preflight is answered before
 * any token check, every other answer carries Access-Control-Allow-Origin for
 * an allowed Origin only, and anything else gets no CORS headers. Each of
 * these holds on every presign route (PRESIGN_ROUTES), the "your files"
 * routes included.
 */
import type { CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { parseEdgeConfig } from '../../../edge-functions/core/edge-config';
import { EdgeConfigError } from '../../../edge-functions/core/errors';
import { PRESIGN_ROUTES, type PresignRoute } from '../../../edge-functions/core/presign-routes';
import { viewerRequest, withHeader, withToken, requestOf, type ViewerRequestScenario } from '../../support/lambda-edge-events';
import { header, jsonBody, presignHarness } from '../../support/presign-harness';
import { accessToken, newSigningKey, testEdgeConfig, TEST_CREDENTIALS } from '../../support/tokens';

const APP = 'https://app.example.com';
const OTHER_APP = 'https://admin.example.com:8443';
const key = newSigningKey();
const harness = presignHarness({ key, config: testEdgeConfig(key, { allowedOrigins: [APP, OTHER_APP] }) });
const withoutList = presignHarness({ key });
const token = accessToken(key);

/** Every presign route, with a recorded event of a call it answers 200. */
const ROUTES: readonly (readonly [PresignRoute, ViewerRequestScenario])[] = [
  ['/presign', 'presign-one-file'],
  ['/presign/multipart', 'presign-multipart-start'],
  ['/presign/multipart/parts', 'presign-multipart-parts'],
  ['/presign/files', 'presign-files'],
  ['/presign/files/access', 'presign-files-access'],
];
const ROUTE_PATHS = ROUTES.map(([route]) => route);

function preflight(
  origin: string | undefined,
  requestHeaders: string | undefined = 'authorization, content-type',
  method = 'POST',
  uri = '/presign',
) {
  const event = viewerRequest('presign-options-preflight');
  requestOf(event).uri = uri;
  withHeader(event, 'Origin', origin);
  withHeader(event, 'Access-Control-Request-Method', method);
  return withHeader(event, 'Access-Control-Request-Headers', requestHeaders);
}

function corsHeaders(response: CloudFrontResultResponse): string[] {
  return Object.keys(response.headers ?? {}).filter((name) => name.startsWith('access-control-'));
}

it('the cases below cover every presign route', () => {
  expect([...ROUTE_PATHS].sort()).toEqual([...PRESIGN_ROUTES].sort());
});

describe('CORS preflight', () => {
  it.each(ROUTE_PATHS)('grants %s to an allowed origin with 204 and exactly the documented headers', async (uri) => {
    const response = await harness.handler(preflight(APP, 'authorization, content-type', 'POST', uri));
    expect(response.status).toBe('204');
    expect(response.body).toBe('');
    expect(header(response, 'access-control-allow-origin')).toBe(APP);
    expect(header(response, 'access-control-allow-methods')).toBe('POST');
    expect(header(response, 'access-control-allow-headers')).toBe('authorization, content-type');
    expect(header(response, 'access-control-max-age')).toBe('600');
    expect(header(response, 'vary')).toBe('Origin');
    expect(header(response, 'access-control-allow-credentials')).toBeUndefined();
    expect(harness.logs.at(-1)).toMatchObject({ route: uri, status: 204 });
  });

  it('answers for the Origin that asked, with a port, and accepts header names in any case and order', async () => {
    const response = await harness.handler(preflight(OTHER_APP, 'Content-Type,Authorization'));
    expect(response.status).toBe('204');
    expect(header(response, 'access-control-allow-origin')).toBe(OTHER_APP);
  });

  it('grants a preflight that asks for a subset of the headers, or none', async () => {
    expect((await harness.handler(preflight(APP, 'content-type'))).status).toBe('204');
    expect((await harness.handler(preflight(APP, undefined))).status).toBe('204');
  });

  it.each([
    ['an origin not on the list', 'https://evil.example', undefined, 'POST'],
    ['the opaque origin null', 'null', undefined, 'POST'],
    ['a look-alike suffix', 'https://app.example.com.evil.test', undefined, 'POST'],
    ['a look-alike prefix', 'https://evilapp.example.com', undefined, 'POST'],
    ['the right host over http', 'http://app.example.com', undefined, 'POST'],
    ['a trailing slash', 'https://app.example.com/', undefined, 'POST'],
    ['upper case', 'https://APP.example.com', undefined, 'POST'],
    ['an extra header', APP, 'authorization, content-type, x-requested-with', 'POST'],
    ['another method', APP, undefined, 'PUT'],
    ['a lower-case method', APP, undefined, 'post'],
  ])('refuses %s: no CORS headers, the route answers as it always did (405)', async (_label, origin, requestHeaders, method) => {
    const response = await harness.handler(preflight(origin, requestHeaders ?? 'authorization, content-type', method));
    expect(response.status).toBe('405');
    expect(header(response, 'allow')).toBe('POST');
    expect(corsHeaders(response)).toEqual([]);
  });

  it.each(
    ROUTE_PATHS.flatMap((uri) => ['https://evil.example', 'null', 'https://app.example.com.evil.test'].map((origin) => [uri, origin])),
  )('refuses %s to %s: 405 with Allow: POST and no CORS headers', async (uri, origin) => {
    const response = await harness.handler(preflight(origin, 'authorization, content-type', 'POST', uri));
    expect(response.status).toBe('405');
    expect(header(response, 'allow')).toBe('POST');
    expect(corsHeaders(response)).toEqual([]);
  });

  it('does not answer a preflight on an unknown path: 404, no grant', async () => {
    const response = await harness.handler(preflight(APP, 'authorization', 'POST', '/presign/nope'));
    expect(response.status).toBe('404');
    expect(header(response, 'access-control-allow-methods')).toBeUndefined();
  });

  it('without a configured list, answers a preflight as before: 405 and no CORS headers at all', async () => {
    const response = await withoutList.handler(preflight(APP));
    expect(response.status).toBe('405');
    expect(corsHeaders(response)).toEqual([]);
    expect(header(response, 'vary')).toBeUndefined();
  });
});

describe('CORS on actual answers', () => {
  const post = (origin: string | undefined, authorized = true): CloudFrontRequestEvent => {
    const event = viewerRequest('presign-one-file');
    withHeader(event, 'Origin', origin);
    return authorized ? withToken(event, token) : event;
  };

  it('adds Access-Control-Allow-Origin and Vary: Origin to a 200 for an allowed origin, never credentials', async () => {
    const response = await harness.handler(post(APP));
    expect(response.status).toBe('200');
    expect(header(response, 'access-control-allow-origin')).toBe(APP);
    expect(header(response, 'vary')).toBe('Origin');
    expect(header(response, 'access-control-allow-credentials')).toBeUndefined();
  });

  it.each(ROUTES)('%s: its 200 carries Allow-Origin and Vary for an allowed origin, and only Vary for another', async (uri, scenario) => {
    const call = (origin: string) => {
      const event = withToken(viewerRequest(scenario), token);
      expect(requestOf(event).uri).toBe(uri);
      return harness.handler(withHeader(event, 'Origin', origin));
    };
    const allowed = await call(OTHER_APP);
    expect(allowed.status).toBe('200');
    expect(header(allowed, 'access-control-allow-origin')).toBe(OTHER_APP);
    expect(header(allowed, 'vary')).toMatch(/^Origin(, Accept-Encoding)?$/);
    expect(header(allowed, 'access-control-allow-credentials')).toBeUndefined();
    expect(harness.logs.at(-1)).toMatchObject({ route: uri, status: 200 });
    const other = await call('https://evil.example');
    expect(other.status).toBe('200');
    expect(corsHeaders(other)).toEqual([]);
    expect(header(other, 'vary')).toMatch(/^Origin(, Accept-Encoding)?$/);
  });

  it('adds them to errors too, so the page can read the error code', async () => {
    const response = await harness.handler(post(APP, false));
    expect(response.status).toBe('401');
    expect(header(response, 'access-control-allow-origin')).toBe(APP);
    expect((jsonBody(response) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
  });

  it.each(['https://evil.example', 'null', 'https://app.example.com.evil.test'])(
    'gives %s no CORS header, but still Vary: Origin',
    async (origin) => {
      const response = await harness.handler(post(origin));
      expect(response.status).toBe('200');
      expect(corsHeaders(response)).toEqual([]);
      expect(header(response, 'vary')).toBe('Origin');
    },
  );

  it('keeps Vary: Origin beside Accept-Encoding when the answer is gzipped', async () => {
    const longToken = { ...TEST_CREDENTIALS, sessionToken: `IQoJ${'b3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ'.repeat(25)}` };
    const big = presignHarness({ key, credentials: () => longToken, config: testEdgeConfig(key, { allowedOrigins: [APP] }) });
    const event = withToken(viewerRequest('presign-ten-files'), token);
    withHeader(event, 'Origin', APP);
    const response = await big.handler(event);
    expect(response.bodyEncoding).toBe('base64');
    expect(header(response, 'vary')).toBe('Origin, Accept-Encoding');
    expect(header(response, 'access-control-allow-origin')).toBe(APP);
  });

  it('a same-origin call (no Origin header) is unchanged but for Vary', async () => {
    const response = await harness.handler(post(undefined));
    expect(response.status).toBe('200');
    expect(corsHeaders(response)).toEqual([]);
  });
});

describe('edge config: allowedOrigins and clientIds', () => {
  const parse = (overrides: Record<string, unknown>) => parseEdgeConfig(testEdgeConfig(key, overrides), 300);

  it('keeps the list, frozen, and defaults to none', () => {
    const config = parse({ allowedOrigins: [APP, OTHER_APP, APP] });
    expect(config.allowedOrigins).toEqual([APP, OTHER_APP]);
    expect(Object.isFrozen(config.allowedOrigins)).toBe(true);
    expect(parse({}).allowedOrigins).toEqual([]);
  });

  it.each([
    ['a wildcard', '*'],
    ['null', 'null'],
    ['a trailing slash', 'https://app.example.com/'],
    ['a path', 'https://app.example.com/app'],
    ['upper case', 'https://APP.example.com'],
    ['plain http on a public host', 'http://app.example.com'],
  ])('refuses %s as an allowed origin', (_label, origin) => {
    expect(() => parse({ allowedOrigins: [origin] })).toThrow(EdgeConfigError);
    expect(() => parse({ allowedOrigins: [origin] })).toThrow(/allowedOrigins\[0\]/);
  });

  it('allows http: origins for localhost, and any with "local": true', () => {
    expect(parse({ allowedOrigins: ['http://localhost:5173'] }).allowedOrigins).toEqual(['http://localhost:5173']);
    const local = parse({ local: true, allowedOrigins: ['http://app.test:8080'] });
    expect(local.allowedOrigins).toEqual(['http://app.test:8080']);
  });

  it('accepts a list of client ids, or the older single clientId, but not both', () => {
    expect(parse({ clientIds: ['client1', 'client2'] }).clientIds).toEqual(['client1', 'client2']);
    expect(parse({ clientIds: undefined, clientId: 'single1' }).clientIds).toEqual(['single1']);
    expect(() => parse({ clientId: 'client1' })).toThrow(/both/);
    expect(() => parse({ clientIds: [] })).toThrow(/clientIds/);
    expect(() => parse({ clientIds: ['bad id'] })).toThrow(/clientIds\[0\]/);
  });
});

describe('tokens of any configured client', () => {
  const twoClients = presignHarness({ key, config: testEdgeConfig(key, { clientIds: ['otherclient1', 'yetanother2'] }) });

  it('accepts an access token of each listed client and refuses one of an unlisted client', async () => {
    for (const clientId of ['otherclient1', 'yetanother2']) {
      const event = withToken(viewerRequest('presign-one-file'), accessToken(key, { claims: { client_id: clientId } }));
      expect((await twoClients.handler(event)).status).toBe('200');
    }
    const stranger = withToken(viewerRequest('presign-one-file'), accessToken(key));
    expect((await twoClients.handler(stranger)).status).toBe('401');
  });
});
