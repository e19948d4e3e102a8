/**
 * State survives a restart: stop the stack, start it again on the same state
 * folder (on other ports), and the users, the objects and the mail are all
 * still there.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  errorCode,
  headObject,
  isRunning,
  logIn,
  mailbox,
  PASSWORD,
  pngBytes,
  postJson,
  presignOne,
  signUpAndLogIn,
  startTestStack,
  uploadFile,
  type TestStack,
} from './support/stack-harness';

jest.setTimeout(60_000);

let first: TestStack | undefined;
let second: TestStack | undefined;

afterAll(async () => {
  await first?.stop({ keepState: true });
  await second?.stop();
});

it('keeps users, objects and the mailbox across a restart', async () => {
  first = await startTestStack();
  const { stateDir } = first;
  const email = 'restart@example.com';
  const session = await signUpAndLogIn(first.stack, email);
  const content = pngBytes(2048);
  const upload = await presignOne(first.stack, session.accessToken, { name: 'kept.png', size: content.length, type: 'image/png' });
  expect((await uploadFile(first.stack, upload, content, { filename: 'kept.png' })).status).toBe(201);
  const mailBefore = await mailbox(first.stack, email);
  const pids = Object.values(first.stack.pids);
  await first.stop({ keepState: true });
  first = undefined;
  for (const pid of pids) expect(isRunning(pid)).toBe(false);

  // A stack killed mid-upload leaves a partial file behind; the next start clears it.
  const inFlight = join(stateDir, 'uploads-in-flight');
  mkdirSync(inFlight, { recursive: true });
  writeFileSync(join(inFlight, 'partial-upload'), Buffer.alloc(1024));

  second = await startTestStack({ stateDir });
  try {
    expect(existsSync(inFlight) ? readdirSync(inFlight) : []).toEqual([]);
    // The user is still there, confirmed, with the same password and the same sub.
    const again = await logIn(second.stack, email, PASSWORD);
    expect(again.sub).toBe(session.sub);
    expect(errorCode(await postJson(second.stack, '/auth/register', { email, password: PASSWORD }))).toBe('USER_EXISTS');

    // The object is still there, with its type and owner.
    const head = await headObject(second.stack, upload.key);
    expect(head?.ContentType).toBe('image/png');
    expect(head?.ContentLength).toBe(content.length);
    expect(head?.Metadata).toEqual({ userid: session.sub });

    // The mailbox kept its messages.
    expect(await mailbox(second.stack, email)).toEqual(mailBefore);

    // The new stack signs for its new address and accepts its own forms.
    const next = await presignOne(second.stack, again.accessToken, { name: 'next.png', size: 10, type: 'image/png' });
    expect(next.url).toBe(second.stack.uploadUrl);
    expect((await uploadFile(second.stack, next, pngBytes(10), { filename: 'next.png' })).status).toBe(201);
  } finally {
    await second.stop();
    second = undefined;
    rmSync(stateDir, { recursive: true, force: true });
  }
});
