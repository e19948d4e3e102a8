/**
 * Large files for the multipart end-to-end tests: valid-looking MP4s written
 * to disk (ftyp, moov, then one mdat filling the size), so the browser picks
 * a real file by path (its lastModified is the file's mtime, the same after a
 * reload, as the resume needs) and the inspector, when on, verifies them.
 * The media data is AES-128-CTR keystream under a per-file seed: every part
 * differs from every other (a part sent twice or in the wrong place changes
 * the SHA-256), and gigabytes are written at disk speed.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createCipheriv, createHash } from 'node:crypto';
import { createReadStream, openSync, closeSync, writeSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { LocalStack } from '../../../../infra/local/local-stack';
import { s3Client } from '../../local-stack/support/stack-harness';
import { box, ftyp, moov, MP4_BRANDS_OF_A_CAMERA } from '../../../origin/inspector/support/media-files';

export const MiB = 1024 * 1024;

export interface LargeFile {
  readonly path: string;
  readonly size: number;
  /** Hex SHA-256 of the whole file. */
  readonly sha256: string;
}

/** Writes a `size`-byte MP4 (ftyp, moov, mdat) to `file`, with media bytes derived from `seed`. */
export function writeLargeMp4(file: string, size: number, seed: string): LargeFile {
  const head = Buffer.concat([ftyp('isom', MP4_BRANDS_OF_A_CAMERA), moov()]);
  const mdatHeader = box('mdat').subarray(0, 8);
  const mdatPayload = size - head.length - 8;
  if (mdatPayload < 0 || size >= 2 ** 32) throw new Error(`writeLargeMp4: ${size} bytes does not fit a 32-bit mdat`);
  mdatHeader.writeUInt32BE(8 + mdatPayload, 0);
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const hash = createHash('sha256');
  const fd = openSync(file, 'w');
  try {
    const write = (bytes: Buffer) => {
      hash.update(bytes);
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
    };
    write(head);
    write(mdatHeader);
    const zeros = Buffer.alloc(4 * MiB);
    for (let left = mdatPayload; left > 0; left -= zeros.length) write(cipher.update(zeros.subarray(0, Math.min(left, zeros.length))));
  } finally {
    closeSync(fd);
  }
  return { path: file, size, sha256: hash.digest('hex') };
}

async function sha256OfStream(stream: Readable): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    const bytes = chunk as Buffer;
    size += bytes.length;
    hash.update(bytes);
  }
  return { sha256: hash.digest('hex'), size };
}

/** SHA-256 of a file on disk (to check a test's own fixture). */
export function sha256OfFile(file: string): Promise<{ sha256: string; size: number }> {
  return sha256OfStream(createReadStream(file));
}

/** The object read back through the stand-in with a signed GET (the bucket is private), hashed as it streams. */
export async function objectSha256(stack: LocalStack, key: string): Promise<{ sha256: string; size: number }> {
  const client = s3Client(stack);
  try {
    const answer = await client.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key }));
    return await sha256OfStream(answer.Body as Readable);
  } finally {
    client.destroy();
  }
}
