/**
 * Property tests of both built CloudFront Functions: any viewer-request event
 * (random uri, method, headers, query string, cookies; hostile values mixed in)
 * yields a request or a response that CloudFront would accept, never an
 * exception; and what passes keeps the promises of each function.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { AUTH_ROUTES, MAX_AUTH_BODY_BYTES, isAuthPath } from '../../edge-functions/core/auth-routes';
import {
  loadCloudFrontFunctionFile,
  responseBody,
  type CloudFrontFunctionOutcome,
  type CloudFrontFunctionResponse,
  type CloudFrontFunctionValue,
  type CloudFrontFunctionValues,
  type CloudFrontFunctionViewerRequestEvent,
} from '../support/cloudfront-functions-sandbox';
import { loadFixture } from '../support/fixtures';

const NUM_RUNS = 1000;
const dist = join(__dirname, '..', '..', 'dist', 'edge-functions');
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
  fc.constantFrom('/', '.', '..', '%2e', '%2E', '%5c', '%5C', '\\', '%00', '\0', 'a', 'app', 'assets', 'index', '.js', '.html', '%2f', 'auth', 'presign', 'login'),
  fc.string({ maxLength: 6 }),
);

const uri = fc.oneof(
  fc.constantFrom('/', '/index.html', '/app/upload', ...Object.keys(AUTH_ROUTES), '/auth/admin', '/presign'),
  fc.webPath().map((path) => (path.startsWith('/') ? path : `/${path}`)),
  fc.array(pathPiece, { maxLength: 8 }).map((pieces) => `/${pieces.join('')}`),
);

const method = fc.oneof(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'), fc.stringMatching(/^[A-Za-z]{1,8}$/));

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
  it(`yields a valid request or a 400, never an exception (${NUM_RUNS} runs)`, () => {
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
      { numRuns: NUM_RUNS },
    );
    // Both branches were explored, not just one.
    expect(seen.request).toBeGreaterThan(NUM_RUNS / 10);
    expect(seen.response).toBeGreaterThan(NUM_RUNS / 10);
  });
});

describe('auth-guard: any event', () => {
  it.each([
    // [name, events, least share of runs that must pass / be refused]
    ['random requests', viewerRequest('auth-login-ok'), 0, 0.5],
    ['nearly valid requests', nearlyValidAuthRequest, 0.2, 0.2],
  ] as const)(`%s yield a valid request or a §3 error, never an exception (${NUM_RUNS} runs)`, (_name, events, passShare, refuseShare) => {
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
        // Whatever passes is the untouched request, and it satisfies every rule of §3.
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
          expect(expected !== undefined && actual !== undefined && expected.replace(/:443$/, '') === actual.replace(/:443$/, '')).toBe(true);
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
      { numRuns: NUM_RUNS },
    );
    expect(seen.request).toBeGreaterThanOrEqual(NUM_RUNS * passShare);
    expect(seen.response).toBeGreaterThanOrEqual(NUM_RUNS * refuseShare);
  });
});
