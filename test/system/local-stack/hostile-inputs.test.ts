/**
 * The hostile inputs of docs/http-api.md, over HTTP through the local edge (with the
 * shipped firewall rules), and against the upload endpoint it hands out:
 * each refused with the right status and stable code, in the `{error:{code,message}}` shape,
 * never echoing a token or a password, and never storing an object.
 */
import { Readable } from 'node:stream';
import { send, type HttpAnswer } from '../../support/post-forms';
import {
  errorCode,
  get,
  headObject,
  json,
  PASSWORD,
  pngBytes,
  postJson,
  presign,
  presignOne,
  signUpAndLogIn,
  startTestStack,
  uploadFile,
  writeRulesFile,
  type Session,
  type TestStack,
} from './support/stack-harness';

jest.setTimeout(60_000);

let harness: TestStack;
let session: Session;

beforeAll(async () => {
  harness = await startTestStack();
  session = await signUpAndLogIn(harness.stack, 'mallory@example.com');
});

afterAll(async () => {
  await harness?.stop();
});

/** The `{error:{code,message}}` shape, and nothing in it that the request carried as a secret. */
function expectError(answer: HttpAnswer, status: number, code: string): void {
  expect({ status: answer.status, code: errorCode(answer) }).toEqual({ status, code });
  const body = json<{ error: Record<string, unknown> }>(answer);
  expect(Object.keys(body)).toEqual(['error']);
  expect(typeof body.error['message']).toBe('string');
  for (const secret of [session.accessToken, session.idToken, PASSWORD, session.refreshCookie.split('=')[1] ?? '']) {
    expect(answer.body).not.toContain(secret);
  }
  expect(answer.body).not.toMatch(/\bat .+\.(?:js|ts):\d+/); // no stack trace
}

const file = { name: 'holiday.png', size: 1000, type: 'image/png' };

describe('/auth/*', () => {
  it.each(['GET', 'PUT', 'DELETE', 'PATCH'])('%s → 405 METHOD_NOT_ALLOWED, Allow: POST', async (method) => {
    const answer = await send(`${harness.stack.url}/auth/login`, method, undefined, { Origin: harness.stack.url });
    expectError(answer, 405, 'METHOD_NOT_ALLOWED');
    expect(answer.headers['allow']).toBe('POST');
  });

  it('an unknown route → 404 NOT_FOUND', async () => {
    expectError(await postJson(harness.stack, '/auth/admin', {}), 404, 'NOT_FOUND');
  });

  it.each([
    ['a foreign Origin', { Origin: 'https://evil.example' }],
    ['Origin: null', { Origin: 'null' }],
    ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'Sec-Fetch-Site': 'same-site' }],
  ])('%s → 403 FORBIDDEN_ORIGIN', async (_, headers) => {
    expectError(
      await postJson(harness.stack, '/auth/login', { email: session.email, password: PASSWORD }, headers),
      403,
      'FORBIDDEN_ORIGIN',
    );
  });

  it('an Origin that matches the Host but is not the site origin passes the edge and is refused by the API', async () => {
    const { port } = new URL(harness.stack.url);
    const answer = await postJson(
      harness.stack,
      '/auth/login',
      { email: session.email, password: PASSWORD },
      { Origin: `http://localhost:${port}`, Host: `localhost:${port}` },
    );
    expectError(answer, 403, 'FORBIDDEN_ORIGIN');
    expect(answer.headers['x-cache']).toBe('Miss from cloudfront');
  });

  it.each([
    ['text/plain', { 'Content-Type': 'text/plain' }],
    ['form-encoded', { 'Content-Type': 'application/x-www-form-urlencoded' }],
  ])('a %s body → 415 UNSUPPORTED_MEDIA_TYPE', async (_, headers) => {
    expectError(
      await postJson(harness.stack, '/auth/register', { email: 'x@example.com', password: PASSWORD }, headers),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('a body over 4 KiB → 413 PAYLOAD_TOO_LARGE, with or without Content-Length', async () => {
    const big = { email: 'x@example.com', password: 'p'.repeat(5000) };
    expectError(await postJson(harness.stack, '/auth/register', big), 413, 'PAYLOAD_TOO_LARGE');
    const chunked = await send(`${harness.stack.url}/auth/register`, 'POST', Readable.from([Buffer.from(JSON.stringify(big))]), {
      'Content-Type': 'application/json',
      Origin: harness.stack.url,
    });
    expectError(chunked, 413, 'PAYLOAD_TOO_LARGE');
  });

  it.each([
    ['malformed JSON', '{"email": "x@example.com", '],
    ['an array', '[]'],
    ['a missing field', { email: 'x@example.com' }],
    ['an extra field', { email: 'x@example.com', password: PASSWORD, admin: true }],
    ['a __proto__ key', '{"email":"x@example.com","password":"Correct-Horse-9-Battery","__proto__":{"admin":true}}'],
    ['a bad email', { email: 'not-an-email', password: PASSWORD }],
  ])('register with %s → 400 INVALID_REQUEST', async (_, body) => {
    expectError(await postJson(harness.stack, '/auth/register', body), 400, 'INVALID_REQUEST');
  });

  it('a weak password → 400 INVALID_PASSWORD saying what the policy wants', async () => {
    const answer = await postJson(harness.stack, '/auth/register', { email: 'weak@example.com', password: 'short' });
    expectError(answer, 400, 'INVALID_PASSWORD');
    expect(json<{ error: { message: string } }>(answer).error.message).toMatch(/characters/);
  });

  it('registering an existing email → 409 USER_EXISTS', async () => {
    expectError(await postJson(harness.stack, '/auth/register', { email: session.email, password: PASSWORD }), 409, 'USER_EXISTS');
  });

  it('a wrong code → 400 CODE_MISMATCH', async () => {
    await postJson(harness.stack, '/auth/register', { email: 'wrongcode@example.com', password: PASSWORD });
    expectError(await postJson(harness.stack, '/auth/confirm', { email: 'wrongcode@example.com', code: '000000' }), 400, 'CODE_MISMATCH');
  });

  it('login before confirming → 403 USER_NOT_CONFIRMED', async () => {
    await postJson(harness.stack, '/auth/register', { email: 'unconfirmed@example.com', password: PASSWORD });
    expectError(
      await postJson(harness.stack, '/auth/login', { email: 'unconfirmed@example.com', password: PASSWORD }),
      403,
      'USER_NOT_CONFIRMED',
    );
  });

  it('a wrong password and an unknown user → the same 401 INVALID_CREDENTIALS', async () => {
    const wrong = await postJson(harness.stack, '/auth/login', { email: session.email, password: 'Wrong-Horse-9-Battery' });
    const unknown = await postJson(harness.stack, '/auth/login', { email: 'ghost@example.com', password: PASSWORD });
    expectError(wrong, 401, 'INVALID_CREDENTIALS');
    expectError(unknown, 401, 'INVALID_CREDENTIALS');
    expect(wrong.body).toBe(unknown.body);
  });

  it('refresh without a cookie, or with a forged one → 401 INVALID_REFRESH', async () => {
    expectError(await postJson(harness.stack, '/auth/refresh', ''), 401, 'INVALID_REFRESH');
    expectError(
      await postJson(harness.stack, '/auth/refresh', '', { Cookie: '__Secure-edge_upload_refresh=eyJhbGciOiJub25lIn0.e30.' }),
      401,
      'INVALID_REFRESH',
    );
  });

  it('two refresh cookies (one planted by a sibling subdomain) → 401 INVALID_REFRESH, ours cleared, the real one still works alone', async () => {
    const planted = '__Secure-edge_upload_refresh=eyJhbGciOiJub25lIn0.e30.';
    const answer = await postJson(harness.stack, '/auth/refresh', '', { Cookie: `${planted}; ${session.refreshCookie}` });
    expectError(answer, 401, 'INVALID_REFRESH');
    expect(String(answer.headers['set-cookie'])).toMatch(
      /^__Secure-edge_upload_refresh=; Max-Age=0;.*Path=\/auth; HttpOnly; Secure; SameSite=Strict$/,
    );
    // The same session's own cookie, sent alone, was not spent by the refusal.
    expect((await postJson(harness.stack, '/auth/refresh', '', { Cookie: session.refreshCookie })).status).toBe(200);
  });

  it('the refresh token never appears in a body; its cookie is HttpOnly, Secure, SameSite=Strict, Path=/auth', async () => {
    const answer = await postJson(harness.stack, '/auth/login', { email: session.email, password: PASSWORD });
    const cookie = String(answer.headers['set-cookie']);
    const token = cookie.split(';')[0]?.split('=')[1] ?? '';
    expect(token.length).toBeGreaterThan(20);
    expect(answer.body).not.toContain(token);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/auth/);
  });
});

describe('/presign', () => {
  it('no token → 401 UNAUTHORIZED with WWW-Authenticate: Bearer', async () => {
    const answer = await postJson(harness.stack, '/presign', { files: [file] });
    expectError(answer, 401, 'UNAUTHORIZED');
    expect(answer.headers['www-authenticate']).toBe('Bearer');
  });

  it.each([
    ['garbage', () => 'not-a-jwt'],
    ['the id token', () => session.idToken],
    ['a forged signature', () => session.accessToken.replace(/\.[^.]+$/, '.c2lnbmF0dXJl')],
    [
      'a changed payload',
      () => {
        const [header, payload, signature] = session.accessToken.split('.');
        const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
        return `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url')}.${signature}`;
      },
    ],
    [
      'alg: none',
      () => {
        const [, payload] = session.accessToken.split('.');
        return `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
      },
    ],
  ])('%s → 401 UNAUTHORIZED', async (_, token) => {
    expectError(await presign(harness.stack, token(), [file]), 401, 'UNAUTHORIZED');
  });

  it.each(['GET', 'PUT', 'DELETE'])('%s → 405 METHOD_NOT_ALLOWED', async (method) => {
    const answer = await send(`${harness.stack.url}/presign`, method, undefined, { Authorization: `Bearer ${session.accessToken}` });
    expectError(answer, 405, 'METHOD_NOT_ALLOWED');
    expect(answer.headers['allow']).toBe('POST');
  });

  it('a non-JSON content type → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    expectError(await presign(harness.stack, session.accessToken, [file], { 'Content-Type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it.each([
    ['malformed JSON', '{"files": ['],
    ['no files', []],
    ['eleven files', Array.from({ length: 11 }, (_, i) => ({ ...file, name: `f${i}.png` }))],
    ['a size that is not a number', [{ ...file, size: '1000' }]],
    ['a bad id', [{ ...file, id: 'not-a-uuid' }]],
  ])('%s → 400 INVALID_REQUEST', async (_, files) => {
    const answer =
      typeof files === 'string'
        ? await postJson(harness.stack, '/presign', files, { Authorization: `Bearer ${session.accessToken}` })
        : await presign(harness.stack, session.accessToken, files);
    expectError(answer, 400, 'INVALID_REQUEST');
  });

  it.each([
    ['a type that is not allowed', { name: 'run.exe', size: 10, type: 'application/x-msdownload' }, 415, 'UNSUPPORTED_TYPE'],
    ['an extension that does not match the type', { name: 'photo.png.exe', size: 10, type: 'image/png' }, 415, 'UNSUPPORTED_TYPE'],
    ['a file over the limit', { name: 'big.png', size: 10 * 1024 * 1024 + 1, type: 'image/png' }, 413, 'FILE_TOO_LARGE'],
    ['an empty file', { name: 'empty.png', size: 0, type: 'image/png' }, 400, 'EMPTY_FILE'],
    ['a name with nothing left', { name: '....png', size: 10, type: 'image/png' }, 400, 'INVALID_FILENAME'],
  ])('%s → %i %s, with the file index', async (_, bad, status, code) => {
    const answer = await presign(harness.stack, session.accessToken, [file, bad]);
    expectError(answer, status, code);
    expect(json<{ error: { file?: number } }>(answer).error.file).toBe(1);
  });

  it('a path that climbs or smuggles is refused at the edge (site-router) → 400', async () => {
    for (const route of ['/a/..%2f..%2fetc/passwd', '/%2e%2e/secret', '/x%00.js'])
      expectError(await get(harness.stack, route), 400, 'INVALID_REQUEST');
  });

  it('a body over the 8 KiB firewall limit on /presign → 403 REQUEST_BLOCKED', async () => {
    const many = Array.from({ length: 200 }, (_, i) => ({ ...file, name: `photo-${i}.png` }));
    expectError(await presign(harness.stack, session.accessToken, many), 403, 'REQUEST_BLOCKED');
  });
});

describe('the upload endpoint (the POST-policy guard, as S3)', () => {
  async function freshUpload(size = 100) {
    return presignOne(harness.stack, session.accessToken, { name: 'holiday.png', size, type: 'image/png' });
  }

  it.each([
    ['another key', (key: string) => ({ key: `${key}-other` })],
    ['another user', () => ({ 'x-amz-meta-userid': 'someone-else' })],
    ['another type', () => ({ 'Content-Type': 'image/gif' })],
    ['a forged signature', () => ({ 'X-Amz-Signature': '0'.repeat(64) })],
  ])('a form with %s is refused (403) and nothing is stored', async (_, change) => {
    const upload = await freshUpload();
    const answer = await uploadFile(harness.stack, upload, pngBytes(100), { fieldOverrides: change(upload.key) });
    expect(answer.status).toBe(403);
    expect(answer.body).toMatch(/<Code>(AccessDenied|SignatureDoesNotMatch)<\/Code>/);
    expect(await headObject(harness.stack, upload.key)).toBeUndefined();
    expect(await headObject(harness.stack, `${upload.key}-other`)).toBeUndefined();
  });

  it('a field the policy does not mention is refused and nothing is stored', async () => {
    const upload = await freshUpload();
    const answer = await uploadFile(harness.stack, upload, pngBytes(100), { extraFields: [['x-amz-meta-role', 'admin']] });
    expect(answer.status).toBe(403);
    expect(await headObject(harness.stack, upload.key)).toBeUndefined();
  });

  it('a file larger or smaller than declared is refused and nothing is stored', async () => {
    const upload = await freshUpload(100);
    const larger = await uploadFile(harness.stack, upload, pngBytes(101));
    expect(larger.status).toBe(400);
    expect(larger.body).toContain('<Code>EntityTooLarge</Code>');
    const smaller = await uploadFile(harness.stack, upload, pngBytes(99));
    expect(smaller.status).toBe(400);
    expect(smaller.body).toContain('<Code>EntityTooSmall</Code>');
    expect(await headObject(harness.stack, upload.key)).toBeUndefined();
  });

  it('a preflight from another origin is refused; from the site it is allowed', async () => {
    const preflight = (origin: string) =>
      send(harness.stack.uploadUrl, 'OPTIONS', undefined, { Origin: origin, 'Access-Control-Request-Method': 'POST' });
    expect((await preflight('https://evil.example')).status).toBe(403);
    const allowed = await preflight(harness.stack.url);
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe(harness.stack.url);
  });
});

describe('the mailbox', () => {
  it('refuses other methods (405) and a missing address (400)', async () => {
    expectError(await postJson(harness.stack, '/_local/mailbox?email=a@example.com', {}), 405, 'METHOD_NOT_ALLOWED');
    expectError(await get(harness.stack, '/_local/mailbox'), 400, 'INVALID_REQUEST');
  });
});

describe('a body cut short at the edge (body-size rule in count mode)', () => {
  let counting: TestStack;

  beforeAll(async () => {
    const rulesFile = writeRulesFile(
      harness.stateDir,
      'version: 1\nrules:\n  - name: body-size-api\n    type: body-size\n    priority: 0\n    action: count\n    maxBytes: 8192\n    paths: ["/auth/*", "/presign"]\n',
    );
    counting = await startTestStack({ firewallRulesFile: rulesFile });
  });

  afterAll(async () => {
    await counting?.stop();
  });

  it('a /presign body over 40 KB reaches the function truncated → 400 INVALID_REQUEST', async () => {
    const mine = await signUpAndLogIn(counting.stack, 'big@example.com');
    const files = Array.from({ length: 10 }, (_, i) => ({ ...file, name: `${'n'.repeat(5000)}-${i}.png` }));
    const answer = await presign(counting.stack, mine.accessToken, files);
    expect(answer.status).toBe(400);
    expect(errorCode(answer)).toBe('INVALID_REQUEST');
    expect(json<{ error: { message: string } }>(answer).error.message).toMatch(/cut short/);
    expect(counting.logs.some((line) => line.includes('"counted":["body-size-api"]'))).toBe(true);
  });
});
