/**
 * The app as a person uses it, step by step, through labels and roles (what
 * a screen reader would announce), not CSS internals.
 */
import type { Locator, Page } from 'playwright-core';
import type { LocalStack } from '../../../../infra/local/local-stack';
import { mailbox, PASSWORD } from '../../local-stack/support/stack-harness';

export { PASSWORD };

let counter = 0;
/** A new address per test: every test has its own user and its own key prefix. */
export function newEmail(label: string): string {
  counter += 1;
  return `${label}-${process.pid}-${Date.now()}-${counter}@example.com`;
}

export function heading(page: Page, name: string): Locator {
  return page.getByRole('heading', { level: 1, name });
}

/** Exact: the confirm form is itself named "Confirm your email". */
export function emailInput(page: Page): Locator {
  return page.getByLabel('Email', { exact: true });
}

export function passwordInput(page: Page, label = 'Password'): Locator {
  return page.getByLabel(label, { exact: true });
}

export async function newestCode(stack: LocalStack, email: string, kind: 'confirm' | 'reset'): Promise<string> {
  const code = (await mailbox(stack, email)).filter((message) => message.kind === kind).at(-1)?.code;
  if (code === undefined) throw new Error(`no ${kind} code for ${email}`);
  return code;
}

/** Register → confirm with the mailed code → log in, all in the page; ends on the upload screen. */
export async function signUpInPage(page: Page, stack: LocalStack, email: string): Promise<void> {
  await page.goto(`${stack.url}/register`);
  await heading(page, 'Create an account').waitFor();
  await emailInput(page).fill(email);
  await passwordInput(page).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await heading(page, 'Confirm your email').waitFor();
  await page.getByLabel('Code').fill(await newestCode(stack, email, 'confirm'));
  await page.getByRole('button', { name: 'Confirm email' }).click();
  await heading(page, 'Log in').waitFor();
  await passwordInput(page).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await heading(page, 'Upload files').waitFor();
}

/** The row of a file in the list. */
export function uploadRow(page: Page, name: string): Locator {
  return page.locator('li.upload').filter({ has: page.locator('.upload-name', { hasText: name }) });
}

export async function waitForState(page: Page, name: string, state: string, timeout = 30_000): Promise<void> {
  await page
    .locator(`li.upload[data-state="${state}"]`)
    .filter({ has: page.locator('.upload-name', { hasText: name }) })
    .waitFor({ timeout });
}

export interface PickedFile {
  readonly name: string;
  readonly mimeType: string;
  readonly buffer: Buffer;
}

export async function chooseFiles(page: Page, files: readonly PickedFile[]): Promise<void> {
  await page.locator('#file-input').setInputFiles(files.map((file) => ({ ...file })));
}

/** Drops files on the drop zone as a drag from the desktop would (a DataTransfer with File objects). */
export async function dropFiles(page: Page, files: ReadonlyArray<{ name: string; type: string; text: string }>): Promise<void> {
  await page.evaluate(`(() => {
    const files = ${JSON.stringify(files)};
    const transfer = new DataTransfer();
    for (const file of files) transfer.items.add(new File([file.text], file.name, { type: file.type }));
    const zone = document.querySelector('.dropzone');
    for (const type of ['dragenter', 'dragover', 'drop']) {
      zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
    }
  })()`);
}
