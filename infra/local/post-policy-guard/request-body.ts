/**
 * The body of a signed request, held to what its headers claim before any
 * byte of it reaches the object store: it streams to a temporary file while
 * its MD5, SHA-256 and flexible checksum are computed (never held in memory),
 * and only a body that matches `Content-MD5`, the signed
 * `x-amz-content-sha256` and any `x-amz-checksum-*` is passed on.
 *
 * The SDK sends bodies of unknown length as `aws-chunked` with
 * `STREAMING-UNSIGNED-PAYLOAD-TRAILER` and the checksum in a trailer; the
 * framing is removed here (s3rver would store it as content).
 */
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { BadDigestError, ContentSha256MismatchError, IncompleteBodyError, InvalidDigestError, InvalidRequestError } from './errors';
import type { PayloadClaim } from './request-signature';
import { whenClosed } from './temp-file';

export interface BodyExpectations {
  readonly payload: PayloadClaim;
  /** Lower-case names, as node:http gives them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface SpooledBody {
  readonly path: string;
  readonly size: number;
  /** Hex MD5 of the (decoded) body. */
  readonly md5: string;
}

/** Checksum algorithms S3 takes in `x-amz-checksum-*`; the ones without a Node implementation are passed unchecked. */
const CHECKSUMS: Record<string, (() => ChecksumState) | undefined> = {
  crc32: () => crc32State(),
  sha1: () => hashState('sha1'),
  sha256: () => hashState('sha256'),
  crc32c: undefined,
  crc64nvme: undefined,
};

interface ChecksumState {
  update(chunk: Buffer): void;
  /** Base64, as the header carries it. */
  digest(): string;
}

function hashState(algorithm: string): ChecksumState {
  const hash = createHash(algorithm);
  return { update: (chunk) => hash.update(chunk), digest: () => hash.digest('base64') };
}

function crc32State(): ChecksumState {
  let value = 0;
  return {
    update: (chunk) => {
      value = crc32(chunk, value);
    },
    digest: () => {
      const bytes = Buffer.alloc(4);
      bytes.writeUInt32BE(value >>> 0);
      return bytes.toString('base64');
    },
  };
}

/** Refuses a malformed Content-MD5 before the body is read (400 InvalidDigest). */
export function contentMd5Of(headers: BodyExpectations['headers']): Buffer | undefined {
  const value = single(headers['content-md5']);
  if (value === undefined) return undefined;
  const bytes = /^[A-Za-z0-9+/]{22}==$/.test(value.trim()) ? Buffer.from(value.trim(), 'base64') : undefined;
  if (bytes === undefined || bytes.length !== 16) throw new InvalidDigestError();
  return bytes;
}

/** Streams the body to `path` (created, never overwritten) and checks it; rejects with S3's refusal. */
export async function spoolBody(body: Readable, path: string, expected: BodyExpectations): Promise<SpooledBody> {
  const contentMd5 = contentMd5Of(expected.headers);
  const chunked = isAwsChunked(expected);
  const trailerName = chunked ? single(expected.headers['x-amz-trailer'])?.toLowerCase() : undefined;
  const checksumHeader = Object.keys(expected.headers).find(
    (name) => name.startsWith('x-amz-checksum-') && name !== 'x-amz-checksum-type' && name !== 'x-amz-checksum-mode',
  );
  const checksumName = trailerName ?? checksumHeader;
  const algorithm = checksumName?.slice('x-amz-checksum-'.length);
  if (checksumName !== undefined && (algorithm === undefined || !(algorithm in CHECKSUMS))) {
    throw new InvalidRequestError(`Value for x-amz-checksum-${algorithm ?? ''} header is invalid.`);
  }
  const checksum = algorithm === undefined ? undefined : CHECKSUMS[algorithm]?.();

  const md5 = createHash('md5');
  const sha256: Hash | undefined = expected.payload.kind === 'sha256' ? createHash('sha256') : undefined;
  let size = 0;
  const digests = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      md5.update(chunk);
      sha256?.update(chunk);
      checksum?.update(chunk);
      callback(null, chunk);
    },
  });
  const decoder = chunked ? new AwsChunkedDecoder() : undefined;
  const file = createWriteStream(path, { flags: 'wx' });
  try {
    if (decoder === undefined) await pipeline(body, digests, file);
    else await pipeline(body, decoder, digests, file);
  } catch (error) {
    // The caller removes the file on a refusal: it must exist by then, if it ever will.
    await whenClosed(file);
    throw error instanceof IncompleteBodyError || error instanceof InvalidRequestError ? error : new IncompleteBodyError();
  }

  const md5Hex = md5.digest('hex');
  if (contentMd5 !== undefined && contentMd5.toString('hex') !== md5Hex) {
    throw new BadDigestError('The Content-MD5 you specified did not match what we received.', [
      ['ExpectedDigest', contentMd5.toString('base64')],
      ['CalculatedDigest', Buffer.from(md5Hex, 'hex').toString('base64')],
    ]);
  }
  if (expected.payload.kind === 'sha256' && sha256 !== undefined) {
    const computed = sha256.digest('hex');
    if (computed !== expected.payload.hash) throw new ContentSha256MismatchError(expected.payload.hash, computed);
  }
  if (chunked) {
    const declared = single(expected.headers['x-amz-decoded-content-length']);
    if (declared !== undefined && declared !== String(size)) throw new IncompleteBodyError();
  }
  if (checksumName !== undefined && checksum !== undefined) {
    const claimed = trailerName !== undefined ? decoder?.trailers.get(trailerName) : single(expected.headers[checksumName]);
    if (claimed === undefined) throw new InvalidRequestError(`The request is missing the ${checksumName} trailer it announced.`);
    if (claimed.trim() !== checksum.digest()) {
      throw new BadDigestError(`The ${(algorithm ?? '').toUpperCase()} you specified did not match the calculated checksum.`);
    }
  }
  return { path, size, md5: md5Hex };
}

export function isAwsChunked(expected: BodyExpectations): boolean {
  const encoding = single(expected.headers['content-encoding']) ?? '';
  return (
    expected.payload.kind === 'unsigned-chunked-trailer' || encoding.split(',').some((part) => part.trim().toLowerCase() === 'aws-chunked')
  );
}

/** The content-encoding to store: the client's, without `aws-chunked`. */
export function storedContentEncoding(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const rest = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '' && part.toLowerCase() !== 'aws-chunked');
  return rest.length === 0 ? undefined : rest.join(', ');
}

const MAX_LINE_BYTES = 4096;

/**
 * aws-chunked framing: `<hex size>\r\n<bytes>\r\n` … `0\r\n<trailer lines>\r\n`.
 * Emits the content bytes only; keeps the trailers.
 */
export class AwsChunkedDecoder extends Transform {
  readonly trailers = new Map<string, string>();
  private state: 'size' | 'data' | 'data-end' | 'trailer' | 'done' = 'size';
  private line = '';
  private remaining = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let offset = 0;
    try {
      while (offset < chunk.length) {
        if (this.state === 'data') {
          const take = Math.min(this.remaining, chunk.length - offset);
          this.push(chunk.subarray(offset, offset + take));
          offset += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = 'data-end';
          continue;
        }
        if (this.state === 'done') throw new IncompleteBodyError();
        const newline = chunk.indexOf(0x0a, offset);
        const end = newline === -1 ? chunk.length : newline + 1;
        this.line += chunk.subarray(offset, end).toString('latin1');
        offset = end;
        if (this.line.length > MAX_LINE_BYTES) throw new IncompleteBodyError();
        if (newline !== -1) this.endLine(this.line.replace(/\r?\n$/, ''));
      }
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    callback(this.state === 'done' ? null : new IncompleteBodyError());
  }

  private endLine(line: string): void {
    this.line = '';
    if (this.state === 'data-end') {
      if (line !== '') throw new IncompleteBodyError();
      this.state = 'size';
      return;
    }
    if (this.state === 'trailer') {
      if (line === '') {
        this.state = 'done';
        return;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) throw new IncompleteBodyError();
      this.trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      return;
    }
    // A chunk-signature extension means signed chunks, which the signature check already refused.
    const match = /^([0-9a-fA-F]{1,8})$/.exec(line);
    if (match === null) throw new IncompleteBodyError();
    this.remaining = parseInt(match[1] as string, 16);
    this.state = this.remaining === 0 ? 'trailer' : 'data';
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
