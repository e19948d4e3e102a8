/**
 * What suites that talk to an S3 on this machine (the guard, s3rver,
 * radosgw) share: a free port to start one on, and an SDK client for it.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { createServer } from 'node:net';

export interface AccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** A port free on 127.0.0.1 a moment ago: the OS picks it, the probe closes it again. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * An SDK client for a local S3: path-style, one region, the key's id and
 * secret (no session token), `settings` on top (retries, checksums: each
 * suite says which it needs). The caller destroys it.
 */
export function pathStyleClient(endpoint: string, region: string, key: AccessKey, settings: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({
    region,
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    ...settings,
  });
}
