/**
 * A multipart load run against the local S3 stand-in (the POST-policy guard),
 * for `npm run load` and the memory test: `concurrency` uploads of
 * `sizeBytes` each at once, every call made with a query-presigned URL from
 * getSignedUrl as the edge signs them (create with Content-Type and
 * x-amz-meta-userid signed; each part with its content-length and
 * content-md5 signed), then every object read back through a presigned GET
 * and its SHA-256 compared with what was sent. The bytes are an AES-CTR
 * keystream per upload, regenerated for the comparison, so no upload is
 * ever held in memory here either (only the parts in flight).
 *
 * With `guardPid`, the guard's resident memory is read from /proc every
 * 100 ms (VmRSS) and its kernel peak (VmHWM) before and after: the issue
 * allows a 1 GiB upload to grow it by at most 64 MiB. Nothing is timed
 * against a limit here; the caller decides what to assert or print.
 */
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createCipheriv, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request, type IncomingMessage } from 'node:http';

export interface MultipartLoadRunOptions {
  /** The guard's root, path-style, e.g. http://127.0.0.1:4569. */
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  /** The keys the guard accepts (the edge's). */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Bytes per upload. */
  readonly sizeBytes: number;
  /** Bytes per part (S3: at least 5 MiB but for the last). */
  readonly partSize: number;
  /** Uploads running at once (and in all). */
  readonly concurrency: number;
  /** Parts of one upload in flight at once. @default 4 */
  readonly partsInFlight?: number;
  /** The guard process, to sample its memory. */
  readonly guardPid?: number;
  /** @default `uploads/load/<time>` */
  readonly keyPrefix?: string;
}

export interface MultipartLoadRunResult {
  readonly uploads: number;
  readonly bytes: number;
  /** From the first create to the last complete. */
  readonly uploadSeconds: number;
  readonly uploadMiBPerSecond: number;
  readonly readBackSeconds: number;
  /** One per upload: its SHA-256 read back equals what was sent. */
  readonly intact: readonly boolean[];
  /** Present with guardPid. Bytes. */
  readonly guardMemory?: {
    readonly rssBefore: number;
    readonly rssMaxSampled: number;
    readonly peakBefore: number;
    readonly peakAfter: number;
    /** The highest resident set seen during the run (the kernel's peak if it rose), minus rssBefore. */
    readonly growth: number;
  };
}

const MIB = 1024 * 1024;

export async function multipartLoadRun(options: MultipartLoadRunOptions): Promise<MultipartLoadRunResult> {
  const partsInFlight = options.partsInFlight ?? 4;
  const prefix = options.keyPrefix ?? `uploads/load/${Date.now()}`;
  // WHEN_REQUIRED: the edge's URLs carry no checksum of an empty body.
  const s3 = new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: true,
    credentials: { ...options.credentials },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency * partsInFlight + 4 });
  const memory = options.guardPid === undefined ? undefined : sampleMemory(options.guardPid);
  try {
    const started = Date.now();
    const keys = await Promise.all(
      Array.from({ length: options.concurrency }, (_, index) =>
        uploadOne(s3, agent, options, `${prefix}/${index}.bin`, index, partsInFlight),
      ),
    );
    const uploaded = Date.now();
    const intact = await Promise.all(keys.map((key, index) => readBackIntact(s3, agent, options, key, index)));
    const done = Date.now();
    const bytes = options.sizeBytes * options.concurrency;
    const uploadSeconds = (uploaded - started) / 1000;
    const sampled = memory?.stop();
    return {
      uploads: options.concurrency,
      bytes,
      uploadSeconds,
      uploadMiBPerSecond: bytes / MIB / Math.max(uploadSeconds, 0.001),
      readBackSeconds: (done - uploaded) / 1000,
      intact,
      ...(sampled === undefined ? {} : { guardMemory: sampled }),
    };
  } finally {
    memory?.stop();
    agent.destroy();
    s3.destroy();
  }
}

async function uploadOne(
  s3: S3Client,
  agent: Agent,
  options: MultipartLoadRunOptions,
  key: string,
  index: number,
  partsInFlight: number,
): Promise<string> {
  const { bucket } = options;
  const createUrl = await getSignedUrl(
    s3,
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: 'application/octet-stream', Metadata: { userid: 'load' } }),
    {
      expiresIn: 3600,
      signableHeaders: new Set(['content-type']),
      unhoistableHeaders: new Set(['content-type', 'x-amz-meta-userid']),
    },
  );
  const created = await call(agent, createUrl, 'POST', { 'Content-Type': 'application/octet-stream', 'x-amz-meta-userid': 'load' });
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created)?.[1];
  if (uploadId === undefined) throw new Error(`create gave no UploadId: ${created.slice(0, 300)}`);

  const partCount = Math.max(1, Math.ceil(options.sizeBytes / options.partSize));
  const etags: string[] = new Array<string>(partCount);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < partCount) {
      const partNumber = (next += 1);
      const start = (partNumber - 1) * options.partSize;
      const bytes = keystream(index, start, Math.min(options.partSize, options.sizeBytes - start));
      const md5 = createHash('md5').update(bytes).digest('base64');
      const url = await getSignedUrl(
        s3,
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: partNumber,
          ContentLength: bytes.length,
          ContentMD5: md5,
        }),
        {
          expiresIn: 3600,
          signableHeaders: new Set(['content-length', 'content-md5']),
        },
      );
      const answer = await send(agent, url, 'PUT', { 'Content-Length': String(bytes.length), 'Content-MD5': md5 }, bytes);
      const etag = answer.headers.etag;
      answer.resume();
      if (answer.statusCode !== 200 || typeof etag !== 'string') throw new Error(`part ${partNumber} of ${key}: ${answer.statusCode}`);
      etags[partNumber - 1] = etag;
    }
  };
  await Promise.all(Array.from({ length: Math.min(partsInFlight, partCount) }, worker));
  const completeUrl = await getSignedUrl(s3, new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }), {
    expiresIn: 3600,
  });
  const xml = `<CompleteMultipartUpload>${etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
  const completed = await call(agent, completeUrl, 'POST', { 'Content-Type': 'application/xml' }, Buffer.from(xml));
  if (!completed.includes('<CompleteMultipartUploadResult')) throw new Error(`complete of ${key} failed: ${completed.slice(0, 300)}`);
  return key;
}

async function readBackIntact(s3: S3Client, agent: Agent, options: MultipartLoadRunOptions, key: string, index: number): Promise<boolean> {
  const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: options.bucket, Key: key }), { expiresIn: 3600 });
  const answer = await send(agent, url, 'GET', {});
  if (answer.statusCode !== 200) {
    answer.resume();
    return false;
  }
  const got = createHash('sha256');
  for await (const chunk of answer) got.update(chunk as Buffer);
  const sent = createHash('sha256');
  for (let offset = 0; offset < options.sizeBytes; offset += 8 * MIB)
    sent.update(keystream(index, offset, Math.min(8 * MIB, options.sizeBytes - offset)));
  return got.digest('hex') === sent.digest('hex');
}

/** `length` bytes of upload `index`'s content from `offset` (a multiple of 16): AES-128-CTR over zeros. */
function keystream(index: number, offset: number, length: number): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(index, 0);
  iv.writeBigUInt64BE(BigInt(offset / 16), 8);
  return createCipheriv('aes-128-ctr', Buffer.alloc(16, 0x5a), iv).update(Buffer.alloc(length));
}

function send(agent: Agent, url: string, method: string, headers: Record<string, string>, body?: Buffer): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, headers, agent }, resolve);
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

async function call(agent: Agent, url: string, method: string, headers: Record<string, string>, body?: Buffer): Promise<string> {
  const answer = await send(agent, url, method, headers, body);
  const chunks: Buffer[] = [];
  for await (const chunk of answer) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (answer.statusCode !== 200) throw new Error(`${method} answered ${answer.statusCode}: ${text.slice(0, 300)}`);
  return text;
}

function readStatus(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

function sampleMemory(pid: number): { stop(): NonNullable<MultipartLoadRunResult['guardMemory']> } {
  const before = readStatus(pid);
  let max = before.rss;
  const timer = setInterval(() => {
    max = Math.max(max, readStatus(pid).rss);
  }, 100);
  let result: NonNullable<MultipartLoadRunResult['guardMemory']> | undefined;
  return {
    stop() {
      if (result !== undefined) return result;
      clearInterval(timer);
      const after = readStatus(pid);
      max = Math.max(max, after.rss);
      result = {
        rssBefore: before.rss,
        rssMaxSampled: max,
        peakBefore: before.peak,
        peakAfter: after.peak,
        growth: Math.max(max, after.peak > before.peak ? after.peak : 0) - before.rss,
      };
      return result;
    },
  };
}
