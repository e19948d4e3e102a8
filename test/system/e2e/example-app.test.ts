/**
 * "Embed it": the example app (examples/own-app/, built into
 * dist/examples/own-app/ by `npm run build`) on a second origin, served by
 * infra/local/example-app.ts, with that origin in the stack's allowedOrigins.
 * In Debian's Chromium it signs in against cognito-local itself (InitiateAuth
 * USER_PASSWORD_AUTH with the pool's second app client, which the edge
 * trusts), uploads a file through the edge with edge-upload/client
 * (cross-origin: CORS preflights to the edge and the bucket), and lists it
 * under "Your files". The page has its own strict CSP; after the test: no CSP
 * violation, no uncaught error, no request off 127.0.0.1.
 */
import type { Browser } from 'playwright-core';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import path from 'node:path';
import { listenExampleApp, type ExampleApp } from '../../../infra/local/example-app';
import { PASSWORD, pngBytes, s3Client, signUpAndLogIn, startTestStack, type TestStack } from '../local-stack/support/stack-harness';
import { newEmail } from './support/app-flows';
import { expectCleanPage, launchChromium, openPage, screenshot, type WatchedPage } from './support/browser';

const EXAMPLE_DIR = path.resolve(__dirname, '..', '..', '..', 'dist', 'examples', 'own-app');

let app: ExampleApp;
let stackUnderTest: TestStack;
let browser: Browser;
let watched: WatchedPage | undefined;

beforeAll(async () => {
  // The app's origin first, so the stack can allow it (as ALLOWED_ORIGINS does for `npm start`).
  app = await listenExampleApp({ dir: EXAMPLE_DIR, port: 0 });
  stackUnderTest = await startTestStack({ allowedOrigins: [app.url] });
  const { stack } = stackUnderTest;
  app.configure({
    edgeUrl: stack.url,
    uploadUrl: stack.uploadUrl,
    cognitoEndpoint: stack.cognito.endpoint,
    clientId: stack.cognito.appClientId,
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stackUnderTest?.stop();
  await app?.close();
});

afterEach(async () => {
  const current = watched;
  watched = undefined;
  if (current === undefined) return;
  await current.close();
  expectCleanPage(current);
});

it('signs in with its own Cognito client, uploads through the edge cross-origin with the library, and lists the file', async () => {
  const stack = stackUnderTest.stack;
  const email = newEmail('own-app');
  const account = await signUpAndLogIn(stack, email); // the user exists in the pool; the app signs in on its own
  watched = await openPage(browser);
  const { page } = watched;
  await page.goto(app.url);
  expect(new URL(page.url()).origin).not.toBe(new URL(stack.url).origin);

  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: `Signed in as ${email}` })
    .waitFor();

  const bytes = pngBytes(2048);
  await page.getByLabel('Files').setInputFiles([{ name: 'from-own-app.png', mimeType: 'image/png', buffer: bytes }]);
  const row = page.locator('#progress li[data-name="from-own-app.png"]');
  await row.and(page.locator('[data-state="done"]')).waitFor({ timeout: 30_000 });
  const key = await row.getAttribute('data-key');
  expect(key).toMatch(new RegExp(`^uploads/${account.sub}/.+from-own-app\\.png$`));

  // Stored as the site would store it: the user's prefix, the bytes, the user id in the metadata.
  const head = await s3Client(stack).send(new HeadObjectCommand({ Bucket: stack.bucket, Key: key ?? '' }));
  expect(head.ContentLength).toBe(bytes.length);
  expect(head.Metadata?.userid).toBe(account.sub);

  // "Your files" through the library: the edge signs the list, the page reads S3 itself.
  await page.locator(`#your-files li[data-key="${key}"]`).waitFor();

  // Cross-origin for real: the page called the edge, the bucket and Cognito, each on its own origin.
  const origins = new Set(watched.requests.map((url) => new URL(url).origin));
  for (const other of [stack.url, new URL(stack.uploadUrl).origin, new URL(stack.cognito.endpoint).origin])
    expect(origins).toContain(new URL(other).origin);
  await screenshot(page, '20-own-app-uploaded');
});
