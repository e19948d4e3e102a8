/**
 * "Your files" and the accessibility audit's regression check, end to end
 * (Debian's Chromium against a whole local stack, as upload-app.test.ts).
 * Needs the edge's /presign/files routes and the local S3 stand-in's list,
 * tagging, GET and DELETE (docs/http-api.md, "Your files").
 *
 * axe-core runs on every screen and state here at desktop width in light and
 * in dark mode, and at 375 px in dark mode on a touch screen (the delete
 * confirmation, which the phone test does not reach, at 375 px in both), and
 * any violation fails the test (support/axe.ts: injected over DevTools, the
 * site's CSP untouched). The screens and states this suite does not reach
 * (forgot and reset, uploads under way or paused, the unfinished-uploads
 * card) are checked in a11y-states.test.ts. After each test: no CSP
 * violation, no uncaught error, no request off this machine.
 */
import type { Browser, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { pngBytes, s3Client, startTestStack, type TestStack } from '../local-stack/support/stack-harness';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { expectAccessible as expectAccessibleAsIs, expectAccessibleEverywhere, EVERY_VARIANT, type AxeVariant } from './support/axe';
import { chooseFiles, emailInput, heading, newEmail, newestCode, PASSWORD, passwordInput, uploadRow } from './support/app-flows';
import { expectCleanPage, launchChromium, openPage, screenshot, type PageOptions, type WatchedPage } from './support/browser';

let stackUnderTest: TestStack;
let browser: Browser;
let watched: WatchedPage | undefined;

beforeAll(async () => {
  // The inspector on: the view shows each file checking, then verified or rejected.
  stackUnderTest = await startTestStack({ inspectUploads: true });
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

function stack() {
  return stackUnderTest.stack;
}

async function newPage(options: PageOptions = {}): Promise<Page> {
  watched = await openPage(browser, options);
  return watched.page;
}

/** The row of a stored file in "Your files". */
function fileRow(page: Page, name: string) {
  return page.locator('table.your-files tbody tr').filter({ hasText: name });
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

/** Desktop width, light and dark (the phone test covers 375 px in dark mode). */
const DESKTOP: readonly AxeVariant[] = [
  { width: 1100, colorScheme: 'light' },
  { width: 1100, colorScheme: 'dark' },
];

/** Sign-up → confirm → log in, checking every screen and its error states with axe on the way: in each of `variants`, or as the page is. */
async function signUpChecked(page: Page, email: string, label: string, variants?: readonly AxeVariant[]): Promise<void> {
  const expectAccessible = (onPage: Page, state: string) =>
    variants === undefined ? expectAccessibleAsIs(onPage, state) : expectAccessibleEverywhere(onPage, state, variants);
  await page.goto(`${stack().url}/register`);
  await heading(page, 'Create an account').waitFor();
  await expectAccessible(page, `${label} register`);
  // Show/Hide: the accessible name follows the visible word.
  await page.getByRole('button', { name: 'Show password' }).click();
  await page.getByRole('button', { name: 'Hide password' }).waitFor();
  await page.getByRole('button', { name: 'Hide password' }).click();
  await emailInput(page).fill(email);
  await passwordInput(page).fill('abc');
  await passwordInput(page).press('Enter');
  await page.getByText('The password does not meet every requirement listed above yet.').waitFor();
  // Said, not only shown: Enter inside the field moves no focus, so the live region carries it.
  await page.locator('#announcer').getByText('The password does not meet every requirement listed above yet.').waitFor();
  await expectAccessible(page, `${label} register with an error`);
  await passwordInput(page).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();

  await heading(page, 'Confirm your email').waitFor();
  await page.locator('#announcer').getByText('We sent a 6-digit code to your email.').waitFor();
  await page.getByLabel('Code').fill('000000');
  await page.getByRole('button', { name: 'Confirm email' }).click();
  await page.locator('#announcer').getByText('That code is not right').waitFor();
  await expectAccessible(page, `${label} confirm with a wrong code`);
  await page.getByLabel('Code').fill(await newestCode(stack(), email, 'confirm'));
  await page.getByRole('button', { name: 'Confirm email' }).click();

  await heading(page, 'Log in').waitFor();
  await expectAccessible(page, `${label} login`);
  await passwordInput(page).fill(PASSWORD);
  await passwordInput(page).press('Enter');
  await heading(page, 'Upload files').waitFor();
}

describe('Your files', () => {
  it('shows a sent file as checking, then verified; a file the inspector rejects with its reason; both again after a reload; downloads the bytes; deletes with a confirmation', async () => {
    const page = await newPage({ acceptDownloads: true });
    await signUpChecked(page, newEmail('files'), 'desktop', DESKTOP);
    await page.getByRole('heading', { name: 'Your files' }).waitFor();
    await page.getByText('Nothing uploaded yet.').waitFor();
    await expectAccessibleEverywhere(page, 'upload, empty', DESKTOP);

    // Everything the live region says, kept: a later announcement may replace this one before a locator polls.
    await page.evaluate(`(() => {
      const announcer = document.getElementById('announcer');
      window.announced = [];
      if (announcer !== null) new MutationObserver(() => window.announced.push(announcer.textContent || '')).observe(announcer, { childList: true, subtree: true, characterData: true });
    })()`);
    const photo = pngBytes(120_000);
    await chooseFiles(page, [
      { name: 'photo.png', mimeType: 'image/png', buffer: photo },
      { name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('<html><script>alert(1)</script></html>') },
    ]);
    // Never "uploaded" before the verdict; then the verdict by itself.
    await page.locator('li.upload[data-verdict="verified"]').filter({ hasText: 'photo.png' }).waitFor({ timeout: 30_000 });
    await page.locator('li.upload[data-verdict="rejected"]').filter({ hasText: 'fake.png' }).waitFor({ timeout: 30_000 });
    expect(await uploadRow(page, 'fake.png').locator('.upload-status').textContent()).toMatch(
      /^Rejected: The content is (a different kind of file|not a kind of file)/,
    );
    // Polled from here: waitForFunction would evaluate in the page, which its CSP (no unsafe-eval) forbids.
    for (let tries = 0; !(await page.evaluate('window.announced.some((text) => /fake\\.png was rejected/.test(text))')); tries += 1) {
      expect(tries).toBeLessThan(300);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await uploadRow(page, 'photo.png').locator('img.thumb').count()).toBe(1);
    await expectAccessibleEverywhere(page, 'upload, verified and rejected', DESKTOP);
    await screenshot(page, '20-your-files');

    await page.reload();
    await heading(page, 'Upload files').waitFor();
    await fileRow(page, 'photo.png').locator('.file-status', { hasText: 'Uploaded and checked' }).waitFor();
    await fileRow(page, 'fake.png')
      .locator('.file-status', { hasText: /^Rejected: / })
      .waitFor();
    expect(await fileRow(page, 'fake.png').getByRole('button', { name: 'Download fake.png' }).isHidden()).toBe(true);
    await expectAccessibleEverywhere(page, 'your files after a reload', DESKTOP);

    // Download by keyboard: the bytes are the ones sent.
    await fileRow(page, 'photo.png').getByRole('button', { name: 'Download photo.png' }).focus();
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    const path = await download.path();
    expect(Buffer.compare(readFileSync(path), photo)).toBe(0);
    expect(download.suggestedFilename()).toBe('photo.png');

    // Delete by keyboard, with a confirmation that starts on "Keep".
    const key = (await fileRow(page, 'photo.png').getAttribute('data-key')) ?? '';
    await fileRow(page, 'photo.png').getByRole('button', { name: 'Delete photo.png' }).focus();
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Keep');
    // Not reached by the phone test: at 375 px too.
    await expectAccessibleEverywhere(page, 'delete confirmation', EVERY_VARIANT);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await fileRow(page, 'photo.png').waitFor({ state: 'detached' });
    await page.locator('#announcer').getByText('photo.png deleted.').waitFor();
    expect(await objectsUnder(key)).toEqual([]);
    expect(await page.evaluate('document.activeElement === document.body')).toBe(false);
  });

  it('has no axe violations at 375 px in dark mode on a touch screen, where the drop zone does not offer dragging', async () => {
    const page = await newPage({ viewport: { width: 375, height: 800 }, colorScheme: 'dark', hasTouch: true });
    await signUpChecked(page, newEmail('phone'), 'phone dark');
    await page.getByText('Pick the files to upload').waitFor();
    expect(await page.getByText('Drag files here').count()).toBe(0);
    await chooseFiles(page, [
      {
        name: 'a very long name of a holiday photo from the beach at sunset, with friends.png',
        mimeType: 'image/png',
        buffer: pngBytes(50_000),
      },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') },
    ]);
    await page.locator('li.upload[data-verdict="verified"]').waitFor({ timeout: 30_000 });
    await page.getByText('1 of 1 sent · 1 refused (not uploaded)').waitFor();
    await expectAccessibleAsIs(page, 'phone dark upload');
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await screenshot(page, '21-phone-dark-your-files');
  });

  it('asks before adding the same file twice', async () => {
    const page = await newPage();
    await signUpChecked(page, newEmail('twice'), 'twice');
    const file = { name: 'same.png', mimeType: 'image/png', buffer: pngBytes(10_000) };
    await chooseFiles(page, [file]);
    await page.locator('li.upload[data-verdict]').waitFor({ timeout: 30_000 });
    const questions: string[] = [];
    page.once('dialog', (dialog) => {
      questions.push(dialog.message());
      void dialog.dismiss();
    });
    await chooseFiles(page, [file]);
    await page.locator('#announcer').getByText('Not added again: same.png.').waitFor();
    expect(questions[0]).toMatch(/same\.png/);
    expect(await page.locator('li.upload').count()).toBe(1);
  });
});
