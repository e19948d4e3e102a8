/**
 * The library's small face over the upload queue: `upload(file)` is one
 * promise per file (stored, or a typed error), `listFiles()` and
 * `fileAccess(keys)` are the "Your files" calls. The queue underneath keeps
 * everything the site does: MD5 on every POST and part, 6 connections,
 * automatic retries under the same id, multipart above `postMaxBytes`, and
 * resume of an unfinished multipart upload when the same file is uploaded
 * again (also after a reload, with a persistent store).
 *
 * Adapters are injected (client/index.ts gives the browser's), so this is
 * pure logic, unit-tested in Node (test/client/).
 */
import type { UploadRules } from '../../edge-functions/core/upload-rules';
import { AbortedError, SessionExpiredError } from './errors';
import { MAX_KEYS_PER_ACCESS, type FileAccess, type ListedObject, type ListPage } from './files-contract';
import { nextToken, readList, readNextPage } from './files-paging';
import type { MultipartRecord } from './multipart-store';
import {
  UploadQueue,
  type FormPoster,
  type Md5Hasher,
  type MultipartAdapters,
  type Presigner,
  type QueueFile,
  type UploadSnapshot,
} from './upload-queue';
import type { FilesApi } from './your-files';

export interface UploadOptions {
  /** Bytes of this file sent so far, and its size. Called often: keep it cheap. */
  readonly onProgress?: (sent: number, total: number) => void;
  /** Aborting cancels the upload (a multipart upload is aborted at S3 too) and rejects with AbortedError. */
  readonly signal?: AbortSignal;
}

export interface UploadResult {
  /** The object key the edge chose: uploads/<user>/<date>/<id>-<name> (docs/http-api.md). */
  readonly key: string;
  /** The client id sent to the edge; a retry or a resume reuses it, so it lands on the same key. */
  readonly id: string;
  readonly name: string;
  readonly size: number;
  /** The type the edge signed (from the browser, or from the extension when the browser gave none). */
  readonly type: string;
  /** Whether it went up as an S3 multipart upload (above the rules' postMaxBytes). */
  readonly multipart: boolean;
}

/**
 * Without tokens: the first page of both lists. With tokens: the next page of
 * each list whose token is given, and nothing of the other (its array is empty).
 */
export interface ListFilesOptions {
  /** `nextContinuationToken` of the page before (the uploads). */
  readonly continuationToken?: string;
  /** `nextQuarantinedContinuationToken` of the page before (the quarantined files). */
  readonly quarantinedContinuationToken?: string;
  readonly signal?: AbortSignal;
}

export interface FilesPage {
  /** Objects under uploads/<you>/ (sent; being checked or verified), oldest first. */
  readonly files: readonly ListedObject[];
  /** Objects the inspector moved to quarantine/<you>/ (rejected), oldest first. */
  readonly quarantined: readonly ListedObject[];
  /** Where the uploads go on; undefined at their end (or when not asked for). */
  readonly nextContinuationToken: string | undefined;
  /** Where the quarantined files go on; undefined at their end (or when not asked for). */
  readonly nextQuarantinedContinuationToken: string | undefined;
}

export interface Uploader {
  /** Uploads one file; resolves once S3 has stored it (the inspector's verdict comes later: `fileAccess` → tagging). */
  upload(file: File, options?: UploadOptions): Promise<UploadResult>;
  /** Multipart uploads left unfinished by an earlier page (a reload, a crash): upload the same file again to resume one. */
  unfinished(): Promise<readonly MultipartRecord[]>;
  /** Gives up an unfinished upload without its file: aborted at S3 and forgotten. */
  discardUnfinished(id: string): Promise<void>;
  /** One page of your files, read from S3 with the URLs the edge signs. */
  listFiles(options?: ListFilesOptions): Promise<FilesPage>;
  /** Signed GET (download), GetObjectTagging (verdict) and DELETE for up to 20 of your keys. */
  fileAccess(keys: readonly string[], signal?: AbortSignal): Promise<Map<string, FileAccess>>;
  /** Stops everything: POSTs are cancelled, multipart uploads paused (kept in storage to resume later). */
  dispose(): void;
}

export interface UploaderAdapters<F extends QueueFile> {
  readonly rules: UploadRules;
  readonly presign: Presigner;
  readonly post: FormPoster<F>;
  /** Without one, POSTs go without `md5` (S3 then does not check the bytes): the browser always passes the worker's. */
  readonly md5Of?: Md5Hasher<F>;
  readonly multipart: MultipartAdapters<F>;
  readonly files: FilesApi;
  readonly newId?: () => string;
  /** Called by dispose(): the worker and the like. */
  readonly dispose?: () => void;
}

interface Waiting {
  readonly resolve: (result: UploadResult) => void;
  readonly reject: (error: unknown) => void;
  readonly onProgress: ((sent: number, total: number) => void) | undefined;
}

/** The generic core of createUploader (client/index.ts): F is File in the browser, a stand-in in tests. */
export function uploaderWith<F extends QueueFile>(
  adapters: UploaderAdapters<F>,
): Omit<Uploader, 'upload'> & { upload(file: F, options?: UploadOptions): Promise<UploadResult> } {
  const waiting = new Map<string, Waiting>();
  let queue: UploadQueue<F> | undefined;
  let loaded: Promise<unknown> | undefined;
  let disposed = false;

  function currentQueue(): UploadQueue<F> {
    if (queue !== undefined) return queue;
    const created: UploadQueue<F> = new UploadQueue<F>({
      presign: adapters.presign,
      post: adapters.post,
      ...(adapters.md5Of === undefined ? {} : { md5Of: adapters.md5Of }),
      multipart: adapters.multipart,
      rules: adapters.rules,
      ...(adapters.newId === undefined ? {} : { newId: adapters.newId }),
      onChange: (snapshot) => changed(created, snapshot),
      onSessionExpired: () => {
        // A halted queue signs nothing more: everything still waiting fails now, and the next upload() gets a new queue.
        if (queue === created) queue = undefined;
        loaded = undefined;
        for (const snapshot of created.list()) settle(created, snapshot.id, undefined, new SessionExpiredError());
        created.dispose();
      },
    });
    queue = created;
    return created;
  }

  function changed(owner: UploadQueue<F>, snapshot: UploadSnapshot): void {
    const entry = waiting.get(snapshot.id);
    if (entry === undefined) return;
    entry.onProgress?.(snapshot.sent, snapshot.size);
    if (snapshot.state === 'done') {
      const { key, id, name, size, type, multipart } = snapshot;
      settle(
        owner,
        id,
        key === undefined ? undefined : { key, id, name, size, type, multipart },
        key === undefined ? new Error('stored without a key') : undefined,
      );
    } else if (snapshot.state === 'failed' || snapshot.state === 'rejected') {
      settle(owner, snapshot.id, undefined, snapshot.error);
    } else if (snapshot.state === 'cancelled') {
      settle(owner, snapshot.id, undefined, new AbortedError());
    }
  }

  function settle(owner: UploadQueue<F>, id: string, result: UploadResult | undefined, error: unknown): void {
    const entry = waiting.get(id);
    if (entry === undefined) return;
    waiting.delete(id);
    if (result !== undefined) entry.resolve(result);
    else entry.reject(error);
    // Forgotten once settled, so a long-lived uploader does not grow; queueMicrotask: not while the queue is emitting.
    queueMicrotask(() => owner.remove(id));
  }

  return {
    async upload(file, options = {}) {
      if (disposed) throw new AbortedError('This uploader was disposed.');
      const { signal, onProgress } = options;
      if (signal?.aborted) throw new AbortedError();
      const owner = currentQueue();
      // Unfinished uploads are read once before the first file, so a file picked again resumes.
      loaded ??= owner.loadUnfinished();
      await loaded;
      if (signal?.aborted) throw new AbortedError();
      return new Promise<UploadResult>((resolve, reject) => {
        const [added] = owner.add([file]);
        if (added === undefined) throw new Error('the queue added nothing');
        const onAbort = () => owner.cancel(added.id);
        const cleanUp = () => signal?.removeEventListener('abort', onAbort);
        waiting.set(added.id, {
          resolve: (result) => {
            cleanUp();
            resolve(result);
          },
          reject: (error) => {
            cleanUp();
            reject(error);
          },
          onProgress,
        });
        signal?.addEventListener('abort', onAbort, { once: true });
        // Decided while being added (refused by the rules) before it was waited for: settle now.
        changed(owner, owner.get(added.id) ?? added);
      });
    },

    async unfinished() {
      const owner = currentQueue();
      loaded = owner.loadUnfinished();
      await loaded;
      return owner.unfinished();
    },

    async discardUnfinished(id) {
      const owner = currentQueue();
      loaded ??= owner.loadUnfinished();
      await loaded;
      await owner.discardUnfinished(id);
    },

    async listFiles(options = {}) {
      const signal = options.signal ?? new AbortController().signal;
      const api = adapters.files;
      const { continuationToken, quarantinedContinuationToken } = options;
      let uploads: ListPage | undefined;
      let quarantined: ListPage | undefined;
      if (continuationToken === undefined && quarantinedContinuationToken === undefined) {
        const listing = await api.listing(undefined, signal);
        [uploads, quarantined] = await Promise.all([readList(api, listing.list, signal), readList(api, listing.quarantined, signal)]);
      } else {
        [uploads, quarantined] = await Promise.all([
          continuationToken === undefined ? undefined : readNextPage(api, 'list', continuationToken, signal),
          quarantinedContinuationToken === undefined ? undefined : readNextPage(api, 'quarantined', quarantinedContinuationToken, signal),
        ]);
      }
      return {
        files: uploads?.objects ?? [],
        quarantined: quarantined?.objects ?? [],
        nextContinuationToken: uploads === undefined ? undefined : nextToken(continuationToken, uploads),
        nextQuarantinedContinuationToken: quarantined === undefined ? undefined : nextToken(quarantinedContinuationToken, quarantined),
      };
    },

    async fileAccess(keys, signal) {
      // The edge signs at most MAX_KEYS_PER_ACCESS keys per call (three URLs each must fit its 40 KB answer).
      const all = new Map<string, FileAccess>();
      for (let start = 0; start < keys.length; start += MAX_KEYS_PER_ACCESS) {
        const batch = await adapters.files.access(keys.slice(start, start + MAX_KEYS_PER_ACCESS), signal ?? new AbortController().signal);
        for (const [key, access] of batch) all.set(key, access);
      }
      return all;
    },

    dispose() {
      disposed = true;
      queue?.dispose();
      queue = undefined;
      for (const [id, entry] of [...waiting]) {
        waiting.delete(id);
        entry.reject(new AbortedError());
      }
      adapters.dispose?.();
    },
  };
}
