import { createHash } from 'node:crypto';
import { DEFAULT_UPLOAD_RULES, MiB, type UploadRules } from '../../../edge-functions/core/upload-rules';
import type { PresignFile } from '../../../client/core/api-contract';
import { md5Base64 } from '../../../client/core/md5';
import { parseMultipartStart, parsePartUrls } from '../../../client/core/multipart-contract';
import { MemoryMultipartStore } from '../../../client/core/multipart-store';
import { UploadQueue, type UploadSnapshot } from '../../../client/core/upload-queue';
import { FakeEdge, FakeS3, testFile, type TestFile } from '../../site/support/fake-multipart';
import { ManualClock, settle } from '../../site/support/manual-clock';

// Until the rules file carries them (h/upload-rules), a small threshold stands in for postMaxBytes.
const rules = {
  ...DEFAULT_UPLOAD_RULES,
  types: { ...DEFAULT_UPLOAD_RULES.types, 'video/mp4': { extensions: ['mp4'], maxBytes: 20 * 1024 * MiB } },
  postMaxBytes: 4_000,
} as UploadRules;

function setup(store = new MemoryMultipartStore(), clock = new ManualClock(), s3 = new FakeS3(clock)) {
  const edge = new FakeEdge(clock);
  const presigned: PresignFile[] = [];
  const posted: string[] = [];
  const changes: UploadSnapshot[] = [];
  let ids = 0;
  const queue = new UploadQueue<TestFile>({
    rules,
    clock,
    random: () => 0.5,
    newId: () => `00000000-0000-4000-8000-${(++ids).toString(16).padStart(12, '0')}`,
    presign: (files) => {
      presigned.push(...files);
      return Promise.resolve(
        files.map((file) => ({
          id: file.id,
          key: `k/${file.id}`,
          url: 'https://bucket.test/',
          fields: [],
          expiresAt: clock.now() + 300_000,
        })),
      );
    },
    post: (form) => {
      posted.push(form.key);
      return Promise.resolve();
    },
    md5Of: (file, start, end, signal) => md5Base64(file.blob, start, end, signal),
    multipart: {
      signStart: async (file, signal) => parseMultipartStart(200, await edge.signStart(file, signal), file),
      signParts: async (request, plan, signal) => parsePartUrls(200, await edge.signParts(request, plan, signal), request, plan),
      send: s3.send,
      store,
    },
    onChange: (upload) => changes.push(upload),
  });
  return { queue, edge, s3, clock, store, presigned, posted, changes };
}

async function until(clock: ManualClock, done: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !done(); i += 1) await clock.advance(1_000);
  expect(done()).toBe(true);
}

describe('the upload queue with MD5 and multipart', () => {
  test('a small file is POSTed with its MD5 in the /presign spec; a file above postMaxBytes goes up as multipart', async () => {
    const { queue, s3, presigned, posted, clock } = setup();
    const small = { ...testFile(3_000, 1, 'clip.mp4') };
    const large = testFile(9_500, 2, 'talk.mp4');
    const [a, b] = queue.add([small, large]);
    await until(clock, () => queue.list().every((upload) => upload.state === 'done'));
    const bytes = Buffer.from(await small.blob.arrayBuffer());
    expect(presigned).toEqual([expect.objectContaining({ name: 'clip.mp4', md5: createHash('md5').update(bytes).digest('base64') })]);
    expect(posted).toEqual([`k/${a?.id}`]);
    expect(queue.get(b?.id ?? '')?.multipart).toBe(true);
    expect(s3.objects.get(queue.get(b?.id ?? '')?.key ?? '')?.equals(Buffer.from(await large.blob.arrayBuffer()))).toBe(true);
  });

  test('pause and resume through the queue; after a "reload" the unfinished upload is listed and picking the file again resumes it', async () => {
    const store = new MemoryMultipartStore();
    const clock = new ManualClock();
    const first = setup(store, clock);
    first.s3.hold = true;
    const file = testFile(12_000);
    const [added] = first.queue.add([file]);
    const id = added?.id ?? '';
    await settle();
    first.s3.releaseHeld();
    await settle();
    first.queue.pause(id);
    expect(first.queue.get(id)?.state).toBe('paused');
    first.s3.releaseHeld();
    await clock.advance(10_000);
    expect(first.s3.heldCount()).toBe(0);
    first.queue.dispose(); // the page goes away while paused (dispose does not abort a paused upload at S3)

    const second = setup(store, clock, first.s3);
    first.s3.hold = false;
    const unfinished = await second.queue.loadUnfinished();
    expect(unfinished.map((record) => record.file.name)).toEqual(['talk.mp4']);
    const putsBefore = first.s3.puts.length;
    const [again] = second.queue.add([file]);
    expect(again?.id).toBe(id);
    expect(second.queue.unfinished()).toEqual([]);
    await until(clock, () => second.queue.get(id)?.state === 'done');
    expect(
      first.s3.puts
        .slice(putsBefore)
        .map((put) => put.partNumber)
        .sort((x, y) => x - y),
    ).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    expect(second.edge.startCalls).toHaveLength(0);
    expect(await store.list()).toEqual([]);
  });
});
