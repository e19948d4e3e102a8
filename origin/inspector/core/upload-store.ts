/**
 * What the inspector needs from object storage, as a small interface: the
 * flow (inspect-object.ts) runs on it, the S3 SDK implements it
 * (origin/inspector/s3/s3-upload-store.ts), and the same implementation runs against s3rver
 * in the local stack and in the tests.
 *
 * Errors are the contract: ObjectGoneError (no such key), ObjectChangedError
 * (an `ifMatch` ETag no longer matches), ObjectUnreadableError (S3 will not
 * give the bytes, and asking again will not change that). Anything else
 * thrown is taken as passing (throttling, 5xx, the network) and makes Lambda
 * retry the event.
 */
import type { ByteRange } from './inspection';

export interface ObjectBytes {
  /** The bytes of the range asked for, cut at the object's end. Empty for an empty object. */
  readonly bytes: Uint8Array;
  /** The object's whole size. */
  readonly size: number;
  /** The ETag of the object these bytes are from, quoted as S3 returns it. */
  readonly etag: string;
  /** The Content-Type stored with the object. */
  readonly contentType: string | undefined;
}

export type Tags = Readonly<Record<string, string>>;

export interface UploadStore {
  /** A ranged GET. With `ifMatch`, only from the object with that ETag (else ObjectChangedError). */
  readRange(bucket: string, key: string, range: ByteRange, ifMatch?: string): Promise<ObjectBytes>;
  /**
   * Copies the object, only if its ETag is still `ifMatch`, to `destination`
   * in the same bucket, with its metadata, encrypted with the bucket's KMS
   * key, carrying exactly `tags`.
   */
  copy(bucket: string, source: string, destination: string, ifMatch: string, tags: Tags): Promise<void>;
  /** Deletes the object only if its ETag is still `ifMatch`. Deleting what is already gone succeeds. */
  delete(bucket: string, key: string, ifMatch: string): Promise<void>;
  /** Replaces every tag of the object with `tags` (none: removes them all). */
  putTags(bucket: string, key: string, tags: Tags): Promise<void>;
  /** The object's ETag now, or undefined when it no longer exists. */
  currentEtag(bucket: string, key: string): Promise<string | undefined>;
}
