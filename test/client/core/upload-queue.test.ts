import { EdgeUploadError } from '../../../edge-functions/core/errors';
import { validatePresignRequest } from '../../../edge-functions/core/presign-request';
import { DEFAULT_UPLOAD_RULES, MiB } from '../../../edge-functions/core/upload-rules';
import type { PresignedForm, PresignFile } from '../../../client/core/api-contract';
import { MAX_AUTO_RETRIES } from '../../../client/core/backoff';
import { AbortedError, ApiError, NetworkError, S3ServiceError, SessionExpiredError } from '../../../client/core/errors';
import type { FileFacts } from '../../../client/core/file-check';
import { s3ErrorFromResponse } from '../../../client/core/s3-error';
import {
  FORM_EXPIRY_MARGIN_MS,
  MAX_PARALLEL_UPLOADS,
  summarize,
  UploadQueue,
  type PostProgressOptions,
  type UploadSnapshot,
} from '../../../client/core/upload-queue';
import { ManualClock, settle } from '../../site/support/manual-clock';

const rules = DEFAULT_UPLOAD_RULES;

interface PostCall {
  readonly form: PresignedForm;
  readonly file: FileFacts;
  readonly options: PostProgressOptions;
  readonly aborted: () => boolean;
  succeed(): void;
  fail(error: unknown): void;
}

function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** SigV4's date format: 20261129T120000Z. */
function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function png(name: string, size = 1000): FileFacts {
  return { name, size, type: 'image/png' };
}

function setup(
  options: { presign?: (files: readonly PresignFile[], signal: AbortSignal) => Promise<PresignedForm[]>; ttlMs?: number } = {},
) {
  const clock = new ManualClock();
  const presignCalls: PresignFile[][] = [];
  const posts: PostCall[] = [];
  const changes: UploadSnapshot[] = [];
  const removed: string[] = [];
  let expired = 0;
  let ids = 0;
  const formFor = (file: PresignFile): PresignedForm => ({
    id: file.id,
    key: `uploads/sub/2026/11/29/${file.id}/${file.name}`,
    url: 'https://bucket.s3-accelerate.amazonaws.com/',
    fields: [
      ['key', `uploads/sub/2026/11/29/${file.id}/${file.name}`],
      ['Content-Type', file.type],
      ['X-Amz-Date', amzDate(clock.now())],
    ],
    expiresAt: clock.now() + (options.ttlMs ?? 300_000),
  });
  const queue = new UploadQueue<FileFacts>({
    rules,
    clock,
    random: () => 0.5,
    newId: () => uuid(++ids),
    presign: (files, signal) => {
      presignCalls.push([...files]);
      return options.presign ? options.presign(files, signal) : Promise.resolve(files.map(formFor));
    },
    post: (form, file, postOptions) =>
      new Promise<void>((resolve, reject) => {
        let aborted = false;
        postOptions.signal.addEventListener('abort', () => {
          aborted = true;
          reject(new AbortedError());
        });
        posts.push({ form, file, options: postOptions, aborted: () => aborted, succeed: resolve, fail: reject });
      }),
    onChange: (upload) => changes.push(upload),
    onRemove: (id) => removed.push(id),
    onSessionExpired: () => {
      expired += 1;
    },
  });
  const running = () => posts.filter((post) => !post.aborted() && queue.get(post.form.id)?.state === 'uploading');
  return { clock, queue, presignCalls, posts, changes, removed, running, formFor, expiredCalls: () => expired };
}

function states(queue: UploadQueue<FileFacts>): string[] {
  return queue.list().map((upload) => upload.state);
}

describe('UploadQueue: checking and batching', () => {
  it('refuses files that break the rules before any request, and sends the rest', async () => {
    const { queue, presignCalls } = setup();
    const added = queue.add([
      png('ok.png'),
      { name: 'notes.txt', size: 10, type: 'text/plain' },
      png('big.png', 11 * MiB),
      png('empty.png', 0),
    ]);
    expect(added.map((upload) => upload.state)).toEqual(['queued', 'rejected', 'rejected', 'rejected']);
    expect(added[2]?.error).toMatchObject({ code: 'FILE_TOO_LARGE' });
    await settle();
    expect(presignCalls).toHaveLength(1);
    expect(presignCalls[0]?.map((file) => file.name)).toEqual(['ok.png']);
  });

  it('signs at most maxFilesPerRequest files per /presign call, and sends each file with a UUID v4 id', async () => {
    const { queue, presignCalls, posts } = setup();
    queue.add(Array.from({ length: 25 }, (_, i) => png(`f${i}.png`)));
    await settle();
    for (;;) {
      const next = posts.find((post) => !post.aborted() && queue.get(post.form.id)?.state === 'uploading');
      if (next === undefined) break;
      next.succeed();
      await settle();
    }
    expect(states(queue).every((state) => state === 'done')).toBe(true);
    expect(presignCalls.map((call) => call.length)).toEqual([10, 10, 5]);
    const ids = presignCalls.flat().map((file) => file.id);
    expect(new Set(ids).size).toBe(25);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('never runs more than MAX_PARALLEL_UPLOADS posts at once (the browser’s per-origin limit)', async () => {
    const { queue, running } = setup();
    queue.add(Array.from({ length: 20 }, (_, i) => png(`f${i}.png`)));
    await settle();
    expect(MAX_PARALLEL_UPLOADS).toBe(6);
    expect(running()).toHaveLength(6);
    running()[0]?.succeed();
    await settle();
    expect(running()).toHaveLength(6);
  });

  it('signs lazily: no more forms waiting than connections, so forms do not expire in the queue', async () => {
    const { queue, presignCalls } = setup();
    queue.add(Array.from({ length: 40 }, (_, i) => png(`f${i}.png`)));
    await settle();
    // 10 signed: 6 posting, 4 ready (< 6), so one more batch; then 14 ready, no more.
    expect(presignCalls).toHaveLength(2);
    expect(summarize(queue.list()).active).toBe(40);
  });

  it('sends the form’s own fields to the form’s url, and reports the file’s share of the body as progress', async () => {
    const { queue, posts, clock } = setup();
    const [added] = queue.add([png('holiday.png', 1000)]);
    await settle();
    const post = posts[0];
    expect(post?.form.key).toBe(`uploads/sub/2026/11/29/${added?.id}/holiday.png`);
    expect(post?.file.name).toBe('holiday.png');
    post?.options.onProgress(600, 1200); // the body is the fields and the file
    expect(queue.get(added?.id ?? '')?.sent).toBe(500);
    await clock.advance(1000);
    post?.options.onProgress(1200, 1200);
    const upload = queue.get(added?.id ?? '');
    expect(upload?.sent).toBe(1000);
    expect(upload?.bytesPerSecond).toBeCloseTo(1000);
    expect(upload?.secondsLeft).toBe(0);
    post?.succeed();
    await settle();
    expect(queue.get(added?.id ?? '')).toMatchObject({ state: 'done', key: post?.form.key, sent: 1000 });
  });
});

describe('UploadQueue: failures and retries', () => {
  it('retries a dropped connection after a pause, signing again with the same id (same key)', async () => {
    const { queue, posts, presignCalls, clock } = setup();
    const [added] = queue.add([png('a.png')]);
    await settle();
    posts[0]?.fail(new NetworkError());
    await settle();
    const waiting = queue.get(added?.id ?? '');
    expect(waiting).toMatchObject({ state: 'waiting', retries: 1 });
    expect(waiting?.error).toBeInstanceOf(NetworkError);
    expect(clock.pending()).toEqual([750]); // retryDelayMs(1, 0.5)
    await clock.advance(750);
    expect(presignCalls).toHaveLength(2);
    expect(presignCalls[1]?.[0]?.id).toBe(added?.id);
    expect(posts[1]?.form.key).toBe(posts[0]?.form.key);
    posts[1]?.succeed();
    await settle();
    expect(queue.get(added?.id ?? '')?.state).toBe('done');
  });

  it('gives up after MAX_AUTO_RETRIES and waits for the person; a manual retry keeps the id', async () => {
    const { queue, posts, presignCalls, clock } = setup();
    const [added] = queue.add([png('a.png')]);
    await settle();
    for (let attempt = 0; attempt <= MAX_AUTO_RETRIES; attempt += 1) {
      posts[attempt]?.fail(new NetworkError());
      await clock.advance(60_000);
    }
    expect(posts).toHaveLength(MAX_AUTO_RETRIES + 1);
    expect(queue.get(added?.id ?? '')?.state).toBe('failed');
    queue.retry(added?.id ?? '');
    await settle();
    expect(queue.get(added?.id ?? '')?.retries).toBe(0);
    posts[MAX_AUTO_RETRIES + 1]?.succeed();
    await settle();
    expect(queue.get(added?.id ?? '')?.state).toBe('done');
    expect(new Set(presignCalls.flat().map((file) => file.id))).toEqual(new Set([added?.id]));
  });

  it('does not retry by itself what a retry cannot fix (the file changed size)', async () => {
    const { queue, posts, clock } = setup();
    const [added] = queue.add([png('a.png')]);
    await settle();
    posts[0]?.fail(s3ErrorFromResponse(400, '<Error><Code>EntityTooLarge</Code></Error>'));
    await clock.advance(60_000);
    const upload = queue.get(added?.id ?? '');
    expect(upload?.state).toBe('failed');
    expect(upload?.error).toBeInstanceOf(S3ServiceError);
    expect(posts).toHaveLength(1);
  });

  it('retries transient S3 answers (503 SlowDown)', async () => {
    const { queue, posts, clock } = setup();
    const [added] = queue.add([png('a.png')]);
    await settle();
    posts[0]?.fail(s3ErrorFromResponse(503, '<Error><Code>SlowDown</Code></Error>'));
    await clock.advance(1000);
    posts[1]?.succeed();
    await settle();
    expect(queue.get(added?.id ?? '')?.state).toBe('done');
  });

  it('signs again when S3 refuses a form that expired on the way', async () => {
    const { queue, posts, presignCalls, clock } = setup({ ttlMs: 60_000 });
    const [added] = queue.add([png('a.png')]);
    await settle();
    await clock.advance(61_000);
    posts[0]?.fail(
      s3ErrorFromResponse(403, '<Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy expired.</Message></Error>'),
    );
    await clock.advance(1000);
    expect(presignCalls).toHaveLength(2);
    posts[1]?.succeed();
    await settle();
    expect(queue.get(added?.id ?? '')?.state).toBe('done');
  });

  it('signs again, before posting, a form that waited until it would expire too soon to carry the file', async () => {
    const { queue, presignCalls, posts, clock } = setup({ ttlMs: 120_000 });
    const added = queue.add(Array.from({ length: 7 }, (_, i) => png(`f${i}.png`)));
    await settle();
    expect(posts).toHaveLength(6);
    // The seventh form waits for a connection until it has less than FORM_EXPIRY_MARGIN_MS left.
    await clock.advance(120_000 - FORM_EXPIRY_MARGIN_MS + 1);
    posts[0]?.succeed();
    await settle();
    expect(presignCalls.map((call) => call.length)).toEqual([7, 1]);
    expect(presignCalls[1]?.[0]?.id).toBe(added[6]?.id);
    expect(posts[6]?.form.id).toBe(added[6]?.id);
  });

  it('uses a fresh form even when the edge signs for less than the margin (no endless re-signing)', async () => {
    const { queue, presignCalls, posts } = setup({ ttlMs: 20_000 });
    queue.add([png('a.png')]);
    await settle();
    expect(presignCalls).toHaveLength(1);
    expect(posts).toHaveLength(1);
  });

  it('judges expiry by the form’s own clock: a device clock hours off does not make fresh forms look expired', async () => {
    const hoursAhead = 5 * 3_600_000;
    const { queue, presignCalls, posts, clock } = setup({
      // The signer's clock is 5 h behind this device's: expiresAt is in this device's past.
      presign: async (files) =>
        files.map((file) => ({
          id: file.id,
          key: `k/${file.id}`,
          url: 'https://b.example/',
          fields: [['X-Amz-Date', amzDate(clock.now() - hoursAhead)]],
          expiresAt: clock.now() - hoursAhead + 300_000,
        })),
    });
    const [added] = queue.add([png('a.png')]);
    await settle();
    expect(presignCalls).toHaveLength(1);
    posts[0]?.succeed();
    await settle();
    expect(queue.get(added?.id ?? '')?.state).toBe('done');
  });

  it('fails only the file the edge refused, and signs the others again without it', async () => {
    let calls = 0;
    const { queue, presignCalls, posts } = setup({
      presign: async (files) => {
        calls += 1;
        if (calls === 1) throw new ApiError(400, 'INVALID_FILENAME', 'not a usable name', 1);
        return files.map((file) => ({
          id: file.id,
          key: `k/${file.id}`,
          url: 'https://b.example/',
          fields: [['key', `k/${file.id}`]],
          expiresAt: Date.now() + 3_600_000,
        }));
      },
    });
    const added = queue.add([png('a.png'), png('b.png'), png('c.png')]);
    await settle();
    expect(queue.get(added[1]?.id ?? '')).toMatchObject({ state: 'failed' });
    expect(presignCalls[1]?.map((file) => file.name)).toEqual(['a.png', 'c.png']);
    expect(posts).toHaveLength(2);
  });

  it('sends a file over postMaxBytes to /presign (the site has no multipart yet); the edge says USE_MULTIPART, only that file fails', async () => {
    // The edge's own validation stands in for /presign, its errors turned into what the site's API client throws.
    const { queue, presignCalls, posts, formFor } = setup({
      presign: async (files) => {
        try {
          validatePresignRequest({ files }, rules);
        } catch (error) {
          if (error instanceof EdgeUploadError) throw new ApiError(error.status, error.code, error.message, error.file);
          throw error;
        }
        return files.map(formFor);
      },
    });
    const talk: FileFacts = { name: 'talk.mp4', size: rules.postMaxBytes + 1, type: 'video/mp4' };
    const added = queue.add([png('a.png'), talk, png('b.png')]);
    expect(added.map((upload) => upload.state)).toEqual(['queued', 'queued', 'queued']);
    await settle();
    expect(queue.get(added[1]?.id ?? '')).toMatchObject({
      state: 'failed',
      error: {
        code: 'USE_MULTIPART',
        message: 'talk.mp4 is larger than 100 MiB: upload it as a multipart upload (POST /presign/multipart).',
      },
    });
    expect(presignCalls.map((call) => call.map((file) => file.name))).toEqual([
      ['a.png', 'talk.mp4', 'b.png'],
      ['a.png', 'b.png'],
    ]);
    expect(posts.map((post) => post.file.name)).toEqual(['a.png', 'b.png']);
  });

  it('retries a /presign call that could not reach the edge', async () => {
    let calls = 0;
    const { queue, posts, clock } = setup({
      presign: async (files) => {
        calls += 1;
        if (calls === 1) throw new NetworkError();
        return files.map((file) => ({
          id: file.id,
          key: `k/${file.id}`,
          url: 'https://b.example/',
          fields: [],
          expiresAt: Date.now() + 3_600_000,
        }));
      },
    });
    const [added] = queue.add([png('a.png')]);
    await settle();
    expect(queue.get(added?.id ?? '')?.state).toBe('waiting');
    await clock.advance(1000);
    expect(posts).toHaveLength(1);
  });

  it('stops and says so when the session ends during a /presign call', async () => {
    const { queue, presignCalls, expiredCalls } = setup({ presign: async () => Promise.reject(new SessionExpiredError()) });
    const added = queue.add([png('a.png'), png('b.png')]);
    await settle();
    expect(expiredCalls()).toBe(1);
    expect(queue.get(added[0]?.id ?? '')?.state).toBe('failed');
    queue.add([png('c.png')]);
    await settle();
    expect(presignCalls).toHaveLength(1);
  });

  it('fails the batch for a refusal that is about the request, not a file', async () => {
    const { queue } = setup({ presign: async () => Promise.reject(new ApiError(400, 'INVALID_REQUEST', 'bad')) });
    const added = queue.add([png('a.png'), png('b.png')]);
    await settle();
    expect(added.map((upload) => queue.get(upload.id)?.state)).toEqual(['failed', 'failed']);
  });
});

describe('UploadQueue: cancel and remove', () => {
  it('cancels a running upload: aborts its POST, ignores its late answer, frees its connection', async () => {
    const { queue, posts, running } = setup();
    const added = queue.add(Array.from({ length: 7 }, (_, i) => png(`f${i}.png`)));
    await settle();
    const first = posts[0];
    queue.cancel(added[0]?.id ?? '');
    expect(first?.aborted()).toBe(true);
    first?.succeed();
    await settle();
    expect(queue.get(added[0]?.id ?? '')?.state).toBe('cancelled');
    expect(running()).toHaveLength(6); // the seventh file took the freed connection
  });

  it('cancels a file while it is being signed: its form is never used', async () => {
    let release: (forms: PresignedForm[]) => void = () => undefined;
    const { queue, posts, formFor } = setup({
      presign: (files) => new Promise((resolve) => (release = () => resolve(files.map(formFor)))),
    });
    const added = queue.add([png('a.png'), png('b.png')]);
    await settle();
    queue.cancel(added[0]?.id ?? '');
    release([]);
    await settle();
    expect(posts.map((post) => post.file.name)).toEqual(['b.png']);
  });

  it('cancels a file waiting for its retry: the timer does nothing afterwards', async () => {
    const { queue, posts, clock } = setup();
    const [added] = queue.add([png('a.png')]);
    await settle();
    posts[0]?.fail(new NetworkError());
    await settle();
    queue.cancel(added?.id ?? '');
    expect(clock.pending()).toEqual([]);
    await clock.advance(60_000);
    expect(posts).toHaveLength(1);
  });

  it('sends a cancelled file again on retry, under the same id', async () => {
    const { queue, posts } = setup();
    const [added] = queue.add([png('a.png')]);
    await settle();
    queue.cancel(added?.id ?? '');
    queue.retry(added?.id ?? '');
    await settle();
    expect(posts[1]?.form.id).toBe(added?.id);
  });

  it('removes only files that are no longer moving', async () => {
    const { queue, removed } = setup();
    const added = queue.add([png('a.png'), { name: 'x.txt', size: 1, type: 'text/plain' }]);
    await settle();
    queue.remove(added[0]?.id ?? '');
    queue.remove(added[1]?.id ?? '');
    expect(removed).toEqual([added[1]?.id]);
    expect(queue.list()).toHaveLength(1);
  });

  it('dispose cancels everything and starts nothing new', async () => {
    const { queue, posts, presignCalls } = setup();
    queue.add(Array.from({ length: 8 }, (_, i) => png(`f${i}.png`)));
    await settle();
    queue.dispose();
    expect(posts.every((post) => post.aborted())).toBe(true);
    queue.add([png('late.png')]);
    await settle();
    expect(presignCalls).toHaveLength(1);
    expect(states(queue).filter((state) => state !== 'cancelled')).toEqual(['queued']);
  });
});

describe('summarize', () => {
  it('adds up files, bytes and speeds; failed and cancelled files leave the totals', () => {
    const base = {
      type: 'image/png',
      error: undefined,
      key: undefined,
      retries: 0,
      retryAt: undefined,
      secondsLeft: undefined,
      multipart: false,
      notice: undefined,
    };
    const uploads: UploadSnapshot[] = [
      { ...base, id: '1', name: 'a', size: 100, state: 'done', sent: 100, bytesPerSecond: undefined },
      { ...base, id: '2', name: 'b', size: 300, state: 'uploading', sent: 100, bytesPerSecond: 50 },
      { ...base, id: '3', name: 'c', size: 100, state: 'queued', sent: 0, bytesPerSecond: undefined },
      { ...base, id: '4', name: 'd', size: 999, state: 'failed', sent: 10, bytesPerSecond: undefined },
      { ...base, id: '5', name: 'e', size: 999, state: 'cancelled', sent: 10, bytesPerSecond: undefined },
      { ...base, id: '6', name: 'f.exe', size: 7, state: 'rejected', sent: 0, bytesPerSecond: undefined },
    ];
    expect(summarize(uploads)).toEqual({
      files: 6,
      done: 1,
      failed: 1,
      refused: 1,
      active: 2,
      bytesTotal: 500,
      bytesSent: 200,
      bytesPerSecond: 50,
      secondsLeft: 6,
    });
    expect(summarize([])).toMatchObject({ files: 0, active: 0, secondsLeft: undefined });
  });
});
