/**
 * One large file sent as an S3 multipart upload (docs/large-files.md):
 *
 *   POST /presign/multipart → send `create` → UploadId → (POST
 *   /presign/multipart/parts for ≤ maxPartsPerRequest parts, with each part's
 *   MD5 → PUT each part) … → CompleteMultipartUpload with every ETag in order.
 *
 * - MAX_PARALLEL_PARTS parts are in flight at once.
 * - Each part is retried with backoff (backoff.ts) after a network failure or
 *   a transient S3 answer. A 403 from S3 (an expired URL, or one about to be)
 *   gets fresh URLs once, without counting as a failure; URLs close to their
 *   end are signed again before use.
 * - pause() stops everything in flight (those parts start over on resume);
 *   run() again continues with the parts already stored.
 * - The upload is kept in a MultipartStore from the moment S3 knows it until
 *   it is completed or cancelled, so a new instance (after a reload) can
 *   resume it: it asks S3 which parts it holds (ListParts, page by page) and
 *   sends the rest.
 * - A ticket the edge no longer accepts (INVALID_TICKET, or ticketExpiresAt
 *   passed), or an upload S3 no longer has (NoSuchUpload), starts the file
 *   again from the beginning, once, with a MultipartError('TICKET_EXPIRED')
 *   notice for the person.
 *
 * Everything with a side effect is injected (signing, S3 requests, MD5,
 * storage, time, randomness): this is pure logic, tested against an
 * in-memory S3 (test/client/core/multipart-upload.test.ts). Bytes are never read
 * here: the adapters slice the file.
 */
import { INVALID_TICKET } from '../../edge-functions/contract/http-errors';
import type { UploadRules } from '../../edge-functions/core/upload-rules';
import { MAX_AUTO_RETRIES, retryDelayMs } from './backoff';
import type { Clock } from './clock';
import { AbortedError, ApiError, MultipartError, S3ServiceError, SiteError } from './errors';
import {
  partRange,
  urlLifetimeMs,
  type MultipartFileSpec,
  type MultipartStart,
  type PartsRequest,
  type PartUrls,
  type SignedPart,
  type SignedRequest,
} from './multipart-contract';
import type { MultipartRecord, MultipartStore } from './multipart-store';
import { s3ErrorFromResponse } from './s3-error';
import { completeMultipartXml, isErrorDocument, parseListParts, parseUploadId, type ListPartsPage } from './s3-multipart-xml';

/**
 * Parts in flight per file. Browsers open at most 6 connections per origin
 * over HTTP/1.1 (as uppy's S3 multipart plugin also assumes); 4 keeps the
 * pipe full while leaving room for the small requests (the edge's signing,
 * another file's POST) instead of queueing them behind 8 MiB parts.
 */
export const MAX_PARALLEL_PARTS = 4;
/** Parts per ListParts answer: S3's default and largest `max-parts` (the edge's list URL does not set it). */
export const LIST_PARTS_PAGE_SIZE = 1000;
/** A part URL with less life than this left is signed again before its PUT (half the life, for short-lived URLs). */
export const PART_URL_EXPIRY_MARGIN_MS = 60_000;

/** The upload rules' multipart numbers (edge-functions/upload-rules.yaml). */
export type MultipartLimits = Pick<UploadRules, 'postMaxBytes' | 'maxPartsPerRequest' | 'partUrlTtlSeconds'>;

export function multipartLimits(rules: UploadRules): MultipartLimits {
  return { postMaxBytes: rules.postMaxBytes, maxPartsPerRequest: rules.maxPartsPerRequest, partUrlTtlSeconds: rules.partUrlTtlSeconds };
}

/** What a request to S3 carries: a byte range of the file (a part), or text (the complete XML). */
export type S3Body<F> =
  | { readonly kind: 'slice'; readonly file: F; readonly start: number; readonly end: number }
  | { readonly kind: 'text'; readonly text: string };

/** S3's answer, whatever its status. */
export interface S3Answer {
  readonly status: number;
  /** The `ETag` response header (null when absent or not exposed by CORS). */
  readonly etag: string | null;
  readonly body: string;
}

export interface S3SendOptions {
  readonly signal: AbortSignal;
  /** Bytes of the body sent so far. */
  onProgress?(loaded: number): void;
}

/** Sends one signed request exactly as given. Resolves with any answer; rejects only with NetworkError or AbortedError. */
export type S3Sender<F> = (request: SignedRequest, body: S3Body<F> | undefined, options: S3SendOptions) => Promise<S3Answer>;

export interface PartPlan {
  readonly partSize: number;
  readonly partCount: number;
  readonly fileSize: number;
}

export interface MultipartDeps<F> {
  signStart(file: MultipartFileSpec, signal: AbortSignal): Promise<MultipartStart>;
  signParts(request: PartsRequest, plan: PartPlan, signal: AbortSignal): Promise<PartUrls>;
  send: S3Sender<F>;
  /** Base64 of the MD5 of bytes [start, end) of the file. */
  md5Of(file: F, start: number, end: number, signal: AbortSignal): Promise<string>;
  readonly store: MultipartStore;
  readonly clock: Clock;
  readonly random: () => number;
  readonly limits: MultipartLimits;
  /** @default MAX_PARALLEL_PARTS */
  readonly maxParallelParts?: number;
}

export interface MultipartEvents {
  /** Bytes of the file stored or on their way (parts in flight count as far as they got). */
  onProgress(sent: number): void;
  /** Something the person should know while the upload goes on (the upload started again). */
  onNotice(notice: SiteError): void;
}

/** The file as the upload needs it; `lastModified` recognises it after a reload. */
export interface MultipartFile {
  readonly name: string;
  readonly size: number;
  readonly lastModified?: number;
}

interface UsableUrl {
  readonly request: SignedPart;
  /** After this (this device's clock), sign again before use. */
  readonly usableUntil: number;
  readonly generation: number;
}

interface Links {
  readonly complete: SignedRequest;
  readonly list: SignedRequest;
  readonly abort: SignedRequest;
  readonly usableUntil: number;
}

export class MultipartUpload<F extends MultipartFile> {
  private record: MultipartRecord | undefined;
  private resumeFrom: MultipartRecord | undefined;
  private needsListing = false;
  private restarted = false;
  private readonly etags = new Map<number, string>();
  private readonly md5s = new Map<number, Promise<string>>();
  private readonly urls = new Map<number, UsableUrl>();
  private links: Links | undefined;
  private generation = 0;
  private signing: Promise<void> | undefined;
  private readonly putting = new Set<number>();
  private readonly inflight = new Map<number, number>();
  private storedBytes = 0;
  private controller: AbortController | undefined;
  private readonly maxParallel: number;

  /**
   * `spec` is what /presign/multipart is told (the checked type, the file's id);
   * `resumeFrom` an unfinished upload of this same file (isSameFile) to continue.
   */
  constructor(
    private readonly file: F,
    private readonly spec: MultipartFileSpec,
    private readonly deps: MultipartDeps<F>,
    private readonly events: MultipartEvents,
    resumeFrom?: MultipartRecord,
  ) {
    this.resumeFrom = resumeFrom;
    this.maxParallel = deps.maxParallelParts ?? MAX_PARALLEL_PARTS;
  }

  /** Bytes of the file stored or in flight. */
  get sent(): number {
    let sum = this.storedBytes;
    for (const loaded of this.inflight.values()) sum += loaded;
    return sum;
  }

  /** The S3 upload, once created (or resumed). */
  get upload(): MultipartRecord | undefined {
    return this.record ?? this.resumeFrom;
  }

  /**
   * Sends what is missing and completes. Resolves when the object exists;
   * rejects with the reason it stopped (AbortedError after pause() or cancel()).
   * Calling it again after a failure or a pause continues where it stopped.
   */
  async run(): Promise<void> {
    if (this.controller !== undefined) throw new Error('MultipartUpload.run() is already running');
    const controller = new AbortController();
    this.controller = controller;
    const signal = controller.signal;
    try {
      for (;;) {
        try {
          await this.begin(signal);
          if (this.needsListing) await this.listStored(signal);
          await this.sendParts(signal);
          await this.complete(signal);
          await this.forget();
          return;
        } catch (error) {
          if (signal.aborted) throw new AbortedError();
          if (!isUploadGone(error) || this.restarted) throw error;
          // The edge will not sign for this upload any more, or S3 dropped it: start again, once.
          this.restarted = true;
          await this.abortRemote(signal);
          await this.forget();
          this.resetUpload();
          this.events.onNotice(new MultipartError('TICKET_EXPIRED'));
        }
      }
    } finally {
      if (this.controller === controller) this.controller = undefined;
      this.inflight.clear();
    }
  }

  /** Stops every request in flight; run() rejects with AbortedError. The stored parts and the record stay. */
  pause(): void {
    this.controller?.abort();
    this.controller = undefined;
    this.inflight.clear();
  }

  /** Stops, tells S3 to drop the stored parts (the signed `abort` URL) and forgets the upload. */
  async cancel(): Promise<void> {
    this.pause();
    const record = this.upload;
    if (record === undefined) return;
    // Re-signing needs a living ticket; without one the bucket's lifecycle rule removes the parts within a day.
    if (this.links !== undefined || record.ticketExpiresAt > this.deps.clock.now()) {
      this.record = record;
      await this.abortRemote(new AbortController().signal);
    }
    this.record = record;
    await this.forget();
    this.record = undefined;
    this.resumeFrom = undefined;
  }

  // ---- the steps ----

  private async begin(signal: AbortSignal): Promise<void> {
    if (this.record !== undefined) return;
    const resumed = this.resumeFrom;
    this.resumeFrom = undefined;
    if (resumed !== undefined) {
      if (resumed.ticketExpiresAt > this.deps.clock.now() && resumed.partCount === Math.ceil(this.file.size / resumed.partSize)) {
        this.record = resumed;
        this.needsListing = true;
        return;
      }
      await quietly(this.deps.store.delete(resumed.id));
      this.restarted = true;
      this.events.onNotice(new MultipartError('TICKET_EXPIRED'));
    }
    const start = await this.retrying(signal, () => this.deps.signStart(this.spec, signal));
    const created = await this.retrying(signal, () => this.s3(start.create, undefined, signal));
    const uploadId = parseUploadId(created.body);
    if (signal.aborted) throw new AbortedError();
    this.record = {
      id: this.spec.id,
      key: start.key,
      uploadId,
      ticket: start.ticket,
      ticketExpiresAt: start.ticketExpiresAt,
      partSize: start.partSize,
      partCount: start.partCount,
      file: { name: this.file.name, size: this.file.size, type: this.spec.type, lastModified: this.file.lastModified ?? 0 },
      startedAt: this.deps.clock.now(),
    };
    await quietly(this.deps.store.put(this.record));
  }

  /**
   * After a reload: which parts S3 already holds (only those of the expected size count).
   * S3 lists up to LIST_PARTS_PAGE_SIZE parts per ListParts. The list URL is signed by the
   * edge with its query (a changed query breaks the signature), so each later page has its
   * own URL, signed for the previous page's NextPartNumberMarker. A page is followed only
   * when the marker moves forward and stays below partCount, and at most
   * ceil(partCount / LIST_PARTS_PAGE_SIZE) + 1 pages are read: a server that repeats or
   * inflates its marker (or an edge that ignores it and lists the first page again) ends
   * the listing, and whatever it did not list is sent again.
   */
  private async listStored(signal: AbortSignal): Promise<void> {
    const record = this.requireRecord();
    const maxPages = Math.ceil(record.partCount / LIST_PARTS_PAGE_SIZE) + 1;
    let marker: number | undefined;
    for (let pages = 1; ; pages += 1) {
      const page = await this.listPage(marker, signal);
      for (const part of page.parts) {
        if (part.partNumber > record.partCount || this.etags.has(part.partNumber)) continue;
        const range = partRange(part.partNumber, record.partSize, this.file.size);
        if (part.size !== range.end - range.start) continue;
        this.etags.set(part.partNumber, part.etag);
        this.storedBytes += part.size;
      }
      const next = page.nextPartNumberMarker;
      if (!page.isTruncated || next === undefined || next <= (marker ?? 0) || next >= record.partCount || pages >= maxPages) break;
      marker = next;
    }
    this.needsListing = false;
    this.events.onProgress(this.sent);
  }

  /** One ListParts page: the first through the kept `list` link; a later one through a URL signed for its marker. */
  private async listPage(marker: number | undefined, signal: AbortSignal): Promise<ListPartsPage> {
    if (marker === undefined) return parseListParts((await this.withLinks(signal, (links) => links.list, undefined)).body);
    // A one-off: this URL lists only the page after `marker`, so it is not kept as links.list (the first page's).
    const answer = await this.signParts([{ partNumber: 1 }], signal, marker);
    return parseListParts((await this.retrying(signal, () => this.s3(answer.list, undefined, signal))).body);
  }

  private async sendParts(signal: AbortSignal): Promise<void> {
    const record = this.requireRecord();
    const pending: number[] = [];
    for (let n = 1; n <= record.partCount; n += 1) if (!this.etags.has(n)) pending.push(n);
    // One part failing for good stops the others; the first reason is the one reported.
    const inner = new AbortController();
    const stop = () => inner.abort();
    signal.addEventListener('abort', stop, { once: true });
    let firstError: unknown;
    const worker = async () => {
      for (;;) {
        if (inner.signal.aborted) return;
        const partNumber = pending.shift();
        if (partNumber === undefined) return;
        try {
          await this.sendPart(partNumber, inner.signal);
        } catch (error) {
          if (firstError === undefined) firstError = error;
          inner.abort();
          return;
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(this.maxParallel, pending.length) }, worker));
    } finally {
      signal.removeEventListener('abort', stop);
    }
    if (signal.aborted) throw new AbortedError();
    if (firstError !== undefined) throw firstError;
  }

  private async sendPart(partNumber: number, signal: AbortSignal): Promise<void> {
    const record = this.requireRecord();
    const { start, end } = partRange(partNumber, record.partSize, this.file.size);
    let failures = 0;
    let resigned = false;
    for (;;) {
      const request = await this.urlFor(partNumber, signal);
      let error: unknown;
      this.putting.add(partNumber);
      try {
        const answer = await this.deps.send(
          request,
          { kind: 'slice', file: this.file, start, end },
          {
            signal,
            onProgress: (loaded) => {
              if (signal.aborted) return;
              this.inflight.set(partNumber, Math.min(Math.max(loaded, 0), end - start));
              this.events.onProgress(this.sent);
            },
          },
        );
        if (answer.status >= 200 && answer.status < 300) {
          if (answer.etag === null || answer.etag.length === 0) throw new MultipartError('ETAG_HIDDEN');
          this.etags.set(partNumber, answer.etag);
          this.storedBytes += end - start;
          this.inflight.delete(partNumber);
          this.events.onProgress(this.sent);
          return;
        }
        error = s3ErrorFromResponse(answer.status, answer.body);
      } catch (thrown) {
        if (thrown instanceof MultipartError) throw thrown;
        error = thrown;
      } finally {
        this.putting.delete(partNumber);
        this.inflight.delete(partNumber);
      }
      if (signal.aborted || error instanceof AbortedError) throw new AbortedError();
      // 403: most likely the URL expired on the way (or this device slept); fresh URLs once, not a failure.
      if (error instanceof S3ServiceError && error.status === 403 && !resigned) {
        resigned = true;
        this.urls.delete(partNumber);
        continue;
      }
      if (isUploadGone(error) || !isTransient(error) || failures >= MAX_AUTO_RETRIES) throw error;
      failures += 1;
      await this.sleep(retryDelayMs(failures, this.deps.random()), signal);
    }
  }

  private async complete(signal: AbortSignal): Promise<void> {
    const record = this.requireRecord();
    const parts = [...this.etags].map(([partNumber, etag]) => ({ partNumber, etag }));
    if (parts.length !== record.partCount) throw new MultipartError('BAD_ANSWER');
    await this.withLinks(signal, (links) => links.complete, { kind: 'text', text: completeMultipartXml(parts) });
  }

  // ---- signing ----

  /** A usable signed URL for the part, signing a batch (with the MD5s) when needed; concurrent callers share one call. */
  private async urlFor(partNumber: number, signal: AbortSignal): Promise<SignedPart> {
    for (;;) {
      const generation = this.generation;
      const cached = this.urls.get(partNumber);
      if (cached !== undefined && cached.usableUntil > this.deps.clock.now()) return cached.request;
      if (this.signing === undefined) {
        this.signing = this.signBatch(this.nextBatch(partNumber), signal).finally(() => {
          this.signing = undefined;
        });
      }
      await this.signing;
      if (signal.aborted) throw new AbortedError();
      const fresh = this.urls.get(partNumber);
      // Just signed for this part: use it even if its life is short (never sign again in a loop).
      if (fresh !== undefined && fresh.generation > generation) return fresh.request;
    }
  }

  /** `first`, then the next parts that will need a URL, up to maxPartsPerRequest. */
  private nextBatch(first: number): number[] {
    const record = this.requireRecord();
    const now = this.deps.clock.now();
    const batch = [first];
    for (let n = 1; n <= record.partCount && batch.length < this.deps.limits.maxPartsPerRequest; n += 1) {
      if (n === first || this.etags.has(n) || this.putting.has(n)) continue;
      const cached = this.urls.get(n);
      if (cached !== undefined && cached.usableUntil > now) continue;
      batch.push(n);
    }
    return batch;
  }

  private async signBatch(partNumbers: readonly number[], signal: AbortSignal): Promise<void> {
    const parts: Array<{ partNumber: number; md5: string }> = [];
    for (const partNumber of partNumbers) parts.push({ partNumber, md5: await this.md5For(partNumber, signal) });
    const answer = await this.signParts(parts, signal);
    this.generation += 1;
    const usableUntil = this.usableUntil(answer);
    for (const part of answer.parts) this.urls.set(part.partNumber, { request: part, usableUntil, generation: this.generation });
  }

  /** The complete, list and abort URLs, signed again when they are near their end; a 403 re-signs once. */
  private async withLinks(signal: AbortSignal, pick: (links: Links) => SignedRequest, body: S3Body<F> | undefined): Promise<S3Answer> {
    let resigned = false;
    for (;;) {
      if (this.links === undefined || this.links.usableUntil <= this.deps.clock.now()) {
        // Any part will do to get these URLs; part 1 without an MD5, and its URL is not kept.
        await this.signParts([{ partNumber: 1 }], signal);
      }
      const links = this.links;
      if (links === undefined) throw new MultipartError('BAD_ANSWER');
      try {
        return await this.retrying(signal, () => this.s3(pick(links), body, signal));
      } catch (error) {
        if (resigned || !(error instanceof S3ServiceError) || error.status !== 403) throw error;
        resigned = true;
        this.links = undefined;
      }
    }
  }

  /** Signs `parts`, and keeps the answer's complete, list and abort URLs unless its list is a later page's (`listPartNumberMarker`). */
  private async signParts(parts: PartsRequest['parts'], signal: AbortSignal, listPartNumberMarker?: number): Promise<PartUrls> {
    const record = this.requireRecord();
    const request: PartsRequest = {
      key: record.key,
      uploadId: record.uploadId,
      ticket: record.ticket,
      parts,
      ...(listPartNumberMarker === undefined ? {} : { listPartNumberMarker }),
    };
    const plan: PartPlan = { partSize: record.partSize, partCount: record.partCount, fileSize: this.file.size };
    const answer = await this.retrying(signal, () => this.deps.signParts(request, plan, signal));
    if (listPartNumberMarker === undefined) {
      this.links = { complete: answer.complete, list: answer.list, abort: answer.abort, usableUntil: this.usableUntil(answer) };
    }
    return answer;
  }

  private usableUntil(answer: PartUrls): number {
    const fallback = this.deps.limits.partUrlTtlSeconds * 1000;
    const lifetime = urlLifetimeMs(answer.parts[0]?.url ?? answer.complete.url, answer.expiresAt, fallback);
    return this.deps.clock.now() + lifetime - Math.min(PART_URL_EXPIRY_MARGIN_MS, lifetime / 2);
  }

  private md5For(partNumber: number, signal: AbortSignal): Promise<string> {
    const cached = this.md5s.get(partNumber);
    if (cached !== undefined) return cached;
    const record = this.requireRecord();
    const { start, end } = partRange(partNumber, record.partSize, this.file.size);
    const promise = this.deps.md5Of(this.file, start, end, signal);
    this.md5s.set(partNumber, promise);
    promise.catch(() => {
      if (this.md5s.get(partNumber) === promise) this.md5s.delete(partNumber);
    });
    return promise;
  }

  // ---- helpers ----

  /** Sends to S3; a non-2xx answer (or a 200 carrying S3's `<Error>`) becomes an S3ServiceError. */
  private async s3(request: SignedRequest, body: S3Body<F> | undefined, signal: AbortSignal): Promise<S3Answer> {
    const answer = await this.deps.send(request, body, { signal });
    if (answer.status < 200 || answer.status >= 300) throw s3ErrorFromResponse(answer.status, answer.body);
    // CompleteMultipartUpload may answer 200 and then report an error in the body.
    if (isErrorDocument(answer.body)) throw s3ErrorFromResponse(500, answer.body);
    return answer;
  }

  /** Runs `action`, retrying transient failures with backoff (the signing calls, create, list, complete). */
  private async retrying<T>(signal: AbortSignal, action: () => Promise<T>): Promise<T> {
    for (let failures = 0; ; ) {
      try {
        return await action();
      } catch (error) {
        if (signal.aborted || error instanceof AbortedError) throw new AbortedError();
        if (isUploadGone(error) || !isTransient(error) || failures >= MAX_AUTO_RETRIES) throw error;
        failures += 1;
        await this.sleep(retryDelayMs(failures, this.deps.random()), signal);
      }
    }
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(new AbortedError());
        return;
      }
      const onAbort = () => {
        this.deps.clock.clearTimeout(timer);
        reject(new AbortedError());
      };
      const timer = this.deps.clock.setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** DELETE the abort URL; failures are ignored (the bucket's lifecycle rule removes what is left after a day). */
  private async abortRemote(signal: AbortSignal): Promise<void> {
    if (this.record === undefined) return;
    try {
      if (this.links === undefined || this.links.usableUntil <= this.deps.clock.now()) await this.signParts([{ partNumber: 1 }], signal);
      const links = this.links;
      if (links !== undefined) await this.deps.send(links.abort, undefined, { signal });
    } catch {
      // Nothing more to do: the lifecycle rule is the safety net.
    }
  }

  private async forget(): Promise<void> {
    if (this.record !== undefined) await quietly(this.deps.store.delete(this.record.id));
  }

  private resetUpload(): void {
    this.record = undefined;
    this.needsListing = false;
    this.etags.clear();
    this.md5s.clear();
    this.urls.clear();
    this.links = undefined;
    this.storedBytes = 0;
    this.inflight.clear();
    this.events.onProgress(0);
  }

  private requireRecord(): MultipartRecord {
    if (this.record === undefined) throw new Error('no multipart upload yet');
    return this.record;
  }
}

/** The edge will not sign for this upload any more, or S3 no longer has it: only a fresh start helps. */
export function isUploadGone(error: unknown): boolean {
  return (
    (error instanceof ApiError && error.code === INVALID_TICKET.code) || (error instanceof S3ServiceError && error.code === 'NoSuchUpload')
  );
}

function isTransient(error: unknown): boolean {
  return error instanceof SiteError && error.transient;
}

/** Storage is a convenience (resume after reload): its failures never stop an upload. */
async function quietly(promise: Promise<void>): Promise<void> {
  try {
    await promise;
  } catch {
    // e.g. IndexedDB unavailable in private browsing, or over quota.
  }
}
