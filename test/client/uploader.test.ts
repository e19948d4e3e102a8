/**
 * The library's face (client/core/uploader.ts, client/core/access-token.ts,
 * client/net/edge.ts) against stand-ins: a fetch that answers like the edge's
 * /presign (status, JSON, the `{error:{code,message}}` shape), a POST that stores bytes in a
 * map like S3, and the in-memory "Your files" backend.
 */
import { DEFAULT_UPLOAD_RULES } from '../../edge-functions/core/upload-rules';
import { tokensFrom, type GetTokenOptions } from '../../client/core/access-token';
import { AbortedError, ApiError, FileRejectedError, SessionExpiredError } from '../../client/core/errors';
import type { FileFacts } from '../../client/core/file-check';
import { MemoryMultipartStore } from '../../client/core/multipart-store';
import type { PostProgressOptions } from '../../client/core/upload-queue';
import { uploaderWith } from '../../client/core/uploader';
import { edgeBaseUrl, type Edge } from '../../client/net/edge';
import { filesApiWith } from '../../client/net/files-api';
import { multipartSignerWith } from '../../client/net/multipart-api';
import { presignWith } from '../../client/net/presign-api';
import { FakeFilesBackend } from '../site/support/fake-files';

type TestFile = FileFacts & { readonly lastModified: number };

const EDGE = 'https://uploads.example.test';

interface EdgeCall {
  readonly url: string;
  readonly authorization: string | null;
  readonly credentials: string | undefined;
  readonly body: unknown;
}

/** A fetch answering /presign like the edge: valid tokens are those in `valid`; anything else is 401. */
function fakeEdgeFetch(valid: Set<string>) {
  const calls: EdgeCall[] = [];
  const fetchStandIn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    calls.push({ url, authorization: headers.get('Authorization'), credentials: init?.credentials, body });
    const token = headers.get('Authorization')?.replace(/^Bearer /, '') ?? '';
    if (!valid.has(token)) return Response.json({ error: { code: 'UNAUTHORIZED', message: 'Sign in again.' } }, { status: 401 });
    if (url === `${EDGE}/presign`) {
      const files = (body as { files: { id: string; name: string; type: string }[] }).files;
      return Response.json({
        uploads: files.map((file) => ({
          id: file.id,
          key: `uploads/sub/2026/12/06/${file.id}-${file.name}`,
          url: 'https://bucket.s3.test/',
          fields: { key: `uploads/sub/2026/12/06/${file.id}-${file.name}`, 'Content-Type': file.type },
          expiresAt: new Date(Date.now() + 300_000).toISOString(),
        })),
      });
    }
    return Response.json({ error: { code: 'NOT_FOUND', message: 'No such route.' } }, { status: 404 });
  };
  return { calls, fetch: fetchStandIn as typeof fetch };
}

function setup(options: { valid?: string[]; tokens?: string[]; holdPosts?: boolean } = {}) {
  const valid = new Set(options.valid ?? ['t1']);
  const handed = [...(options.tokens ?? ['t1'])];
  const asked: GetTokenOptions[] = [];
  const edgeFetch = fakeEdgeFetch(valid);
  const edge: Edge = {
    baseUrl: edgeBaseUrl(EDGE),
    tokens: tokensFrom((request) => {
      asked.push(request);
      return handed.length > 1 ? (handed.shift() as string) : (handed[0] ?? '');
    }),
    fetch: edgeFetch.fetch,
  };
  const stored = new Map<string, number>();
  const held: { key: string; options: PostProgressOptions; finish(): void }[] = [];
  const files = new FakeFilesBackend('sub', () => Date.now());
  let ids = 0;
  const uploader = uploaderWith<TestFile>({
    rules: DEFAULT_UPLOAD_RULES,
    presign: presignWith(edge),
    post: (form, file, postOptions) =>
      new Promise<void>((resolve, reject) => {
        const key = form.fields.find(([name]) => name === 'key')?.[1] ?? '';
        const finish = () => {
          postOptions.onProgress(file.size, file.size);
          stored.set(key, file.size);
          resolve();
        };
        postOptions.signal.addEventListener('abort', () => reject(new AbortedError()), { once: true });
        if (options.holdPosts) held.push({ key, options: postOptions, finish });
        else finish();
      }),
    md5Of: async () => '1B2M2Y8AsgTpgAmY7PhCfg==',
    multipart: {
      ...multipartSignerWith(edge),
      send: () => Promise.reject(new Error('no multipart in these tests')),
      store: new MemoryMultipartStore(),
    },
    files: filesApiWith({ ...edge, fetch: edgeFetch.fetch }),
    newId: () => `00000000-0000-4000-8000-${(++ids).toString(16).padStart(12, '0')}`,
  });
  return { uploader, calls: edgeFetch.calls, stored, held, asked, valid, files };
}

const png = (name: string, size = 1000): TestFile => ({ name, size, type: 'image/png', lastModified: 1 });

describe('createUploader core: upload()', () => {
  it('signs at the edge URL with the bearer token and no cookie, POSTs, and resolves with the key; progress is reported', async () => {
    const { uploader, calls, stored } = setup();
    const progress: [number, number][] = [];
    const result = await uploader.upload(png('cat.png'), { onProgress: (sent, total) => progress.push([sent, total]) });
    expect(result).toEqual({
      key: 'uploads/sub/2026/12/06/00000000-0000-4000-8000-000000000001-cat.png',
      id: '00000000-0000-4000-8000-000000000001',
      name: 'cat.png',
      size: 1000,
      type: 'image/png',
      multipart: false,
    });
    expect(stored.get(result.key)).toBe(1000);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ url: `${EDGE}/presign`, authorization: 'Bearer t1', credentials: 'omit' });
    expect((calls[0]?.body as { files: { md5?: string }[] }).files[0]?.md5).toBe('1B2M2Y8AsgTpgAmY7PhCfg==');
    expect(progress.at(-1)).toEqual([1000, 1000]);
  });

  it('refuses a file the rules refuse with FileRejectedError, before any request', async () => {
    const { uploader, calls } = setup();
    await expect(uploader.upload({ name: 'run.exe', size: 10, type: 'application/x-msdownload', lastModified: 1 })).rejects.toBeInstanceOf(
      FileRejectedError,
    );
    expect(calls).toHaveLength(0);
  });

  it('aborting the signal cancels the POST in flight and rejects with AbortedError; nothing is stored', async () => {
    const { uploader, held, stored } = setup({ holdPosts: true });
    const controller = new AbortController();
    const upload = uploader.upload(png('slow.png'), { signal: controller.signal });
    while (held.length === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await expect(upload).rejects.toBeInstanceOf(AbortedError);
    expect(held[0]?.options.signal.aborted).toBe(true);
    expect(stored.size).toBe(0);
  });

  it('a 401 asks getToken for a fresh token once and goes on', async () => {
    const { uploader, calls, asked } = setup({ valid: ['t2'], tokens: ['t1', 't2'] });
    await uploader.upload(png('a.png'));
    expect(asked).toEqual([{ forceRefresh: false }, { forceRefresh: true }]);
    expect(calls.map((call) => call.authorization)).toEqual(['Bearer t1', 'Bearer t2']);
  });

  it('a fresh token refused too rejects with SessionExpiredError; the next upload, with a good token, works', async () => {
    const { uploader, valid } = setup({ valid: [], tokens: ['t1'] });
    await expect(uploader.upload(png('a.png'))).rejects.toBeInstanceOf(SessionExpiredError);
    valid.add('t1');
    await expect(uploader.upload(png('b.png'))).resolves.toMatchObject({ name: 'b.png' });
  });

  it('dispose() rejects what is still running with AbortedError, and later uploads too', async () => {
    const { uploader, held } = setup({ holdPosts: true });
    const upload = uploader.upload(png('slow.png'));
    while (held.length === 0) await new Promise((resolve) => setImmediate(resolve));
    uploader.dispose();
    await expect(upload).rejects.toBeInstanceOf(AbortedError);
    await expect(uploader.upload(png('late.png'))).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('createUploader core: your files', () => {
  it('listFiles() reads both S3 lists with the URLs the edge signed; fileAccess() signs per key', async () => {
    const { files } = setup();
    const key = files.put('2026/12/06/00000000-0000-4000-8000-000000000001-cat.png', 1000);
    files.put('2026/12/06/00000000-0000-4000-8000-000000000002-bad.png', 20, 'quarantine', { 'quarantine-reason': 'SIGNATURE_MISMATCH' });
    const uploader = uploaderWith<TestFile>({
      rules: DEFAULT_UPLOAD_RULES,
      presign: () => Promise.reject(new Error('unused')),
      post: () => Promise.reject(new Error('unused')),
      multipart: {
        signStart: () => Promise.reject(new Error('unused')),
        signParts: () => Promise.reject(new Error('unused')),
        send: () => Promise.reject(new Error('unused')),
        store: new MemoryMultipartStore(),
      },
      files,
    });
    const page = await uploader.listFiles();
    expect(page.files.map((object) => [object.key, object.size])).toEqual([[key, 1000]]);
    expect(page.quarantined.map((object) => object.key)).toEqual([
      'quarantine/sub/2026/12/06/00000000-0000-4000-8000-000000000002-bad.png',
    ]);
    expect(page.nextContinuationToken).toBeUndefined();
    const access = await uploader.fileAccess([key]);
    expect(access.get(key)?.get.method).toBe('GET');
  });

  it('listFiles() pages the uploads and the quarantined files, each with its own token, to the end of both', async () => {
    const { files } = setup();
    const rest = (n: number) => `2026/12/06/00000000-0000-4000-8000-${String(n).padStart(12, '0')}-f.png`;
    const uploads = Array.from({ length: 150 }, (_, i) => files.put(rest(i + 1), 10));
    const quarantined = Array.from({ length: 230 }, (_, i) => files.put(rest(i + 301), 20, 'quarantine'));
    const uploader = uploaderWith<TestFile>({
      rules: DEFAULT_UPLOAD_RULES,
      presign: () => Promise.reject(new Error('unused')),
      post: () => Promise.reject(new Error('unused')),
      multipart: {
        signStart: () => Promise.reject(new Error('unused')),
        signParts: () => Promise.reject(new Error('unused')),
        send: () => Promise.reject(new Error('unused')),
        store: new MemoryMultipartStore(),
      },
      files,
    });
    const seenFiles: string[] = [];
    const seenQuarantined: string[] = [];
    let page = await uploader.listFiles();
    for (let pages = 1; ; pages += 1) {
      seenFiles.push(...page.files.map((object) => object.key));
      seenQuarantined.push(...page.quarantined.map((object) => object.key));
      const { nextContinuationToken, nextQuarantinedContinuationToken } = page;
      if (nextContinuationToken === undefined && nextQuarantinedContinuationToken === undefined) break;
      if (pages > 5) throw new Error('paging does not end');
      page = await uploader.listFiles({
        ...(nextContinuationToken === undefined ? {} : { continuationToken: nextContinuationToken }),
        ...(nextQuarantinedContinuationToken === undefined ? {} : { quarantinedContinuationToken: nextQuarantinedContinuationToken }),
      });
    }
    expect(seenFiles).toEqual(uploads);
    expect(seenQuarantined).toEqual(quarantined);
    expect(files.listingTokens).toEqual([undefined, uploads[99], quarantined[99], quarantined[199]]);
    // A server answering the token it was asked with ends that list rather than paging forever.
    files.loopingPrefix = 'quarantine/';
    const looping = await uploader.listFiles({ quarantinedContinuationToken: quarantined[99] });
    expect([looping.files.length, looping.quarantined.length]).toEqual([0, 100]);
    expect(looping.nextQuarantinedContinuationToken).toBeUndefined();
  });

  it('fileAccess() for more keys than the edge signs at once asks in batches of its limit and answers for every key', async () => {
    const { files } = setup();
    const keys = Array.from({ length: 12 }, (_, i) =>
      files.put(`2026/12/06/00000000-0000-4000-8000-0000000000${String(i + 10)}-f.png`, 10 + i),
    );
    const uploader = uploaderWith<TestFile>({
      rules: DEFAULT_UPLOAD_RULES,
      presign: () => Promise.reject(new Error('unused')),
      post: () => Promise.reject(new Error('unused')),
      multipart: {
        signStart: () => Promise.reject(new Error('unused')),
        signParts: () => Promise.reject(new Error('unused')),
        send: () => Promise.reject(new Error('unused')),
        store: new MemoryMultipartStore(),
      },
      files,
    });
    const access = await uploader.fileAccess(keys);
    expect([...access.keys()].sort()).toEqual([...keys].sort());
    expect(files.accessCalls.map((batch) => batch.length)).toEqual([5, 5, 2]);
  });
});

describe('tokensFrom and edgeBaseUrl', () => {
  it('passes errors other than 401 through without asking for a new token', async () => {
    const asked: GetTokenOptions[] = [];
    const tokens = tokensFrom((request) => {
      asked.push(request);
      return 'tok';
    });
    await expect(tokens.withAccessToken(() => Promise.reject(new ApiError(403, 'FORBIDDEN', 'No.')))).rejects.toMatchObject({
      status: 403,
    });
    expect(asked).toHaveLength(1);
  });

  it('takes an absolute http(s) URL and drops a trailing slash; refuses anything else', () => {
    expect(edgeBaseUrl('https://uploads.example.com/')).toBe('https://uploads.example.com');
    expect(edgeBaseUrl('http://127.0.0.1:3000')).toBe('http://127.0.0.1:3000');
    expect(edgeBaseUrl('')).toBe('');
    expect(() => edgeBaseUrl('uploads.example.com')).toThrow(TypeError);
    expect(() => edgeBaseUrl('ftp://uploads.example.com')).toThrow(TypeError);
    expect(() => edgeBaseUrl('https://uploads.example.com/?x=1')).toThrow(TypeError);
  });
});
