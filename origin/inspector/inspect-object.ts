/**
 * Inspecting one new object: read its first and last bytes, decide, then
 * tag it verified or move it to quarantine. Business logic only: the bytes
 * come from an UploadStore, the decision from the pure core.
 *
 * Idempotent, because S3 delivers events at least once and Lambda retries:
 * a repeated event finds the object verified again (same tag) or already
 * gone from the upload prefix (GONE).
 *
 * An object can be replaced under the same key while it is being inspected
 * (a retried upload with the same id). Every step after the first read is
 * tied to the ETag that was read: the tail read and the quarantine copy and
 * delete are conditional (If-Match), and after tagging, the ETag is read
 * again. If the object changed, it is inspected again from the start, so a
 * verdict is never left on bytes that were not inspected. After
 * MAX_ATTEMPTS changes in a row its tags are cleared (fail closed) and the
 * event is retried later.
 */
import { ObjectChangedError, ObjectGoneError, ObjectKeepsChangingError, ObjectUnreadableError } from './core/errors';
import { QUARANTINE_REASON_TAG, VERIFIED_TAG, type InspectorConfig } from './core/config';
import type { DetectedFormat } from './core/file-signatures';
import { decide, HEAD_RANGE, tailRange, TAIL_BYTES, type QuarantineReason } from './core/inspection';
import { quarantineKeyFor } from './core/object-keys';
import type { ObjectBytes, UploadStore } from './core/upload-store';
import type { UploadRules } from '../../edge-functions/core/upload-rules';

/** Inspections of one event's object before giving up on an object that keeps changing. */
export const MAX_ATTEMPTS = 3;

export type InspectionOutcome =
  | { readonly outcome: 'VERIFIED'; readonly declaredType: string; readonly detected: DetectedFormat; readonly size: number; readonly etag: string }
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

async function inspectOnce(bucket: string, key: string, quarantineKey: string, deps: InspectDependencies): Promise<InspectionOutcome | typeof CHANGED> {
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
      return await quarantine(bucket, key, quarantineKey, etag, deps, { reason: 'UNREADABLE', detail: `the first bytes could not be read (${error.reason})` });
    }

    const tail = await readTail(bucket, key, head, store);
    const decision = decide({ key, declaredType: head.contentType, size: head.size, head: head.bytes, tail }, deps.rules);
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

/** The last TAIL_BYTES: from the head when it holds them, else a second ranged GET of the same object. */
async function readTail(bucket: string, key: string, head: ObjectBytes, store: UploadStore): Promise<Uint8Array> {
  const range = tailRange(head.size);
  if (range === undefined) return head.bytes.subarray(Math.max(0, head.bytes.length - TAIL_BYTES));
  const tail = await store.readRange(bucket, key, range, head.etag);
  if (tail.size !== head.size || tail.etag !== head.etag) throw new ObjectChangedError(key);
  return tail.bytes;
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
 * places, never in neither, and the retried event finishes the move. The
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
  await deps.store.copy(bucket, key, quarantineKey, etag, { [QUARANTINE_REASON_TAG]: facts.reason });
  try {
    await deps.store.delete(bucket, key, etag);
  } catch (error) {
    if (!(error instanceof ObjectChangedError) && !(error instanceof ObjectGoneError)) throw error;
  }
  return { outcome: 'QUARANTINED', quarantineKey, etag, ...facts };
}
