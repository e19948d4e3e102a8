/**
 * The accessibility checks the other suites do not reach, end to end (Debian's
 * Chromium against a whole local stack, as upload-app.test.ts):
 *
 * - axe-core on the forgot-password and reset screens and their error
 *   states, on a file row while it uploads, on a large file's row while its
 *   parts go up and once paused, and on the "Unfinished uploads" card, each
 *   at desktop width and at 375 px, in light and in dark mode
 *   (support/axe.ts: injected over DevTools, the site's CSP untouched);
 * - keyboard focus when an upload finishes while it is on its Cancel button;
 * - the tab title showing progress while files upload;
 * - the note on a file whose name is changed for storage;
 * - non-text contrast of at least 3:1 (which axe does not check) for the
 *   focus ring, input borders and the empty password-rule circles, light and
 *   dark (support/contrast.ts).
 *
 * Uploads are held halfway with Playwright routing (the request is never let
 * through until the test says so), so each state stays put while it is
 * checked. After each test: no CSP violation, no uncaught error, no request
 * off this machine.
 */
import path from 'node:path';
import type { Page, Route } from 'playwright-core';
import { pngBytes, signUpAndLogIn } from '../local-stack/support/stack-harness';
import { chooseFiles, emailInput, heading, newEmail, PASSWORD, passwordInput, uploadRow, waitForState } from './support/app-flows';
import { expectAccessibleEverywhere } from './support/axe';
import { type ColourPart, contrastRatio, type MeasuredPart, measurePart, parseCssColor } from './support/contrast';
import { PASSWORD_RESET_REQUIRED } from '../../../edge-functions/contract/http-errors';
import { PasswordResetRequiredError } from '../../../origin/core/errors';
import { MiB, writeLargeMp4 } from './support/large-files';
import { useE2eSession } from './support/session';

const TITLE = 'Upload files · edge-upload';

const session = useE2eSession('edge-upload-e2e-a11y-');
const stack = () => session.stack();
const newPage = () => session.newPage();

/** Polls from the test side (a waitForFunction predicate would be an eval, which the page's CSP refuses). */
async function until(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A new account (made over the API, the quick way), logged in through the page; ends on the upload screen. */
async function loggedIn(label: string): Promise<Page> {
  const email = newEmail(label);
  await signUpAndLogIn(stack(), email);
  const page = await newPage();
  await page.goto(`${stack().url}/login`);
  await heading(page, 'Log in').waitFor();
  await emailInput(page).fill(email);
  await passwordInput(page).fill(PASSWORD);
  await passwordInput(page).press('Enter');
  await heading(page, 'Upload files').waitFor();
  return page;
}

/**
 * Holds every form POST to the bucket whose body holds `marker` (the stored
 * name is in the signed key field) until the returned function is called;
 * every other request goes through.
 */
async function holdPostsWith(page: Page, marker: string): Promise<() => void> {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route(stack().uploadUrl, async (route: Route) => {
    const request = route.request();
    if (request.method() === 'POST' && (request.postDataBuffer() ?? Buffer.alloc(0)).includes(marker)) await released;
    await route.continue();
  });
  return release;
}

async function activeLabel(page: Page): Promise<string | null> {
  return (await page.evaluate('document.activeElement && document.activeElement.getAttribute("aria-label")')) as string | null;
}

describe('axe on the screens and states the other suites do not reach (desktop and 375 px, light and dark)', () => {
  it('the forgot-password and reset screens, empty, with field errors, and with a wrong code', async () => {
    const email = newEmail('forgot');
    await signUpAndLogIn(stack(), email);
    const page = await newPage();
    await page.goto(`${stack().url}/login`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await heading(page, 'Reset your password').waitFor();
    await expectAccessibleEverywhere(page, 'forgot');
    await emailInput(page).fill('not an address');
    await page.getByRole('button', { name: 'Send reset code' }).click();
    await until(async () => (await emailInput(page).getAttribute('aria-invalid')) === 'true');
    await expectAccessibleEverywhere(page, 'forgot with a bad address');
    await emailInput(page).fill(email);
    await page.getByRole('button', { name: 'Send reset code' }).click();

    await heading(page, 'Choose a new password').waitFor();
    await page.locator('#main').getByText(`If an account exists for ${email}`).waitFor();
    await expectAccessibleEverywhere(page, 'reset with its notice');
    await page.getByLabel('Code').fill('12');
    await passwordInput(page, 'New password').fill('abc');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await until(async () => (await page.locator('input[aria-invalid="true"]').count()) === 2);
    await expectAccessibleEverywhere(page, 'reset with a short code and a weak password');
    await page.getByLabel('Code').fill('000000');
    await passwordInput(page, 'New password').fill('Another-Horse-7-Battery');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByText('That code is not right').first().waitFor();
    await expectAccessibleEverywhere(page, 'reset with a wrong code');
  });

  it('a login the pool refuses until the password is reset: the forgot screen opens with the address and says why', async () => {
    // cognito-local's AdminInitiateAuth has no RESET_REQUIRED state, so the auth API's answer
    // (test/origin/auth/cognito-errors.test.ts maps PasswordResetRequiredException to it) is played here.
    const email = newEmail('reset-required');
    const page = await newPage();
    await page.route(`${stack().url}/auth/login`, (route: Route) =>
      route.fulfill({
        status: PASSWORD_RESET_REQUIRED.status,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: PASSWORD_RESET_REQUIRED.code, message: new PasswordResetRequiredError().message } }),
      }),
    );
    await page.goto(`${stack().url}/login`);
    await heading(page, 'Log in').waitFor();
    await emailInput(page).fill(email);
    await passwordInput(page).fill(PASSWORD);
    await passwordInput(page).press('Enter');
    await heading(page, 'Reset your password').waitFor();
    expect(await emailInput(page).inputValue()).toBe(email);
    await page.locator('#main').getByText('Your password must be reset before you can log in').waitFor();
    await expectAccessibleEverywhere(page, 'forgot after a reset-required login');
  });

  it("a large file's row while it runs as a multipart upload, the same row paused, and the Unfinished uploads card after a reload", async () => {
    const file = writeLargeMp4(path.join(session.fileDir(), 'big-film.mp4'), 104 * MiB, `a11y-${process.pid}`);
    const page = await loggedIn('parts');
    // The upload is created at S3 (and recorded by the page) at once; its parts are hashed next, then signed, then PUT.
    // No part is ever sent (a PUT is held, never let through), so the row stays under way while it is checked.
    await page.route(
      (url) => url.href.startsWith(stack().s3Endpoint) && url.searchParams.has('partNumber'),
      async (route: Route) => {
        if (route.request().method() !== 'PUT') return route.fallback();
      },
    );
    const created = page.waitForResponse(
      (response) => response.request().method() === 'POST' && new URL(response.url()).searchParams.has('uploads'),
    );
    await page.locator('#file-input').setInputFiles(file.path);
    expect((await created).status()).toBe(200);
    const row = uploadRow(page, 'big-film.mp4');
    await waitForState(page, 'big-film.mp4', 'uploading');
    await row.getByRole('button', { name: 'Pause big-film.mp4' }).waitFor();
    await expectAccessibleEverywhere(page, 'a multipart row under way');

    await row.getByRole('button', { name: 'Pause big-film.mp4' }).click();
    await waitForState(page, 'big-film.mp4', 'paused');
    expect(await row.locator('.upload-status').textContent()).toMatch(/^Paused at \d+%$/);
    expect(await activeLabel(page)).toBe('Resume big-film.mp4');
    await expectAccessibleEverywhere(page, 'a multipart row paused');

    await page.reload();
    await heading(page, 'Upload files').waitFor();
    const card = page.locator('#unfinished-uploads');
    await card.locator('li.unfinished-item', { hasText: 'big-film.mp4' }).waitFor();
    expect(await card.getByRole('heading', { name: 'Unfinished uploads' }).isVisible()).toBe(true);
    await expectAccessibleEverywhere(page, 'the Unfinished uploads card');
  });
});

describe('while a file uploads', () => {
  it('its row passes axe; the tab title shows the share sent; a renamed file says what it will be saved as; when it finishes with focus on its Cancel button, focus moves to its Remove button', async () => {
    const page = await loggedIn('rows');
    expect(await page.title()).toBe(TITLE);
    const held = 'Holiday photo (1).png';
    // Its stored name is in the signed key field of the form POST, which is held.
    const release = await holdPostsWith(page, 'Holiday-photo-1.png');
    await chooseFiles(page, [
      { name: 'plain-name.png', mimeType: 'image/png', buffer: pngBytes(30_000) },
      { name: held, mimeType: 'image/png', buffer: pngBytes(30_000) },
    ]);
    await waitForState(page, 'plain-name.png', 'done');
    await waitForState(page, held, 'uploading');
    const row = uploadRow(page, held);

    // The sanitized name, said on the row; none on a file stored under its own name.
    expect(await row.locator('.upload-renamed').count()).toBe(1);
    expect(await row.locator('.upload-renamed').textContent()).toBe(
      'Will be saved as Holiday-photo-1.png: some characters are not allowed in stored names.',
    );
    expect(await uploadRow(page, 'plain-name.png').locator('.upload-renamed').count()).toBe(0);

    // The tab title: one of two equal files sent, so half (or more, if the browser counts the held body as read).
    // (Drawn in the same frame as the rows, so no wait is needed; a short one in case a progress event is still being drawn.)
    await until(async () => (await page.title()) !== TITLE, 5_000);
    const title = await page.title();
    expect(title).toMatch(new RegExp(`^\\d+% sent · ${TITLE}$`));
    const percent = Number(/^(\d+)%/.exec(title)?.[1]);
    expect(percent).toBeGreaterThanOrEqual(50);
    expect(percent).toBeLessThan(100);

    await expectAccessibleEverywhere(page, 'a row uploading, with its renamed note, beside a sent one');

    // Focus on Cancel as the upload finishes: Cancel goes away, focus stays in the row, on Remove.
    await row.getByRole('button', { name: `Cancel ${held}` }).focus();
    expect(await activeLabel(page)).toBe(`Cancel ${held}`);
    release();
    await waitForState(page, held, 'done');
    expect(await row.getByRole('button', { name: `Cancel ${held}` }).isHidden()).toBe(true);
    expect(await activeLabel(page)).toBe(`Remove ${held} from the list`);
    await until(async () => (await page.title()) === TITLE);

    // The note told the truth: that is the name it is stored under.
    expect(await row.getAttribute('data-key')).toMatch(/\/Holiday-photo-1\.png$/);
    expect(await uploadRow(page, 'plain-name.png').getAttribute('data-key')).toMatch(/\/plain-name\.png$/);
    // And the keyboard goes on from there: Enter removes the row.
    await page.keyboard.press('Enter');
    await row.waitFor({ state: 'detached' });
  });
});

describe('non-text contrast of at least 3:1 (WCAG 1.4.11), light and dark', () => {
  it('the helper computes WCAG contrast ratios', () => {
    const white = parseCssColor('rgb(255, 255, 255)');
    expect(contrastRatio(parseCssColor('rgb(0, 0, 0)'), white)).toBeCloseTo(21, 5);
    expect(contrastRatio(parseCssColor('rgb(118, 118, 118)'), white)).toBeCloseTo(4.54, 2);
    expect(contrastRatio(parseCssColor('rgb(217, 221, 229)'), white)).toBeLessThan(3);
    expect(() => parseCssColor('oklch(0.5 0.1 200)')).toThrow();
  });

  it('the focus ring, the input borders (also when invalid) and the empty password-rule circles, on the register screen', async () => {
    const page = await newPage();
    await page.goto(`${stack().url}/register`);
    await heading(page, 'Create an account').waitFor();
    const measured: Array<MeasuredPart & { scheme: string }> = [];
    const inBothSchemes = async (
      measureAll: (measure: (selector: string, part: ColourPart, what?: string) => Promise<void>) => Promise<void>,
    ) => {
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await measureAll(async (selector, part, what) => {
          const found = await measurePart(page, selector, part);
          measured.push({ ...found, what: what ?? found.what, scheme });
        });
      }
    };

    // As the screen opens: the fields' borders, the five empty rule circles, and the focus ring, reached by
    // keyboard (as :focus-visible is) on a field, a quiet button, the main button and a link.
    expect(await page.locator('.rule:not(.is-met)').count()).toBe(5);
    await inBothSchemes(async (measure) => {
      await measure('input[type="email"]', 'border');
      await measure('input[type="password"]', 'border');
      await measure('.rule:not(.is-met)', 'before-border');
      await emailInput(page).focus();
      await measure(':focus', 'outline', 'focus ring on the email field');
      for (const target of ['button[aria-controls]', 'button[type="submit"]', 'main a[href="/login"]']) {
        await tabTo(page, target);
        await measure(':focus', 'outline', `focus ring on ${target}`);
      }
    });

    // A field with an error: its border turns the error colour, which must still stand out.
    await emailInput(page).fill('not an address');
    await page.getByRole('button', { name: 'Create account' }).click();
    await until(async () => (await emailInput(page).getAttribute('aria-invalid')) === 'true');
    await inBothSchemes(async (measure) => {
      await measure('input[type="email"][aria-invalid="true"]', 'border', 'invalid email field border');
    });

    expect(measured).toHaveLength(2 * 8);
    // Every shortfall listed at once: drawn at all, 3:1 against both sides, and a focus ring that is the site's solid 2 px or wider one (not the browser's default).
    const shortfalls = measured
      .filter((part) => {
        const ring = part.what.endsWith('outline');
        return (
          part.outside < 3 || part.inside < 3 || part.style === 'none' || part.width < (ring ? 2 : 1) || (ring && part.style !== 'solid')
        );
      })
      .map(
        (part) =>
          `${part.scheme}: ${part.what} ${part.style} ${part.width}px ${part.colour}, ${part.outside.toFixed(2)}:1 outside, ${part.inside.toFixed(2)}:1 inside`,
      );
    expect(shortfalls).toEqual([]);
  });
});

/** Presses Tab until the focused element matches `selector` and shows its focus ring (:focus-visible); at most 15 presses. */
async function tabTo(page: Page, selector: string): Promise<void> {
  for (let presses = 0; presses < 15; presses += 1) {
    await page.keyboard.press('Tab');
    if (
      await page.evaluate(`document.activeElement.matches(${JSON.stringify(selector)}) && document.activeElement.matches(':focus-visible')`)
    )
      return;
  }
  throw new Error(`Tab never reached ${selector}`);
}
