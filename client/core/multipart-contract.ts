/**
 * The answers of the multipart routes (docs/large-files.md): POST
 * /presign/multipart and POST /presign/multipart/parts, checked from
 * `unknown` like api-contract.ts does for /presign. A body of the wrong shape
 * is an UnexpectedResponseError; numbers that do not fit the file (part size,
 * part count, a part's size) are a MultipartError('BAD_ANSWER').
 */
import { isPlainObject } from '../../edge-functions/core/safe-json';
import { MultipartError, UnexpectedResponseError } from './errors';

/** A request to S3 exactly as the edge signed it: that method, that URL, exactly those headers. */
export interface SignedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** What /presign/multipart is told about the file. */
export interface MultipartFileSpec {
  readonly name: string;
  readonly size: number;
  readonly type: string;
  readonly id: string;
}

/** The answer of POST /presign/multipart. */
export interface MultipartStart {
  readonly id: string;
  readonly key: string;
  readonly partSize: number;
  readonly partCount: number;
  /** Opaque; sent back unchanged on every /presign/multipart/parts call. */
  readonly ticket: string;
  /** ms since the epoch, by the signer's clock. */
  readonly ticketExpiresAt: number;
  readonly create: SignedRequest;
}

/** The body of POST /presign/multipart/parts. */
export interface PartsRequest {
  readonly key: string;
  readonly uploadId: string;
  readonly ticket: string;
  readonly parts: ReadonlyArray<{ readonly partNumber: number; readonly md5?: string }>;
  /**
   * The answer's `list` URL then reads the ListParts page after this part
   * number (the previous page's NextPartNumberMarker; 1 to partCount − 1).
   * Without it, the first page.
   */
  readonly listPartNumberMarker?: number;
}

export interface SignedPart extends SignedRequest {
  readonly partNumber: number;
  readonly size: number;
}

/** The answer of POST /presign/multipart/parts. */
export interface PartUrls {
  readonly parts: readonly SignedPart[];
  readonly complete: SignedRequest;
  readonly list: SignedRequest;
  readonly abort: SignedRequest;
  /** ms since the epoch, by the signer's clock. */
  readonly expiresAt: number;
}

/** The byte range [start, end) of part `partNumber` (1-based). */
export function partRange(partNumber: number, partSize: number, fileSize: number): { readonly start: number; readonly end: number } {
  const start = (partNumber - 1) * partSize;
  return { start, end: Math.min(fileSize, start + partSize) };
}

export function parseMultipartStart(status: number, body: unknown, sent: MultipartFileSpec): MultipartStart {
  if (!isPlainObject(body)) throw new UnexpectedResponseError(status);
  const { id, key, partSize, partCount, ticket, ticketExpiresAt, create } = body;
  if (id !== sent.id || typeof key !== 'string' || key.length === 0 || typeof ticket !== 'string' || ticket.length === 0)
    throw new UnexpectedResponseError(status);
  if (!isPositiveInteger(partSize) || !isPositiveInteger(partCount)) throw new UnexpectedResponseError(status);
  // The part plan must cover exactly this file, or every part URL after it would be refused.
  if (partCount !== Math.ceil(sent.size / partSize)) throw new MultipartError('BAD_ANSWER');
  const expires = typeof ticketExpiresAt === 'string' ? Date.parse(ticketExpiresAt) : NaN;
  if (!Number.isFinite(expires)) throw new UnexpectedResponseError(status);
  return { id, key, partSize, partCount, ticket, ticketExpiresAt: expires, create: signedRequest(status, create, true) };
}

export function parsePartUrls(
  status: number,
  body: unknown,
  sent: PartsRequest,
  plan: { partSize: number; partCount: number; fileSize: number },
): PartUrls {
  if (!isPlainObject(body) || !Array.isArray(body.parts) || body.parts.length !== sent.parts.length)
    throw new UnexpectedResponseError(status);
  const parts = body.parts.map((part: unknown, index): SignedPart => {
    if (!isPlainObject(part)) throw new UnexpectedResponseError(status);
    const { partNumber, size } = part;
    if (!isPositiveInteger(partNumber) || partNumber !== sent.parts[index]?.partNumber || !isPositiveInteger(size))
      throw new UnexpectedResponseError(status);
    const range = partRange(partNumber, plan.partSize, plan.fileSize);
    if (size !== range.end - range.start) throw new MultipartError('BAD_ANSWER');
    return { ...signedRequest(status, { ...part, method: 'PUT' }, true), partNumber, size };
  });
  const expires = typeof body.expiresAt === 'string' ? Date.parse(body.expiresAt) : NaN;
  if (!Number.isFinite(expires)) throw new UnexpectedResponseError(status);
  return {
    parts,
    complete: signedRequest(status, body.complete, false),
    list: signedRequest(status, body.list, false),
    abort: signedRequest(status, body.abort, false),
    expiresAt: expires,
  };
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * How long a presigned URL lives from its signing: `expiresAt` minus the
 * URL's own `X-Amz-Date`, both by the signer's clock (as formLifetimeMs does
 * for forms), so a device clock that is off does not matter. `fallbackMs`
 * when the URL has no readable date.
 */
export function urlLifetimeMs(url: string, expiresAt: number, fallbackMs: number): number {
  let date: string | null = null;
  try {
    date = new URL(url).searchParams.get('X-Amz-Date');
  } catch {
    return fallbackMs;
  }
  const parts = date === null ? null : AMZ_DATE.exec(date);
  if (parts === null) return fallbackMs;
  const [, y, mo, d, h, mi, se] = parts.map(Number);
  const signedAt = Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, se ?? 0);
  return Math.max(0, expiresAt - signedAt);
}

function signedRequest(status: number, value: unknown, headersRequired: boolean): SignedRequest {
  if (!isPlainObject(value)) throw new UnexpectedResponseError(status);
  const { method, url, headers } = value;
  if (typeof method !== 'string' || !/^(GET|PUT|POST|DELETE)$/.test(method)) throw new UnexpectedResponseError(status);
  if (typeof url !== 'string' || !isHttpUrl(url)) throw new UnexpectedResponseError(status);
  if (headers === undefined && !headersRequired) return { method, url, headers: {} };
  if (!isPlainObject(headers)) throw new UnexpectedResponseError(status);
  const entries = Object.entries(headers);
  if (!entries.every((entry): entry is [string, string] => typeof entry[1] === 'string')) throw new UnexpectedResponseError(status);
  return { method, url, headers: Object.fromEntries(entries) };
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
