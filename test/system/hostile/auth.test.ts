/**
 * Hostile input to `/auth/*`, through the local edge (firewall, auth-guard
 * CloudFront Function, then the auth API on cognito-local) with the shipped
 * firewall rules: wrong methods and routes, cross-site requests, wrong
 * content types, oversized and malformed bodies, wrong types, injection in
 * emails and codes, weak passwords, forged refresh cookies, spoofed viewers.
 * Each gets its docs/http-api.md status and code, in the `{error:{code,message}}` shape, never a 5xx,
 * never a token, password or refresh token in the answer.
 */
import { Readable } from 'node:stream';
import { send, type HttpAnswer } from '../../support/post-forms';
import { PASSWORD, signUpAndLogIn, startTestStack, type Session, type TestStack } from '../local-stack/support/stack-harness';
import { expectRefused, freshViewerIp, hostileRequest, OMIT, type Headers, type RefusalExpectation } from './support/hostile-harness';
import { findSecrets, sessionSecrets } from './support/log-scan';

jest.setTimeout(60_000);

let harness: TestStack;
let session: Session;
const EMAIL = 'hostile-auth@example.com';
const UNCONFIRMED = 'hostile-unconfirmed@example.com';

beforeAll(async () => {
  harness = await startTestStack();
  session = await signUpAndLogIn(harness.stack, EMAIL);
  const registered = await hostileRequest(harness.stack, { path: '/auth/register', body: { email: UNCONFIRMED, password: PASSWORD } });
  if (registered.status !== 201) throw new Error(`register: ${registered.status} ${registered.body}`);
});

afterAll(async () => {
  await harness?.stop();
});

function secrets(): string[] {
  return [session.accessToken, session.idToken, session.refreshCookie.split('=')[1] ?? '', PASSWORD];
}

function auth(route: string, body: unknown, headers: Headers = {}, method = 'POST'): Promise<HttpAnswer> {
  return hostileRequest(harness.stack, { method, path: route, body, headers });
}

const INVALID: RefusalExpectation = { status: 400, code: 'INVALID_REQUEST' };
const FORBIDDEN: RefusalExpectation = { status: 403, code: 'FORBIDDEN_ORIGIN' };
const MEDIA: RefusalExpectation = { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' };
const WEAK: RefusalExpectation = { status: 400, code: 'INVALID_PASSWORD' };
const good = { email: 'newcomer@example.com', password: PASSWORD };

describe('wrong methods and routes', () => {
  it.each<[string, string]>([
    ['GET', '/auth/login'],
    ['PUT', '/auth/register'],
    ['DELETE', '/auth/logout'],
    ['PATCH', '/auth/refresh'],
    ['OPTIONS', '/auth/login'],
    ['GET', '/auth/confirm'],
    ['GET', '/auth/resend'],
    ['GET', '/auth/forgot'],
    ['GET', '/auth/reset'],
  ])('%s %s → 405 METHOD_NOT_ALLOWED, Allow: POST', async (method, route) => {
    expectRefused(await hostileRequest(harness.stack, { method, path: route }), { status: 405, code: 'METHOD_NOT_ALLOWED' }, secrets());
  });

  it('TRACE /auth/login (a method no CloudFront behaviour allows) → 405 METHOD_NOT_ALLOWED from the edge itself', async () => {
    const answer = await hostileRequest(harness.stack, { method: 'TRACE', path: '/auth/login' });
    // The edge names the behaviour's methods (CloudFront itself would answer 403); POST is among them.
    expectRefused(answer, { status: 405, code: 'METHOD_NOT_ALLOWED', allow: /\bPOST\b/ }, secrets());
  });

  it('HEAD /auth/login → 405 with no body', async () => {
    const answer = await hostileRequest(harness.stack, { method: 'HEAD', path: '/auth/login' });
    expect(answer.status).toBe(405);
    expect(answer.body).toBe('');
  });

  it.each(['/auth/admin', '/auth/LOGIN', '/auth/login/', '/auth//login', '/auth/%6cogin', '/auth/login%00', '/auth/'])(
    'POST %s → 404 NOT_FOUND',
    async (route) => {
      expectRefused(await auth(route, { email: EMAIL, password: PASSWORD }), { status: 404, code: 'NOT_FOUND' }, secrets());
    },
  );

  it.each(['/auth/../presign', '/auth/%2e%2e/presign'])(
    'POST %s reaches the presign behaviour (CloudFront removes dot segments first) and is refused there',
    async (route) => {
      const answer = await auth(route, { email: EMAIL, password: PASSWORD });
      expect(answer.headers['x-cache']).toBe('LambdaGeneratedResponse from cloudfront');
      // No token: 401 UNAUTHORIZED. The function sees the raw URI, so a function that
      // also checks its own path answers 404 NOT_FOUND instead; both refuse it.
      const code = (JSON.parse(answer.body) as { error?: { code?: string } }).error?.code;
      expect([`${answer.status} ${code}`]).toEqual([expect.stringMatching(/^(401 UNAUTHORIZED|404 NOT_FOUND)$/)]);
      for (const secret of secrets()) expect(answer.body).not.toContain(secret);
    },
  );
});

describe('cross-site requests', () => {
  const site = () => new URL(harness.stack.url);
  it.each<[string, () => Headers]>([
    ['a foreign Origin', () => ({ Origin: 'https://evil.example' })],
    ['Origin: null', () => ({ Origin: 'null' })],
    ['the site on another port', () => ({ Origin: `http://127.0.0.1:${Number(site().port) + 1}` })],
    ['the site over https', () => ({ Origin: `https://${site().host}` })],
    ['the site origin with a path', () => ({ Origin: `${harness.stack.url}/evil` })],
    ['the site origin with a trailing slash', () => ({ Origin: `${harness.stack.url}/` })],
    ['the site origin with user info', () => ({ Origin: `http://user@${site().host}` })],
    ['a sibling-looking host', () => ({ Origin: `http://127.0.0.1.evil.example:${site().port}` })],
    ['Sec-Fetch-Site: cross-site', () => ({ 'Sec-Fetch-Site': 'cross-site' })],
    ['Sec-Fetch-Site: same-site', () => ({ 'Sec-Fetch-Site': 'same-site' })],
    ['Sec-Fetch-Site: none', () => ({ 'Sec-Fetch-Site': 'none' })],
    ['a foreign Origin claiming same-origin', () => ({ Origin: 'https://evil.example', 'Sec-Fetch-Site': 'same-origin' })],
    ['a spoofed Host matching a foreign Origin', () => ({ Origin: 'http://evil.example', Host: 'evil.example' })],
  ])('login with %s → 403 FORBIDDEN_ORIGIN', async (_, headers) => {
    expectRefused(await auth('/auth/login', { email: EMAIL, password: PASSWORD }, headers()), FORBIDDEN, secrets());
  });

  it('refresh from a foreign Origin → 403, the cookie is neither used nor echoed', async () => {
    const answer = await auth('/auth/refresh', undefined, { Origin: 'https://evil.example', Cookie: session.refreshCookie });
    expectRefused(answer, FORBIDDEN, secrets());
    expect(answer.headers['set-cookie']).toBeUndefined();
  });
});

describe('content types and sizes', () => {
  it.each<[string, Headers]>([
    ['no Content-Type', { 'Content-Type': OMIT }],
    ['text/plain', { 'Content-Type': 'text/plain' }],
    ['form-encoded', { 'Content-Type': 'application/x-www-form-urlencoded' }],
    ['multipart', { 'Content-Type': 'multipart/form-data; boundary=x' }],
    ['application/jsonx', { 'Content-Type': 'application/jsonx' }],
    ['JSON in latin1', { 'Content-Type': 'application/json; charset=latin1' }],
  ])('register with %s → 415 UNSUPPORTED_MEDIA_TYPE', async (_, headers) => {
    expectRefused(await auth('/auth/register', good, headers), MEDIA, secrets());
  });

  it('a body of 4 KiB + 1 → 413 PAYLOAD_TOO_LARGE (auth-guard, from Content-Length)', async () => {
    const body = JSON.stringify({ email: EMAIL, password: PASSWORD, pad: '' });
    const padded = body.replace('"pad":""', `"pad":"${'p'.repeat(4097 - body.length)}"`);
    expect(Buffer.byteLength(padded)).toBe(4097);
    expectRefused(await auth('/auth/login', padded), { status: 413, code: 'PAYLOAD_TOO_LARGE' }, secrets());
  });

  it('a 5 KiB body sent chunked (no Content-Length) → 413 PAYLOAD_TOO_LARGE (the auth API)', async () => {
    const answer = await send(
      `${harness.stack.url}/auth/login`,
      'POST',
      Readable.from([Buffer.from(JSON.stringify({ email: EMAIL, password: 'p'.repeat(5000) }))]),
      {
        'Content-Type': 'application/json',
        Origin: harness.stack.url,
        'X-Forwarded-For': freshViewerIp(),
      },
    );
    expectRefused(answer, { status: 413, code: 'PAYLOAD_TOO_LARGE' }, secrets());
  });

  it.each<[string, number]>([
    ['just over the 8 KiB firewall limit', 8193],
    ['1 MiB', 1024 * 1024],
  ])('a body %s → 403 REQUEST_BLOCKED (firewall body-size rule)', async (_, size) => {
    expectRefused(await auth('/auth/login', `{"email":"${'a'.repeat(size)}"}`), { status: 403, code: 'REQUEST_BLOCKED' }, secrets());
  });
});

describe('malformed JSON', () => {
  it.each<[string, string | Buffer]>([
    ['a cut-off object', '{"email":"a@example.com","password":'],
    ['an empty body', ''],
    ['whitespace', '   '],
    ['null', 'null'],
    ['an array', `[${JSON.stringify(good)}]`],
    ['a string', '"a@example.com"'],
    ['a number', '7'],
    ['single quotes', "{'email':'a@example.com','password':'x'}"],
    ['a trailing comma', '{"email":"a@example.com","password":"Correct-Horse-9-Battery",}'],
    ['two documents', `${JSON.stringify(good)}${JSON.stringify(good)}`],
    ['arrays nested 2,000 deep (under the 4 KiB limit)', `{"email":${'['.repeat(2000)}${']'.repeat(2000)},"password":"x"}`],
    ['a __proto__ key', '{"email":"a@example.com","password":"Correct-Horse-9-Battery","__proto__":{"admin":true}}'],
    ['a constructor key', '{"email":"a@example.com","password":"Correct-Horse-9-Battery","constructor":{"prototype":{"admin":true}}}'],
    ['UTF-16 text', Buffer.from(JSON.stringify(good), 'utf16le')],
    [
      'bytes that are not UTF-8',
      Buffer.concat([Buffer.from('{"email":"'), Buffer.from([0xff, 0xfe, 0xc0, 0xaf]), Buffer.from('@example.com","password":"x"}')]),
    ],
  ])('register with %s → 400 INVALID_REQUEST', async (_, body) => {
    expectRefused(await auth('/auth/register', body), INVALID, secrets());
  });
});

describe('wrong types and fields', () => {
  it.each<[string, string, unknown]>([
    ['register', 'a numeric email', { email: 42, password: PASSWORD }],
    ['register', 'an email in an array', { email: ['a@example.com'], password: PASSWORD }],
    ['register', 'a null email', { email: null, password: PASSWORD }],
    ['register', 'a numeric password', { email: 'a@example.com', password: 123456789012 }],
    ['register', 'a password object', { email: 'a@example.com', password: { $ne: '' } }],
    ['register', 'no password', { email: 'a@example.com' }],
    ['register', 'an extra field', { email: 'a@example.com', password: PASSWORD, role: 'admin' }],
    ['register', 'a password of 257 characters', { email: 'a@example.com', password: `Aa1!${'x'.repeat(253)}` }],
    ['login', 'an empty password', { email: EMAIL, password: '' }],
    ['login', 'a NoSQL operator for a password', { email: EMAIL, password: { $gt: '' } }],
    ['confirm', 'a numeric code', { email: EMAIL, code: 123456 }],
    ['confirm', 'a code with letters', { email: EMAIL, code: 'abcdef' }],
    ['confirm', 'a 7-digit code', { email: EMAIL, code: '1234567' }],
    ['confirm', 'a code with a CRLF', { email: EMAIL, code: '123\r\n456' }],
    ['resend', 'no email', {}],
    ['forgot', 'an extra field', { email: EMAIL, admin: true }],
    ['reset', 'no newPassword', { email: EMAIL, code: '123456' }],
    ['reset', 'a code as an array', { email: EMAIL, code: ['123456'], newPassword: PASSWORD }],
  ])('%s with %s → 400 INVALID_REQUEST', async (route, _, body) => {
    expectRefused(await auth(`/auth/${route}`, body), INVALID, secrets());
  });
});

describe('emails that try something', () => {
  it.each<[string, string]>([
    ['a CRLF and a Bcc header', 'ann@example.com\r\nBcc: all@evil.example'],
    ['a NUL', 'ann@example.com\u0000.evil.example'],
    ['SQL', "' OR '1'='1@example.com"],
    ['a Cyrillic homoglyph', 'аnn@example.com'],
    ['a bidi override', 'ann\u202E@example.com'],
    ['two @', 'ann@evil.example@example.com'],
    ['a display name', 'Ann <ann@example.com>'],
    ['an IP literal domain', 'ann@[127.0.0.1]'],
    ['300 characters', `${'a'.repeat(64)}@${'b'.repeat(230)}.com`],
    ['a dotless domain', 'ann@localhost'],
  ])('register with %s → 400 INVALID_REQUEST', async (_, email) => {
    expectRefused(await auth('/auth/register', { email, password: PASSWORD }), INVALID, secrets());
  });
});

describe('weak passwords', () => {
  it.each<[string, string]>([
    ['too short', 'Sh0rt!'],
    ['no upper case', 'correct-horse-9-battery'],
    ['no lower case', 'CORRECT-HORSE-9-BATTERY'],
    ['no digit', 'Correct-Horse-Nine-Battery'],
    ['no symbol', 'CorrectHorse9Battery'],
    ['a leading space', ' Correct-Horse-9-Battery'],
  ])('register with a password %s → 400 INVALID_PASSWORD', async (_, password) => {
    const answer = await auth('/auth/register', { email: 'weak@example.com', password });
    expectRefused(answer, WEAK, [...secrets(), password]);
  });

  it('reset with a weak new password → 400 INVALID_PASSWORD', async () => {
    expectRefused(await auth('/auth/reset', { email: EMAIL, code: '123456', newPassword: 'weak' }), WEAK, secrets());
  });
});

describe('credentials, codes and sessions that are not right', () => {
  it.each<[string, () => unknown]>([
    ['a wrong password', () => ({ email: EMAIL, password: 'Wrong-Horse-9-Battery' })],
    ['an unknown user', () => ({ email: 'ghost@example.com', password: PASSWORD })],
    ['an injection for a password', () => ({ email: EMAIL, password: "' OR '1'='1" })],
    ['the password with a NUL appended', () => ({ email: EMAIL, password: `${PASSWORD}\u0000` })],
  ])('login with %s → 401 INVALID_CREDENTIALS', async (_, body) => {
    expectRefused(await auth('/auth/login', body()), { status: 401, code: 'INVALID_CREDENTIALS' }, secrets());
  });

  it('login before confirming → 403 USER_NOT_CONFIRMED', async () => {
    expectRefused(
      await auth('/auth/login', { email: UNCONFIRMED, password: PASSWORD }),
      { status: 403, code: 'USER_NOT_CONFIRMED' },
      secrets(),
    );
  });

  it.each<[string, string]>([
    ['an existing address', EMAIL],
    ['an existing address in other case and spaces', `  ${EMAIL.toUpperCase()} `],
  ])('register with %s → 409 USER_EXISTS', async (_, email) => {
    expectRefused(await auth('/auth/register', { email, password: PASSWORD }), { status: 409, code: 'USER_EXISTS' }, secrets());
  });

  it.each<[string, string]>([
    ['a wrong code', UNCONFIRMED],
    ['an unknown address', 'nobody@example.com'],
  ])('confirm with %s → 400 CODE_MISMATCH', async (_, email) => {
    expectRefused(await auth('/auth/confirm', { email, code: '000000' }), { status: 400, code: 'CODE_MISMATCH' }, secrets());
  });

  it('reset with a code never sent → 400 CODE_MISMATCH', async () => {
    expectRefused(
      await auth('/auth/reset', { email: 'nobody@example.com', code: '000000', newPassword: PASSWORD }),
      { status: 400, code: 'CODE_MISMATCH' },
      secrets(),
    );
  });

  it.each<[string, () => string | undefined]>([
    ['no cookie', () => undefined],
    ['a forged JWT-shaped cookie', () => '__Secure-edge_upload_refresh=eyJhbGciOiJub25lIn0.e30.'],
    ['the access token as the cookie', () => `__Secure-edge_upload_refresh=${session.accessToken}`],
    ['3 KiB of junk', () => `__Secure-edge_upload_refresh=${'x'.repeat(3072)}`],
    ['the cookie under another name', () => `refresh=${session.refreshCookie.split('=')[1] ?? ''}`],
    ['a cookie with a CR in it', () => '__Secure-edge_upload_refresh=abc%0D%0ASet-Cookie:%20x=y'],
  ])('refresh with %s → 401 INVALID_REFRESH', async (_, cookie) => {
    const value = cookie();
    const answer = await auth('/auth/refresh', undefined, value === undefined ? {} : { Cookie: value });
    expectRefused(answer, { status: 401, code: 'INVALID_REFRESH' }, secrets());
  });
});

describe('spoofed viewers (the firewall)', () => {
  it('a viewer from a denied country → 403 REQUEST_BLOCKED', async () => {
    expectRefused(
      await auth('/auth/login', { email: EMAIL, password: PASSWORD }, { 'CloudFront-Viewer-Country': 'IR' }),
      { status: 403, code: 'REQUEST_BLOCKED' },
      secrets(),
    );
  });

  it('the 101st auth request from one viewer within 5 minutes → 429 TOO_MANY_REQUESTS', async () => {
    const ip = freshViewerIp();
    for (let i = 0; i < 100; i += 1) {
      const answer = await auth('/auth/login', '{', { 'X-Forwarded-For': ip });
      expect(answer.status).toBe(400);
    }
    expectRefused(
      await auth('/auth/login', { email: EMAIL, password: PASSWORD }, { 'X-Forwarded-For': ip }),
      { status: 429, code: 'TOO_MANY_REQUESTS' },
      secrets(),
    );
    // Another viewer is not affected.
    expect((await auth('/auth/login', '{')).status).toBe(400);
  });
});

describe("the stack's own log", () => {
  it('holds none of the tokens this suite sent, nor anything shaped like a JWT', () => {
    const found = findSecrets(harness.logs.join('\n'), sessionSecrets(session, PASSWORD));
    expect(found).toEqual([]);
    expect(harness.logs.length).toBeGreaterThan(100);
  });
});
