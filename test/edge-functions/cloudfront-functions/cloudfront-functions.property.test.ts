/**
 * Property tests of both built CloudFront Functions: any viewer-request event
 * (random uri, method, headers, query string, cookies; hostile values mixed in)
 * yields a request or a response that CloudFront would accept, never an
 * exception; and what passes keeps the promises of each function.
 *
 * One suite for the unit's properties and its fuzzing (formerly two files):
 * every property makes FUZZ_RUNS runs (test/support/fuzz-settings.ts; `npm test`
 * a few hundred to a thousand, `npm run test:fuzz` 10,000).
 *
 * The fuzzing part:
 * Both CloudFront Functions, as built (dist/edge-functions/*.js) and run in
 * the cloudfront-js-2.0 sandbox, FUZZ_RUNS random viewer-request events each
 * (10,000 under `npm run test:fuzz`), in process.
 *
 * Where the properties above check what passes, this
 * suite holds each function to a complete model of its documented rules, so
 * the exact outcome of every event is predicted:
 * - site-router: a path that climbs or smuggles (`..` in any mix of `.` and
 *   `%2e`, a backslash or `%5c`, a NUL or `%00`) → 400 INVALID_REQUEST; an
 *   app route (no extension in the last segment, not /auth or /presign) →
 *   /index.html; anything else untouched.
 * - auth-guard, first failure wins: route (404) → method (405, Allow: POST)
 *   → same site (403: Sec-Fetch-Site, when sent, is same-origin; Origin, when
 *   sent, names the Host's authority, default ports dropped; a repeated
 *   header is never trusted) → JSON content type on body routes (415) →
 *   Content-Length decimal (400) and at most 4 KiB (413) → the untouched request.
 * Events mix nearly valid requests with hostile ones: Unicode and
 * percent-encoded paths, double encoding, overlong UTF-8, repeated headers,
 * prototype-named headers and query keys, huge values.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { AUTH_ROUTES, MAX_AUTH_BODY_BYTES, isAuthPath } from '../../../edge-functions/core/auth-routes';
import {
  loadCloudFrontFunctionFile,
  responseBody,
  type CloudFrontFunctionOutcome,
  type CloudFrontFunctionResponse,
  type CloudFrontFunctionValue,
  type CloudFrontFunctionValues,
  type CloudFrontFunctionViewerRequestEvent,
} from '../../support/cloudfront-functions-sandbox';
import { loadFixture } from '../../support/fixtures';
import { fuzzParameters, FUZZ_RUNS, OutcomeTally, REACH_CHECKS } from '../../support/fuzz-settings';

describe('properties', () => {
  const dist = join(__dirname, '..', '..', '..', 'dist', 'edge-functions');
  const siteRouter = loadCloudFrontFunctionFile(join(dist, 'site-router.js'));
  const authGuard = loadCloudFrontFunctionFile(join(dist, 'auth-guard.js'));

  // ---------------------------------------------------------------------------
  // Arbitraries

  const anyText = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom(
      '',
      ' ',
      'null',
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      '0',
      '4096',
      '4097',
      '-1',
      '1e9',
      'same-origin',
      'same-site',
      'cross-site',
      'none',
      'https://uploads.example.com',
      'http://127.0.0.1:3000',
      'https://evil.example.net',
      'uploads.example.com',
      '127.0.0.1:3000',
      '%2e%2e',
      '\0',
      '__proto__',
    ),
  );

  const field: fc.Arbitrary<CloudFrontFunctionValue> = fc.oneof(
    anyText.map((value) => ({ value })),
    fc.array(anyText, { minLength: 2, maxLength: 3 }).map(([first = '', ...rest]) => ({
      value: first,
      multiValue: [first, ...rest].map((value) => ({ value })),
    })),
  );

  const headerName = fc.oneof(
    fc.constantFrom('host', 'origin', 'sec-fetch-site', 'content-type', 'content-length', 'user-agent', 'accept', 'referer'),
    fc.stringMatching(/^[a-z0-9-]{1,16}$/),
  );

  const headers: fc.Arbitrary<CloudFrontFunctionValues> = fc.dictionary(headerName, field, { maxKeys: 8 });
  const params: fc.Arbitrary<CloudFrontFunctionValues> = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), field, { maxKeys: 4 });

  /** Path characters that matter to the functions, in any mix, plus arbitrary text. */
  const pathPiece = fc.oneof(
    fc.constantFrom(
      '/',
      '.',
      '..',
      '%2e',
      '%2E',
      '%5c',
      '%5C',
      '\\',
      '%00',
      '\0',
      'a',
      'app',
      'assets',
      'index',
      '.js',
      '.html',
      '%2f',
      'auth',
      'presign',
      'login',
    ),
    fc.string({ maxLength: 6 }),
  );

  const uri = fc.oneof(
    fc.constantFrom('/', '/index.html', '/app/upload', ...Object.keys(AUTH_ROUTES), '/auth/admin', '/presign'),
    fc.webPath().map((path) => (path.startsWith('/') ? path : `/${path}`)),
    fc.array(pathPiece, { maxLength: 8 }).map((pieces) => `/${pieces.join('')}`),
  );

  const method = fc.oneof(
    fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
    fc.stringMatching(/^[A-Za-z]{1,8}$/),
  );

  /** A recorded event with the request replaced by a random one, so the envelope stays the documented shape. */
  const viewerRequest = (base: string): fc.Arbitrary<CloudFrontFunctionViewerRequestEvent> =>
    fc.record({ method, uri, headers, querystring: params, cookies: params }).map((request) => {
      const event = loadFixture<CloudFrontFunctionViewerRequestEvent>(`cloudfront-functions/${base}.json`);
      event.request = request;
      return event;
    });

  /** Half the time, a well-formed same-origin auth request varied in one or two places, so the pass path is explored too. */
  const nearlyValidAuthRequest: fc.Arbitrary<CloudFrontFunctionViewerRequestEvent> = fc
    .record({
      uri: fc.constantFrom(...Object.keys(AUTH_ROUTES)),
      method: fc.constantFrom('POST', 'POST', 'POST', 'GET'),
      overrides: fc.dictionary(
        fc.constantFrom('host', 'origin', 'sec-fetch-site', 'content-type', 'content-length'),
        fc.option(field, { nil: undefined }),
        { maxKeys: 2 },
      ),
    })
    .map(({ uri: path, method: verb, overrides }) => {
      const event = loadFixture<CloudFrontFunctionViewerRequestEvent>('cloudfront-functions/auth-login-ok.json');
      event.request.uri = path;
      event.request.method = verb;
      for (const [name, value] of Object.entries(overrides)) {
        if (value === undefined) delete event.request.headers[name];
        else event.request.headers[name] = value;
      }
      return event;
    });

  // ---------------------------------------------------------------------------
  // Oracles, written independently of the functions' own code

  function errorBody(response: CloudFrontFunctionResponse): unknown {
    return JSON.parse(responseBody(response).toString('utf8'));
  }

  function expectErrorShape(response: CloudFrontFunctionResponse, code: string): void {
    expect(response.headers?.['content-type']).toEqual({ value: 'application/json' });
    expect(response.headers?.['cache-control']).toEqual({ value: 'no-store' });
    expect(typeof response.statusDescription).toBe('string');
    expect(errorBody(response)).toEqual({ error: { code, message: expect.any(String) } });
  }

  /** Decodes the three escapes that matter and looks for what must never reach the origin. */
  function climbsOrSmuggles(path: string): boolean {
    const decoded = path.replace(/%2e/gi, '.').replace(/%5c/gi, '\\').replace(/%00/g, '\0');
    return decoded.includes('..') || decoded.includes('\\') || decoded.includes('\0');
  }

  function onlyValue(header: CloudFrontFunctionValue | undefined): string | null | undefined {
    if (header === undefined) return undefined;
    return header.multiValue !== undefined && header.multiValue.length > 1 ? null : header.value;
  }

  /** Authority of an http(s) origin, via the WHATWG URL parser (lower case, the scheme's default port dropped). */
  function originAuthority(origin: string): string | undefined {
    const match = /^https?:\/\/([^/?#@\s]+)$/i.exec(origin);
    if (match === null) return undefined;
    try {
      return new URL(origin).host;
    } catch {
      return match[1]?.toLowerCase(); // a host the URL parser refuses but the edge may still see
    }
  }

  const ERROR_STATUS: Readonly<Record<number, string>> = {
    400: 'INVALID_REQUEST',
    403: 'FORBIDDEN_ORIGIN',
    404: 'NOT_FOUND',
    405: 'METHOD_NOT_ALLOWED',
    413: 'PAYLOAD_TOO_LARGE',
    415: 'UNSUPPORTED_MEDIA_TYPE',
  };

  // ---------------------------------------------------------------------------

  describe('site-router: any event', () => {
    it(`yields a valid request or a 400, never an exception (${FUZZ_RUNS} runs)`, () => {
      const seen = { request: 0, response: 0 };
      fc.assert(
        fc.property(viewerRequest('site-asset'), (event) => {
          const input = structuredClone(event.request);
          const outcome: CloudFrontFunctionOutcome = siteRouter.run(event);
          seen[outcome.kind]++;
          if (outcome.kind === 'response') {
            expect(outcome.response.statusCode).toBe(400);
            expectErrorShape(outcome.response, 'INVALID_REQUEST');
            expect(climbsOrSmuggles(input.uri)).toBe(true);
            return;
          }
          expect(climbsOrSmuggles(input.uri)).toBe(false);
          expect(outcome.returnedEventRequest).toBe(true);
          expect([input.uri, '/index.html']).toContain(outcome.request.uri);
          expect({ ...outcome.request, uri: input.uri }).toEqual(input);
        }),
        fuzzParameters(),
      );
      // Both branches were explored, not just one.
      expect(seen.request).toBeGreaterThan(FUZZ_RUNS / 10);
      expect(seen.response).toBeGreaterThan(FUZZ_RUNS / 10);
    });
  });

  describe('auth-guard: any event', () => {
    it.each([
      // [name, events, least share of runs that must pass / be refused]
      ['random requests', viewerRequest('auth-login-ok'), 0, 0.5],
      ['nearly valid requests', nearlyValidAuthRequest, 0.2, 0.2],
    ] as const)(
      `%s yield a valid request or an error body, never an exception (${FUZZ_RUNS} runs)`,
      (_name, events, passShare, refuseShare) => {
        const seen = { request: 0, response: 0 };
        fc.assert(
          fc.property(events, (event) => {
            const input = structuredClone(event.request);
            const outcome = authGuard.run(event);
            seen[outcome.kind]++;
            if (outcome.kind === 'response') {
              const code = ERROR_STATUS[outcome.response.statusCode];
              expect(code).toBeDefined();
              expectErrorShape(outcome.response, String(code));
              expect(outcome.response.headers?.['allow']).toEqual(code === 'METHOD_NOT_ALLOWED' ? { value: 'POST' } : undefined);
              return;
            }
            // Whatever passes is the untouched request, and it satisfies every rule of docs/http-api.md.
            expect(outcome.returnedEventRequest).toBe(true);
            expect(outcome.request).toEqual(input);
            expect(isAuthPath(input.uri)).toBe(true);
            expect(input.method).toBe('POST');
            const origin = onlyValue(input.headers['origin']);
            const host = onlyValue(input.headers['host']);
            if (origin !== undefined) {
              expect(typeof origin === 'string' && typeof host === 'string').toBe(true);
              const expected = originAuthority(String(origin));
              const actual = originAuthority(`http://${String(host)}`);
              expect(expected !== undefined && actual !== undefined && expected.replace(/:443$/, '') === actual.replace(/:443$/, '')).toBe(
                true,
              );
            }
            expect([undefined, 'same-origin']).toContain(onlyValue(input.headers['sec-fetch-site']));
            if (isAuthPath(input.uri) && AUTH_ROUTES[input.uri].body) {
              expect(onlyValue(input.headers['content-type'])).toMatch(/^\s*application\/json\s*(;|$)/i);
            }
            const length = onlyValue(input.headers['content-length']);
            if (length !== undefined) {
              expect(length).toMatch(/^[0-9]+$/);
              expect(Number(length)).toBeLessThanOrEqual(MAX_AUTH_BODY_BYTES);
            }
          }),
          fuzzParameters(),
        );
        expect(seen.request).toBeGreaterThanOrEqual(FUZZ_RUNS * passShare);
        expect(seen.response).toBeGreaterThanOrEqual(FUZZ_RUNS * refuseShare);
      },
    );
  });
});

describe('fuzzing', () => {
  const dist = join(__dirname, '..', '..', '..', 'dist', 'edge-functions');
  const siteRouter = loadCloudFrontFunctionFile(join(dist, 'site-router.js'));
  const authGuard = loadCloudFrontFunctionFile(join(dist, 'auth-guard.js'));

  /** docs/http-api.md "Auth routes": the routes, and which take a JSON body. */
  const AUTH_ROUTES: Readonly<Record<string, boolean>> = {
    '/auth/register': true,
    '/auth/confirm': true,
    '/auth/resend': true,
    '/auth/login': true,
    '/auth/refresh': false,
    '/auth/logout': false,
    '/auth/forgot': true,
    '/auth/reset': true,
  };
  const MAX_AUTH_BODY_BYTES = 4096;
  const HOST = 'uploads.example.com';

  // ---------------------------------------------------------------------------
  // Arbitraries

  const hostileText = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.constantFrom('', ' ', '\u0000', '\r\n', '%00', '__proto__', 'constructor', 'x'.repeat(9000), '\uFEFF', '\u202E'),
  );

  const value = (main: fc.Arbitrary<string>): fc.Arbitrary<CloudFrontFunctionValue> =>
    fc.oneof(
      { arbitrary: main.map((v) => ({ value: v })), weight: 8 },
      fc
        .array(main, { minLength: 2, maxLength: 3 })
        .map(([first = '', ...rest]) => ({ value: first, multiValue: [first, ...rest].map((v) => ({ value: v })) })),
    );

  const pathPiece = fc.oneof(
    fc.constantFrom(
      '/',
      '.',
      '..',
      '%2e',
      '%2E',
      '%252e',
      '%c0%ae',
      '%5c',
      '%5C',
      '\\',
      '%00',
      '\u0000',
      '%2f',
      '/..',
      '/.',
      'a',
      'app',
      'assets',
      'index',
      '.js',
      '.html',
      '.',
      'auth',
      'presign',
      'login',
      '%',
      '%zz',
      '?',
      '#',
      ';',
      '\u2215',
      '\uFF0E',
    ),
    fc.string({ maxLength: 5 }),
    fc.string({ unit: 'grapheme', maxLength: 3 }),
  );
  const uriArb = fc.oneof(
    fc.constantFrom(
      '/',
      '/index.html',
      '/app/upload',
      '/assets/app.js',
      '/auth',
      '/presign',
      '/presign/',
      ...Object.keys(AUTH_ROUTES),
      '/auth/admin',
      '/auth/login/',
    ),
    fc.webPath().map((path) => (path.startsWith('/') ? path : `/${path}`)),
    fc.array(pathPiece, { maxLength: 10 }).map((pieces) => `/${pieces.join('')}`),
  );

  const methodArb = fc.oneof(
    { arbitrary: fc.constant('POST'), weight: 6 },
    fc.constantFrom('GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'post', 'TRACE'),
    fc.string({ maxLength: 8 }),
  );

  const headerNameArb = fc.oneof(
    fc.constantFrom(
      'host',
      'origin',
      'sec-fetch-site',
      'content-type',
      'content-length',
      'referer',
      'user-agent',
      '__proto__',
      'constructor',
      'tostring',
      'hasownproperty',
    ),
    fc.stringMatching(/^[a-z0-9-]{1,16}$/),
  );
  const randomHeaders: fc.Arbitrary<CloudFrontFunctionValues> = fc.dictionary(headerNameArb, value(hostileText), { maxKeys: 8 });
  const queryArb: fc.Arbitrary<CloudFrontFunctionValues> = fc.dictionary(
    fc.oneof(fc.constantFrom('__proto__', 'constructor', 'email', 'redirect'), fc.string({ maxLength: 10 })),
    value(hostileText),
    { maxKeys: 4 },
  );

  /** The documented values each header takes when it is right, plus near misses. */
  const NEAR = {
    host: [HOST, HOST.toUpperCase(), `${HOST}:443`, `${HOST}:8443`, 'evil.example', ''],
    origin: [
      `https://${HOST}`,
      `http://${HOST}`,
      `https://${HOST}:443`,
      `https://${HOST.toUpperCase()}`,
      `https://${HOST}/`,
      `https://${HOST}/path`,
      `https://user@${HOST}`,
      'https://evil.example',
      'null',
      '',
      `https://${HOST}.evil.example`,
      `ftp://${HOST}`,
    ],
    'sec-fetch-site': ['same-origin', 'same-site', 'cross-site', 'none', 'SAME-ORIGIN', ''],
    'content-type': [
      'application/json',
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      ' application/json',
      'application/json;',
      'application/jsonx',
      'text/plain',
      'application/json , text/plain',
      '',
    ],
    'content-length': ['0', '58', '4096', '4097', '99999999999999999999', '-1', '1e3', ' 58', '58 ', '0x10', '', '007'],
  } as const;

  const nearlyValidAuthEvent: fc.Arbitrary<CloudFrontFunctionViewerRequestEvent> = fc
    .record({
      uri: fc.oneof({ arbitrary: fc.constantFrom(...Object.keys(AUTH_ROUTES)), weight: 8 }, uriArb),
      method: methodArb,
      overrides: fc.record(
        Object.fromEntries(
          Object.entries(NEAR).map(([name, values]) => [
            name,
            fc.option(fc.oneof({ arbitrary: value(fc.constantFrom(...values)), weight: 6 }, value(hostileText)), { nil: undefined }),
          ]),
        ) as Record<keyof typeof NEAR, fc.Arbitrary<CloudFrontFunctionValue | undefined>>,
        { requiredKeys: [] },
      ),
      drop: fc.subarray(['origin', 'sec-fetch-site', 'content-type', 'content-length', 'host']),
      extra: randomHeaders,
      querystring: queryArb,
      cookies: queryArb,
    })
    .map(({ uri, method, overrides, drop, extra, querystring, cookies }) => {
      const event = loadFixture<CloudFrontFunctionViewerRequestEvent>('cloudfront-functions/auth-login-ok.json');
      const headers: CloudFrontFunctionValues = { ...event.request.headers };
      for (const [name, header] of Object.entries(extra)) if (!(name in NEAR)) defineValue(headers, name, header);
      for (const [name, header] of Object.entries(overrides)) if (header !== undefined) defineValue(headers, name, header);
      for (const name of drop) delete headers[name];
      event.request = { method, uri, headers, querystring, cookies };
      return event;
    });

  /** A valid auth request but for its declared size: the last check, which nearly valid events reach only ~3 times in 1,000. */
  const oversizedAuthEvent: fc.Arbitrary<CloudFrontFunctionViewerRequestEvent> = fc
    .record({ uri: fc.constantFrom(...Object.keys(AUTH_ROUTES)), length: fc.constantFrom('4097', '99999999999999999999') })
    .map(({ uri, length }) => {
      const event = loadFixture<CloudFrontFunctionViewerRequestEvent>('cloudfront-functions/auth-login-ok.json');
      const headers: CloudFrontFunctionValues = { ...event.request.headers };
      defineValue(headers, 'content-length', { value: length });
      event.request = { ...event.request, uri, headers };
      return event;
    });

  const randomEvent = (fixture: string): fc.Arbitrary<CloudFrontFunctionViewerRequestEvent> =>
    fc.record({ method: methodArb, uri: uriArb, headers: randomHeaders, querystring: queryArb, cookies: queryArb }).map((request) => {
      const event = loadFixture<CloudFrontFunctionViewerRequestEvent>(`cloudfront-functions/${fixture}.json`);
      const headers: CloudFrontFunctionValues = {};
      for (const [name, header] of Object.entries(request.headers)) defineValue(headers, name, header);
      event.request = { ...request, headers };
      return event;
    });

  /** Sets an own property even for names like `__proto__`, as CloudFront's header map would hold it. */
  function defineValue(target: CloudFrontFunctionValues, name: string, header: CloudFrontFunctionValue): void {
    Object.defineProperty(target, name, { value: header, enumerable: true, configurable: true, writable: true });
  }

  // ---------------------------------------------------------------------------
  // Models

  type Expected =
    | { readonly kind: 'request'; readonly uri: string }
    | { readonly kind: 'response'; readonly status: number; readonly code: string };

  function climbsOrSmuggles(uri: string): boolean {
    const decoded = uri.replace(/%2e/gi, '.').replace(/%5c/gi, '\\').replace(/%00/g, '\u0000');
    return decoded.includes('..') || decoded.includes('\\') || decoded.includes('\u0000');
  }

  function siteRouterModel(uri: string): Expected {
    if (climbsOrSmuggles(uri)) return { kind: 'response', status: 400, code: 'INVALID_REQUEST' };
    const otherBehaviour = uri === '/auth' || uri.startsWith('/auth/') || uri === '/presign' || uri.startsWith('/presign/');
    const last = uri.slice(uri.lastIndexOf('/') + 1);
    const dot = last.lastIndexOf('.');
    const hasExtension = dot !== -1 && dot < last.length - 1;
    return { kind: 'request', uri: otherBehaviour || hasExtension ? uri : '/index.html' };
  }

  const own = (headers: CloudFrontFunctionValues, name: string): CloudFrontFunctionValue | undefined =>
    Object.prototype.hasOwnProperty.call(headers, name) ? headers[name] : undefined;

  /** A header's one value: undefined when absent, null when repeated. */
  function single(headers: CloudFrontFunctionValues, name: string): string | null | undefined {
    const header = own(headers, name);
    if (header === undefined) return undefined;
    return header.multiValue !== undefined && header.multiValue.length > 1 ? null : header.value;
  }

  function authority(text: string): string {
    return text.toLowerCase().replace(/:(?:80|443)$/, '');
  }

  function sameSite(headers: CloudFrontFunctionValues): boolean {
    const fetchSite = single(headers, 'sec-fetch-site');
    if (fetchSite !== undefined && fetchSite !== 'same-origin') return false;
    const origin = single(headers, 'origin');
    if (origin === undefined) return true;
    const host = single(headers, 'host');
    const match = typeof origin === 'string' ? /^https?:\/\/([^/?#@\s]+)$/i.exec(origin) : null;
    return match !== null && typeof host === 'string' && authority(match[1] ?? '') === authority(host);
  }

  function authGuardModel(request: CloudFrontFunctionViewerRequestEvent['request']): Expected {
    const { uri, method, headers } = request;
    if (!Object.prototype.hasOwnProperty.call(AUTH_ROUTES, uri)) return { kind: 'response', status: 404, code: 'NOT_FOUND' };
    if (method !== 'POST') return { kind: 'response', status: 405, code: 'METHOD_NOT_ALLOWED' };
    if (!sameSite(headers)) return { kind: 'response', status: 403, code: 'FORBIDDEN_ORIGIN' };
    const type = single(headers, 'content-type');
    if (AUTH_ROUTES[uri] === true && !(typeof type === 'string' && /^\s*application\/json\s*(?:;|$)/i.test(type))) {
      return { kind: 'response', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' };
    }
    const length = single(headers, 'content-length');
    if (length !== undefined) {
      if (length === null || !/^[0-9]+$/.test(length)) return { kind: 'response', status: 400, code: 'INVALID_REQUEST' };
      if (Number(length) > MAX_AUTH_BODY_BYTES) return { kind: 'response', status: 413, code: 'PAYLOAD_TOO_LARGE' };
    }
    return { kind: 'request', uri };
  }

  function checkOutcome(
    outcome: CloudFrontFunctionOutcome,
    expected: Expected,
    input: CloudFrontFunctionViewerRequestEvent['request'],
  ): string {
    expect(outcome.kind).toBe(expected.kind);
    if (outcome.kind === 'request' && expected.kind === 'request') {
      expect(outcome.returnedEventRequest).toBe(true);
      expect(outcome.request.uri).toBe(expected.uri);
      expect({ ...outcome.request, uri: input.uri }).toEqual(input);
      return expected.uri === input.uri ? 'passed' : 'rewritten';
    }
    if (outcome.kind === 'response' && expected.kind === 'response') {
      const response = outcome.response;
      expect(response.statusCode).toBe(expected.status);
      expect(typeof response.statusDescription).toBe('string');
      expect(response.headers?.['content-type']).toEqual({ value: 'application/json' });
      expect(response.headers?.['cache-control']).toEqual({ value: 'no-store' });
      expect(response.headers?.['allow']).toEqual(expected.status === 405 ? { value: 'POST' } : undefined);
      const body = JSON.parse(responseBody(response).toString('utf8')) as unknown;
      expect(body).toEqual({ error: { code: expected.code, message: expect.any(String) } });
      // The message never echoes attacker-chosen text (the path, a header).
      const message = (body as { error: { message: string } }).error.message;
      if (input.uri.length > 8) expect(message).not.toContain(input.uri);
      return expected.code;
    }
    return 'mismatch';
  }

  // ---------------------------------------------------------------------------

  describe(`CloudFront Functions, ${FUZZ_RUNS} random viewer requests each`, () => {
    it('site-router does exactly what its rules say: 400 for a climbing path, the app shell for app routes, else untouched', () => {
      const tally = new OutcomeTally();
      fc.assert(
        fc.property(fc.oneof(randomEvent('site-asset'), randomEvent('site-app-route')), (event) => {
          const input = structuredClone(event.request);
          const outcome = siteRouter.run(event);
          tally.add(checkOutcome(outcome, siteRouterModel(input.uri), input));
        }),
        fuzzParameters(),
      );
      console.log(`site-router outcomes over ${FUZZ_RUNS} events: ${tally}`);
      for (const outcome of ['passed', 'rewritten', 'INVALID_REQUEST'])
        expect([outcome, tally.get(outcome) > FUZZ_RUNS / 50]).toEqual([outcome, true]);
    });

    it('auth-guard refuses with the first failing check of docs/http-api.md, in its documented order, and passes the rest untouched', () => {
      const tally = new OutcomeTally();
      fc.assert(
        fc.property(
          fc.oneof(
            { arbitrary: nearlyValidAuthEvent, weight: 4 },
            { arbitrary: oversizedAuthEvent, weight: 1 },
            randomEvent('auth-login-ok'),
          ),
          (event) => {
            const input = structuredClone(event.request);
            const outcome = authGuard.run(event);
            tally.add(checkOutcome(outcome, authGuardModel(input), input));
          },
        ),
        fuzzParameters(),
      );
      console.log(`auth-guard outcomes over ${FUZZ_RUNS} events: ${tally}`);
      if (REACH_CHECKS)
        for (const outcome of [
          'passed',
          'NOT_FOUND',
          'METHOD_NOT_ALLOWED',
          'FORBIDDEN_ORIGIN',
          'UNSUPPORTED_MEDIA_TYPE',
          'INVALID_REQUEST',
          'PAYLOAD_TOO_LARGE',
        ]) {
          expect([outcome, tally.get(outcome) > 0]).toEqual([outcome, true]);
        }
    });
  });
});
