/**
 * The upload queue: every file the person picked, from the browser-side
 * check to a stored object, with cancel and retry.
 *
 * - A file that breaks the upload rules is `rejected` at once; no request.
 * - Accepted files are signed lazily, in batches of at most
 *   `maxFilesPerRequest` (one /presign call each), only when fewer than
 *   MAX_PARALLEL_UPLOADS forms are waiting: a form signed long before its
 *   turn could expire while it waits. A form about to expire is signed again.
 * - At most MAX_PARALLEL_UPLOADS POSTs run at once.
 * - A network failure or a transient S3 answer is retried automatically
 *   (backoff.ts), then left `failed` with a manual retry. Every retry signs
 *   again with the file's same `id`, so it lands on the same object key and
 *   overwrites instead of duplicating.
 *
 * - Every POSTed file's MD5 goes to /presign (`md5`), so S3 checks the bytes.
 * - Files above the rules' `postMaxBytes` go up as multipart uploads
 *   (multipart-upload.ts): they can be paused and resumed, and one left
 *   unfinished (a reload, a crash) is resumed when the same file is picked
 *   again (same name, size and lastModified; see `unfinished()`).
 *
 * Signing, posting, hashing, storage, time, randomness and ids are injected:
 * the queue is pure logic, unit-tested without a browser.
 */
import type { UploadRules } from '../../edge-functions/core/upload-rules';
import { formLifetimeMs, type PresignedForm, type PresignFile } from './api-contract';
import { MAX_AUTO_RETRIES, retryDelayMs } from './backoff';
import { systemClock, type Clock } from './clock';
import { AbortedError, ApiError, SessionExpiredError, SiteError, UnexpectedResponseError } from './errors';
import { checkFile, type FileFacts } from './file-check';
import { isSameFile, type MultipartRecord } from './multipart-store';
import { MAX_PARALLEL_PARTS, multipartLimits, MultipartUpload, type MultipartDeps, type MultipartFile } from './multipart-upload';
import { fractionDone, TransferStats } from './transfer-stats';

/** 6 matches the browser's per-origin connection limit (HTTP/1.1): more would only queue inside the browser. */
export const MAX_PARALLEL_UPLOADS = 6;
/**
 * A form that expires sooner than this when its turn comes is signed again
 * before its POST starts: a large file needs time to arrive. (For forms that
 * live less than twice this long, half their life is the margin, so a fresh
 * short-lived form is still used rather than signed again forever.)
 */
export const FORM_EXPIRY_MARGIN_MS = 30_000;

export type UploadState =
  | 'rejected' //  broke the upload rules in the browser; never sent
  | 'queued' //    waiting for a signed form
  | 'signing' //   in a /presign call
  | 'ready' //     signed, waiting for a free connection
  | 'uploading' // POST in progress, or a multipart upload running
  | 'paused' //    a multipart upload the person paused
  | 'waiting' //   failed for a passing reason; retrying after a pause
  | 'done'
  | 'failed'
  | 'cancelled';

export interface UploadSnapshot {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly type: string;
  readonly state: UploadState;
  /** Bytes of the file sent so far. */
  readonly sent: number;
  readonly bytesPerSecond: number | undefined;
  readonly secondsLeft: number | undefined;
  /** Why the file was rejected or failed, or why it is being retried (kept until it is done or retried by hand). */
  readonly error: unknown;
  /** The object key, once signed. */
  readonly key: string | undefined;
  /** Automatic retries so far. */
  readonly retries: number;
  /** When the next automatic retry starts (state `waiting`). */
  readonly retryAt: number | undefined;
  /** Whether the file goes up as a multipart upload (it can be paused). */
  readonly multipart: boolean;
  /** Something to tell the person while the file goes on (a multipart upload that had to start again). */
  readonly notice: unknown;
}

export interface PostProgressOptions {
  readonly signal: AbortSignal;
  /** Bytes of the request body sent, out of `total` (the form's fields and the file). */
  onProgress(loaded: number, total: number): void;
}

/** Sends one file with its signed form; rejects with a SiteError (AbortedError when the signal fires). */
export type FormPoster<F> = (form: PresignedForm, file: F, options: PostProgressOptions) => Promise<void>;
/** Signs a batch; the forms come back in the order of `files`. */
export type Presigner = (files: readonly PresignFile[], signal: AbortSignal) => Promise<PresignedForm[]>;

/** Base64 of the MD5 of bytes [start, end) of the file (client/net/md5-worker-client.ts in the browser). */
export type Md5Hasher<F> = (file: F, start: number, end: number, signal: AbortSignal) => Promise<string>;

/** The multipart machinery (multipart-upload.ts) minus what the queue supplies itself. */
export type MultipartAdapters<F> = Pick<MultipartDeps<F>, 'signStart' | 'signParts' | 'send' | 'store' | 'maxParallelParts'>;

/** What the queue needs of a file: the facts the rules check, and lastModified to recognise it after a reload. */
export type QueueFile = FileFacts & MultipartFile;

export interface UploadQueueOptions<F extends QueueFile> {
  readonly presign: Presigner;
  readonly post: FormPoster<F>;
  readonly rules: UploadRules;
  readonly onChange: (upload: UploadSnapshot) => void;
  readonly onRemove?: (id: string) => void;
  /** The session ended during a /presign call: the queue has stopped; the app should ask for a log-in. */
  readonly onSessionExpired?: () => void;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** @default crypto.randomUUID (UUID v4) */
  readonly newId?: () => string;
  /** @default MAX_PARALLEL_UPLOADS */
  readonly maxParallel?: number;
  /** Hashes every POSTed file (sent as `md5` to /presign) and every part; without it no MD5 is sent. */
  readonly md5Of?: Md5Hasher<F>;
  /** Without it, every file goes by POST (and /presign refuses those over postMaxBytes with USE_MULTIPART). */
  readonly multipart?: MultipartAdapters<F>;
  /** The list of unfinished multipart uploads changed (loaded, resumed, finished, cancelled, discarded). */
  readonly onUnfinishedChange?: (records: readonly MultipartRecord[]) => void;
}

interface Entry<F extends QueueFile> {
  readonly id: string;
  readonly file: F;
  readonly name: string;
  readonly size: number;
  type: string;
  state: UploadState;
  sent: number;
  readonly stats: TransferStats;
  error: unknown;
  form: PresignedForm | undefined;
  /** How long `form` lives, and when it stops working by this device's clock (see formLifetimeMs). */
  formLifetime: number;
  formDeadline: number;
  key: string | undefined;
  retries: number;
  retryAt: number | undefined;
  /** The running POST's controller; replaced (or cleared) to disown a POST that is being abandoned. */
  controller: AbortController | undefined;
  timer: unknown;
  /** The POSTed file's MD5 (base64), once hashed. */
  md5: string | undefined;
  hashing: boolean;
  /** Set for files above postMaxBytes (when multipart adapters are given). */
  readonly isMultipart: boolean;
  multipart: MultipartUpload<F> | undefined;
  /** An unfinished upload of this same file, from storage. */
  resumeFrom: MultipartRecord | undefined;
  notice: unknown;
}

const TERMINAL: ReadonlySet<UploadState> = new Set(['rejected', 'done', 'failed', 'cancelled']);

export function isTerminal(state: UploadState): boolean {
  return TERMINAL.has(state);
}

export class UploadQueue<F extends QueueFile> {
  private readonly entries = new Map<string, Entry<F>>();
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly newId: () => string;
  private readonly maxParallel: number;
  private signing: AbortController | undefined;
  private halted = false;
  private unfinishedRecords: MultipartRecord[] = [];
  private hashingNow = false;

  constructor(private readonly options: UploadQueueOptions<F>) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.newId = options.newId ?? (() => crypto.randomUUID());
    this.maxParallel = options.maxParallel ?? MAX_PARALLEL_UPLOADS;
  }

  /** Adds files in the order given; each is checked against the rules first. Returns them as added (queued or rejected). */
  add(files: Iterable<F>): UploadSnapshot[] {
    const added: Entry<F>[] = [];
    const threshold = multipartLimits(this.options.rules).postMaxBytes;
    for (const file of files) {
      const resumeFrom =
        this.options.multipart === undefined ? undefined : this.unfinishedRecords.find((record) => isSameFile(record, file));
      if (resumeFrom !== undefined) this.setUnfinished(this.unfinishedRecords.filter((record) => record !== resumeFrom));
      const entry: Entry<F> = {
        // A resumed upload keeps its id: the same id gives the same key at the edge.
        id: resumeFrom?.id ?? this.newId(),
        file,
        name: file.name,
        size: file.size,
        type: file.type,
        state: 'queued',
        sent: 0,
        stats: new TransferStats(),
        error: undefined,
        form: undefined,
        formLifetime: 0,
        formDeadline: 0,
        key: undefined,
        retries: 0,
        retryAt: undefined,
        controller: undefined,
        timer: undefined,
        md5: undefined,
        hashing: false,
        isMultipart: this.options.multipart !== undefined && file.size > threshold,
        multipart: undefined,
        resumeFrom,
        notice: undefined,
      };
      try {
        entry.type = checkFile(file, this.options.rules).type;
      } catch (error) {
        entry.state = 'rejected';
        entry.error = error;
      }
      this.entries.set(entry.id, entry);
      added.push(entry);
    }
    const snapshots = added.map((entry) => snapshotOf(entry));
    for (const entry of added) this.emit(entry);
    this.pump();
    return snapshots;
  }

  list(): UploadSnapshot[] {
    return [...this.entries.values()].map((entry) => snapshotOf(entry));
  }

  get(id: string): UploadSnapshot | undefined {
    const entry = this.entries.get(id);
    return entry === undefined ? undefined : snapshotOf(entry);
  }

  /** Stops a file wherever it is: signing, waiting, or halfway through its POST; a multipart upload is aborted at S3 too. */
  cancel(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined || isTerminal(entry.state)) return;
    this.abandon(entry);
    this.cancelMultipart(entry);
    this.setState(entry, 'cancelled');
    this.pump();
  }

  cancelAll(): void {
    for (const entry of this.entries.values()) {
      if (isTerminal(entry.state) || (this.halted && entry.state === 'paused')) continue;
      this.abandon(entry);
      this.cancelMultipart(entry);
      this.setState(entry, 'cancelled');
    }
    this.signing?.abort();
  }

  /** Pauses a running multipart upload: its parts in flight stop, the stored ones stay. */
  pause(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined || !entry.isMultipart || (entry.state !== 'uploading' && entry.state !== 'queued')) return;
    entry.controller = undefined; // disowns the running run(): its AbortedError changes nothing
    entry.multipart?.pause();
    this.setState(entry, 'paused');
    this.pump();
  }

  /** Continues a paused multipart upload (when a connection is free). */
  resume(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined || entry.state !== 'paused') return;
    this.setState(entry, 'queued');
    this.pump();
  }

  /** Reads the unfinished multipart uploads from storage (after a reload); picking one's file again resumes it. */
  async loadUnfinished(): Promise<readonly MultipartRecord[]> {
    const store = this.options.multipart?.store;
    if (store === undefined) return [];
    let records: MultipartRecord[];
    try {
      records = await store.list();
    } catch {
      records = [];
    }
    const active = new Set([...this.entries.values()].map((entry) => entry.id));
    this.setUnfinished(records.filter((record) => !active.has(record.id)).sort((a, b) => a.startedAt - b.startedAt));
    return this.unfinishedRecords;
  }

  /** Unfinished uploads from an earlier visit whose file has not been picked again. */
  unfinished(): readonly MultipartRecord[] {
    return this.unfinishedRecords;
  }

  /** Gives up an unfinished upload without its file: aborted at S3 when its ticket still allows, and forgotten. */
  async discardUnfinished(id: string): Promise<void> {
    const record = this.unfinishedRecords.find((candidate) => candidate.id === id);
    const adapters = this.options.multipart;
    if (record === undefined || adapters === undefined) return;
    this.setUnfinished(this.unfinishedRecords.filter((candidate) => candidate !== record));
    const file: QueueFile = {
      name: record.file.name,
      size: record.file.size,
      type: record.file.type,
      lastModified: record.file.lastModified,
    };
    // The upload object never reads the file for a cancel, so the record's facts stand in for it.
    const upload = new MultipartUpload<F>(
      file as F,
      { ...record.file, id: record.id },
      this.multipartDeps(adapters),
      { onProgress: () => undefined, onNotice: () => undefined },
      record,
    );
    await upload.cancel();
  }

  /** Sends a failed or cancelled file again, under its same id (so to the same key). A failed multipart upload continues where it stopped. */
  retry(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined || (entry.state !== 'failed' && entry.state !== 'cancelled')) return;
    if (entry.state === 'cancelled') entry.multipart = undefined; // it was aborted at S3: start over
    entry.retries = 0;
    entry.error = undefined;
    entry.sent = entry.multipart?.sent ?? 0;
    entry.stats.reset();
    this.setState(entry, 'queued');
    this.pump();
  }

  /** Forgets a file that is no longer moving. */
  remove(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined || !isTerminal(entry.state)) return;
    this.entries.delete(id);
    this.options.onRemove?.(id);
  }

  /**
   * Stops everything: used when the screen goes away or the person logs out.
   * POSTs are cancelled; multipart uploads are only paused (not aborted at S3),
   * so they stay in storage and resume when their file is picked again.
   */
  dispose(): void {
    this.halted = true;
    for (const entry of this.entries.values()) {
      if (!entry.isMultipart || isTerminal(entry.state)) continue;
      entry.controller = undefined;
      entry.multipart?.pause();
      this.setState(entry, 'paused');
    }
    this.cancelAll();
  }

  private pump(): void {
    if (this.halted) return;
    const now = this.clock.now();
    // A multipart upload uses up to MAX_PARALLEL_PARTS connections of the browser's budget; a POST one.
    let uploading = 0;
    for (const entry of this.entries.values()) if (entry.state === 'uploading') uploading += this.connectionsOf(entry);
    for (const entry of this.entries.values()) {
      if (uploading >= this.maxParallel) break;
      if (entry.isMultipart && entry.state === 'queued') {
        const cost = this.connectionsOf(entry);
        // Also when nothing else runs, so a maxParallel below the part count still makes progress.
        if (uploading > 0 && uploading + cost > this.maxParallel) break;
        this.startMultipart(entry);
        uploading += cost;
        continue;
      }
      if (entry.state !== 'ready') continue;
      if (entry.form === undefined || tooCloseToExpiry(entry, now)) {
        entry.form = undefined;
        this.setState(entry, 'queued');
        continue;
      }
      this.startUpload(entry, entry.form);
      uploading += 1;
    }
    this.hashNext();
    if (this.signing === undefined && this.count('ready') < this.maxParallel) {
      const batch = [...this.entries.values()]
        .filter((entry) => entry.state === 'queued' && !entry.isMultipart && this.hashed(entry))
        .slice(0, this.options.rules.maxFilesPerRequest);
      if (batch.length > 0) void this.sign(batch);
    }
  }

  private hashed(entry: Entry<F>): boolean {
    return this.options.md5Of === undefined || entry.md5 !== undefined;
  }

  /** Hashes the next queued POST file, one at a time in order (the worker does one at a time anyway). */
  private hashNext(): void {
    const md5Of = this.options.md5Of;
    if (md5Of === undefined || this.hashingNow) return;
    const entry = [...this.entries.values()].find(
      (candidate) => candidate.state === 'queued' && !candidate.isMultipart && candidate.md5 === undefined,
    );
    if (entry === undefined) return;
    this.hashingNow = true;
    entry.hashing = true;
    const controller = new AbortController();
    entry.controller = controller;
    md5Of(entry.file, 0, entry.size, controller.signal)
      .then(
        (md5) => {
          entry.md5 = md5;
        },
        (error: unknown) => {
          if (entry.controller === controller && entry.state === 'queued') this.fail(entry, error);
        },
      )
      .finally(() => {
        if (entry.controller === controller) entry.controller = undefined;
        entry.hashing = false;
        this.hashingNow = false;
        this.pump();
      });
  }

  private connectionsOf(entry: Entry<F>): number {
    return entry.isMultipart ? Math.min(this.maxParallel, this.options.multipart?.maxParallelParts ?? MAX_PARALLEL_PARTS) : 1;
  }

  private multipartDeps(adapters: MultipartAdapters<F>): MultipartDeps<F> {
    const md5Of = this.options.md5Of;
    if (md5Of === undefined) throw new Error('multipart uploads need md5Of');
    return { ...adapters, md5Of, clock: this.clock, random: this.random, limits: multipartLimits(this.options.rules) };
  }

  private startMultipart(entry: Entry<F>): void {
    const adapters = this.options.multipart;
    if (adapters === undefined) return;
    let upload = entry.multipart;
    if (upload === undefined) {
      upload = new MultipartUpload<F>(
        entry.file,
        { name: entry.name, size: entry.size, type: entry.type, id: entry.id },
        this.multipartDeps(adapters),
        {
          onProgress: (sent) => {
            if (entry.multipart !== upload || entry.state !== 'uploading') return;
            entry.sent = sent;
            entry.stats.record(this.clock.now(), sent);
            this.emit(entry);
          },
          onNotice: (notice) => {
            entry.notice = notice;
            entry.key = undefined;
            this.emit(entry);
          },
        },
        entry.resumeFrom,
      );
      entry.resumeFrom = undefined;
      entry.multipart = upload;
    }
    const controller = new AbortController();
    entry.controller = controller;
    entry.stats.reset();
    entry.sent = upload.sent;
    entry.stats.record(this.clock.now(), entry.sent);
    this.setState(entry, 'uploading');
    const owns = () => entry.controller === controller;
    upload
      .run()
      .then(
        () => {
          if (!owns()) return;
          entry.controller = undefined;
          entry.sent = entry.size;
          entry.error = undefined;
          entry.key = upload.upload?.key ?? entry.key;
          this.setState(entry, 'done');
        },
        (error: unknown) => {
          if (!owns()) return;
          entry.controller = undefined;
          if (error instanceof AbortedError) return;
          if (error instanceof SessionExpiredError) {
            this.halted = true;
            this.fail(entry, error);
            this.options.onSessionExpired?.();
            return;
          }
          // Parts were already retried with backoff inside; what is left is for the person (Retry continues).
          this.fail(entry, error);
        },
      )
      .finally(() => this.pump());
    entry.key = upload.upload?.key;
  }

  private cancelMultipart(entry: Entry<F>): void {
    const upload = entry.multipart;
    if (upload !== undefined)
      void upload.cancel().then(
        () => undefined,
        () => undefined,
      );
    else if (entry.resumeFrom !== undefined && this.options.multipart !== undefined) {
      // Picked again to resume, then cancelled before it started: abort that upload too.
      const record = entry.resumeFrom;
      entry.resumeFrom = undefined;
      this.unfinishedRecords = [...this.unfinishedRecords, record];
      void this.discardUnfinished(record.id);
    }
  }

  private setUnfinished(records: MultipartRecord[]): void {
    this.unfinishedRecords = records;
    this.options.onUnfinishedChange?.(records);
  }

  private async sign(batch: Entry<F>[]): Promise<void> {
    const controller = new AbortController();
    this.signing = controller;
    for (const entry of batch) this.setState(entry, 'signing');
    try {
      const forms = await this.options.presign(
        batch.map((entry) => ({
          name: entry.name,
          size: entry.size,
          type: entry.type,
          id: entry.id,
          ...(entry.md5 === undefined ? {} : { md5: entry.md5 }),
        })),
        controller.signal,
      );
      batch.forEach((entry, index) => {
        const form = forms[index];
        if (entry.state !== 'signing') return;
        if (form === undefined) {
          this.fail(entry, new UnexpectedResponseError(200));
          return;
        }
        entry.form = form;
        entry.formLifetime = formLifetimeMs(form, this.options.rules.policyTtlSeconds * 1000);
        entry.formDeadline = this.clock.now() + entry.formLifetime;
        entry.key = form.key;
        this.setState(entry, 'ready');
      });
    } catch (error) {
      this.signingFailed(batch, error);
    } finally {
      if (this.signing === controller) this.signing = undefined;
      this.pump();
    }
  }

  private signingFailed(batch: Entry<F>[], error: unknown): void {
    const pending = batch.filter((entry) => entry.state === 'signing');
    if (error instanceof SessionExpiredError) {
      this.halted = true;
      for (const entry of pending) this.fail(entry, error);
      this.options.onSessionExpired?.();
      return;
    }
    if (error instanceof AbortedError) {
      for (const entry of pending) this.setState(entry, 'queued');
      return;
    }
    // One file refused by the edge: that file fails, the others are signed again without it.
    const culprit = error instanceof ApiError && error.file !== undefined ? batch[error.file] : undefined;
    if (culprit !== undefined) {
      for (const entry of pending) {
        if (entry === culprit) this.fail(entry, error);
        else this.setState(entry, 'queued');
      }
      return;
    }
    for (const entry of pending) {
      if (isTransient(error)) this.retryLater(entry, error);
      else this.fail(entry, error);
    }
  }

  private startUpload(entry: Entry<F>, form: PresignedForm): void {
    const controller = new AbortController();
    entry.controller = controller;
    entry.sent = 0;
    entry.stats.reset();
    entry.stats.record(this.clock.now(), 0);
    this.setState(entry, 'uploading');
    const owns = () => entry.controller === controller;
    this.options
      .post(form, entry.file, {
        signal: controller.signal,
        onProgress: (loaded, total) => {
          if (!owns()) return;
          // The body is the form's fields plus the file; count the file's share of it.
          entry.sent = Math.round(fractionDone(loaded, total) * entry.size);
          entry.stats.record(this.clock.now(), entry.sent);
          this.emit(entry);
        },
      })
      .then(
        () => {
          if (!owns()) return;
          entry.controller = undefined;
          entry.sent = entry.size;
          entry.error = undefined;
          entry.form = undefined;
          this.setState(entry, 'done');
        },
        (error: unknown) => {
          if (!owns()) return;
          entry.controller = undefined;
          // A form that expired on the way is not the file's fault: sign again.
          const expired = entry.formDeadline <= this.clock.now();
          if (error instanceof AbortedError) this.setState(entry, 'cancelled');
          else if (isTransient(error) || expired) this.retryLater(entry, error);
          else this.fail(entry, error);
        },
      )
      .finally(() => this.pump());
  }

  private retryLater(entry: Entry<F>, error: unknown): void {
    entry.form = undefined;
    if (entry.retries >= MAX_AUTO_RETRIES) {
      this.fail(entry, error);
      return;
    }
    entry.retries += 1;
    const delay = retryDelayMs(entry.retries, this.random());
    entry.error = error;
    entry.retryAt = this.clock.now() + delay;
    entry.timer = this.clock.setTimeout(() => {
      entry.timer = undefined;
      if (entry.state !== 'waiting') return;
      entry.retryAt = undefined;
      this.setState(entry, 'queued');
      this.pump();
    }, delay);
    this.setState(entry, 'waiting');
  }

  private fail(entry: Entry<F>, error: unknown): void {
    entry.form = undefined;
    entry.error = error;
    this.setState(entry, 'failed');
  }

  /** Lets go of whatever the file was doing, so a late answer for it changes nothing. */
  private abandon(entry: Entry<F>): void {
    if (entry.timer !== undefined) this.clock.clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.retryAt = undefined;
    entry.form = undefined;
    const controller = entry.controller;
    entry.controller = undefined;
    controller?.abort();
  }

  private setState(entry: Entry<F>, state: UploadState): void {
    entry.state = state;
    this.emit(entry);
  }

  private count(state: UploadState): number {
    let n = 0;
    for (const entry of this.entries.values()) if (entry.state === state) n += 1;
    return n;
  }

  private emit(entry: Entry<F>): void {
    this.options.onChange(snapshotOf(entry));
  }
}

function snapshotOf<F extends QueueFile>(entry: Entry<F>): UploadSnapshot {
  const moving = entry.state === 'uploading';
  return {
    id: entry.id,
    name: entry.name,
    size: entry.size,
    type: entry.type,
    state: entry.state,
    sent: entry.sent,
    bytesPerSecond: moving ? entry.stats.bytesPerSecond() : undefined,
    secondsLeft: moving ? entry.stats.secondsLeft(entry.size) : undefined,
    error: entry.error,
    key: entry.key,
    retries: entry.retries,
    retryAt: entry.retryAt,
    multipart: entry.isMultipart,
    notice: entry.notice,
  };
}

/** Whether a waiting form has too little life left to carry its file (a fresh form never has: no endless re-signing). */
function tooCloseToExpiry(entry: { formLifetime: number; formDeadline: number }, now: number): boolean {
  const margin = Math.min(FORM_EXPIRY_MARGIN_MS, entry.formLifetime / 2);
  return entry.formDeadline - now < margin;
}

function isTransient(error: unknown): boolean {
  return error instanceof SiteError && error.transient;
}

export interface QueueSummary {
  readonly files: number;
  readonly done: number;
  readonly failed: number;
  /** Files refused before any request (type, size, name): not counted among the files to upload. */
  readonly refused: number;
  /** Files still on their way (queued, signing, ready, uploading, waiting). */
  readonly active: number;
  /** Bytes of the files that are done or on their way. */
  readonly bytesTotal: number;
  readonly bytesSent: number;
  readonly bytesPerSecond: number | undefined;
  readonly secondsLeft: number | undefined;
}

/** The line above the list: how far the whole batch is. */
export function summarize(uploads: readonly UploadSnapshot[]): QueueSummary {
  let done = 0;
  let failed = 0;
  let refused = 0;
  let active = 0;
  let bytesTotal = 0;
  let bytesSent = 0;
  let speed: number | undefined;
  for (const upload of uploads) {
    if (upload.state === 'done') done += 1;
    if (upload.state === 'failed') failed += 1;
    if (upload.state === 'rejected') refused += 1;
    if (upload.state === 'done' || !isTerminal(upload.state)) {
      bytesTotal += upload.size;
      bytesSent += upload.state === 'done' ? upload.size : upload.sent;
    }
    if (!isTerminal(upload.state) && upload.state !== 'paused') active += 1;
    if (upload.bytesPerSecond !== undefined) speed = (speed ?? 0) + upload.bytesPerSecond;
  }
  const secondsLeft = speed !== undefined && speed > 0 && active > 0 ? (bytesTotal - bytesSent) / speed : undefined;
  return { files: uploads.length, done, failed, refused, active, bytesTotal, bytesSent, bytesPerSecond: speed, secondsLeft };
}
