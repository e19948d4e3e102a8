/**
 * Debian's Chromium, driven by playwright-core (no browser download), for the
 * end-to-end suite. One browser per test file (Playwright gives each launch a
 * fresh temporary user-data-dir); one fresh context (cookies, storage) per
 * test. Every page is watched for CSP violations, uncaught errors and any
 * request that leaves the machine.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Never the internet: every host name fails to resolve; the stack is reached by IP (127.0.0.1).
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

export const SCREENSHOT_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'test-results', 'screenshots');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

export interface CspViolation {
  readonly directive: string;
  readonly blocked: string;
  readonly sample: string;
}

export interface WatchedPage {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly cspViolations: CspViolation[];
  /** Console messages of type error (a 401 from /auth/refresh on load is one: the browser logs every failed request). */
  readonly consoleErrors: string[];
  readonly pageErrors: string[];
  /** Every URL the page requested. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Reports each `securitypolicyviolation` event to the test (init scripts come from DevTools, so the CSP does not apply to them). */
const CSP_LISTENER = `
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__reportCspViolation({ directive: event.violatedDirective, blocked: String(event.blockedURI), sample: String(event.sample || '') });
  });
`;

/** Sums layout shifts not caused by recent input, for the "nothing moves while uploading" check. */
const LAYOUT_SHIFT_OBSERVER = `
  window.__layoutShift = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__layoutShift += entry.value;
  }).observe({ type: 'layout-shift', buffered: true });
`;

export interface PageOptions {
  readonly viewport?: { width: number; height: number };
  /** For the download test; off otherwise. */
  readonly acceptDownloads?: boolean;
  readonly colorScheme?: 'light' | 'dark';
  /** A touch screen (no hover, coarse pointer). */
  readonly hasTouch?: boolean;
}

export async function openPage(browser: Browser, options: PageOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1100, height: 860 },
    acceptDownloads: options.acceptDownloads ?? false,
    colorScheme: options.colorScheme ?? 'light',
    hasTouch: options.hasTouch ?? false,
    isMobile: options.hasTouch ?? false,
  });
  const cspViolations: CspViolation[] = [];
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  const requests: string[] = [];
  await context.exposeBinding('__reportCspViolation', (_source, violation: CspViolation) => {
    cspViolations.push(violation);
  });
  await context.addInitScript(CSP_LISTENER + LAYOUT_SHIFT_OBSERVER);
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('request', (request) => requests.push(request.url()));
  return {
    context,
    page,
    cspViolations,
    consoleErrors,
    pageErrors,
    requests,
    close: () => context.close(),
  };
}

/** What every test asserts at its end: the page kept to its CSP, threw nothing, and talked only to this machine. */
export function expectCleanPage(watched: WatchedPage): void {
  expect(watched.cspViolations).toEqual([]);
  expect(watched.consoleErrors.filter((text) => /content security policy|refused to (load|execute|apply|connect)/i.test(text))).toEqual([]);
  expect(watched.pageErrors).toEqual([]);
  for (const url of watched.requests) expect(url).toMatch(/^(http:\/\/127\.0\.0\.1:\d+\/|data:|blob:)/);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The layout shift summed since the page loaded (or since the last reset). */
export async function layoutShift(page: Page, reset = false): Promise<number> {
  const value = (await page.evaluate('window.__layoutShift')) as number;
  if (reset) await page.evaluate('window.__layoutShift = 0');
  return value;
}
