/**
 * An in-memory S3 (the five multipart operations) and an in-memory edge (the
 * two multipart routes) for the site's multipart core. The S3 checks what it
 * receives as the real one does: the signed part length, Content-MD5 against
 * the bytes, URL expiry, and the complete XML (ascending part numbers, ETags
 * of stored parts). The edge signs short-lived URLs and refuses an expired
 * ticket with INVALID_TICKET.
 */
import { createHash } from 'node:crypto';
import { AbortedError, ApiError, NetworkError } from '../../../client/core/errors';
import type { MultipartFileSpec, PartsRequest, SignedRequest } from '../../../client/core/multipart-contract';
import { partRange } from '../../../client/core/multipart-contract';
import type { PartPlan, S3Answer, S3Body, S3SendOptions } from '../../../client/core/multipart-upload';
import type { ManualClock } from './manual-clock';

const HOST = 'https://bucket.s3.test';

export interface TestFile {
  readonly name: string;
  readonly size: number;
  readonly type: string;
  readonly lastModified: number;
  readonly blob: Blob;
}

export function testFile(size: number, seed = 7, name = 'talk.mp4'): TestFile {
  const bytes = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i += 1) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return { name, size, type: 'video/mp4', lastModified: 1_700_000_000_000, blob: new Blob([bytes]) };
}

interface Upload {
  readonly key: string;
  readonly parts: Map<number, { etag: string; bytes: Buffer }>;
}

export interface PutRecord {
  readonly partNumber: number;
  readonly length: number;
  readonly contentMd5: string | undefined;
}

function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export class FakeS3 {
  readonly uploads = new Map<string, Upload>();
  readonly objects = new Map<string, Buffer>();
  readonly puts: PutRecord[] = [];
  readonly completeBodies: string[] = [];
  readonly aborted: string[] = [];
  readonly listed: string[] = [];
  /** The `part-number-marker` of each ListParts (0: the first page). */
  readonly listMarkers: number[] = [];
  /** Parts per ListParts page (S3: 1,000). */
  listPageSize = 1000;
  /** Markers (0: the first page) whose next ListParts fails, once, with a 400 that is not retried. */
  readonly failListOnce = new Set<number>();
  /** A misbehaving server: every page says it is truncated, with this NextPartNumberMarker. */
  nextMarker: ((marker: number) => number) | undefined;
  creates = 0;
  inFlight = 0;
  maxInFlight = 0;
  /** Part numbers whose next PUTs fail with a network error, as many times as the count says. */
  readonly failNext = new Map<number, number>();
  /** When set, PUTs wait here until released (to look at a run in the middle). */
  hold = false;
  private readonly held: Array<() => void> = [];
  private nextUploadId = 1;

  constructor(private readonly clock: ManualClock) {}

  releaseHeld(): number {
    const count = this.held.length;
    for (const release of this.held.splice(0)) release();
    return count;
  }

  heldCount(): number {
    return this.held.length;
  }

  send = async (request: SignedRequest, body: S3Body<TestFile> | undefined, options: S3SendOptions): Promise<S3Answer> => {
    const url = new URL(request.url);
    const expires = Number(url.searchParams.get('exp'));
    if (options.signal.aborted) throw new AbortedError();
    if (Number.isFinite(expires) && this.clock.now() > expires) {
      return { status: 403, etag: null, body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>' };
    }
    const key = decodeURIComponent(url.pathname.slice(1));
    const uploadId = url.searchParams.get('uploadId');
    if (request.method === 'POST' && url.searchParams.has('uploads')) {
      if (body !== undefined) throw new Error('create must have no body');
      const id = `upload-${this.nextUploadId++}`;
      this.creates += 1;
      this.uploads.set(id, { key, parts: new Map() });
      return {
        status: 200,
        etag: null,
        body: `<InitiateMultipartUploadResult><Key>${key}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`,
      };
    }
    const upload = uploadId === null ? undefined : this.uploads.get(uploadId);
    if (upload === undefined || uploadId === null) return { status: 404, etag: null, body: '<Error><Code>NoSuchUpload</Code></Error>' };
    if (request.method === 'PUT') return this.putPart(request, url, upload, body, options);
    if (request.method === 'GET') {
      const marker = Number(url.searchParams.get('part-number-marker') ?? 0);
      this.listed.push(uploadId);
      this.listMarkers.push(marker);
      if (this.failListOnce.delete(marker)) return { status: 400, etag: null, body: '<Error><Code>InvalidArgument</Code></Error>' };
      // As S3 does: the parts after the marker, at most listPageSize, and where the next page starts.
      const after = [...upload.parts].filter(([n]) => n > marker).sort(([a], [b]) => a - b);
      const page = after.slice(0, this.listPageSize);
      const truncated = after.length > page.length;
      const next = this.nextMarker?.(marker) ?? page.at(-1)?.[0] ?? marker;
      const xml = page
        .map(
          ([n, p]) =>
            `<Part><PartNumber>${n}</PartNumber><ETag>${p.etag.replace(/"/g, '&quot;')}</ETag><Size>${p.bytes.length}</Size></Part>`,
        )
        .join('');
      const body = `<ListPartsResult><PartNumberMarker>${marker}</PartNumberMarker><NextPartNumberMarker>${next}</NextPartNumberMarker><IsTruncated>${truncated || this.nextMarker !== undefined}</IsTruncated>${xml}</ListPartsResult>`;
      return { status: 200, etag: null, body };
    }
    if (request.method === 'DELETE') {
      this.aborted.push(uploadId);
      this.uploads.delete(uploadId);
      return { status: 204, etag: null, body: '' };
    }
    if (request.method === 'POST') {
      if (body?.kind !== 'text') throw new Error('complete needs its XML');
      this.completeBodies.push(body.text);
      const listed = [...body.text.matchAll(/<Part><PartNumber>(\d+)<\/PartNumber><ETag>([^<]*)<\/ETag><\/Part>/g)].map((m) => ({
        n: Number(m[1]),
        etag: m[2] ?? '',
      }));
      for (let i = 1; i < listed.length; i += 1)
        if ((listed[i]?.n ?? 0) <= (listed[i - 1]?.n ?? 0))
          return { status: 400, etag: null, body: '<Error><Code>InvalidPartOrder</Code></Error>' };
      const chunks: Buffer[] = [];
      for (const part of listed) {
        const stored = upload.parts.get(part.n);
        if (stored === undefined || stored.etag !== part.etag)
          return { status: 400, etag: null, body: '<Error><Code>InvalidPart</Code></Error>' };
        chunks.push(stored.bytes);
      }
      this.objects.set(upload.key, Buffer.concat(chunks));
      this.uploads.delete(uploadId);
      return { status: 200, etag: null, body: '<CompleteMultipartUploadResult><ETag>"x-2"</ETag></CompleteMultipartUploadResult>' };
    }
    throw new Error(`unexpected ${request.method}`);
  };

  private async putPart(
    request: SignedRequest,
    url: URL,
    upload: Upload,
    body: S3Body<TestFile> | undefined,
    options: S3SendOptions,
  ): Promise<S3Answer> {
    if (body?.kind !== 'slice') throw new Error('a part needs its bytes');
    const partNumber = Number(url.searchParams.get('partNumber'));
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const bytes = Buffer.from(await body.file.blob.slice(body.start, body.end).arrayBuffer());
      const contentMd5 = request.headers['Content-MD5'];
      this.puts.push({ partNumber, length: bytes.length, contentMd5 });
      options.onProgress?.(Math.floor(bytes.length / 2));
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(new AbortedError());
        const go = () => {
          options.signal.removeEventListener('abort', onAbort);
          if (options.signal.aborted) reject(new AbortedError());
          else resolve();
        };
        if (this.hold) this.held.push(go);
        else setImmediate(go);
        options.signal.addEventListener('abort', onAbort, { once: true });
      });
      const failures = this.failNext.get(partNumber) ?? 0;
      if (failures > 0) {
        this.failNext.set(partNumber, failures - 1);
        throw new NetworkError();
      }
      if (bytes.length !== Number(url.searchParams.get('len')))
        return { status: 403, etag: null, body: '<Error><Code>SignatureDoesNotMatch</Code></Error>' };
      const md5 = createHash('md5').update(bytes).digest();
      if (contentMd5 === undefined) throw new Error(`part ${partNumber} was sent without Content-MD5`);
      if (contentMd5 !== md5.toString('base64')) return { status: 400, etag: null, body: '<Error><Code>BadDigest</Code></Error>' };
      const etag = `"${md5.toString('hex')}"`;
      upload.parts.set(partNumber, { etag, bytes });
      options.onProgress?.(bytes.length);
      return { status: 200, etag, body: '' };
    } finally {
      this.inFlight -= 1;
    }
  }
}

export class FakeEdge {
  readonly startCalls: MultipartFileSpec[] = [];
  readonly partsCalls: PartsRequest[] = [];
  /** How long URLs live (ms). */
  urlTtlMs = 900_000;
  ticketTtlMs = 24 * 3600_000;
  partSize = 1000;
  private tickets = 0;

  constructor(private readonly clock: ManualClock) {}

  /** The JSON body of POST /presign/multipart, as docs/large-files.md shows it. */
  signStart = (file: MultipartFileSpec, signal: AbortSignal): Promise<unknown> => {
    void signal;
    this.startCalls.push(file);
    const key = `uploads/sub/2026/12/06/${file.id}/${file.name}`;
    return Promise.resolve({
      id: file.id,
      key,
      partSize: this.partSize,
      partCount: Math.ceil(file.size / this.partSize),
      ticket: `ticket-${++this.tickets}-${this.clock.now() + this.ticketTtlMs}`,
      ticketExpiresAt: new Date(this.clock.now() + this.ticketTtlMs).toISOString(),
      create: {
        method: 'POST',
        url: `${HOST}/${encodeURIComponent(key)}?uploads&exp=${this.clock.now() + this.urlTtlMs}`,
        headers: { 'Content-Type': file.type },
      },
    });
  };

  /** The JSON body of POST /presign/multipart/parts. */
  signParts = (request: PartsRequest, plan: PartPlan, signal: AbortSignal): Promise<unknown> => {
    void signal;
    this.partsCalls.push(request);
    const ticketExpiry = Number(request.ticket.split('-')[2]);
    if (!(this.clock.now() < ticketExpiry)) return Promise.reject(new ApiError(403, 'INVALID_TICKET', 'The upload ticket is not valid.'));
    if (request.parts.length > 10) return Promise.reject(new ApiError(400, 'INVALID_REQUEST', 'too many parts'));
    const now = this.clock.now();
    const exp = now + this.urlTtlMs;
    const marker = request.listPartNumberMarker;
    // As the edge: a marker from 1 to partCount − 1, signed into the list URL only.
    if (marker !== undefined && !(Number.isSafeInteger(marker) && marker >= 1 && marker < plan.partCount))
      return Promise.reject(new ApiError(400, 'INVALID_REQUEST', 'bad listPartNumberMarker'));
    const base = `${HOST}/${encodeURIComponent(request.key)}?uploadId=${request.uploadId}&X-Amz-Date=${amzDate(now)}&exp=${exp}`;
    return Promise.resolve({
      parts: request.parts.map((part) => {
        const { start, end } = partRange(part.partNumber, plan.partSize, plan.fileSize);
        const headers: Record<string, string> = {};
        if (part.md5 !== undefined) headers['Content-MD5'] = part.md5;
        return { partNumber: part.partNumber, size: end - start, url: `${base}&partNumber=${part.partNumber}&len=${end - start}`, headers };
      }),
      complete: { method: 'POST', url: base },
      list: { method: 'GET', url: marker === undefined ? base : `${base}&part-number-marker=${marker}` },
      abort: { method: 'DELETE', url: base },
      expiresAt: new Date(exp).toISOString(),
    });
  };
}
