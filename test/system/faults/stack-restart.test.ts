/**
 * The local stack restarted: no object, user, mail or session lost.
 *
 * test/system/local-stack/restart.test.ts stops the stack politely and starts it on
 * other ports. Here the stack runs as its own process, as `npm start` does,
 * and is first killed outright (SIGKILL to it and to its cognito-local, as a
 * power cut would: no shutdown code runs), then started again on the same
 * state folder and the same ports; then stopped politely and started once
 * more. After each start: every user can log in with their current password
 * (one changed it by reset), the unconfirmed one is still unconfirmed, every
 * object is there with the same bytes (SHA-256), type and owner, the mailbox
 * holds the same mail, and the sessions from before still work: the access
 * token at /presign, the refresh cookie at /auth/refresh.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { send } from '../../support/post-forms';
import {
  errorCode,
  logIn,
  mailCode,
  parse,
  postJson,
  presign,
  presignAll,
  register,
  upload,
  type Edge,
  type Session,
} from './support/flow';
import { listKeys, readObject, type StoreAddress, type StoredObject } from './support/objects';
import { isRunning, removeBundles, startStackProcess, waitUntilGone, type StackProcess } from './support/processes';

jest.setTimeout(120_000);

const PASSWORD = 'Correct-Horse-9-Battery';
const NEW_PASSWORD = 'Another-Horse-7-Battery';
const USERS = ['ada@example.com', 'bob@example.com', 'cyd@example.com'] as const;
const UNCONFIRMED = 'dee@example.com';
const TYPES = [
  ['png', 'image/png'],
  ['jpg', 'image/jpeg'],
  ['pdf', 'application/pdf'],
  ['gif', 'image/gif'],
] as const;

let stateDir: string;
let stack: StackProcess;
const passwords = new Map<string, string>();
const sessions = new Map<string, Session>();
let objectsBefore: StoredObject[] = [];
let mailBefore: Record<string, number> = {};

const store = (): StoreAddress => ({
  endpoint: stack.info.s3Endpoint,
  bucket: stack.info.bucket,
  region: stack.info.region,
  credentials: stack.info.credentials,
});

async function mailCounts(edge: Edge): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const email of [...USERS, UNCONFIRMED]) {
    const answer = await send(`${edge.url}/_local/mailbox?email=${encodeURIComponent(email)}`, 'GET', undefined);
    counts[email] = parse<{ messages: unknown[] }>(answer).messages.length;
  }
  return counts;
}

async function allObjects(): Promise<StoredObject[]> {
  const keys = await listKeys(store(), 'uploads/');
  return Promise.all(keys.map((key) => readObject(store(), key)));
}

beforeAll(async () => {
  stateDir = mkdtempSync(path.join(tmpdir(), 'edge-upload-faults-restart-'));
  stack = await startStackProcess({ stateDir, logFile: path.join(stateDir, 'stack.log') });
  const edge = stack.info;

  for (const email of USERS) {
    await register(edge, email, PASSWORD);
    passwords.set(email, PASSWORD);
  }
  await register(edge, UNCONFIRMED, PASSWORD, false);
  // One user changes their password before the crash.
  expect((await postJson(edge, '/auth/forgot', { email: 'bob@example.com' })).status).toBe(200);
  const reset = await postJson(edge, '/auth/reset', {
    email: 'bob@example.com',
    code: await mailCode(edge, 'bob@example.com', 'reset'),
    newPassword: NEW_PASSWORD,
  });
  expect(reset.status).toBe(200);
  passwords.set('bob@example.com', NEW_PASSWORD);

  // Four objects each, of different types and sizes up to 1 MiB.
  for (const email of USERS) {
    const session = await logIn(edge, email, passwords.get(email) ?? '');
    sessions.set(email, session);
    const files = TYPES.map(([extension, type], i) => ({
      name: `${email.split('@')[0]}-${i}.${extension}`,
      type,
      content: randomBytes(1 + Math.floor(Math.random() * 1024 * 1024)),
    }));
    const forms = await presignAll(
      edge,
      session.accessToken,
      files.map(({ name, type, content }) => ({ name, type, size: content.length })),
    );
    for (const [i, form] of forms.entries()) {
      const f = files[i];
      if (f === undefined) throw new Error('no file');
      expect((await upload(edge, form, f.content, f.type)).status).toBe(201);
    }
  }
  objectsBefore = await allObjects();
  mailBefore = await mailCounts(edge);
  expect(objectsBefore).toHaveLength(USERS.length * TYPES.length);
});

afterAll(async () => {
  await stack?.stop();
  if (stateDir !== undefined) rmSync(stateDir, { recursive: true, force: true });
  removeBundles();
});

async function expectNothingLost(): Promise<void> {
  const edge = stack.info;
  for (const email of USERS) {
    const session = await logIn(edge, email, passwords.get(email) ?? '');
    expect(session.sub).toBe(sessions.get(email)?.sub);
  }
  // The old password of the user who reset it stays refused; the unconfirmed user stays unconfirmed; no one is re-created.
  expect(errorCode(await postJson(edge, '/auth/login', { email: 'bob@example.com', password: PASSWORD }))).toBe('INVALID_CREDENTIALS');
  expect(errorCode(await postJson(edge, '/auth/login', { email: UNCONFIRMED, password: PASSWORD }))).toBe('USER_NOT_CONFIRMED');
  expect(errorCode(await postJson(edge, '/auth/register', { email: 'ada@example.com', password: PASSWORD }))).toBe('USER_EXISTS');

  expect(await allObjects()).toEqual(objectsBefore);
  expect(await mailCounts(edge)).toEqual(mailBefore);

  // The sessions from before the restart: same issuer (same Cognito port), same pool key.
  for (const email of USERS) {
    const session = sessions.get(email);
    if (session === undefined) throw new Error('no session');
    expect((await presign(edge, session.accessToken, [{ name: 'after.png', size: 10, type: 'image/png' }])).status).toBe(200);
    const refreshed = await postJson(edge, '/auth/refresh', '', { Cookie: session.refreshCookie });
    expect(refreshed.status).toBe(200);
  }
}

describe('the local stack restarted', () => {
  it('was holding what the test put in', () => {
    for (const object of objectsBefore) expect(object.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.values(mailBefore).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(USERS.length + 2);
  });

  it('after SIGKILL to the stack and to cognito-local, then a start on the same folder and ports: nothing lost', async () => {
    const cognitoPid = stack.info.pids['cognito-local'] ?? 0;
    const ports = stack.ports;
    await stack.kill('SIGKILL');
    process.kill(cognitoPid, 'SIGKILL');
    await waitUntilGone(cognitoPid);
    expect(isRunning(stack.pid)).toBe(false);

    stack = await startStackProcess({ stateDir, logFile: path.join(stateDir, 'stack.log'), ports });
    expect(stack.ports).toEqual(ports);
    await expectNothingLost();
  });

  it('after a polite stop (SIGTERM) and a start again: nothing lost', async () => {
    const ports = stack.ports;
    const cognitoPid = stack.info.pids['cognito-local'] ?? 0;
    await stack.stop();
    expect(isRunning(cognitoPid)).toBe(false);
    stack = await startStackProcess({ stateDir, logFile: path.join(stateDir, 'stack.log'), ports });
    await expectNothingLost();
  });
});
