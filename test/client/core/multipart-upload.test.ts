import { createHash } from 'node:crypto';
import { MAX_AUTO_RETRIES } from '../../../client/core/backoff';
import { AbortedError, MultipartError, NetworkError } from '../../../client/core/errors';
import { md5Base64 } from '../../../client/core/md5';
import { parseMultipartStart, parsePartUrls } from '../../../client/core/multipart-contract';
import { isSameFile, MemoryMultipartStore, type MultipartRecord, type MultipartStore } from '../../../client/core/multipart-store';
import { MAX_PARALLEL_PARTS, MultipartUpload, type MultipartDeps } from '../../../client/core/multipart-upload';
import { completeMultipartXml, parseListParts, parseUploadId } from '../../../client/core/s3-multipart-xml';
import { FakeEdge, FakeS3, testFile, type TestFile } from '../../site/support/fake-multipart';
import { ManualClock, settle } from '../../site/support/manual-clock';

const ID = '5c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';

function world(store: MultipartStore = new MemoryMultipartStore(), clock = new ManualClock()) {
  const s3 = new FakeS3(clock);
  const edge = new FakeEdge(clock);
  const hashed: Array<[number, number]> = [];
  const deps: MultipartDeps<TestFile> = {
    // The edge's JSON goes through the site's own parsers, as in the browser.
    signStart: async (file, signal) => parseMultipartStart(200, await edge.signStart(file, signal), file),
    signParts: async (request, plan, signal) => parsePartUrls(200, await edge.signParts(request, plan, signal), request, plan),
    send: s3.send,
    md5Of: (file, start, end, signal) => {
      hashed.push([start, end]);
      return md5Base64(file.blob, start, end, signal, 300); // small slices: several per part
    },
    store,
    clock,
    random: () => 0.5,
    limits: { postMaxBytes: 100 * 1024 * 1024, maxPartsPerRequest: 10, partUrlTtlSeconds: 900 },
  };
  const notices: unknown[] = [];
  const progress: number[] = [];
  const upload = (file: TestFile, resume?: Parameters<typeof start>[1]) => start(file, resume);
  function start(file: TestFile, resumeFrom?: import('../../../client/core/multipart-store').MultipartRecord) {
    return new MultipartUpload<TestFile>(
      file,
      { name: file.name, size: file.size, type: file.type, id: ID },
      deps,
      {
        onProgress: (sent) => progress.push(sent),
        onNotice: (notice) => notices.push(notice),
      },
      resumeFrom,
    );
  }
  return { clock, s3, edge, store, deps, upload, notices, progress, hashed };
}

const s3Done = (w: { s3: FakeS3 }, key: string): boolean => w.s3.objects.has(key) && w.s3.uploads.size === 0;

/** Drives a run to its end: the fake S3 answers on setImmediate, and backoff waits on the manual clock. */
async function finish(run: Promise<void>, clock: ManualClock): Promise<void> {
  let done = false;
  let failure: unknown;
  run.then(
    () => (done = true),
    (error: unknown) => ((done = true), (failure = error)),
  );
  for (let i = 0; i < 500 && !done; i += 1) await clock.advance(1_000);
  if (!done) throw new Error('the upload never finished');
  if (failure !== undefined) throw failure;
}

describe('MultipartUpload against an in-memory S3', () => {
  test('sends every part with its MD5 and length, completes in order, and the object is the file', async () => {
    const { s3, edge, store, upload, clock, progress } = world();
    const file = testFile(25_500);
    await finish(upload(file).run(), clock);

    expect(s3.creates).toBe(1);
    expect(s3.puts.map((put) => put.partNumber).sort((a, b) => a - b)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
    for (const put of s3.puts) expect(put.length).toBe(put.partNumber === 26 ? 500 : 1000);
    // Every part carried the MD5 the fake S3 checked against node:crypto's.
    expect(s3.puts.every((put) => put.contentMd5 !== undefined)).toBe(true);
    const completeXml = s3.completeBodies[0] ?? '';
    const order = [...completeXml.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1]));
    expect(order).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
    const stored = s3.objects.get(`uploads/sub/2026/12/06/${ID}/talk.mp4`);
    expect(stored?.equals(Buffer.from(await file.blob.arrayBuffer()))).toBe(true);
    // At most maxPartsPerRequest parts per signing call.
    expect(edge.partsCalls.every((call) => call.parts.length <= 10)).toBe(true);
    expect(progress[progress.length - 1]).toBe(25_500);
    expect(await store.list()).toEqual([]);
  });

  test(`never has more than ${MAX_PARALLEL_PARTS} parts in flight`, async () => {
    const { s3, upload, clock } = world();
    s3.hold = true;
    const run = upload(testFile(20_000)).run();
    await settle();
    expect(s3.heldCount()).toBe(MAX_PARALLEL_PARTS);
    s3.hold = false;
    s3.releaseHeld();
    await finish(run, clock);
    expect(s3.maxInFlight).toBe(MAX_PARALLEL_PARTS);
    expect(MAX_PARALLEL_PARTS).toBeGreaterThanOrEqual(4);
    expect(MAX_PARALLEL_PARTS).toBeLessThanOrEqual(6);
  });

  test('a part that fails twice is retried with backoff and then succeeds', async () => {
    const { s3, upload, clock } = world();
    s3.failNext.set(3, 2);
    const run = upload(testFile(5_000)).run();
    let done = false;
    void run.then(() => (done = true));
    await settle();
    await settle();
    // The first failure waits about a second (equal jitter at 0.5: 750 ms) before the retry.
    expect(clock.pending()).toEqual([750]);
    await clock.advance(749);
    expect(s3.puts.filter((put) => put.partNumber === 3)).toHaveLength(1);
    await clock.advance(1);
    await settle();
    expect(s3.puts.filter((put) => put.partNumber === 3)).toHaveLength(2);
    // The second failure waits longer: 1,500 ms.
    expect(clock.pending()).toEqual([1_500]);
    await finish(run, clock);
    expect(done).toBe(true);
    expect(s3.puts.filter((put) => put.partNumber === 3)).toHaveLength(3);
    expect(s3.objects.size).toBe(1);
  });

  test('a part that keeps failing stops the upload after the automatic retries, and run() again continues', async () => {
    const { s3, upload, clock, store } = world();
    s3.failNext.set(2, MAX_AUTO_RETRIES + 1);
    const multipart = upload(testFile(5_000));
    await expect(finish(multipart.run(), clock)).rejects.toBeInstanceOf(NetworkError);
    expect(await store.list()).toHaveLength(1); // kept: the person can retry, even after a reload
    const before = s3.puts.length;
    await finish(multipart.run(), clock);
    expect(s3.creates).toBe(1);
    // Only part 2 (and nothing already stored) is sent again.
    expect(s3.puts.slice(before).map((put) => put.partNumber)).toEqual([2]);
    expect(s3.objects.size).toBe(1);
  });

  test('pause stops new parts; resume sends the rest', async () => {
    const { s3, upload, clock } = world();
    s3.hold = true;
    const multipart = upload(testFile(12_000));
    const run = multipart.run();
    await settle();
    expect(s3.heldCount()).toBe(4);
    s3.releaseHeld(); // parts 1-4 are stored; 5-8 start
    await settle();
    multipart.pause();
    await expect(run).rejects.toBeInstanceOf(AbortedError);
    const putsAtPause = s3.puts.length;
    s3.releaseHeld();
    await clock.advance(60_000);
    expect(s3.puts.length).toBe(putsAtPause); // nothing new while paused
    const storedAtPause = [...(s3.uploads.values().next().value?.parts.keys() ?? [])].sort((a, b) => a - b);
    expect(storedAtPause).toEqual([1, 2, 3, 4]);

    s3.hold = false;
    await finish(multipart.run(), clock);
    const sentAfter = s3.puts
      .slice(putsAtPause)
      .map((put) => put.partNumber)
      .sort((a, b) => a - b);
    expect(sentAfter).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    expect(s3.objects.size).toBe(1);
  });

  test('resume after a reload: a new instance with the same storage sends only the missing parts', async () => {
    const store = new MemoryMultipartStore();
    const clock = new ManualClock();
    const first = world(store, clock);
    first.s3.hold = true;
    const file = testFile(10_000);
    const run = first.upload(file).run();
    await settle();
    first.s3.releaseHeld(); // parts 1-4 stored
    await settle();
    run.catch(() => undefined); // the page went away mid-upload: nothing more happens in it

    // "Reload": new edge, new upload object; the same S3 and the same storage.
    const records = await store.list();
    expect(records).toHaveLength(1);
    const record = records[0]!;
    expect(isSameFile(record, file)).toBe(true);
    expect(isSameFile(record, { ...file, lastModified: file.lastModified + 1 })).toBe(false);
    const second = world(store, clock);
    const s3 = first.s3;
    second.deps.send = s3.send;
    s3.hold = false;
    const putsBefore = s3.puts.length;
    await clock.advance(3_600_000); // an hour later: the old part URLs have expired, the ticket has not
    await finish(second.upload(file, record).run(), clock);

    expect(second.edge.startCalls).toHaveLength(0);
    expect(s3.creates).toBe(1);
    expect(s3.listed).toHaveLength(1);
    expect(
      s3.puts
        .slice(putsBefore)
        .map((put) => put.partNumber)
        .sort((a, b) => a - b),
    ).toEqual([5, 6, 7, 8, 9, 10]);
    expect(s3.objects.get(record.key)?.equals(Buffer.from(await file.blob.arrayBuffer()))).toBe(true);
    expect(await store.list()).toEqual([]);
  });

  /**
   * An upload S3 already holds parts of, as a reload finds it: created through the fake edge and S3,
   * the parts `stored` keeps put straight into the fake S3, and the record the page had kept.
   */
  async function storedUpload(w: ReturnType<typeof world>, file: TestFile, stored: (partNumber: number) => boolean) {
    const start = parseMultipartStart(
      200,
      await w.edge.signStart({ name: file.name, size: file.size, type: file.type, id: ID }, new AbortController().signal),
      {
        name: file.name,
        size: file.size,
        type: file.type,
        id: ID,
      },
    );
    const created = await w.s3.send(start.create, undefined, { signal: new AbortController().signal });
    const uploadId = parseUploadId(created.body);
    const bytes = Buffer.from(await file.blob.arrayBuffer());
    const parts = w.s3.uploads.get(uploadId)!.parts;
    for (let n = 1; n <= start.partCount; n += 1) {
      if (!stored(n)) continue;
      const part = bytes.subarray((n - 1) * start.partSize, Math.min(file.size, n * start.partSize));
      parts.set(n, { etag: `"${createHash('md5').update(part).digest('hex')}"`, bytes: part });
    }
    const record: MultipartRecord = {
      id: ID,
      key: start.key,
      uploadId,
      ticket: start.ticket,
      ticketExpiresAt: start.ticketExpiresAt,
      partSize: start.partSize,
      partCount: start.partCount,
      file: { name: file.name, size: file.size, type: file.type, lastModified: file.lastModified },
      startedAt: w.clock.now(),
    };
    await w.store.put(record);
    return record;
  }

  test('resume reads every ListParts page: 2,500 parts over three pages, only the missing ones sent', async () => {
    const w = world();
    w.edge.partSize = 10;
    const file = testFile(25_000);
    const missing = [1, 999, 1000, 1001, 2000, 2500];
    const record = await storedUpload(w, file, (n) => !missing.includes(n));
    expect(record.partCount).toBe(2_500);

    await finish(w.upload(file, record).run(), w.clock);

    // 2,494 stored parts: pages of 1,000 from the start (2–998, 1002–1004), after 1,004 (1005–2005 but 2000) and after 2,005.
    expect(w.s3.listMarkers).toEqual([0, 1004, 2005]);
    // Each later page had its own URL, signed for its marker; the first page's came with part 1's signing.
    expect(w.edge.partsCalls.map((call) => call.listPartNumberMarker).filter((marker) => marker !== undefined)).toEqual([1004, 2005]);
    expect(w.s3.puts.map((put) => put.partNumber).sort((a, b) => a - b)).toEqual(missing);
    expect(w.s3.objects.get(record.key)?.equals(Buffer.from(await file.blob.arrayBuffer()))).toBe(true);
    expect(w.progress.at(-1)).toBe(file.size);
  });

  test('a later page URL is a one-off: a listing run again starts at the first page, and complete has no marker', async () => {
    const w = world();
    w.edge.partSize = 10;
    w.s3.listPageSize = 6;
    const file = testFile(100); // 10 parts: two pages (the cap for 10 parts), 1–4 and 6–7, then 8–10
    const record = await storedUpload(w, file, (n) => n !== 5);
    const sent: string[] = [];
    const send = w.s3.send;
    w.deps.send = (request, body, options) => {
      sent.push(`${request.method} ${request.url}`);
      return send(request, body, options);
    };
    w.s3.failListOnce.add(7);
    const upload = w.upload(file, record);
    await expect(finish(upload.run(), w.clock)).rejects.toMatchObject({ code: 'InvalidArgument' });
    // Run again: the listing starts over with the first page's URL (kept), not the second page's.
    await finish(upload.run(), w.clock);
    expect(w.s3.listMarkers).toEqual([0, 7, 0, 7]);
    expect(w.s3.puts.map((put) => put.partNumber)).toEqual([5]);
    const complete = sent.find((line) => line.startsWith('POST '));
    expect(complete).toBeDefined();
    expect(complete).not.toContain('part-number-marker');
    expect(s3Done(w, record.key)).toBe(true);
  });

  test.each([
    ['repeats the same marker', () => 1000, [0, 1000]],
    ['moves its marker back', (marker: number) => (marker === 0 ? 1000 : marker - 1), [0, 1000]],
    ['creeps forward one part at a time', (marker: number) => (marker === 0 ? 1 : marker + 1), [0, 1, 2, 3]],
    ['names the last part as the next marker', () => 2500, [0]],
  ])('a server that %s does not keep the listing going', async (_what, nextMarker, markers) => {
    const w = world();
    w.edge.partSize = 10;
    const file = testFile(25_000);
    const record = await storedUpload(w, file, (n) => n <= 2_400);
    w.s3.nextMarker = nextMarker;
    await finish(w.upload(file, record).run(), w.clock);
    // At most ceil(2,500 / 1,000) + 1 = 4 pages, each marker past the one before and below partCount.
    expect(w.s3.listMarkers).toEqual(markers);
    // Whatever was not listed is sent again; the object is whole.
    const sent = new Set(w.s3.puts.map((put) => put.partNumber));
    for (let n = 2_401; n <= 2_500; n += 1) expect(sent.has(n)).toBe(true);
    expect(s3Done(w, record.key)).toBe(true);
    expect(w.s3.objects.get(record.key)?.equals(Buffer.from(await file.blob.arrayBuffer()))).toBe(true);
  });

  test('an expired ticket gives a clear notice and a fresh start', async () => {
    const store = new MemoryMultipartStore();
    const clock = new ManualClock();
    const first = world(store, clock);
    first.s3.hold = true;
    const file = testFile(6_000);
    void first
      .upload(file)
      .run()
      .catch(() => undefined);
    await settle();
    first.s3.releaseHeld();
    await settle();
    const [record] = await store.list();

    // Two days later the stored ticket has expired.
    await clock.advance(2 * 24 * 3_600_000);
    const second = world(store, clock);
    second.deps.send = first.s3.send;
    first.s3.hold = false;
    await finish(second.upload(file, record).run(), clock);
    expect(second.notices).toHaveLength(1);
    expect(second.notices[0]).toBeInstanceOf(MultipartError);
    expect((second.notices[0] as MultipartError).code).toBe('TICKET_EXPIRED');
    expect((second.notices[0] as MultipartError).message).toMatch(/started again from the beginning/);
    expect(second.edge.startCalls).toHaveLength(1); // a new upload
    expect(first.s3.creates).toBe(2);
    expect(first.s3.objects.size).toBe(1);
    expect(await store.list()).toEqual([]);
  });

  test('INVALID_TICKET from the edge mid-upload: the old upload is forgotten and the file starts again', async () => {
    const { s3, edge, upload, clock, notices, store } = world();
    edge.ticketTtlMs = 10_000;
    edge.urlTtlMs = 5_000;
    s3.hold = true;
    const run = upload(testFile(30_000)).run();
    await settle();
    s3.releaseHeld(); // parts 1-4 stored, 5-8 held
    await settle();
    s3.hold = false;
    s3.releaseHeld();
    edge.ticketTtlMs = 24 * 3_600_000; // the fresh start gets a normal ticket
    await clock.advance(20_000); // the first ticket and its URLs are dead now
    await finish(run, clock);
    expect(notices.map((n) => (n as MultipartError).code)).toEqual(['TICKET_EXPIRED']);
    expect(s3.creates).toBe(2);
    expect(s3.objects.size).toBe(1);
    expect(await store.list()).toEqual([]);
  });

  test('URLs about to expire are signed again before use, and a 403 for an expired URL gets fresh ones', async () => {
    const { s3, edge, upload, clock } = world();
    edge.urlTtlMs = 4_000;
    s3.hold = true;
    const run = upload(testFile(15_000)).run();
    await settle();
    await clock.advance(5_000); // the held parts' URLs expire while they are on the way
    s3.hold = false;
    s3.releaseHeld();
    await finish(run, clock);
    expect(s3.objects.size).toBe(1);
    expect(edge.partsCalls.length).toBeGreaterThan(2);
  });

  test('cancel sends the abort and clears the storage', async () => {
    const { s3, upload, store } = world();
    s3.hold = true;
    const multipart = upload(testFile(8_000));
    const run = multipart.run();
    await settle();
    expect(await store.list()).toHaveLength(1);
    await multipart.cancel();
    await expect(run).rejects.toBeInstanceOf(AbortedError);
    expect(s3.aborted).toEqual(['upload-1']);
    expect(s3.uploads.size).toBe(0);
    expect(await store.list()).toEqual([]);
  });
});

describe('MD5 (streaming, @noble/hashes)', () => {
  test('the RFC 1321 vectors', async () => {
    expect(await md5Base64(new Blob(['']))).toBe('1B2M2Y8AsgTpgAmY7PhCfg==');
    expect(await md5Base64(new Blob(['abc']))).toBe(createHash('md5').update('abc').digest('base64'));
    expect(Buffer.from(await md5Base64(new Blob(['message digest'])), 'base64').toString('hex')).toBe('f96b697d7cb7938d525a2f31aaf161d0');
  });

  test('many slices (and a range) equal node:crypto over the same bytes', async () => {
    const file = testFile(1_000_003);
    const bytes = Buffer.from(await file.blob.arrayBuffer());
    expect(await md5Base64(file.blob, 0, file.size, undefined, 65_536)).toBe(createHash('md5').update(bytes).digest('base64'));
    expect(await md5Base64(file.blob, 12_345, 777_777, undefined, 4_096)).toBe(
      createHash('md5').update(bytes.subarray(12_345, 777_777)).digest('base64'),
    );
  });

  test('stops between slices when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(md5Base64(testFile(10_000).blob, 0, 10_000, controller.signal, 1_000)).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('S3 multipart XML', () => {
  test('UploadId, ListParts and the complete body', () => {
    expect(
      parseUploadId(
        '<?xml version="1.0"?><InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>b</Bucket><Key>k</Key><UploadId>VXBsb2Fk.x_y~z-1</UploadId></InitiateMultipartUploadResult>',
      ),
    ).toBe('VXBsb2Fk.x_y~z-1');
    expect(() => parseUploadId('<InitiateMultipartUploadResult><UploadId>a b</UploadId></InitiateMultipartUploadResult>')).toThrow(
      MultipartError,
    );
    const page = parseListParts(
      '<ListPartsResult><IsTruncated>true</IsTruncated><NextPartNumberMarker>2</NextPartNumberMarker>' +
        '<Part><PartNumber>1</PartNumber><ETag>&quot;aa&quot;</ETag><Size>5</Size></Part><Part><PartNumber>2</PartNumber><ETag>"bb"</ETag><Size>3</Size></Part></ListPartsResult>',
    );
    expect(page).toEqual({
      parts: [
        { partNumber: 1, etag: '"aa"', size: 5 },
        { partNumber: 2, etag: '"bb"', size: 3 },
      ],
      isTruncated: true,
      nextPartNumberMarker: 2,
    });
    expect(
      completeMultipartXml([
        { partNumber: 2, etag: '"b"' },
        { partNumber: 1, etag: '"a"' },
      ]),
    ).toBe(
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"a"</ETag></Part><Part><PartNumber>2</PartNumber><ETag>"b"</ETag></Part></CompleteMultipartUpload>',
    );
  });
});
