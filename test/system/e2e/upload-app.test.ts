/**
 * The web app end to end: Debian's headless Chromium against a whole local
 * stack (local edge with the real CloudFront Functions, presign bundle and
 * auth handler; cognito-local; s3rver behind the POST-policy guard), started
 * on free ports in a temp folder and stopped by PID.
 *
 * Each test has its own browser context and user. Screenshots of every screen
 * go to test-results/screenshots/. After each test: no CSP violation, no
 * uncaught error, no request off this machine.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Browser, FileChooser, Page, Request } from 'playwright-core';
import { headObject, pngBytes, s3Client, signUpAndLogIn, startTestStack, type TestStack } from '../local-stack/support/stack-harness';
import {
  chooseFiles,
  dropFiles,
  emailInput,
  heading,
  newEmail,
  newestCode,
  PASSWORD,
  passwordInput,
  signUpInPage,
  uploadRow,
  waitForState,
} from './support/app-flows';
import { expectCleanPage, launchChromium, layoutShift, openPage, screenshot, type WatchedPage } from './support/browser';

const MiB = 1024 * 1024;
const UUID_V4 = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';

let stackUnderTest: TestStack;
let browser: Browser;
let watched: WatchedPage | undefined;

beforeAll(async () => {
  stackUnderTest = await startTestStack();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stackUnderTest?.stop();
});

afterEach(async () => {
  const current = watched;
  watched = undefined;
  if (current === undefined) return;
  await current.close();
  expectCleanPage(current);
});

/** Polls from the test side (a waitForFunction predicate would be an eval, which the page's CSP refuses). */
async function until(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function stack() {
  return stackUnderTest.stack;
}

async function newPage(options: { viewport?: { width: number; height: number } } = {}): Promise<Page> {
  watched = await openPage(browser, options);
  return watched.page;
}

/** The JSON bodies the page sent to /presign. */
function presignBodies(page: Page): Array<{ files: Array<{ name: string; size: number; type: string; id: string }> }> {
  const bodies: Array<{ files: Array<{ name: string; size: number; type: string; id: string }> }> = [];
  page.on('request', (request: Request) => {
    if (new URL(request.url()).pathname === '/presign' && request.method() === 'POST') bodies.push(request.postDataJSON());
  });
  return bodies;
}

async function objectsUnder(prefix: string): Promise<string[]> {
  const client = s3Client(stack());
  try {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: stack().bucket, Prefix: prefix }));
    return (listed.Contents ?? []).map((object) => object.Key ?? '');
  } finally {
    client.destroy();
  }
}

function userPrefix(key: string): string {
  const sub = /^uploads\/([^/]+)\//.exec(key)?.[1];
  if (sub === undefined) throw new Error(`not an upload key: ${key}`);
  return `uploads/${sub}/`;
}

async function finishedKey(page: Page, name: string): Promise<string> {
  // The upload row carries its object key once it is sent.
  return (await uploadRow(page, name).getAttribute('data-key')) ?? '';
}

function guardAnswers(key: string): number[] {
  return stackUnderTest.logs
    .filter((line) => line.includes('"guard request"'))
    .map((line) => JSON.parse(line) as { status: number; key?: string })
    .filter((entry) => entry.key === key)
    .map((entry) => entry.status);
}

describe('an account, from sign-up to upload', () => {
  it('signs up with the policy shown as it is typed, confirms with the mailed code, logs in by keyboard, uploads, survives a reload, logs out', async () => {
    const page = await newPage();
    const email = newEmail('ann');
    const presigned = presignBodies(page);

    await page.goto(`${stack().url}/register`);
    await heading(page, 'Create an account').waitFor();
    expect(await page.title()).toBe('Create an account · edge-upload');
    await emailInput(page).fill(email);
    await passwordInput(page).fill('abc');
    // The policy, ticked off as the person types.
    expect(await page.locator('.rule').count()).toBe(5);
    expect(await page.locator('.rule.is-met').allTextContents()).toEqual(['Done: a lowercase letter (a-z)']);
    await screenshot(page, '01-register');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('#main').getByText('The password does not meet every requirement listed above yet.').waitFor();
    await passwordInput(page).fill(PASSWORD);
    expect(await page.locator('.rule:not(.is-met)').count()).toBe(0);
    await page.getByRole('button', { name: 'Create account' }).click();

    await heading(page, 'Confirm your email').waitFor();
    expect(await emailInput(page).inputValue()).toBe(email);
    await page.getByRole('button', { name: 'Send a new code' }).click();
    await page.locator('#main').getByText('a new code is on its way').waitFor();
    await page.getByRole('button', { name: /Send a new code \(\d+ s\)/ }).waitFor();
    await page.getByLabel('Code').fill('000000');
    await page.getByRole('button', { name: 'Confirm email' }).click();
    await page.locator('#main').getByText('That code is not right').waitFor();
    await screenshot(page, '02-confirm');
    await page.getByLabel('Code').fill(await newestCode(stack(), email, 'confirm'));
    await page.getByRole('button', { name: 'Confirm email' }).click();

    await heading(page, 'Log in').waitFor();
    await page.locator('#main').getByText('Your email is confirmed. Log in to continue.').waitFor();
    await screenshot(page, '03-login');
    // Keyboard only: the email is filled in; Tab to the password, type, Enter.
    await emailInput(page).focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.name')).toBe('password');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');

    await heading(page, 'Upload files').waitFor();
    await page.getByText(`Signed in as ${email}`).waitFor();
    const content = pngBytes(150_000);
    // The picker, by keyboard: focus "Choose files", press Enter, the system file chooser opens.
    const chooser = await openChooserByKeyboard(page);
    expect(chooser.isMultiple()).toBe(true);
    await chooser.setFiles([{ name: 'holiday.png', mimeType: 'image/png', buffer: content }]);
    await waitForState(page, 'holiday.png', 'done');
    await page.getByText('1 of 1 sent').waitFor();
    await screenshot(page, '04-upload');

    // The object in S3: the key the edge chose for the id the page sent, the type, the owner, KMS.
    expect(presigned).toHaveLength(1);
    const sent = presigned[0]?.files[0];
    expect(sent).toEqual({
      name: 'holiday.png',
      size: content.length,
      type: 'image/png',
      id: expect.stringMatching(new RegExp(`^${UUID_V4}$`)),
      md5: expect.stringMatching(/^[A-Za-z0-9+/]{22}==$/),
    });
    const key = await finishedKey(page, 'holiday.png');
    const parts = new RegExp(`^uploads/(${UUID_V4})/(\\d{4})/(\\d{2})/(\\d{2})/(${UUID_V4})/holiday\\.png$`).exec(key);
    expect(parts).not.toBeNull();
    expect(parts?.[5]).toBe(sent?.id);
    const head = await headObject(stack(), key);
    expect(head).toMatchObject({
      ContentType: 'image/png',
      ContentLength: content.length,
      ServerSideEncryption: 'aws:kms',
      Metadata: { userid: parts?.[1] },
    });

    // The access token lived in memory only; the refresh cookie brings the session back.
    expect(
      await page.evaluate('JSON.stringify(Object.keys(localStorage)) + JSON.stringify(Object.keys(sessionStorage)) + document.cookie'),
    ).toBe('[][]');
    await page.reload();
    await heading(page, 'Upload files').waitFor();
    await page.getByText(`Signed in as ${email}`).waitFor();

    await page.getByRole('button', { name: 'Log out' }).click();
    await heading(page, 'Log in').waitFor();
    await page.locator('#main').getByText('You have logged out.').waitFor();
    await page.goto(`${stack().url}/upload`);
    await heading(page, 'Log in').waitFor();
  });

  it('forgot password → reset with the mailed code → log in with the new password', async () => {
    const email = newEmail('bea');
    await signUpAndLogIn(stack(), email);
    const page = await newPage();
    await page.goto(`${stack().url}/login`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await heading(page, 'Reset your password').waitFor();
    await emailInput(page).fill(email);
    await screenshot(page, '05-forgot');
    await page.getByRole('button', { name: 'Send reset code' }).click();

    await heading(page, 'Choose a new password').waitFor();
    await page.locator('#main').getByText(`If an account exists for ${email}, we sent it a 6-digit code.`).waitFor();
    const newPassword = 'Another-Horse-7-Battery';
    await page.getByLabel('Code').fill(await newestCode(stack(), email, 'reset'));
    await passwordInput(page, 'New password').fill(newPassword);
    await screenshot(page, '06-reset');
    await page.getByRole('button', { name: 'Set new password' }).click();

    await heading(page, 'Log in').waitFor();
    await page.locator('#main').getByText('Your password has been changed.').waitFor();
    await passwordInput(page).fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#main').getByText('The email or password is not right.').waitFor();
    await passwordInput(page).fill(newPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    await heading(page, 'Upload files').waitFor();
  });
});

describe('checks in the browser, before any request', () => {
  it('refuses a type that is not allowed and a file over its limit, with the reason, and sends nothing', async () => {
    const page = await newPage();
    await signUpInPage(page, stack(), newEmail('cy'));
    const presigned = presignBodies(page);
    await chooseFiles(page, [
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') },
      { name: 'huge.png', mimeType: 'image/png', buffer: pngBytes(11 * MiB) },
    ]);
    await waitForState(page, 'notes.txt', 'rejected');
    await waitForState(page, 'huge.png', 'rejected');
    expect(await uploadRow(page, 'notes.txt').locator('.upload-status').textContent()).toBe(
      'notes.txt: this kind of file cannot be uploaded. Pick one of the kinds listed under "Choose files".',
    );
    expect(await uploadRow(page, 'huge.png').locator('.upload-status').textContent()).toBe(
      'huge.png is 11 MB; PNG images can be up to 10 MB. Make it smaller, or pick another file.',
    );
    await page
      .locator('#announcer')
      .getByText(/0 files added\. Refused: notes\.txt.*Refused: huge\.png/)
      .waitFor();
    await screenshot(page, '07-refused');
    expect(presigned).toHaveLength(0);
    // Nothing sent to the bucket: the only requests there are "your files" listing what is already stored.
    const toBucket = watched?.requests.filter((url) => url.startsWith(stack().uploadUrl)) ?? [];
    expect(toBucket.filter((url) => !new URL(url).searchParams.has('list-type'))).toEqual([]);
    // Removing a refused file keeps keyboard focus on the list.
    await uploadRow(page, 'notes.txt').getByRole('button', { name: 'Remove notes.txt from the list' }).click();
    expect(await page.locator('li.upload').count()).toBe(1);
    expect(await page.evaluate('document.activeElement.getAttribute("aria-label")')).toBe('Remove huge.png from the list');
  });

  it('takes files dropped on the page', async () => {
    const page = await newPage();
    await signUpInPage(page, stack(), newEmail('dee'));
    await dropFiles(page, [{ name: 'dropped.png', type: 'image/png', text: 'not really a png, but S3 does not look' }]);
    await waitForState(page, 'dropped.png', 'done');
    const head = await headObject(stack(), await finishedKey(page, 'dropped.png'));
    expect(head).toMatchObject({ ContentType: 'image/png', ContentLength: 'not really a png, but S3 does not look'.length });
  });
});

describe('cancel and retry', () => {
  it('cancels an upload halfway: the request stops and nothing is stored; nothing on the page moves while it runs', async () => {
    const page = await newPage();
    await signUpInPage(page, stack(), newEmail('eve'));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    // About 256 KiB/s up: a 9 MiB file takes half a minute.
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 256 * 1024,
    });
    const presignAnswer = page.waitForResponse((response) => new URL(response.url()).pathname === '/presign');

    await chooseFiles(page, [{ name: 'big-scan.png', mimeType: 'image/png', buffer: pngBytes(9 * MiB) }]);
    const presigned = ((await (await presignAnswer).json()) as { uploads: Array<{ key: string }> }).uploads.map((upload) => upload.key);
    const status = uploadRow(page, 'big-scan.png').locator('.upload-status');
    // Under way, with a speed and a time left ("3% · 250.1 KiB/s · 35 s left").
    await until(async () => /^\d+% · .+\/s · .+ left$/.test((await status.textContent()) ?? ''));
    await layoutShift(page, true);
    await page.waitForTimeout(1500); // progress, speed and time left keep changing…
    await screenshot(page, '08-uploading');
    expect(await layoutShift(page)).toBeLessThan(0.001); // …and nothing moves
    const percent = Number(/^(\d+)%/.exec((await status.textContent()) ?? '')?.[1]);
    expect(percent).toBeGreaterThanOrEqual(0);
    expect(percent).toBeLessThan(100);

    await uploadRow(page, 'big-scan.png').getByRole('button', { name: 'Cancel big-scan.png' }).click();
    await waitForState(page, 'big-scan.png', 'cancelled');
    expect(await status.textContent()).toBe('Cancelled');
    // Focus moves to what can be done next: send it again.
    expect(await page.evaluate('document.activeElement.getAttribute("aria-label")')).toBe('Retry big-scan.png');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

    const key = presigned[0] ?? '';
    expect(key).toMatch(/\/big-scan\.png$/);
    await page.waitForTimeout(1000); // whatever reached the guard has been handled
    expect(await objectsUnder(userPrefix(key))).toEqual([]);
    expect(guardAnswers(key).filter((statusCode) => statusCode === 201)).toEqual([]);
  });

  it('retries when S3 drops the connection before answering, to the same key: exactly one object', async () => {
    const page = await newPage();
    await signUpInPage(page, stack(), newEmail('fay'));
    const presigned = presignBodies(page);
    let dropped = 0;
    // The first POST reaches S3 (which stores the object), but the connection is reset before the browser sees the answer.
    await page.route(stack().uploadUrl, async (route) => {
      if (route.request().method() === 'POST' && dropped === 0) {
        dropped += 1;
        await route.fetch();
        await route.abort('connectionreset');
        return;
      }
      await route.continue();
    });
    await chooseFiles(page, [{ name: 'receipt.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\n% a small pdf\n') }]);
    await waitForState(page, 'receipt.pdf', 'done');

    expect(dropped).toBe(1);
    expect(presigned).toHaveLength(2);
    expect(presigned[1]?.files[0]?.id).toBe(presigned[0]?.files[0]?.id);
    const key = await finishedKey(page, 'receipt.pdf');
    expect(guardAnswers(key)).toEqual([201, 201]); // stored twice, at one key
    expect(await objectsUnder(userPrefix(key))).toEqual([key]);
    expect(await headObject(stack(), key)).toMatchObject({ ContentType: 'application/pdf' });
  });

  it('after the automatic retries give up, the person retries by hand, to the same key', async () => {
    const page = await newPage();
    await signUpInPage(page, stack(), newEmail('gus'));
    const presigned = presignBodies(page);
    let refused = 0;
    await page.route(stack().uploadUrl, async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      refused += 1;
      return route.abort('connectionreset');
    });
    await chooseFiles(page, [{ name: 'slides.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n') }]);
    await waitForState(page, 'slides.pdf', 'waiting');
    expect(await uploadRow(page, 'slides.pdf').locator('.upload-status').textContent()).toMatch(
      /failed\. Trying again shortly \(1 of 3\)\.$/,
    );
    await waitForState(page, 'slides.pdf', 'failed', 30_000);
    expect(refused).toBe(4);
    expect(await uploadRow(page, 'slides.pdf').locator('.upload-status').textContent()).toBe(
      'The connection to the storage service failed.',
    );
    await page.locator('#announcer').getByText('slides.pdf failed: The connection to the storage service failed.').waitFor();
    await screenshot(page, '09-failed');

    await page.unroute(stack().uploadUrl);
    await uploadRow(page, 'slides.pdf').getByRole('button', { name: 'Retry slides.pdf' }).click();
    await waitForState(page, 'slides.pdf', 'done');
    expect(new Set(presigned.map((body) => body.files[0]?.id)).size).toBe(1);
    const key = await finishedKey(page, 'slides.pdf');
    expect(await objectsUnder(userPrefix(key))).toEqual([key]);
  });
});

describe('the session', () => {
  it('a 401 from /presign gets one refresh and the upload goes on; when the refresh is refused too, back to log-in', async () => {
    const page = await newPage();
    await signUpInPage(page, stack(), newEmail('hal'));
    const refreshes = () => watched?.requests.filter((url) => url.endsWith('/auth/refresh')).length ?? 0;
    const before = refreshes();
    const unauthorized = {
      status: 401,
      contentType: 'application/json',
      headers: { 'WWW-Authenticate': 'Bearer' },
      body: JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'The access token is missing or not valid.' } }),
    };
    let refusedOnce = false;
    await page.route('**/presign', async (route) => {
      if (!refusedOnce) {
        refusedOnce = true;
        return route.fulfill(unauthorized);
      }
      return route.continue();
    });
    await chooseFiles(page, [{ name: 'a.png', mimeType: 'image/png', buffer: pngBytes(1000) }]);
    await waitForState(page, 'a.png', 'done');
    expect(refreshes() - before).toBe(1);

    // Now the refresh cookie is gone and /presign keeps refusing: the session ends.
    await page.unroute('**/presign');
    await page.route('**/presign', (route) => route.fulfill(unauthorized));
    await page.context().clearCookies();
    await chooseFiles(page, [{ name: 'b.png', mimeType: 'image/png', buffer: pngBytes(1000) }]);
    await heading(page, 'Log in').waitFor();
    // The notice, and the live region that reads it out: the same words twice.
    await page.getByText('Your session has ended. Log in again to continue.').first().waitFor();
  });

  it('fits a phone: the upload screen has no sideways scrolling', async () => {
    const page = await newPage({ viewport: { width: 390, height: 844 } });
    await signUpInPage(page, stack(), newEmail('ivy'));
    await chooseFiles(page, [
      { name: 'a-rather-long-file-name-from-a-phone-camera-20261129-120000.jpg', mimeType: 'image/jpeg', buffer: pngBytes(40_000) },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('x') },
    ]);
    await waitForState(page, 'a-rather-long-file-name-from-a-phone-camera-20261129-120000.jpg', 'done');
    await screenshot(page, '10-phone-upload');
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
  });
});

/**
 * Focus "Choose files" and press Enter until the file chooser opens. Now and
 * then (once in four clean-clone CI runs) the key press right after log-in
 * did not open the chooser; a person would press again, so the test does too,
 * at most three times, and still fails if the keyboard never opens it.
 */
async function openChooserByKeyboard(page: Page): Promise<FileChooser> {
  for (let attempt = 1; ; attempt += 1) {
    await page.getByRole('button', { name: 'Choose files' }).focus();
    try {
      const [chooser] = await Promise.all([page.waitForEvent('filechooser', { timeout: 5_000 }), page.keyboard.press('Enter')]);
      return chooser;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}
