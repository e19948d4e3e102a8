/**
 * MD5 of a Blob (or a range of one), streaming: the bytes are read in slices
 * of MD5_SLICE_BYTES and fed to one running hash, so a 20 GiB file never sits
 * in memory. S3 checks `Content-MD5` (base64 of the 16-byte digest) on every
 * part and every form. Web Crypto has no MD5, so this uses @noble/hashes, a
 * maintained, audited implementation. In the app it runs in a Web Worker
 * (client/md5-worker.ts), so hashing never freezes the page.
 */
import { md5 } from '@noble/hashes/legacy.js';
import { AbortedError } from './errors';

/** Read size: big enough that per-slice overhead is nothing, small enough to be no memory burden. */
export const MD5_SLICE_BYTES = 4 * 1024 * 1024;

/** What the hash needs from a Blob: `File`, `Blob` and Node's `Blob` all fit. */
export interface ReadableBytes {
  readonly size: number;
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/** Base64 of the MD5 of bytes [start, end) of `blob`. Stops with AbortedError when `signal` fires between slices. */
export async function md5Base64(
  blob: ReadableBytes,
  start = 0,
  end = blob.size,
  signal?: AbortSignal,
  sliceBytes = MD5_SLICE_BYTES,
): Promise<string> {
  const hash = md5.create();
  for (let at = start; at < end; at += sliceBytes) {
    if (signal?.aborted === true) throw new AbortedError();
    const chunk = await blob.slice(at, Math.min(end, at + sliceBytes)).arrayBuffer();
    hash.update(new Uint8Array(chunk));
  }
  return base64(hash.digest());
}

export function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
