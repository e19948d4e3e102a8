/**
 * The Cognito stand-in goes down (SIGKILL to cognito-local, by the PID the
 * stack reports). Every /auth route that needs Cognito answers 503
 * AUTH_UNAVAILABLE, in the `{error:{code,message}}` shape, within a second (docs/http-api.md: "Cognito
 * down or throttling: 503 AUTH_UNAVAILABLE"); while /presign keeps signing
 * forms for the tokens already issued, because the JWKS is baked into the
 * edge's config (docs/edge-config.md) and a valid token needs no call to the region;
 * and the forms still upload. Bad tokens are still refused. The stack still
 * stops cleanly afterwards.
 *
 * The stack runs as a process of its own, as `npm start` runs it. (Inside
 * Jest's module sandbox, Node's own socket errors come from another realm:
 * the AWS SDK fails `instanceof Error` on them and wraps them without their
 * `code`, so an outage would be seen as an unknown error. Outside Jest, as
 * on Lambda, the SDK passes them through and the API reads ECONNREFUSED.)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { HttpAnswer } from '../../support/post-forms';
import { errorCode, logIn, parse, postJson, presign, presignAll, register, upload, type Session } from './support/flow';
import { listKeys, readObject, sha256 } from './support/objects';
import { isRunning, removeBundles, startStackProcess, waitUntilGone, type StackProcess } from './support/processes';

jest.setTimeout(60_000);

/** Issue 7: Cognito down ⇒ 503 within a second. */
const AUTH_UNAVAILABLE_WITHIN_MS = 1000;
const PASSWORD = 'Correct-Horse-9-Battery';
const EMAIL = 'outage@example.com';

let stateDir: string;
let stack: StackProcess;
let session: Session;
let cognitoPid: number;

beforeAll(async () => {
  stateDir = mkdtempSync(path.join(tmpdir(), 'edge-upload-faults-cognito-'));
  stack = await startStackProcess({ stateDir, logFile: path.join(stateDir, 'stack.log') });
  await register(stack.info, EMAIL, PASSWORD);
  session = await logIn(stack.info, EMAIL, PASSWORD);
  cognitoPid = stack.info.pids['cognito-local'] ?? 0;
  if (cognitoPid === 0) throw new Error('the stack reports no cognito-local PID');
  process.kill(cognitoPid, 'SIGKILL');
  await waitUntilGone(cognitoPid);
});

afterAll(async () => {
  await stack?.stop();
  if (stateDir !== undefined) rmSync(stateDir, { recursive: true, force: true });
  removeBundles();
});

async function timed(request: () => Promise<HttpAnswer>): Promise<{ answer: HttpAnswer; ms: number }> {
  const started = performance.now();
  const answer = await request();
  return { answer, ms: performance.now() - started };
}

function expectUnavailable(answer: HttpAnswer, ms: number): void {
  expect({ status: answer.status, code: errorCode(answer) }).toEqual({ status: 503, code: 'AUTH_UNAVAILABLE' });
  expect(Object.keys(parse<object>(answer))).toEqual(['error']);
  expect(answer.body).not.toContain(session.refreshCookie.split('=')[1]);
  expect(answer.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|\bat .+\.(?:js|ts):\d+/);
  expect(ms).toBeLessThan(AUTH_UNAVAILABLE_WITHIN_MS);
}

describe('cognito-local killed', () => {
  it('is gone, and the rest of the stack is not', () => {
    expect(isRunning(cognitoPid)).toBe(false);
    expect(isRunning(stack.pid)).toBe(true);
  });

  it.each<[string, () => unknown, () => Record<string, string>]>([
    ['/auth/register', () => ({ email: 'newcomer@example.com', password: PASSWORD }), () => ({})],
    ['/auth/confirm', () => ({ email: EMAIL, code: '123456' }), () => ({})],
    ['/auth/login', () => ({ email: EMAIL, password: PASSWORD }), () => ({})],
    ['/auth/refresh', () => '', () => ({ Cookie: session.refreshCookie })],
    ['/auth/forgot', () => ({ email: EMAIL }), () => ({})],
    ['/auth/reset', () => ({ email: EMAIL, code: '123456', newPassword: 'Another-Horse-7-Battery' }), () => ({})],
  ])('%s → 503 AUTH_UNAVAILABLE within a second', async (route, body, headers) => {
    const { answer, ms } = await timed(() => postJson(stack.info, route, body(), headers()));
    expectUnavailable(answer, ms);
  });

  it('/auth/refresh keeps the refresh cookie (an outage is not a dead session: the browser may try again)', async () => {
    const { answer, ms } = await timed(() => postJson(stack.info, '/auth/refresh', '', { Cookie: session.refreshCookie }));
    expectUnavailable(answer, ms);
    expect(answer.headers['set-cookie']).toBeUndefined();
  });

  it('/auth/logout → 503 AUTH_UNAVAILABLE within a second, and the browser is still told to forget its refresh cookie', async () => {
    const { answer, ms } = await timed(() => postJson(stack.info, '/auth/logout', '', { Cookie: session.refreshCookie }));
    expectUnavailable(answer, ms);
    expect(String(answer.headers['set-cookie'])).toMatch(/^__Secure-edge_upload_refresh=; Max-Age=0;/);
  });

  it('/auth/resend is answered by the local stack itself (cognito-local has no ResendConfirmationCode), quickly and without a 5xx', async () => {
    const { answer, ms } = await timed(() => postJson(stack.info, '/auth/resend', { email: EMAIL }));
    expect(answer.status).toBe(200);
    expect(ms).toBeLessThan(AUTH_UNAVAILABLE_WITHIN_MS);
  });

  it('/presign keeps signing forms for the tokens already issued (the JWKS is baked in), and they upload', async () => {
    for (let i = 0; i < 20; i += 1) {
      expect((await presign(stack.info, session.accessToken, [{ name: `still-${i}.png`, size: 100, type: 'image/png' }])).status).toBe(200);
    }
    const content = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(92, 7)]);
    const [form] = await presignAll(stack.info, session.accessToken, [
      { name: 'during-outage.png', size: content.length, type: 'image/png' },
    ]);
    if (form === undefined) throw new Error('no form');
    expect((await upload(stack.info, form, content, 'image/png')).status).toBe(201);
    const store = {
      endpoint: stack.info.s3Endpoint,
      bucket: stack.info.bucket,
      region: stack.info.region,
      credentials: stack.info.credentials,
    };
    expect(await listKeys(store, `uploads/${session.sub}/`)).toEqual([form.key]);
    expect((await readObject(store, form.key)).sha256).toBe(sha256(content));
  });

  it('/presign still refuses what it always refused: the id token, a forged signature', async () => {
    const file = [{ name: 'a.png', size: 1, type: 'image/png' }];
    expect((await presign(stack.info, session.idToken, file)).status).toBe(401);
    expect((await presign(stack.info, session.accessToken.replace(/\.[^.]+$/, '.c2lnbmF0dXJl'), file)).status).toBe(401);
  });

  it('nothing answered 5xx but the 503s; each says why (the connection was refused) in the log, with no secret', () => {
    const lines = readFileSync(stack.logFile, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'));
    const statuses = lines
      .filter((line) => line.includes('"msg":"edge request"'))
      .map((line) => (JSON.parse(line) as { status: number }).status);
    expect(statuses.filter((status) => status >= 500 && status !== 503)).toEqual([]);
    const unavailable = lines.filter((line) => line.includes('"outcome":"AUTH_UNAVAILABLE"'));
    expect(unavailable.length).toBeGreaterThanOrEqual(8);
    for (const line of unavailable) {
      expect(line).toMatch(/"detail":"(?:ECONNREFUSED|ECONNRESET|TimeoutError)"/);
      expect(line).not.toContain(session.refreshCookie.split('=')[1]);
      expect(line).not.toContain(PASSWORD);
    }
  });

  it('the stack still stops cleanly, by its PID, with its Cognito child already gone', async () => {
    await stack.stop();
    expect(isRunning(stack.pid)).toBe(false);
  });
});
