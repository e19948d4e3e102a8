/**
 * One local stack, one Chromium and a scratch folder per e2e suite, and one
 * watched page per test: started in beforeAll, stopped (by PID, through the
 * stack harness) in afterAll; after each test the page is closed and must
 * have had no CSP violation, no uncaught error and no request off this
 * machine (test/system/e2e/support/browser.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { LocalStack } from '../../../../infra/local/local-stack';
import { startTestStack, type TestStack } from '../../local-stack/support/stack-harness';
import { expectCleanPage, launchChromium, openPage, type WatchedPage } from './browser';

export interface E2eSession {
  /** The running local stack (only inside tests and hooks). */
  stack(): LocalStack;
  /** The suite's scratch folder for files to upload. */
  fileDir(): string;
  /** A new watched page; the session closes and checks it after the test. */
  newPage(): Promise<Page>;
}

/** Registers the hooks; call once at the top of a suite file. */
export function useE2eSession(folderPrefix: string): E2eSession {
  let stackUnderTest: TestStack | undefined;
  let browser: Browser | undefined;
  let watched: WatchedPage | undefined;
  let dir: string | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), folderPrefix));
    stackUnderTest = await startTestStack();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stackUnderTest?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    const current = watched;
    watched = undefined;
    if (current === undefined) return;
    await current.close();
    expectCleanPage(current);
  });

  return {
    stack() {
      if (stackUnderTest === undefined) throw new Error('the local stack is not running yet');
      return stackUnderTest.stack;
    },
    fileDir() {
      if (dir === undefined) throw new Error('the scratch folder is not made yet');
      return dir;
    },
    async newPage() {
      if (browser === undefined) throw new Error('Chromium is not running yet');
      watched = await openPage(browser);
      return watched.page;
    },
  };
}
