/**
 * The S3 stand-in dies mid-upload (SIGKILL to the process holding s3rver and
 * the POST-policy guard, a quarter of the way through an 8 MiB file); it
 * comes back on the same port and the same data. The client retries the way
 * docs/http-api.md says: a new presign with the same `id`, so the same key, and the
 * upload again. Exactly one object is stored, with the bytes sent; nothing
 * half-written was ever visible; a second retry after a success overwrites,
 * it does not duplicate.
 *
 * The local stack runs its object store inside its own process, so this
 * suite runs the same store (infra/local/post-policy-guard/main.ts: s3rver
 * and the guard, the same keys, bucket and region) as a process of its own
 * and sends the forms the stack's edge signed there. The forms name no host:
 * S3 holds a form to its policy and signature, wherever it is posted.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { field, file, multipartBytes, send, type HttpAnswer } from '../../support/post-forms';
import {
  presignOne,
  signUpAndLogIn,
  startTestStack,
  type PresignedUpload,
  type Session,
  type TestStack,
} from '../local-stack/support/stack-harness';
import { listKeys, readObject, sha256, type StoreAddress } from './support/objects';
import { isRunning, removeBundles, startObjectStoreProcess, type ObjectStoreProcess } from './support/processes';

jest.setTimeout(120_000);

const MiB = 1024 * 1024;
const SIZE = 8 * MiB;
/** Where the store is killed: a quarter of the body has reached it. */
const KILL_AFTER_BYTES = 2 * MiB;
const CHUNK_BYTES = 64 * 1024;

let harness: TestStack;
let session: Session;
let storeDir: string;
let guardTemp: string;
let objectStore: ObjectStoreProcess;

const storeOptions = (port: number) => ({
  directory: storeDir,
  tempDirectory: guardTemp,
  port,
  bucket: harness.stack.bucket,
  region: harness.stack.region,
  allowedOrigins: [harness.stack.url],
  credentials: harness.stack.credentials,
});

const address = (): StoreAddress => ({
  endpoint: objectStore.url,
  bucket: harness.stack.bucket,
  region: harness.stack.region,
  credentials: harness.stack.credentials,
});

beforeAll(async () => {
  harness = await startTestStack();
  session = await signUpAndLogIn(harness.stack, 'crash@example.com');
  storeDir = mkdtempSync(path.join(tmpdir(), 'edge-upload-faults-store-'));
  guardTemp = mkdtempSync(path.join(tmpdir(), 'edge-upload-faults-guard-tmp-'));
  objectStore = await startObjectStoreProcess(storeOptions(0));
});

afterAll(async () => {
  await objectStore?.stop();
  await harness?.stop();
  for (const dir of [storeDir, guardTemp]) if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  removeBundles();
});

/** The browser's form body: the signed fields in order, then the file. */
function formBody(upload: PresignedUpload, content: Buffer): { body: Buffer; contentType: string } {
  const boundary = `----faults${randomUUID().replace(/-/g, '')}`;
  const parts = [...Object.entries(upload.fields).map(([name, value]) => field(name, value)), file(content, 'big.png', 'image/png')];
  return { body: multipartBytes(parts, boundary), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Posts `body` in chunks, a little at a time, calling `onSent` with the running total. */
function postSlowly(url: string, body: Buffer, contentType: string, onSent: (bytes: number) => void): Promise<HttpAnswer> {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let offset = 0; offset < body.length; offset += CHUNK_BYTES) {
      const chunk = body.subarray(offset, offset + CHUNK_BYTES);
      yield chunk;
      onSent(offset + chunk.length);
      await delay(2);
    }
  }
  return send(url, 'POST', Readable.from(chunks()), {
    'Content-Type': contentType,
    'Content-Length': String(body.length),
    Origin: harness.stack.url,
  });
}

describe('the S3 stand-in killed mid-upload', () => {
  it("the client's retry with the same id stores exactly one object, with the bytes sent", async () => {
    const content = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(SIZE - 8)]);
    const id = randomUUID();
    const prefix = `uploads/${session.sub}/`;
    const first = await presignOne(harness.stack, session.accessToken, { name: 'big.png', size: SIZE, type: 'image/png', id });
    const form = formBody(first, content);

    // The store dies with a quarter of the file sent.
    const killedPid = objectStore.pid;
    let killing: Promise<void> | undefined;
    const attempt = postSlowly(`${objectStore.url}/${harness.stack.bucket}`, form.body, form.contentType, (sent) => {
      if (sent >= KILL_AFTER_BYTES && killing === undefined) killing = objectStore.kill('SIGKILL');
    });
    const outcome = await attempt.then(
      (answer) => ({ status: answer.status }),
      (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
    );
    await killing;
    expect(killing).toBeDefined();
    expect(isRunning(killedPid)).toBe(false);
    // The client saw the connection fail (or, at most, an error answer): never a success.
    if ('status' in outcome) expect(outcome.status).toBeGreaterThanOrEqual(400);
    else expect(outcome.error).toMatch(/ECONNRESET|EPIPE|socket hang up|ECONNREFUSED/);

    // Back on the same port and the same data: nothing of the cut upload is there.
    const port = objectStore.port;
    objectStore = await startObjectStoreProcess(storeOptions(port));
    expect(objectStore.port).toBe(port);
    expect(await listKeys(address(), prefix)).toEqual([]);

    // The retry: presign again with the same id (same user, same id, same day ⇒ same key), upload again.
    const retry = await presignOne(harness.stack, session.accessToken, { name: 'big.png', size: SIZE, type: 'image/png', id });
    expect(retry.key).toBe(first.key);
    const again = formBody(retry, content);
    const stored = await send(`${objectStore.url}/${harness.stack.bucket}`, 'POST', again.body, {
      'Content-Type': again.contentType,
      Origin: harness.stack.url,
    });
    expect(stored.status).toBe(201);

    expect(await listKeys(address(), prefix)).toEqual([first.key]);
    const object = await readObject(address(), first.key);
    expect(object).toEqual({ key: first.key, size: SIZE, sha256: sha256(content), contentType: 'image/png', owner: session.sub });

    // A client that never saw the 201 retries once more: the same key is overwritten, not duplicated.
    const third = await presignOne(harness.stack, session.accessToken, { name: 'big.png', size: SIZE, type: 'image/png', id });
    const once = formBody(third, content);
    expect(
      (
        await send(`${objectStore.url}/${harness.stack.bucket}`, 'POST', once.body, {
          'Content-Type': once.contentType,
          Origin: harness.stack.url,
        })
      ).status,
    ).toBe(201);
    expect(await listKeys(address(), prefix)).toEqual([first.key]);
    expect((await readObject(address(), first.key)).sha256).toBe(sha256(content));
  });
});
