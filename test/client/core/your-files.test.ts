import { MAX_VERDICT_POLLS, YourFiles } from '../../../client/core/your-files';
import { MAX_KEYS_PER_ACCESS } from '../../../edge-functions/core/user-files-limits';
import { FakeFilesBackend } from '../../site/support/fake-files';
import { ManualClock } from '../../site/support/manual-clock';

function setup(options: { maxKeys?: number } = {}) {
  const clock = new ManualClock();
  const backend = new FakeFilesBackend('sub-1', () => clock.now(), 300_000, options.maxKeys ?? 100);
  let changes = 0;
  const files = new YourFiles({ api: backend, clock, random: () => 0.5, onChange: () => (changes += 1) });
  return { clock, backend, files, changes: () => changes };
}

const rest = (n: number, name = `file-${String(n).padStart(3, '0')}.png`) =>
  `2026/01/02/00000000-0000-4000-8000-${String(n).padStart(12, '0')}/${name}`;

describe('YourFiles', () => {
  it('lists earlier uploads with name, size, date and verdict, rejected ones with the inspector’s reason', async () => {
    const { backend, files } = setup();
    const verified = backend.put(rest(1, 'cat.png'), 2048, 'uploads', { verified: 'true' });
    const checking = backend.put(rest(2, 'dog.png'), 10);
    backend.put(rest(3, 'fake.png'), 99, 'quarantine', { 'quarantine-reason': 'TYPE_MISMATCH' });
    await files.loadFirst();
    const rows = files.rows();
    expect(rows.map((row) => [row.name, row.size, row.status, row.reason])).toEqual([
      ['cat.png', 2048, 'verified', undefined],
      ['dog.png', 10, 'checking', undefined],
      ['fake.png', 99, 'rejected', 'TYPE_MISMATCH'],
    ]);
    expect(rows[0]?.key).toBe(verified);
    expect(rows[0]?.uploadedAt).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
    // The rejected row is keyed by its uploads/ key, but lives under quarantine/.
    expect(rows[2]?.key.startsWith('uploads/')).toBe(true);
    expect(rows[2]?.storedKey.startsWith('quarantine/')).toBe(true);
    expect(files.row(checking)?.status).toBe('checking');
    files.dispose();
  });

  it(`pages with the continuation token, and signs access for at most ${MAX_KEYS_PER_ACCESS} keys per call (the edge's limit)`, async () => {
    const { backend, files } = setup();
    for (let n = 1; n <= 230; n += 1) backend.put(rest(n), n, 'uploads', { verified: 'true' });
    await files.loadFirst();
    expect(files.rows()).toHaveLength(100);
    expect(files.hasMore).toBe(true);
    await files.loadMore();
    expect(files.rows()).toHaveLength(200);
    await files.loadMore();
    expect(files.rows()).toHaveLength(230);
    expect(files.hasMore).toBe(false);
    expect(files.rows().at(-1)?.name).toBe('file-230.png');
    expect(Math.max(...backend.accessCalls.map((keys) => keys.length))).toBe(MAX_KEYS_PER_ACCESS);
    expect(files.rows().every((row) => row.status === 'verified')).toBe(true);
    files.dispose();
  });

  it('pages the rejected files too: 230 quarantined and 150 uploads are all shown, each list read with its own token', async () => {
    const { backend, files } = setup();
    const uploads = Array.from({ length: 150 }, (_, i) => backend.put(rest(i + 1), 10, 'uploads', { verified: 'true' }));
    const quarantined = Array.from({ length: 230 }, (_, i) =>
      backend.put(rest(i + 301), 20, 'quarantine', { 'quarantine-reason': 'TYPE_MISMATCH' }),
    );
    await files.loadFirst();
    expect(files.rows().length).toBe(200);
    expect(files.hasMore).toBe(true);
    await files.loadMore();
    expect(files.rows().length).toBe(350);
    expect(files.hasMore).toBe(true); // the uploads are done, the quarantined files are not
    await files.loadMore();
    expect(files.rows().length).toBe(380);
    expect(files.hasMore).toBe(false);
    await files.loadMore(); // nothing left: no request
    const rejected = files.rows().filter((row) => row.status === 'rejected');
    expect(rejected.map((row) => row.storedKey)).toEqual(quarantined);
    expect(rejected.every((row) => row.reason === 'TYPE_MISMATCH' && row.key.startsWith('uploads/'))).toBe(true);
    expect(
      files
        .rows()
        .filter((row) => row.status === 'verified')
        .map((row) => row.key),
    ).toEqual(uploads);
    // One POST /presign/files per list that continues (it binds one token into both URLs), and only that list's URL is read.
    const [u100, q100, q200] = [uploads[99], quarantined[99], quarantined[199]];
    expect(backend.listingTokens).toEqual([undefined, u100, q100, q200]);
    expect([...backend.listReads].sort()).toEqual(
      [
        'uploads/sub-1/ -',
        'quarantine/sub-1/ -',
        `uploads/sub-1/ ${u100}`,
        `quarantine/sub-1/ ${q100}`,
        `quarantine/sub-1/ ${q200}`,
      ].sort(),
    );
    files.dispose();
  });

  it('ends a list whose server answers the same continuation token again, and goes on with the other one', async () => {
    const { backend, files } = setup();
    const uploads = Array.from({ length: 150 }, (_, i) => backend.put(rest(i + 1), 10, 'uploads', { verified: 'true' }));
    const quarantined = Array.from({ length: 250 }, (_, i) =>
      backend.put(rest(i + 301), 20, 'quarantine', { 'quarantine-reason': 'TRUNCATED' }),
    );
    backend.loopingPrefix = 'uploads/';
    await files.loadFirst();
    await files.loadMore();
    // The uploads' second page came back with the token that asked for it: that list ends, the quarantined one goes on.
    expect(files.rows().length).toBe(350);
    expect(files.hasMore).toBe(true);
    await files.loadMore();
    expect(files.rows().length).toBe(400);
    expect(files.hasMore).toBe(false);
    await files.loadMore();
    expect(backend.listingTokens).toEqual([undefined, uploads[99], quarantined[99], quarantined[199]]);
    files.dispose();
  });

  it('ends a list whose server cycles back to a token it already gave (A → B → A)', async () => {
    const { backend, files } = setup();
    const uploads = Array.from({ length: 350 }, (_, i) => backend.put(rest(i + 1), 10, 'uploads', { verified: 'true' }));
    backend.cyclingPrefix = 'uploads/';
    await files.loadFirst();
    await files.loadMore();
    expect(files.hasMore).toBe(true);
    await files.loadMore();
    // The third page pointed back to the first token: followed already, so the list ends instead of going round.
    expect(files.rows().length).toBe(300);
    expect(files.hasMore).toBe(false);
    await files.loadMore();
    expect(backend.listingTokens).toEqual([undefined, uploads[99], uploads[199]]);
    files.dispose();
  });

  it('turns a new upload from checking to verified by itself, polling with a growing delay', async () => {
    const { backend, clock, files } = setup();
    await files.loadFirst();
    const key = backend.put(rest(7, 'new.png'), 5);
    files.track(key, 5);
    expect(files.row(key)?.status).toBe('checking');
    expect(clock.pending()).toEqual([750]); // about a second: half fixed, half jitter (random 0.5)
    await clock.advance(750);
    expect(files.row(key)?.status).toBe('checking');
    expect(clock.pending()).toEqual([1500]);
    backend.inspect(key, { verified: true });
    await clock.advance(1500);
    expect(files.row(key)?.status).toBe('verified');
    expect(clock.pending()).toEqual([]);
    files.dispose();
  });

  it('finds a rejected upload under quarantine/ with the same rest of the key, with its reason', async () => {
    const { backend, clock, files } = setup();
    await files.loadFirst();
    const key = backend.put(rest(8, 'page.png'), 5);
    files.track(key, 5);
    backend.inspect(key, { reason: 'UNRECOGNIZED_CONTENT' });
    await clock.advance(1000);
    const row = files.row(key);
    expect([row?.status, row?.reason, row?.storedKey]).toEqual([
      'rejected',
      'UNRECOGNIZED_CONTENT',
      `quarantine/sub-1/${rest(8, 'page.png')}`,
    ]);
    expect(clock.pending()).toEqual([]);
    files.dispose();
  });

  it('stops polling after a bounded number of looks and says the verdict is not known yet', async () => {
    const { backend, clock, files } = setup();
    await files.loadFirst();
    const key = backend.put(rest(9, 'slow.png'), 5);
    backend.failTagging = 500; // failures count as looks too
    files.track(key, 5);
    for (let i = 0; i < MAX_VERDICT_POLLS + 5; i += 1) await clock.advance(10_000);
    expect(files.row(key)?.status).toBe('checking');
    expect(files.row(key)?.gaveUp).toBe(true);
    expect(clock.pending()).toEqual([]);
    expect(backend.sent.filter((line) => line === 'GET tagging')).toHaveLength(MAX_VERDICT_POLLS);
    files.dispose();
  });

  it('polls files that were still being checked when the page loaded', async () => {
    const { backend, clock, files } = setup();
    const key = backend.put(rest(10), 5);
    await files.loadFirst();
    expect(files.row(key)?.status).toBe('checking');
    backend.inspect(key, { verified: true });
    await clock.advance(1000);
    expect(files.row(key)?.status).toBe('verified');
    files.dispose();
  });

  it('signs a fresh download URL for a verified file, and deletes a file and its row', async () => {
    const { backend, files } = setup();
    const key = backend.put(rest(11, 'cat.png'), 5, 'uploads', { verified: 'true' });
    const rejected = backend.put(rest(12, 'bad.png'), 5, 'quarantine', { 'quarantine-reason': 'TRUNCATED' });
    await files.loadFirst();
    expect(await files.downloadUrl(key)).toContain('get?key=');
    await expect(files.downloadUrl(`uploads/sub-1/${rest(12, 'bad.png')}`)).rejects.toThrow('not a verified file');
    await files.delete(key);
    await files.delete(`uploads/sub-1/${rest(12, 'bad.png')}`);
    expect(backend.objects.has(key)).toBe(false);
    expect(backend.objects.has(rejected)).toBe(false);
    expect(files.rows()).toEqual([]);
    files.dispose();
  });

  it('signs again when a cached URL has expired (403 from S3)', async () => {
    const clock = new ManualClock();
    // URLs that live 30 s, cached for up to 60 s: a poll after 30 s finds its URL expired and signs once more.
    const backend = new FakeFilesBackend('sub-1', () => clock.now(), 30_000);
    const key = backend.put(rest(13), 5);
    const files = new YourFiles({ api: backend, clock, random: () => 0.5, onChange: () => undefined });
    await files.loadFirst();
    expect(backend.accessCalls).toHaveLength(1);
    await clock.advance(31_000);
    backend.inspect(key, { verified: true });
    await clock.advance(8_000);
    expect(files.row(key)?.status).toBe('verified');
    expect(backend.accessCalls).toHaveLength(2);
    files.dispose();
  });
});
