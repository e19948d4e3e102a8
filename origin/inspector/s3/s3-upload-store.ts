/**
 * UploadStore on S3, with @aws-sdk/client-s3. The same class talks to AWS
 * and, in the local stack and the tests, to s3rver behind the POST-policy
 * guard. S3 errors become the store's contract by HTTP status (404 gone,
 * 412 changed, 416 out of range; other 4xx unreadable); 5xx, throttling and
 * network errors are passed on untouched, so the event is retried.
 */
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  PutObjectTaggingCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ObjectChangedError, ObjectGoneError, ObjectUnreadableError } from '../core/errors';
import type { ByteRange } from '../core/inspection';
import type { ObjectBytes, Tags, UploadStore } from '../core/upload-store';

export interface S3UploadStoreOptions {
  /** The KMS key quarantined copies are encrypted with (the bucket's key; its policy refuses any other). */
  readonly kmsKeyId: string;
}

export class S3UploadStore implements UploadStore {
  constructor(
    private readonly client: S3Client,
    private readonly options: S3UploadStoreOptions,
  ) {}

  async readRange(bucket: string, key: string, range: ByteRange, ifMatch?: string): Promise<ObjectBytes> {
    let response: GetObjectCommandOutput;
    try {
      response = await this.client.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          Range: `bytes=${range.start}-${range.end}`,
          ...(ifMatch === undefined ? {} : { IfMatch: ifMatch }),
        }),
      );
    } catch (error) {
      const status = statusOf(error);
      if (status === 416) return this.outOfRange(bucket, key, range);
      throw this.translate(error, key, 'read');
    }
    const etag = response.ETag;
    if (etag === undefined) throw new ObjectUnreadableError(key, 'no ETag in the answer');
    if (ifMatch !== undefined && etag !== ifMatch) throw new ObjectChangedError(key);

    // Never more than the range asked for, even from a server that ignores Range.
    const wanted = range.end - range.start + 1;
    const bytes = await readAtMost(response.Body, wanted);
    const served = parseContentRange(response.ContentRange);
    const size = served?.size ?? response.ContentLength;
    if (size === undefined || (served !== undefined && served.start !== range.start) || (served === undefined && range.start !== 0)) {
      throw new ObjectUnreadableError(key, 'the answer does not match the range asked for');
    }
    const expected = Math.max(0, Math.min(range.end, size - 1) - range.start + 1);
    if (bytes.length !== expected) throw new ObjectUnreadableError(key, 'the answer does not match the range asked for');
    return { bytes, size, etag, contentType: response.ContentType };
  }

  async copy(bucket: string, source: string, destination: string, ifMatch: string, tags: Tags): Promise<void> {
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: destination,
          CopySource: `${bucket}/${source.split('/').map(encodeURIComponent).join('/')}`,
          CopySourceIfMatch: ifMatch,
          MetadataDirective: 'COPY',
          TaggingDirective: 'REPLACE',
          Tagging: new URLSearchParams(Object.entries(tags)).toString(),
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: this.options.kmsKeyId,
          BucketKeyEnabled: true,
        }),
      );
    } catch (error) {
      throw this.translate(error, source, 'write');
    }
  }

  async delete(bucket: string, key: string, ifMatch: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, IfMatch: ifMatch }));
    } catch (error) {
      throw this.translate(error, key, 'write');
    }
  }

  async putTags(bucket: string, key: string, tags: Tags): Promise<void> {
    try {
      await this.client.send(
        new PutObjectTaggingCommand({
          Bucket: bucket,
          Key: key,
          Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
        }),
      );
    } catch (error) {
      throw this.translate(error, key, 'write');
    }
  }

  async currentEtag(bucket: string, key: string): Promise<string | undefined> {
    try {
      return (await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ETag;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /**
   * S3 refuses any range of an empty object with 416. HEAD (which needs no
   * KMS decrypt) tells an empty object from one that shrank since its size
   * was read.
   */
  private async outOfRange(bucket: string, key: string, range: ByteRange): Promise<ObjectBytes> {
    let head: HeadObjectCommandOutput;
    try {
      head = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      throw this.translate(error, key, 'read');
    }
    if (head.ContentLength === 0 && range.start === 0 && head.ETag !== undefined) {
      return { bytes: new Uint8Array(0), size: 0, etag: head.ETag, contentType: head.ContentType };
    }
    throw new ObjectChangedError(key);
  }

  /** The store's error for an S3 error; anything that may pass is returned as it is. */
  private translate(error: unknown, key: string, what: 'read' | 'write'): unknown {
    const status = statusOf(error);
    if (status === 404) return new ObjectGoneError(key);
    if (status === 412) return new ObjectChangedError(key);
    // A refused read will be refused again; a refused write is a deployment fault worth retrying and alarming on.
    if (what === 'read' && status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
      return new ObjectUnreadableError(key, error instanceof S3ServiceException ? error.name : `HTTP ${status}`, { cause: error });
    }
    return error;
  }
}

function statusOf(error: unknown): number | undefined {
  if (error instanceof S3ServiceException) return error.$metadata.httpStatusCode;
  // Errors the SDK could not match to a modelled exception still carry $metadata.
  if (typeof error === 'object' && error !== null && '$metadata' in error) {
    const metadata = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata;
    return typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
  }
  return undefined;
}

/** `bytes 0-1023/4321` ⇒ { start: 0, size: 4321 }; undefined when absent or unusable. */
function parseContentRange(header: string | undefined): { start: number; size: number } | undefined {
  const match = header === undefined ? null : /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header.trim());
  if (match === null) return undefined;
  return { start: Number(match[1]), size: Number(match[3]) };
}

/** The body's first `limit` bytes; the rest of the stream is abandoned, not read. */
async function readAtMost(body: unknown, limit: number): Promise<Uint8Array> {
  if (body === undefined || body === null) return new Uint8Array(0);
  if (!isAsyncIterable(body)) throw new TypeError('The S3 answer has no readable body');
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for await (const chunk of body) {
      const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : (chunk as Uint8Array);
      chunks.push(bytes.subarray(0, limit - length));
      length += Math.min(bytes.length, limit - length);
      if (length >= limit) break;
    }
  } finally {
    // Breaking out of for-await ends the iterator; a stream is also destroyed so its socket is freed.
    const destroy: unknown = (body as { destroy?: unknown }).destroy;
    if (typeof destroy === 'function') destroy.call(body);
  }
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
