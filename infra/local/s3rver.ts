/**
 * s3rver (npm), run in-process: the local stand-in for S3's object storage
 * (docs/local-stack.md). It keeps its state as files under `directory`, so a restart
 * on the same directory keeps every bucket and object. It is path-style
 * only here (virtual-host buckets are off), and it does not check policies
 * or signatures: the POST-policy guard in front of it does.
 */
import type { AddressInfo } from 'node:net';
import { ALLOWED_HEADERS, ALLOWED_METHODS } from './post-policy-guard/cors';

export interface BucketCors {
  readonly allowedOrigins: readonly string[];
  /**
   * @default the guard's preflight list (post-policy-guard/cors.ts: the deployed bucket's GET, PUT, POST, DELETE).
   * The guard answers every preflight itself, but s3rver sets the CORS headers
   * of the answers the guard passes on (GetObject, tagging, list, DeleteObject):
   * a method the preflight allows and this rule does not (DELETE was left out)
   * gets an answer without Access-Control-Allow-Origin, which the browser hides.
   */
  readonly allowedMethods?: readonly string[];
  /** @default the deployed bucket's (content-type, content-md5, x-amz-*), as the guard's preflight */
  readonly allowedHeaders?: readonly string[];
  /** @default ['ETag', 'Location', 'x-amz-request-id'] */
  readonly exposeHeaders?: readonly string[];
  /** @default 3000 */
  readonly maxAgeSeconds?: number;
}

export interface S3rverBucket {
  readonly name: string;
  readonly cors?: BucketCors;
}

export interface S3rverOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** Where s3rver keeps buckets and objects; kept across restarts. */
  readonly directory: string;
  /** Created (or updated) at start; existing objects are kept. */
  readonly buckets: readonly S3rverBucket[];
  /**
   * Access keys s3rver should know besides its built-in S3RVER/S3RVER, so an
   * SDK client signing with the local stack's keys is not refused as an
   * unknown key (s3rver does not verify SigV4 signatures themselves).
   */
  readonly accessKeys?: ReadonlyArray<{ readonly accessKeyId: string; readonly secretAccessKey: string }>;
  /**
   * Called with each event notification s3rver emits (ObjectCreated:Put,
   * :Post, :Copy, ObjectRemoved:Delete), in its own S3-like shape, unchecked.
   * The local stack feeds ObjectCreated ones to the upload inspector, as S3's
   * notification does on AWS.
   */
  readonly onEvent?: (event: unknown) => void;
}

export interface RunningS3rver {
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

interface S3rverInstance {
  /** s3rver's FilesystemStore: every controller writes through it. */
  readonly store: unknown;
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  /** s3rver is a Koa application: an EventEmitter that emits 'event' per S3 event. */
  on(name: 'event', listener: (event: unknown) => void): unknown;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;
interface AccountModule {
  readonly DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
}

export async function startS3rver(options: S3rverOptions): Promise<RunningS3rver> {
  const S3rver = loadS3rver();
  for (const key of options.accessKeys ?? []) loadAccounts().DUMMY_ACCOUNT.createKeyPair(key.accessKeyId, key.secretAccessKey);
  const host = options.host ?? '127.0.0.1';
  const instance = new S3rver({
    address: host,
    port: options.port,
    directory: options.directory,
    silent: true,
    resetOnClose: false,
    vhostBuckets: false,
    configureBuckets: options.buckets.map((bucket) => ({
      name: bucket.name,
      configs: bucket.cors === undefined ? [] : [corsConfigurationXml(bucket.cors)],
    })),
  });
  dropTagsOnWrite(instance.store);
  const onEvent = options.onEvent;
  if (onEvent !== undefined) instance.on('event', (event) => onEvent(event));
  const address = await instance.run();
  return {
    endpoint: `http://${host}:${address.port}`,
    port: address.port,
    close: () => instance.close(),
  };
}

/** The bucket's CORS rule as S3's PutBucketCors XML, which s3rver reads. */
export function corsConfigurationXml(cors: BucketCors): string {
  const list = (tag: string, values: readonly string[]) => values.map((value) => `<${tag}>${escapeXml(value)}</${tag}>`).join('');
  return (
    '<CORSConfiguration><CORSRule>' +
    list('AllowedOrigin', cors.allowedOrigins) +
    list('AllowedMethod', cors.allowedMethods ?? ALLOWED_METHODS) +
    list('AllowedHeader', cors.allowedHeaders ?? ALLOWED_HEADERS) +
    list('ExposeHeader', cors.exposeHeaders ?? ['ETag', 'Location', 'x-amz-request-id']) +
    `<MaxAgeSeconds>${cors.maxAgeSeconds ?? 3000}</MaxAgeSeconds>` +
    '</CORSRule></CORSConfiguration>'
  );
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The calls of s3rver's FilesystemStore that write an object or its tags. */
interface TaggedStore {
  putObject(object: { readonly bucket: string; readonly key: string }): Promise<unknown>;
  copyObject(srcBucket: string, srcKey: string, destBucket: string, destKey: string, replacementMetadata: unknown): Promise<unknown>;
  deleteObject(bucket: string, key: string): Promise<unknown>;
  getSubresource(bucket: string, key: string, type: 'tagging'): Promise<unknown>;
  putSubresource(bucket: string, key: string, resource: unknown): Promise<unknown>;
  deleteSubresource(bucket: string, key: string, type: 'tagging'): Promise<unknown>;
}

/**
 * S3 starts every object it writes with the tags its request names and no
 * others: PutObject, a POST form and CompleteMultipartUpload with none but
 * their own `x-amz-tagging`, CopyObject with the source's (or, with REPLACE,
 * the request's), and DeleteObject takes them with it. s3rver keeps a key's
 * tags in a file beside the object that none of these touch, so a re-upload
 * to a key the inspector had tagged `verified=true` kept that tag, and the
 * read rule served the new, uninspected bytes. Here every write clears the
 * key's tags (before the bytes change, and again before s3rver reports the
 * write, so its ObjectCreated event never meets old tags), a copy then takes
 * the source's, and a delete removes them; the guard writes a request's own
 * `x-amz-tagging` after s3rver answered.
 */
function dropTagsOnWrite(store: unknown): void {
  const methods = ['putObject', 'copyObject', 'deleteObject', 'getSubresource', 'putSubresource', 'deleteSubresource'] as const;
  if (
    typeof store !== 'object' ||
    store === null ||
    methods.some((name) => typeof (store as Record<string, unknown>)[name] !== 'function')
  ) {
    throw new Error('s3rver has no object store to keep tags right in');
  }
  const tagged = store as TaggedStore;
  const putObject = tagged.putObject.bind(tagged);
  const copyObject = tagged.copyObject.bind(tagged);
  const deleteObject = tagged.deleteObject.bind(tagged);
  const dropTags = (bucket: string, key: string) => tagged.deleteSubresource(bucket, key, 'tagging');
  tagged.putObject = async (object) => {
    await dropTags(object.bucket, object.key);
    const result = await putObject(object);
    await dropTags(object.bucket, object.key);
    return result;
  };
  tagged.copyObject = async (srcBucket, srcKey, destBucket, destKey, replacementMetadata) => {
    const sourceTags = await tagged.getSubresource(srcBucket, srcKey, 'tagging');
    if (srcBucket !== destBucket || srcKey !== destKey) await dropTags(destBucket, destKey);
    const result = await copyObject(srcBucket, srcKey, destBucket, destKey, replacementMetadata);
    if (sourceTags === null) await dropTags(destBucket, destKey);
    else await tagged.putSubresource(destBucket, destKey, sourceTags);
    return result;
  };
  tagged.deleteObject = async (bucket, key) => {
    // Tags first: s3rver removes the key's folder once it is empty.
    await dropTags(bucket, key);
    return deleteObject(bucket, key);
  };
}

// s3rver ships no types: check the shapes this module relies on once, at the boundary.
function loadS3rver(): S3rverConstructor {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded: unknown = require('s3rver');
  if (typeof loaded !== 'function') throw new Error('s3rver did not export a constructor');
  return loaded as S3rverConstructor;
}

function loadAccounts(): AccountModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded: unknown = require('s3rver/lib/models/account');
  const account =
    typeof loaded === 'function' || (typeof loaded === 'object' && loaded !== null)
      ? (loaded as Partial<AccountModule>).DUMMY_ACCOUNT
      : undefined;
  if (account === undefined || typeof account.createKeyPair !== 'function')
    throw new Error('s3rver has no account registry to add keys to');
  return loaded as AccountModule;
}
