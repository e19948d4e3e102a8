/**
 * `npm run upload -- <file>` (infra/local/upload-command/): the README's
 * quickstart command, against a whole local stack with the inspector on.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { typeForName, UploadCommandError, uploadOneFile } from '../../../infra/local/upload-command/upload-flow';
import { startTestStack, type TestStack } from './support/stack-harness';

jest.setTimeout(60_000);

let harness: TestStack;
let dir: string;
const printed: string[] = [];
const print = (line: string): void => {
  printed.push(line);
};

beforeAll(async () => {
  harness = await startTestStack({ inspectUploads: true });
  dir = mkdtempSync(path.join(tmpdir(), 'upload-command-'));
});

afterAll(async () => {
  await harness?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('uploads the README example, waits for the verdict and reads back the very same bytes', async () => {
  const example = path.join(__dirname, '..', '..', '..', 'docs', 'examples', 'holiday.png');
  const out = path.join(dir, 'back.png');
  const verdict = await uploadOneFile({ file: example, edge: harness.stack.url, out, print });
  expect(verdict).toEqual(expect.objectContaining({ status: 'verified', readBackIdentical: true }));
  expect(readFileSync(out).equals(readFileSync(example))).toBe(true);
  expect(printed.join('\n')).toMatch(/^verified +read back 3312 bytes: identical/m);
  // A throw-away account was made; its password is never printed.
  expect(printed.join('\n')).toMatch(/^account +demo-[0-9a-f]{8}@example\.com/m);
  expect(printed.join('\n')).not.toMatch(/Demo-/);
});

it('reports a rejected upload with its quarantine key and reason', async () => {
  const fake = path.join(dir, 'holiday.png');
  writeFileSync(fake, 'not a png at all');
  const verdict = await uploadOneFile({ file: fake, edge: harness.stack.url, print });
  expect(verdict).toEqual(expect.objectContaining({ status: 'quarantined', reason: 'UNRECOGNIZED_CONTENT' }));
  if (verdict.status !== 'quarantined') return;
  expect(verdict.quarantineKey).toBe(`quarantine/${verdict.key.slice('uploads/'.length)}`);
});

it('refuses a file whose extension no upload type allows, before any request', async () => {
  const text = path.join(dir, 'notes.txt');
  copyFileSync(__filename, text);
  expect(() => typeForName('notes.txt')).toThrow(UploadCommandError);
  await expect(uploadOneFile({ file: text, edge: 'http://127.0.0.1:9', print })).rejects.toThrow(/no upload type allows this extension/);
});

it("passes on the edge's code when the edge refuses the file", async () => {
  const big = path.join(dir, 'empty.png');
  writeFileSync(big, '');
  await expect(uploadOneFile({ file: big, edge: harness.stack.url, print })).rejects.toThrow(/\/presign: HTTP 400 EMPTY_FILE/);
});
