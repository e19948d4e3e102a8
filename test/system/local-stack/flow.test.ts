/**
 * The whole flow of docs/http-api.md "Who answers which path", over HTTP through the local edge, as a
 * browser would do it: register → read the code from the mailbox → confirm →
 * login → presign → POST the file to the returned url with the returned
 * fields → the object is stored under the right key, with the right type and
 * metadata. Then the rest of the auth routes, the site, and the stack's
 * shutdown by PID.
 */
import {
  isRunning,
  mailbox,
  get,
  headObject,
  json,
  logIn,
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

let harness: TestStack;

beforeAll(async () => {
  harness = await startTestStack();
});

afterAll(async () => {
  await harness?.stop();
});

const KEY_PATTERN = /^uploads\/([0-9a-f-]{36})\/(\d{4})\/(\d{2})\/(\d{2})\/([0-9a-f-]{36})\/(.+)$/;

describe('register → mailbox → confirm → login → presign → upload', () => {
  const email = 'ann@example.com';

  it('delivers the confirmation code to the mailbox by the time register has answered', async () => {
    const { stack } = harness;
    const registered = await postJson(stack, '/auth/register', { email: 'Ann@Example.com', password: PASSWORD });
    expect(registered.status).toBe(201);
    expect(json(registered)).toEqual({ status: 'CONFIRMATION_REQUIRED', destination: 'a***@e***' });

    const messages = await mailbox(stack, email);
    expect(messages).toEqual([{ to: email, kind: 'confirm', code: expect.stringMatching(/^\d{6}$/), sentAt: expect.any(String) }]);
    expect(Date.parse(messages[0]?.sentAt ?? '')).not.toBeNaN();
    // Any case of the address reads the same mailbox.
    expect(await mailbox(stack, 'ANN@example.COM')).toEqual(messages);
  });

  it('confirms with the code, logs in, presigns, and the POST stores the object as the policy says', async () => {
    const { stack } = harness;
    const [message] = await mailbox(stack, email);
    const confirmed = await postJson(stack, '/auth/confirm', { email, code: message?.code });
    expect(confirmed.status).toBe(200);
    expect(json(confirmed)).toEqual({ status: 'CONFIRMED' });

    const session = await logIn(stack, email);
    expect(session.refreshCookie).toMatch(/^__Secure-edge_upload_refresh=.+/);

    const content = pngBytes(4321);
    const id = '0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
    const upload = await presignOne(stack, session.accessToken, { name: 'Holiday Photo.PNG', size: content.length, type: 'image/png', id });
    expect(upload.url).toBe(stack.uploadUrl);
    expect(upload.id).toBe(id);
    const [, sub, year, month, day, keyId, name] = KEY_PATTERN.exec(upload.key) ?? [];
    const today = new Date();
    expect({ sub, year, month, day, keyId, name }).toEqual({
      sub: session.sub,
      year: String(today.getUTCFullYear()),
      month: String(today.getUTCMonth() + 1).padStart(2, '0'),
      day: String(today.getUTCDate()).padStart(2, '0'),
      keyId: id,
      name: 'Holiday-Photo.png',
    });

    const posted = await uploadFile(stack, upload, content, { filename: 'Holiday Photo.PNG' });
    expect(posted.status).toBe(201);
    expect(posted.body).toContain(`<Key>${upload.key}</Key>`);
    expect(posted.headers['access-control-allow-origin']).toBe(stack.url);

    const head = await headObject(stack, upload.key);
    expect(head).toBeDefined();
    expect(head?.ContentType).toBe('image/png');
    expect(head?.ContentLength).toBe(content.length);
    expect(head?.Metadata).toEqual({ userid: session.sub });
    expect(head?.ServerSideEncryption).toBe('aws:kms');
    expect(head?.SSEKMSKeyId).toBe(upload.fields['x-amz-server-side-encryption-aws-kms-key-id']);
  });

  it('refreshes with the cookie only, then logs out and the refresh token is dead', async () => {
    const { stack } = harness;
    const session = await logIn(stack, email);
    const refreshed = await postJson(stack, '/auth/refresh', '', { Cookie: session.refreshCookie, 'Content-Type': 'application/json' });
    expect(refreshed.status).toBe(200);
    expect(json(refreshed)).toEqual({
      accessToken: expect.any(String),
      idToken: expect.any(String),
      expiresIn: expect.any(Number),
      tokenType: 'Bearer',
    });
    expect(refreshed.body).not.toContain(session.refreshCookie.split('=')[1]);

    const loggedOut = await postJson(stack, '/auth/logout', '', { Cookie: session.refreshCookie });
    expect(loggedOut.status).toBe(204);
    const again = await postJson(stack, '/auth/refresh', '', { Cookie: session.refreshCookie });
    expect(again.status).toBe(401);
    expect(json<{ error: { code: string } }>(again).error.code).toBe('INVALID_REFRESH');
  });

  it('forgot → a reset code after the confirm code, oldest first → reset → login with the new password', async () => {
    const { stack } = harness;
    const forgot = await postJson(stack, '/auth/forgot', { email });
    expect(forgot.status).toBe(200);
    const messages = await mailbox(stack, email);
    expect(messages.map((m) => m.kind)).toEqual(['confirm', 'reset']);
    expect(Date.parse(messages[1]?.sentAt ?? '')).toBeGreaterThanOrEqual(Date.parse(messages[0]?.sentAt ?? ''));

    const newPassword = 'Another-Horse-7-Battery';
    const reset = await postJson(stack, '/auth/reset', { email, code: messages[1]?.code, newPassword });
    expect(reset.status).toBe(200);
    expect(json(reset)).toEqual({ status: 'PASSWORD_RESET' });
    expect((await logIn(stack, email, newPassword)).accessToken).toMatch(/^eyJ/);
  });

  it('an unknown address has an empty mailbox, and forgot for it still answers SENT', async () => {
    const { stack } = harness;
    const forgot = await postJson(stack, '/auth/forgot', { email: 'nobody@example.com' });
    expect(forgot.status).toBe(200);
    expect(json(forgot)).toEqual({ status: 'SENT' });
    expect(await mailbox(stack, 'nobody@example.com')).toEqual([]);
  });

  it('resend delivers the code again to an unconfirmed user, and SENT (no mail) to anyone else', async () => {
    const { stack } = harness;
    const carol = 'carol@example.com';
    expect((await postJson(stack, '/auth/register', { email: carol, password: PASSWORD })).status).toBe(201);
    const resent = await postJson(stack, '/auth/resend', { email: carol });
    expect(resent.status).toBe(200);
    expect(json(resent)).toEqual({ status: 'SENT' });
    const messages = await mailbox(stack, carol);
    expect(messages.map((m) => m.kind)).toEqual(['confirm', 'confirm']);
    expect((await postJson(stack, '/auth/confirm', { email: carol, code: messages[1]?.code })).status).toBe(200);

    for (const email of [carol, 'nobody@example.com']) {
      const again = await postJson(stack, '/auth/resend', { email });
      expect(again.status).toBe(200);
      expect(json(again)).toEqual({ status: 'SENT' });
    }
    expect(await mailbox(stack, carol)).toHaveLength(2);
  });

  it('a second user gets their own key prefix', async () => {
    const { stack } = harness;
    const bob = await signUpAndLogIn(stack, 'bob@example.com');
    const upload = await presignOne(stack, bob.accessToken, { name: 'scan.pdf', size: 10, type: 'application/pdf' });
    expect(upload.key.startsWith(`uploads/${bob.sub}/`)).toBe(true);
    expect((await uploadFile(stack, upload, Buffer.alloc(10, 1), { filename: 'scan.pdf', type: 'application/pdf' })).status).toBe(201);
    expect((await headObject(stack, upload.key))?.ContentType).toBe('application/pdf');
  });
});

describe('the site behaviour', () => {
  it('serves the app shell for app routes, with the security headers of the distribution', async () => {
    const { stack } = harness;
    for (const route of ['/', '/app/upload', '/login?next=%2Fapp']) {
      const answer = await get(stack, route);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(answer.body).toContain('edge-upload');
      expect(answer.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['x-frame-options']).toBe('DENY');
      expect(answer.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
      const csp = String(answer.headers['content-security-policy']);
      expect(csp).toContain(`connect-src 'self' ${new URL(stack.uploadUrl).origin}`);
      expect(csp).toContain("frame-ancestors 'none'");
    }
  });

  it('adds the security headers to API answers and edge refusals too', async () => {
    const { stack } = harness;
    for (const answer of [
      await postJson(stack, '/auth/login', { email: 'x@example.com', password: 'nope' }),
      await get(stack, '/missing.js'),
    ]) {
      expect(answer.headers['x-frame-options']).toBe('DENY');
      expect(answer.headers['content-security-policy']).toBeDefined();
    }
  });

  it('a missing asset is 404 in the `{error:{code,message}}` shape', async () => {
    const answer = await get(harness.stack, '/assets/missing.js');
    expect(answer.status).toBe(404);
    expect(json(answer)).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });
});

describe('stopping', () => {
  it('stops every child process by PID', async () => {
    const extra = await startTestStack();
    const pids = Object.values(extra.stack.pids);
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) expect(isRunning(pid)).toBe(true);
    await extra.stop();
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
    await expect(get(extra.stack, '/')).rejects.toThrow();
  });
});
