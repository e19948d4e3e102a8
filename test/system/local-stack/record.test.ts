/**
 * `--record <dir>`: every event the local edge dispatches is written as a
 * fixture, sanitized: no token, cookie, code, password or email address is
 * left in any file, and each event has the same keys as the recorded AWS
 * events in test/fixtures (the value of a key may change, never the set).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadFixture } from '../../support/fixtures';
import { keyPaths } from '../../infra/local/support/key-paths';
import { get, logIn, mailbox, PASSWORD, postJson, presign, startTestStack, type Session, type TestStack } from './support/stack-harness';

jest.setTimeout(60_000);

let recordDir: string;
let harness: TestStack;
let session: Session;
let code: string;
const email = 'recorded@example.com';

beforeAll(async () => {
  recordDir = mkdtempSync(path.join(tmpdir(), 'edge-upload-record-'));
  harness = await startTestStack({ recordDir });
  const { stack } = harness;
  await postJson(stack, '/auth/register', { email, password: PASSWORD });
  code = (await mailbox(stack, email))[0]?.code ?? '';
  await postJson(stack, '/auth/confirm', { email, code });
  session = await logIn(stack, email);
  await postJson(stack, '/auth/refresh', '', { Cookie: session.refreshCookie });
  await presign(stack, session.accessToken, [{ name: 'holiday.png', size: 1000, type: 'image/png' }]);
  await get(stack, '/app/upload?from=test', { Cookie: 'theme=dark' });
  await harness.stop();
});

afterAll(async () => {
  rmSync(recordDir, { recursive: true, force: true });
});

interface Recorded {
  readonly kind: string;
  readonly file: string;
  readonly text: string;
  readonly event: unknown;
}

function recorded(kind: string): Recorded[] {
  return readdirSync(path.join(recordDir, kind))
    .sort()
    .map((file) => {
      const text = readFileSync(path.join(recordDir, kind, file), 'utf8');
      return { kind, file, text, event: JSON.parse(text) as unknown };
    });
}

const all = (): Recorded[] => [...recorded('lambda-edge'), ...recorded('cloudfront-functions'), ...recorded('api-gateway')];

it('writes one fixture per dispatched event, numbered in order, in the folders of test/fixtures', () => {
  expect(recorded('lambda-edge').map((r) => r.file)).toEqual([expect.stringMatching(/^\d{4}-presign-post-presign\.json$/)]);
  const functions = recorded('cloudfront-functions').map((r) => r.file.replace(/^\d{4}-/, ''));
  expect(functions).toEqual([
    'auth-guard-post-auth-register.json',
    'auth-guard-post-auth-confirm.json',
    'auth-guard-post-auth-login.json',
    'auth-guard-post-auth-refresh.json',
    'site-router-get-app-upload.json',
  ]);
  expect(recorded('api-gateway').map((r) => r.file.replace(/^\d{4}-/, ''))).toEqual([
    'auth-post-auth-register.json',
    'auth-post-auth-confirm.json',
    'auth-post-auth-login.json',
    'auth-post-auth-refresh.json',
  ]);
  const numbers = all()
    .map((r) => Number(r.file.slice(0, 4)))
    .sort((a, b) => a - b);
  expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
});

it('leaves no token, cookie, code, password or email address in any file', () => {
  const refreshToken = session.refreshCookie.split('=')[1] ?? '';
  for (const { file, text } of all()) {
    for (const secret of [session.accessToken, session.idToken, refreshToken, PASSWORD, email, code]) {
      expect({ file, leaked: text.includes(secret) }).toEqual({ file, leaked: false });
    }
    expect({ file, jwt: /eyJ[A-Za-z0-9_-]+\.eyJ/.test(text) }).toEqual({ file, jwt: false });
    const bodies = [...text.matchAll(/"data": "([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1] ?? '', 'base64').toString('utf8'));
    for (const body of bodies) for (const secret of [session.accessToken, PASSWORD, email]) expect(body).not.toContain(secret);
  }
});

it('replaces secrets with placeholders of the same kind', () => {
  const [presignEvent] = recorded('lambda-edge');
  expect(presignEvent?.text).toContain('"value": "Bearer REDACTED.REDACTED.REDACTED"');
  const [register, confirm] = recorded('api-gateway');
  expect(JSON.parse((register?.event as { body: string }).body)).toEqual({ email: 'user@example.com', password: 'Redacted-Password-0' });
  expect(JSON.parse((confirm?.event as { body: string }).body)).toEqual({ email: 'user@example.com', code: '000000' });
  const refresh = recorded('api-gateway')[3]?.event as { headers: Record<string, string> };
  expect(refresh.headers['Cookie']).toBe('__Secure-edge_upload_refresh=REDACTED');
});

it('keeps the key set of the recorded AWS events', () => {
  // Header, cookie and query names vary per request; everything else must match the real event exactly.
  const lambdaEdge = ['headers'];
  expect(keyPaths(recorded('lambda-edge')[0]?.event, lambdaEdge)).toEqual(
    keyPaths(loadFixture('lambda-edge/presign-one-file.json'), lambdaEdge),
  );

  const functions = ['headers', 'cookies', 'querystring'];
  const [register] = recorded('cloudfront-functions');
  expect(keyPaths(register?.event, functions)).toEqual(keyPaths(loadFixture('cloudfront-functions/auth-local-edge-login.json'), functions));
  const site = recorded('cloudfront-functions')[4];
  expect(keyPaths(site?.event, functions)).toEqual(keyPaths(loadFixture('cloudfront-functions/site-app-route.json'), functions));

  const apiGateway = ['headers', 'multiValueHeaders'];
  for (const event of recorded('api-gateway')) {
    expect({ file: event.file, keys: keyPaths(event.event, apiGateway) }).toEqual({
      file: event.file,
      keys: keyPaths(loadFixture('api-gateway/auth-login.json'), apiGateway),
    });
  }
});

it('records the headers the viewer sent, by name, and nothing else', () => {
  const [presignEvent] = recorded('lambda-edge');
  const headers = (presignEvent?.event as { Records: Array<{ cf: { request: { headers: Record<string, unknown> } } }> }).Records[0]?.cf
    .request.headers;
  // node:http adds Host and Connection; Connection is hop-by-hop and never reaches a function.
  expect(Object.keys(headers ?? {}).sort()).toEqual([
    'authorization',
    'content-length',
    'content-type',
    'host',
    'origin',
    'sec-fetch-site',
  ]);
});
