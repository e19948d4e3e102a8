/**
 * The guard's multipart store on disk: an abort (remove) while parts are
 * still arriving in the upload's folder. S3 answers AbortMultipartUpload
 * with 204 whatever is in flight; the stand-in once answered 500 here,
 * because a recursive delete raced with a part being spooled into the folder.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NoSuchUploadError } from '../../../../infra/local/post-policy-guard/errors';
import { MultipartStore } from '../../../../infra/local/post-policy-guard/multipart-store';

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'edge-upload-multipart-store-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

const upload = { bucket: 'b', key: 'uploads/u/a.mp4', headers: {}, encryption: {}, storageClass: 'STANDARD' };

it('removes an upload while parts keep arriving in its folder, and the upload is gone', async () => {
  for (let round = 0; round < 20; round += 1) {
    const store = new MultipartStore(directory);
    const { uploadId } = await store.create(upload, new Date());
    const folder = join(directory, uploadId);
    // Parts being spooled: files keep appearing in the folder until it is gone.
    let writing = true;
    const writers = Array.from({ length: 4 }, async (_, writer) => {
      for (let n = 0; writing; n += 1) {
        try {
          await writeFile(join(folder, `incoming-${writer}-${n}`), Buffer.alloc(1024));
        } catch {
          return; // the folder is gone: as a spooling part would, this writer fails
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(store.remove(uploadId)).resolves.toBeUndefined();
    writing = false;
    await Promise.all(writers);
    await expect(store.get(uploadId, upload.bucket, upload.key)).rejects.toBeInstanceOf(NoSuchUploadError);
    await expect(store.parts(uploadId)).rejects.toBeInstanceOf(NoSuchUploadError);
  }
  // Nothing of any upload is left behind.
  expect(readdirSync(directory)).toEqual([]);
});

it('removing an upload that is already gone is quiet', async () => {
  const store = new MultipartStore(directory);
  const { uploadId } = await store.create(upload, new Date());
  await store.remove(uploadId);
  await expect(store.remove(uploadId)).resolves.toBeUndefined();
});
