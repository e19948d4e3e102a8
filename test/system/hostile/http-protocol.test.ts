/**
 * Hostile HTTP itself, sent byte by byte to the local edge: header injection
 * (bare LF, NUL, folded lines), request smuggling (Content-Length with
 * Transfer-Encoding, two lengths), bad lengths, oversized headers and
 * targets, absolute-form and asterisk targets, unknown methods, pipelining.
 *
 * What never reaches a function is refused by the HTTP parser with a bare
 * 400/431, as CloudFront refuses it with its own error page: no function,
 * so no JSON error body. What reaches the edge gets its code from docs/http-api.md. Either way: no
 * 5xx, no signed form, and the edge keeps serving afterwards.
 */
import { send } from '../../support/post-forms';
import { PASSWORD, signUpAndLogIn, startTestStack, type Session, type TestStack } from '../local-stack/support/stack-harness';
import { containsPolicy, expectRefused, freshViewerIp } from './support/hostile-harness';
import { findSecrets, sessionSecrets } from './support/log-scan';
import { rawRequest, type RawAnswer } from './support/raw-http';

jest.setTimeout(60_000);

let harness: TestStack;
let session: Session;
let host: string;

beforeAll(async () => {
  harness = await startTestStack();
  session = await signUpAndLogIn(harness.stack, 'hostile-http@example.com');
  host = new URL(harness.stack.url).host;
});

afterAll(async () => {
  await harness?.stop();
});

const BODY = JSON.stringify({ files: [{ name: 'holiday.png', size: 10, type: 'image/png' }] });

/** A request with the given lines between the request line and the blank line, and BODY. */
function presignRequest(
  extraHeaders: readonly string[],
  options: { target?: string; method?: string; contentLength?: boolean; body?: string } = {},
): string {
  const body = options.body ?? BODY;
  const lines = [
    `${options.method ?? 'POST'} ${options.target ?? '/presign'} HTTP/1.1`,
    `Host: ${host}`,
    `X-Forwarded-For: ${freshViewerIp()}`,
    `Authorization: Bearer ${session.accessToken}`,
    'Content-Type: application/json',
    ...(options.contentLength === false ? [] : [`Content-Length: ${Buffer.byteLength(body)}`]),
    ...extraHeaders,
    'Connection: close',
  ];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

function expectNoPolicy(answer: RawAnswer): void {
  expect(answer.status).toBeLessThan(500);
  expect(containsPolicy({ status: answer.status, headers: answer.headers, body: answer.body })).toBe(false);
  expect(answer.raw).not.toContain(session.accessToken);
}

async function expectEdgeAlive(): Promise<void> {
  const answer = await send(`${harness.stack.url}/presign`, 'POST', Buffer.from(BODY), {
    'Content-Type': 'application/json',
    'X-Forwarded-For': freshViewerIp(),
  });
  expect(answer.status).toBe(401);
}

describe('refused by the HTTP parser before any function runs (bare 400 or 431)', () => {
  it.each<[string, number, () => string | Buffer]>([
    ['a bare LF inside a header value (header injection)', 400, () => presignRequest(['X-Note: a\nX-Injected: 1'])],
    ['a bare CR inside a header value', 400, () => presignRequest(['X-Note: a\rX-Injected: 1'])],
    ['a NUL in a header value', 400, () => presignRequest(['X-Note: a\u0000b'])],
    ['a space inside a header name', 400, () => presignRequest(['X Injected: 1'])],
    ['a header without a colon', 400, () => presignRequest(['X-Injected'])],
    ['an obsolete folded header line', 400, () => presignRequest(['X-Note: a', ' X-Injected: 1'])],
    ['Content-Length and Transfer-Encoding together (smuggling)', 400, () => presignRequest(['Transfer-Encoding: chunked'])],
    ['two different Content-Lengths', 400, () => presignRequest([`Content-Length: ${Buffer.byteLength(BODY) + 5}`])],
    ['a non-numeric Content-Length', 400, () => presignRequest(['Content-Length: abc'], { contentLength: false })],
    ['a negative Content-Length', 400, () => presignRequest(['Content-Length: -1'], { contentLength: false })],
    ['an unknown Transfer-Encoding', 400, () => presignRequest(['Transfer-Encoding: gzip'], { contentLength: false })],
    [
      'a malformed chunk size',
      400,
      () => presignRequest(['Transfer-Encoding: chunked'], { contentLength: false, body: 'zz\r\n{}\r\n0\r\n\r\n' }),
    ],
    ['a method with a symbol', 400, () => presignRequest([], { method: 'P@ST' })],
    ['a lower-case method', 400, () => presignRequest([], { method: 'post' })],
    ['an unknown HTTP version', 400, () => `POST /presign HTTP/9.9\r\nHost: ${host}\r\n\r\n`],
    ['a 20 KiB header', 431, () => presignRequest([`X-Big: ${'b'.repeat(20 * 1024)}`])],
    ['a 20 KiB Authorization header', 431, () => presignRequest([`Authorization: Bearer ${'a'.repeat(20 * 1024)}`])],
    ['a 20 KiB target', 431, () => presignRequest([], { target: `/presign?q=${'q'.repeat(20 * 1024)}` })],
    [
      'an Authorization split by a folded line',
      400,
      () => presignRequest([]).replace(`Authorization: Bearer ${session.accessToken}`, `Authorization: Bearer\r\n ${session.accessToken}`),
    ],
    ['2,000 small headers', 431, () => presignRequest(Array.from({ length: 2000 }, (_, i) => `X-H${i}: ${i}`))],
  ])('%s → %i', async (_, status, request) => {
    const answer = await rawRequest(harness.stack.url, request());
    expect(answer.status).toBe(status);
    expectNoPolicy(answer);
    await expectEdgeAlive();
  });
});

describe('reaches the edge: an answer in the error contract', () => {
  it.each<[string, number, string, () => string]>([
    [
      'an absolute-form target naming another host',
      400,
      'INVALID_REQUEST',
      () => presignRequest([], { target: 'http://evil.example/presign' }),
    ],
    ['an asterisk target', 400, 'INVALID_REQUEST', () => presignRequest([], { target: '*', method: 'OPTIONS' })],
    [
      'a chunked body with a valid token (no Content-Length)',
      200,
      '',
      () =>
        presignRequest(['Transfer-Encoding: chunked'], {
          contentLength: false,
          body: `${Buffer.byteLength(BODY).toString(16)}\r\n${BODY}\r\n0\r\n\r\n`,
        }),
    ],
    ['a request line without a version (read as HTTP/0.9, no token)', 401, 'UNAUTHORIZED', () => `POST /presign\r\nHost: ${host}\r\n\r\n`],
    [
      'an HTTP/1.0 request without a Host',
      401,
      'UNAUTHORIZED',
      () => `POST /presign HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(BODY)}\r\n\r\n${BODY}`,
    ],
    [
      'a duplicated Authorization, garbage first',
      401,
      'UNAUTHORIZED',
      () => presignRequest([]).replace('Authorization:', 'Authorization: Bearer garbage.garbage.garbage\r\nAuthorization:'),
    ],
  ])('%s → %i %s', async (_, status, code, request) => {
    const answer = await rawRequest(harness.stack.url, request());
    if (status === 200) {
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toHaveProperty('uploads');
    } else {
      expectRefused({ status: answer.status, headers: answer.headers, body: answer.body }, { status, code }, [session.accessToken]);
    }
    await expectEdgeAlive();
  });

  it('two pipelined requests on one connection, the second smuggled after the first body, are answered separately', async () => {
    const first = presignRequest([], { body: BODY }).replace('Connection: close\r\n', '');
    const second = `POST /presign HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(BODY)}\r\nConnection: close\r\n\r\n${BODY}`;
    const answer = await rawRequest(harness.stack.url, first + second);
    // Only the first answer is parsed; it is the signed form for the caller with the token.
    expect(answer.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const statuses = [...answer.raw.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
    // The second request, without a token, never rides on the first one's authorization.
    if (statuses.length > 1) expect(statuses[1]).toBe(401);
    await expectEdgeAlive();
  });

  it('CONNECT through the edge is not a proxy: the connection is refused or closed, never tunnelled', async () => {
    const answer = await rawRequest(harness.stack.url, `CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n`);
    expect(answer.status === 0 || (answer.status >= 400 && answer.status < 500)).toBe(true);
    expect(answer.raw).not.toMatch(/^HTTP\/1\.1 200/);
    await expectEdgeAlive();
  });
});

describe("the stack's own log", () => {
  it('holds none of the tokens this suite sent, nor anything shaped like a JWT', () => {
    const found = findSecrets(harness.logs.join('\n'), sessionSecrets(session, PASSWORD));
    expect(found).toEqual([]);
    expect(harness.logs.length).toBeGreaterThan(10);
  });
});
