/**
 * "Your files": the person's uploads as S3 holds them, with each one's
 * verdict (checking, verified, rejected with a reason), paging, download and
 * delete. The edge only signs (POST /presign/files, /presign/files/access);
 * this talks to S3 with those URLs through an injected `send`, so the tests
 * drive it with an in-memory S3 (test/site/support/fake-files.ts).
 *
 * A file is one row under its uploads/ key, wherever it lives now: the
 * inspector moves a rejected file to quarantine/ with the same rest of the
 * key, so a row whose uploads/ object is gone is looked up there. Both
 * lists are paged, each with its own continuation token.
 *
 * A file still being checked is polled (its tagging URL) with a bounded
 * back-off; when the bound is reached it stays "checking" and says to come
 * back later, rather than polling forever or guessing.
 */
import { retryDelayMs } from './backoff';
import { systemClock, type Clock } from './clock';
import { AbortedError } from './errors';
import {
  fileNameOf,
  MAX_KEYS_PER_ACCESS,
  parseTagging,
  quarantineKeyOf,
  uploadedAt,
  uploadKeyOf,
  type FileAccess,
  type FilesListing,
  type ListedObject,
  type SignedUrl,
  type Verdict,
} from './files-contract';
import { nextToken, readList, readNextPage } from './files-paging';
import { s3ErrorFromResponse } from './s3-error';

export interface S3TextAnswer {
  readonly status: number;
  readonly body: string;
}

export interface FilesApi {
  listing(continuationToken: string | undefined, signal: AbortSignal): Promise<FilesListing>;
  access(keys: readonly string[], signal: AbortSignal): Promise<Map<string, FileAccess>>;
  /** One signed request to S3 (GET a list or tagging, DELETE), its status and text. */
  send(request: SignedUrl, signal: AbortSignal): Promise<S3TextAnswer>;
}

export type FileStatus = Verdict['status'];

export interface FileRow {
  /** The uploads/ key: the row's identity. */
  readonly key: string;
  /** Where the object is now: the uploads/ key, or its quarantine/ twin. */
  readonly storedKey: string;
  readonly name: string;
  readonly size: number;
  readonly uploadedAt: number | undefined;
  readonly status: FileStatus;
  /** The inspector's reason code, for a rejected file. */
  readonly reason: string | undefined;
  /** Checking stopped at the poll bound: the verdict is not known yet. */
  readonly gaveUp: boolean;
}

/** Polls of one file's verdict before it is left as "still checking". */
export const MAX_VERDICT_POLLS = 10;
/** The first poll waits about this long, doubling up to VERDICT_POLL_MAX_MS. */
export const VERDICT_POLL_BASE_MS = 1_000;
export const VERDICT_POLL_MAX_MS = 8_000;
/** Access URLs live policyTtlSeconds (300 s by default); reused for at most this long, by this device's clock. */
export const ACCESS_REUSE_MS = 60_000;
/** Tagging reads in flight at once, while a page of up to 200 files is resolved. */
const PARALLEL_READS = 4;

export interface YourFilesOptions {
  readonly api: FilesApi;
  readonly onChange: () => void;
  readonly clock?: Clock;
  readonly random?: () => number;
}

interface CachedAccess {
  readonly access: FileAccess;
  readonly fetchedAt: number;
}

export class YourFiles {
  private readonly rowsByKey = new Map<string, FileRow>();
  private readonly accessByKey = new Map<string, CachedAccess>();
  private readonly polls = new Map<string, unknown>();
  private readonly controller = new AbortController();
  private readonly clock: Clock;
  private readonly random: () => number;
  /** Each list's S3 continuation token; undefined once that list is read to its end. */
  private uploadsToken: string | undefined;
  private quarantinedToken: string | undefined;
  /** Every token each list has followed: a server that cycles through tokens ends that list. */
  private readonly seenUploadsTokens = new Set<string>();
  private readonly seenQuarantinedTokens = new Set<string>();
  private loadedOnce = false;

  constructor(private readonly options: YourFilesOptions) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
  }

  /**
   * Oldest first, as S3 lists keys (the date is in the key). The two lists
   * page separately, so "Show more" can add files between ones already shown.
   */
  rows(): FileRow[] {
    return [...this.rowsByKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  row(key: string): FileRow | undefined {
    return this.rowsByKey.get(key);
  }

  /** Whether S3 has more files, uploaded or quarantined, after the ones loaded. */
  get hasMore(): boolean {
    return this.uploadsToken !== undefined || this.quarantinedToken !== undefined;
  }

  get loaded(): boolean {
    return this.loadedOnce;
  }

  /** The first page: the uploads and the quarantined files, then each one's verdict. */
  async loadFirst(): Promise<void> {
    const signal = this.controller.signal;
    const listing = await this.options.api.listing(undefined, signal);
    const [uploads, quarantined] = await Promise.all([
      readList(this.options.api, listing.list, signal),
      readList(this.options.api, listing.quarantined, signal),
    ]);
    this.uploadsToken = nextToken(undefined, uploads, this.seenUploadsTokens);
    this.quarantinedToken = nextToken(undefined, quarantined, this.seenQuarantinedTokens);
    this.loadedOnce = true;
    await this.show(uploads.objects, quarantined.objects);
  }

  /** The next page of each list that has one (with the continuation token S3 gave for that list). */
  async loadMore(): Promise<void> {
    const { uploadsToken, quarantinedToken } = this;
    if (uploadsToken === undefined && quarantinedToken === undefined) return;
    const signal = this.controller.signal;
    const api = this.options.api;
    // Both or neither: if one read fails, neither token moves, so trying again asks for the same pages.
    const [uploads, quarantined] = await Promise.all([
      uploadsToken === undefined ? undefined : readNextPage(api, 'list', uploadsToken, signal),
      quarantinedToken === undefined ? undefined : readNextPage(api, 'quarantined', quarantinedToken, signal),
    ]);
    if (uploads !== undefined) this.uploadsToken = nextToken(uploadsToken, uploads, this.seenUploadsTokens);
    if (quarantined !== undefined) this.quarantinedToken = nextToken(quarantinedToken, quarantined, this.seenQuarantinedTokens);
    await this.show(uploads?.objects ?? [], quarantined?.objects ?? []);
  }

  /** A file this page just uploaded: shown as "checking" at once, then polled until the inspector decides. */
  track(key: string, size: number): void {
    if (this.rowsByKey.get(key)?.status === 'verified' || this.rowsByKey.get(key)?.status === 'rejected') {
      // The same key uploaded again (a retry overwrites): the old verdict no longer holds.
      this.rowsByKey.delete(key);
    }
    this.put(key, size, this.clock.now(), undefined);
    this.options.onChange();
    this.schedulePoll(key, 1);
  }

  /** A fresh download URL (attachment) for a verified file. */
  async downloadUrl(key: string): Promise<string> {
    const row = this.rowsByKey.get(key);
    if (row === undefined || row.status !== 'verified') throw new Error(`not a verified file: ${key}`);
    const access = await this.accessFor([row.storedKey], this.controller.signal, true);
    const found = access.get(row.storedKey);
    if (found === undefined) throw new Error(`no access for ${row.storedKey}`);
    return found.get.url;
  }

  /** Deletes the object (wherever it is now) and its row. */
  async delete(key: string): Promise<void> {
    const row = this.rowsByKey.get(key);
    if (row === undefined) return;
    const signal = this.controller.signal;
    const access = (await this.accessFor([row.storedKey], signal, true)).get(row.storedKey);
    if (access === undefined) throw new Error(`no access for ${row.storedKey}`);
    const answer = await this.options.api.send(access.delete, signal);
    // 204 is S3's answer; deleting a key that is already gone is also 204, so anything else is a refusal.
    if (answer.status < 200 || answer.status >= 300) throw s3ErrorFromResponse(answer.status, answer.body);
    this.stopPoll(key);
    this.rowsByKey.delete(key);
    this.accessByKey.delete(row.storedKey);
    this.options.onChange();
  }

  dispose(): void {
    this.controller.abort();
    for (const handle of this.polls.values()) this.clock.clearTimeout(handle);
    this.polls.clear();
  }

  // ---- inside ----

  /** Rows for a page of each list (quarantined ones are rejected, their reason read from their tags), then each one's verdict. */
  private async show(uploads: readonly ListedObject[], quarantined: readonly ListedObject[]): Promise<void> {
    // Quarantined first: put() keeps an object listed under both prefixes (moved between the reads) as the quarantined one.
    for (const object of quarantined) this.put(object.key, object.size, object.lastModified, { status: 'rejected', reason: '' });
    for (const object of uploads) this.put(object.key, object.size, object.lastModified, undefined);
    this.options.onChange();
    await this.resolveVerdicts([...quarantined, ...uploads].map((object) => uploadKeyOf(object.key)));
  }

  private put(storedKey: string, size: number, lastModified: number | undefined, verdict: Verdict | undefined): void {
    const key = uploadKeyOf(storedKey);
    const existing = this.rowsByKey.get(key);
    // An object listed under both prefixes (moved between the two lists) is the quarantined one.
    if (existing !== undefined && existing.status === 'rejected' && verdict === undefined) return;
    this.rowsByKey.set(key, {
      key,
      storedKey,
      name: fileNameOf(key),
      size,
      uploadedAt: uploadedAt(key, lastModified),
      status: verdict?.status ?? 'checking',
      reason: verdict?.status === 'rejected' ? verdict.reason : undefined,
      gaveUp: false,
    });
  }

  private update(key: string, change: Partial<FileRow>): void {
    const row = this.rowsByKey.get(key);
    if (row === undefined) return;
    this.rowsByKey.set(key, { ...row, ...change });
    this.options.onChange();
  }

  /** Reads each file's tags, a few at a time; files still being checked are then polled. */
  private async resolveVerdicts(keys: readonly string[]): Promise<void> {
    const pending = [...new Set(keys)];
    // Sign in batches of 20 first, so each reader below finds its URLs cached.
    const stored = pending.map((key) => this.rowsByKey.get(key)?.storedKey).filter((key): key is string => key !== undefined);
    await this.accessFor(stored, this.controller.signal, false);
    const workers = Array.from({ length: Math.min(PARALLEL_READS, pending.length) }, async () => {
      for (let key = pending.shift(); key !== undefined; key = pending.shift()) {
        await this.refreshVerdict(key);
      }
    });
    await Promise.all(workers);
  }

  /** One look at a file's verdict; returns whether it is decided. */
  private async refreshVerdict(key: string): Promise<boolean> {
    const row = this.rowsByKey.get(key);
    if (row === undefined) return true;
    const signal = this.controller.signal;
    try {
      const verdict = await this.readVerdict(row.storedKey, signal);
      if (verdict !== undefined && verdict.status !== 'checking') {
        this.update(key, { status: verdict.status, reason: verdict.status === 'rejected' ? verdict.reason : undefined, gaveUp: false });
        return true;
      }
      if (verdict === undefined && row.storedKey === key) {
        // Gone from uploads/: the inspector moved it to quarantine/ (its tag may not be readable yet: then no reason).
        const moved = quarantineKeyOf(key);
        const there = moved === undefined ? undefined : await this.readVerdict(moved, signal);
        if (moved !== undefined && there !== undefined) {
          this.update(key, {
            storedKey: moved,
            status: 'rejected',
            reason: there.status === 'rejected' ? there.reason : '',
            gaveUp: false,
          });
          return true;
        }
      }
    } catch (error) {
      if (error instanceof AbortedError || signal.aborted) return true;
      // A failed look is one more poll, not a verdict: the bounded poll tries again.
    }
    if (this.rowsByKey.get(key)?.status === 'checking' && !this.polls.has(key)) this.schedulePoll(key, 1);
    return false;
  }

  /** The verdict of the object at `storedKey`; undefined when S3 has no such object. */
  private async readVerdict(storedKey: string, signal: AbortSignal): Promise<Verdict | undefined> {
    const access = (await this.accessFor([storedKey], signal, false)).get(storedKey);
    if (access === undefined) return undefined;
    let answer = await this.options.api.send(access.tagging, signal);
    if (answer.status === 403) {
      // Most likely an expired URL: sign again once.
      const fresh = (await this.accessFor([storedKey], signal, true)).get(storedKey);
      if (fresh !== undefined) answer = await this.options.api.send(fresh.tagging, signal);
    }
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) throw s3ErrorFromResponse(answer.status, answer.body);
    return parseTagging(answer.body, answer.status);
  }

  private async accessFor(keys: readonly string[], signal: AbortSignal, fresh: boolean): Promise<Map<string, FileAccess>> {
    const now = this.clock.now();
    const found = new Map<string, FileAccess>();
    const missing: string[] = [];
    for (const key of new Set(keys)) {
      const cached = this.accessByKey.get(key);
      if (!fresh && cached !== undefined && now - cached.fetchedAt < ACCESS_REUSE_MS) found.set(key, cached.access);
      else missing.push(key);
    }
    for (let start = 0; start < missing.length; start += MAX_KEYS_PER_ACCESS) {
      const batch = missing.slice(start, start + MAX_KEYS_PER_ACCESS);
      const answer = await this.options.api.access(batch, signal);
      for (const [key, access] of answer) {
        this.accessByKey.set(key, { access, fetchedAt: now });
        found.set(key, access);
      }
    }
    return found;
  }

  private schedulePoll(key: string, attempt: number): void {
    this.stopPoll(key);
    if (this.controller.signal.aborted) return;
    const delay = retryDelayMs(attempt, this.random(), VERDICT_POLL_BASE_MS, VERDICT_POLL_MAX_MS);
    const handle = this.clock.setTimeout(() => {
      this.polls.delete(key);
      void this.poll(key, attempt);
    }, delay);
    this.polls.set(key, handle);
  }

  private async poll(key: string, attempt: number): Promise<void> {
    const row = this.rowsByKey.get(key);
    if (row === undefined || row.status !== 'checking') return;
    // The poll schedules its own next step, so refreshVerdict must not schedule another.
    this.polls.set(key, 'polling');
    const decided = await this.refreshVerdict(key);
    this.polls.delete(key);
    if (decided || this.rowsByKey.get(key)?.status !== 'checking') return;
    if (attempt >= MAX_VERDICT_POLLS) this.update(key, { gaveUp: true });
    else this.schedulePoll(key, attempt + 1);
  }

  private stopPoll(key: string): void {
    const handle = this.polls.get(key);
    if (handle !== undefined && handle !== 'polling') this.clock.clearTimeout(handle);
    this.polls.delete(key);
  }
}
