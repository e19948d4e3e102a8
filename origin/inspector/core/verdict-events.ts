/**
 * One event per verdict, for the deployer's backend (origin/inspector/README.md,
 * "Events"): `Upload Verified` or `Upload Rejected` from source `edge-upload`.
 * Pure: the inspection's outcome in, the event out; where it goes is a
 * VerdictPublisher's business (EventBridge on AWS, a JSON-lines file locally).
 *
 * Delivery is at least once: the event is put after the verdict is on the
 * object, and a failed put makes the whole S3 event retry, which finds the
 * same verdict again and puts the same event again. A receiver dedupes on
 * `key` + `etag`.
 */
import type { DetectedFormat } from './file-signatures';
import type { QuarantineReason } from './inspection';

export const VERDICT_EVENT_SOURCE = 'edge-upload';
export const VERDICT_DETAIL_TYPES = Object.freeze({ verified: 'Upload Verified', rejected: 'Upload Rejected' } as const);
export type VerdictDetailType = (typeof VERDICT_DETAIL_TYPES)[keyof typeof VERDICT_DETAIL_TYPES];

export interface VerdictDetail {
  readonly bucket: string;
  /** The key the object was uploaded to. */
  readonly key: string;
  /** The uploader's Cognito `sub`: the key's user segment, which the signed policy bound to their token. */
  readonly userId: string;
  /** Bytes; absent only for an object that could not be read at all. */
  readonly size?: number;
  /** The Content-Type the upload declared. */
  readonly type?: string;
  /** What the bytes turned out to be, when recognized. */
  readonly detected?: DetectedFormat;
  /** The ETag the verdict is about (quoted, as S3 returns it): with `key`, the receiver's dedupe key. */
  readonly etag: string;
  /** Rejected only: the reason code (the README's table). */
  readonly reason?: QuarantineReason;
  /** Rejected only: where the object is now (the quarantine key, or `key` when rejected in place). */
  readonly quarantineKey?: string;
}

export interface VerdictEvent {
  readonly source: typeof VERDICT_EVENT_SOURCE;
  readonly detailType: VerdictDetailType;
  readonly detail: VerdictDetail;
}

export interface VerdictPublisher {
  /** Resolves once the event is accepted; rejects otherwise (the S3 event is then retried). */
  publish(event: VerdictEvent): Promise<void>;
}

/** A verdict as inspect-object.ts reports it (GONE has none and makes no event). */
export type Verdict =
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
      readonly declaredType?: string;
      readonly detected?: DetectedFormat;
      readonly size?: number;
      readonly etag: string;
    };

/** The user segment of `<uploadPrefix><sub>/…`; undefined for a key of another shape. */
export function userIdOf(key: string, uploadPrefix: string): string | undefined {
  if (!key.startsWith(uploadPrefix)) return undefined;
  const sub = key.slice(uploadPrefix.length).split('/', 1)[0];
  return sub === undefined || sub === '' ? undefined : sub;
}

export function verdictEvent(verdict: Verdict, bucket: string, key: string, uploadPrefix: string): VerdictEvent {
  // The inspector only sees keys under the prefix, and the edge only signs keys with a sub in them.
  const userId = userIdOf(key, uploadPrefix) ?? '';
  const common = {
    bucket,
    key,
    userId,
    ...(verdict.size === undefined ? {} : { size: verdict.size }),
    ...(verdict.declaredType === undefined ? {} : { type: verdict.declaredType }),
    ...(verdict.detected === undefined ? {} : { detected: verdict.detected }),
    etag: verdict.etag,
  };
  if (verdict.outcome === 'VERIFIED') {
    return { source: VERDICT_EVENT_SOURCE, detailType: VERDICT_DETAIL_TYPES.verified, detail: common };
  }
  return {
    source: VERDICT_EVENT_SOURCE,
    detailType: VERDICT_DETAIL_TYPES.rejected,
    detail: { ...common, reason: verdict.reason, quarantineKey: verdict.quarantineKey },
  };
}
