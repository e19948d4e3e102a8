/**
 * Inspecting one new object: read its first and last bytes (and, for MP4
 * and QuickTime, the top-level box headers decide() asks for), decide, then
 * tag it verified or move it to quarantine. Business logic only: the bytes
 * come from an UploadStore, the decision from the pure core.
 *
 * Idempotent, because S3 delivers events at least once and Lambda retries:
 * a repeated event finds the object verified again (same tag) or already
 * gone from the upload prefix (GONE).
 *
 * An object can be replaced under the same key while it is being inspected
 * (a retried upload with the same id). Every step after the first read is
 * tied to the ETag that was read: the tail and box reads and the quarantine
 * copy and delete are conditional (If-Match), and after tagging, the ETag is read
 * again. If the object changed, it is inspected again from the start, so a
 * verdict is never left on bytes that were not inspected. After
 * MAX_ATTEMPTS changes in a row its tags are cleared (fail closed) and the
 * event is retried later.
 *
 * An ETag is opaque here: compared only for equality and passed back to S3
 * as it came (quoted). It is never taken for the MD5 of the bytes: an object
 * completed by a multipart upload has the ETag `"<md5 of the part MD5s>-<parts>"`.
 */
import { ObjectChangedError, ObjectGoneError, ObjectKeepsChangingError, ObjectUnreadableError } from './core/errors';
import { QUARANTINE_REASON_TAG, VERIFIED_TAG, type InspectorConfig } from './core/config';
import type { DetectedFormat } from './core/file-signatures';
import {
  decide,
  HEAD_RANGE,
  tailBytesFor,
  tailRange,
  type ByteRange,
  type InspectionDecision,
  type ObjectSample,
  type QuarantineReason,
} from './core/inspection';
import { quarantineKeyFor } from './core/object-keys';
import type { ObjectBytes, UploadStore } from './core/upload-store';
import type { UploadRules } from '../../edge-functions/core/upload-rules';

/**
 * S3's CopyObject copies at most 5 GiB; a larger object (a video, up to 20 GiB)
 * is quarantined in place: tagged with its reason and left where it is.
 */
export const MAX_COPY_OBJECT_BYTES = 5 * 1024 ** 3;

/** Inspections of one event's object before giving up on an object that keeps changing. */
export const MAX_ATTEMPTS = 3;

export type InspectionOutcome =
  | {
      readonly outcome: 'VERIFIED';
      readonly declaredType: string;
      readonly detected: DetectedFormat;
      readonly size: number;
      readonly etag: string;
    }
  | {
      readonly outcome: 'QUARANTINED';
      readonly quarantineKey: string;
      readonly reason: QuarantineReason;
      readonly detail: string;
      readonly declaredType?: string;
      readonly detected?: DetectedFormat;
      readonly size?: number;
      readonly etag: string;
    }
  | { readonly outcome: 'GONE' };

export interface InspectDependencies {
  readonly store: UploadStore;
  readonly config: InspectorConfig;
  /** @default DEFAULT_UPLOAD_RULES */
  readonly rules?: UploadRules;
  /** Largest object moved to quarantine by one copy; a larger one is tagged where it is. @default MAX_COPY_OBJECT_BYTES */
  readonly maxCopyBytes?: number;
}

/** The object changed between two steps of one inspection. */
const CHANGED = Symbol('changed');

export async function inspectObject(bucket: string, key: string, deps: InspectDependencies): Promise<InspectionOutcome> {
  const quarantineKey = quarantineKeyFor(key, deps.config.uploadPrefix, deps.config.quarantinePrefix);
  if (quarantineKey === undefined) throw new RangeError(`${key} is not under ${deps.config.uploadPrefix}`);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const result = await inspectOnce(bucket, key, quarantineKey, deps);
    if (result !== CHANGED) return result;
  }
  await deps.store.putTags(bucket, key, {}).catch((error: unknown) => {
    if (!(error instanceof ObjectGoneError)) throw error;
  });
  throw new ObjectKeepsChangingError(key, MAX_ATTEMPTS);
}

async function inspectOnce(
  bucket: string,
  key: string,
  quarantineKey: string,
  deps: InspectDependencies,
): Promise<InspectionOutcome | typeof CHANGED> {
  const { store } = deps;
  try {
    let head: ObjectBytes;
    try {
      head = await store.readRange(bucket, key, HEAD_RANGE);
    } catch (error) {
      if (!(error instanceof ObjectUnreadableError)) throw error;
      // Still moved out of the user's prefix, as the object it is now.
      const etag = await store.currentEtag(bucket, key);
      if (etag === undefined) return { outcome: 'GONE' };
      return await quarantine(bucket, key, quarantineKey, etag, deps, {
        reason: 'UNREADABLE',
        detail: `the first bytes could not be read (${error.reason})`,
      });
    }

    const tail = await readTail(bucket, key, head, store);
    const decision = await decideReadingMore(
      bucket,
      key,
      head,
      { key, declaredType: head.contentType, size: head.size, head: head.bytes, tail },
      deps,
    );
    if (decision.verdict === 'quarantine') {
      const { reason, detail, declaredType, detected } = decision;
      return await quarantine(bucket, key, quarantineKey, head.etag, deps, {
        reason,
        detail,
        size: head.size,
        ...(declaredType === undefined ? {} : { declaredType }),
        ...(detected === undefined ? {} : { detected }),
      });
    }

    await store.putTags(bucket, key, { [VERIFIED_TAG.key]: VERIFIED_TAG.value });
    // Tagging has no If-Match: make sure the tag went on the bytes that were inspected.
    const now = await store.currentEtag(bucket, key);
    if (now === undefined) return { outcome: 'GONE' };
    if (now !== head.etag) return CHANGED;
    return { outcome: 'VERIFIED', declaredType: decision.declaredType, detected: decision.detected, size: head.size, etag: head.etag };
  } catch (error) {
    if (error instanceof ObjectGoneError) return { outcome: 'GONE' };
    if (error instanceof ObjectChangedError) return CHANGED;
    throw error;
  }
}

/** The last bytes the declared type needs: from the head when it holds them, else a second ranged GET of the same object. */
async function readTail(bucket: string, key: string, head: ObjectBytes, store: UploadStore): Promise<Uint8Array> {
  const tailBytes = tailBytesFor(head.contentType);
  const range = tailRange(head.size, tailBytes);
  if (range === undefined) return head.bytes.subarray(Math.max(0, head.bytes.length - tailBytes));
  return readSame(bucket, key, head, range, store);
}

/**
 * decide(), and while it asks for more (MP4/QuickTime box headers, a
 * bounded number: iso-bmff.ts), the ranges it asks for, from the same object.
 */
async function decideReadingMore(
  bucket: string,
  key: string,
  head: ObjectBytes,
  sample: ObjectSample,
  deps: InspectDependencies,
): Promise<Exclude<InspectionDecision, { verdict: 'read-more' }>> {
  const more: Array<{ start: number; bytes: Uint8Array }> = [];
  for (;;) {
    const decision = decide({ ...sample, more }, deps.rules);
    if (decision.verdict !== 'read-more') return decision;
    more.push({ start: decision.range.start, bytes: await readSame(bucket, key, head, decision.range, deps.store) });
  }
}

/** A range of the object the head came from (If-Match its ETag), or ObjectChangedError. */
async function readSame(bucket: string, key: string, head: ObjectBytes, range: ByteRange, store: UploadStore): Promise<Uint8Array> {
  const read = await store.readRange(bucket, key, range, head.etag);
  if (read.size !== head.size || read.etag !== head.etag) throw new ObjectChangedError(key);
  return read.bytes;
}

interface QuarantineFacts {
  readonly reason: QuarantineReason;
  readonly detail: string;
  readonly declaredType?: string;
  readonly detected?: DetectedFormat;
  readonly size?: number;
}

/**
 * Copy first, then delete: a failure in between leaves the object in both
 * places, never in neither, and the retried event finishes the move. (An
 * object over MAX_COPY_OBJECT_BYTES is tagged with its reason in place.) The
 * delete is conditional too: if a new object took the key after the copy, it
 * stays for its own event to inspect.
 */
async function quarantine(
  bucket: string,
  key: string,
  quarantineKey: string,
  etag: string,
  deps: InspectDependencies,
  facts: QuarantineFacts,
): Promise<InspectionOutcome> {
  if (facts.size !== undefined && facts.size > (deps.maxCopyBytes ?? MAX_COPY_OBJECT_BYTES)) {
    // Too big for one CopyObject: rejected where it is. Without `verified=true`
    // the bucket policy refuses every read of it, the owner still sees it (and
    // its reason) in their list, and the upload bucket's lifecycle is unchanged.
    await deps.store.putTags(bucket, key, { [QUARANTINE_REASON_TAG]: facts.reason });
    // Tagging has no If-Match: the reason must sit on the bytes that were inspected.
    const now = await deps.store.currentEtag(bucket, key);
    if (now === undefined) return { outcome: 'GONE' };
    if (now !== etag) throw new ObjectChangedError(key);
    return { outcome: 'QUARANTINED', quarantineKey: key, etag, ...facts };
  }
  await deps.store.copy(bucket, key, quarantineKey, etag, { [QUARANTINE_REASON_TAG]: facts.reason });
  try {
    await deps.store.delete(bucket, key, etag);
  } catch (error) {
    if (!(error instanceof ObjectChangedError) && !(error instanceof ObjectGoneError)) throw error;
  }
  return { outcome: 'QUARANTINED', quarantineKey, etag, ...facts };
}
