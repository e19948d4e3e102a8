/**
 * What a fault test reads back from an object store: every key under a
 * prefix, and each object's size, type, owner and SHA-256, through the S3
 * API (path-style, the local keys), as any S3 client would.
 */
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';

export interface StoreAddress {
  /** The guard's root (path-style S3 endpoint). */
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface StoredObject {
  readonly key: string;
  readonly size: number;
  readonly sha256: string;
  readonly contentType: string | undefined;
  readonly owner: string | undefined;
}

function client(store: StoreAddress): S3Client {
  return new S3Client({
    endpoint: store.endpoint,
    forcePathStyle: true,
    region: store.region,
    credentials: { ...store.credentials },
    maxAttempts: 1,
  });
}

export async function listKeys(store: StoreAddress, prefix: string): Promise<string[]> {
  const s3 = client(store);
  try {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: store.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys.sort();
  } finally {
    s3.destroy();
  }
}

export async function readObject(store: StoreAddress, key: string): Promise<StoredObject> {
  const s3 = client(store);
  try {
    const answer = await s3.send(new GetObjectCommand({ Bucket: store.bucket, Key: key }));
    const bytes = Buffer.from((await answer.Body?.transformToByteArray()) ?? new Uint8Array());
    return {
      key,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      contentType: answer.ContentType,
      owner: answer.Metadata?.['userid'],
    };
  } finally {
    s3.destroy();
  }
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
