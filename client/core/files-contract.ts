/**
 * "Your files" (docs/http-api.md, "Your files"): the answers of
 * POST /presign/files and POST /presign/files/access, checked from `unknown`,
 * and the two S3 XML documents the browser then reads with those signed URLs
 * (ListObjectsV2 and GetObjectTagging), read without a DOM like
 * s3-multipart-xml.ts. Also what a key says to a person: its name and date.
 */
import { isPlainObject } from '../../edge-functions/core/safe-json';
import type { QuarantineReason } from '../../origin/inspector/core/inspection';
import { UnexpectedResponseError } from './errors';
import { element, text } from './xml-text';

/** A GET or DELETE to S3 exactly as the edge signed it (no headers to add). */
export interface SignedUrl {
  readonly method: string;
  readonly url: string;
}

/** The answer of POST /presign/files: one signed ListObjectsV2 per prefix. */
export interface FilesListing {
  readonly list: SignedUrl;
  readonly quarantined: SignedUrl;
  /** ms since the epoch, by the signer's clock. */
  readonly expiresAt: number;
}

/** One file of a POST /presign/files/access answer. */
export interface FileAccess {
  readonly key: string;
  readonly get: SignedUrl;
  readonly tagging: SignedUrl;
  readonly delete: SignedUrl;
}

/** At most this many keys per /presign/files/access call (the edge refuses more). */
export { MAX_KEYS_PER_ACCESS } from '../../edge-functions/core/user-files-limits';

export function parseFilesListing(status: number, body: unknown): FilesListing {
  if (!isPlainObject(body)) throw new UnexpectedResponseError(status);
  return {
    list: signedUrl(status, body.list, 'GET'),
    quarantined: signedUrl(status, body.quarantined, 'GET'),
    expiresAt: expiry(status, body.expiresAt),
  };
}

/** The access URLs, one per key asked for; a key the answer leaves out or adds is an UnexpectedResponseError. */
export function parseFilesAccess(status: number, body: unknown, keys: readonly string[]): Map<string, FileAccess> {
  if (!isPlainObject(body) || !Array.isArray(body.files)) throw new UnexpectedResponseError(status);
  expiry(status, body.expiresAt);
  const wanted = new Set(keys);
  const found = new Map<string, FileAccess>();
  for (const file of body.files as unknown[]) {
    if (!isPlainObject(file) || typeof file.key !== 'string' || !wanted.has(file.key)) throw new UnexpectedResponseError(status);
    found.set(file.key, {
      key: file.key,
      get: signedUrl(status, file.get, 'GET'),
      tagging: signedUrl(status, file.tagging, 'GET'),
      delete: signedUrl(status, file.delete, 'DELETE'),
    });
  }
  if (found.size !== wanted.size) throw new UnexpectedResponseError(status);
  return found;
}

function signedUrl(status: number, value: unknown, method: string): SignedUrl {
  if (!isPlainObject(value) || value.method !== method || typeof value.url !== 'string') throw new UnexpectedResponseError(status);
  let url: URL;
  try {
    url = new URL(value.url);
  } catch {
    throw new UnexpectedResponseError(status);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UnexpectedResponseError(status);
  return { method, url: value.url };
}

function expiry(status: number, value: unknown): number {
  const at = typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(at)) throw new UnexpectedResponseError(status);
  return at;
}

// ---- S3's XML ----

export interface ListedObject {
  readonly key: string;
  readonly size: number;
  /** ms since the epoch; undefined when S3's date could not be read. */
  readonly lastModified: number | undefined;
}

export interface ListPage {
  readonly objects: readonly ListedObject[];
  readonly nextContinuationToken: string | undefined;
}

/** ListObjectsV2's `<ListBucketResult>`; an answer without one is an UnexpectedResponseError. */
export function parseListObjects(xml: string, status = 200): ListPage {
  const result = element(xml, 'ListBucketResult');
  if (result === undefined) throw new UnexpectedResponseError(status);
  const objects: ListedObject[] = [];
  for (const match of result.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
    const body = match[1] ?? '';
    const key = text(body, 'Key');
    const size = Number(text(body, 'Size'));
    const modified = Date.parse(text(body, 'LastModified') ?? '');
    if (key === undefined || key.length === 0 || key.endsWith('/') || !Number.isSafeInteger(size) || size < 0) continue;
    objects.push({ key, size, lastModified: Number.isFinite(modified) ? modified : undefined });
  }
  const token = text(result, 'NextContinuationToken');
  const truncated = text(result, 'IsTruncated') === 'true';
  return { objects, nextContinuationToken: truncated && token !== undefined && token.length > 0 ? token : undefined };
}

/** What the inspector's tags say about an object (origin/inspector: `verified=true` or `quarantine-reason=<CODE>`). */
export type Verdict =
  | { readonly status: 'checking' }
  | { readonly status: 'verified' }
  | { readonly status: 'rejected'; readonly reason: string };

export function parseTagging(xml: string, status = 200): Verdict {
  const set = element(xml, 'Tagging');
  if (set === undefined) throw new UnexpectedResponseError(status);
  const tags = new Map<string, string>();
  for (const match of set.matchAll(/<Tag>([\s\S]*?)<\/Tag>/g)) {
    const key = text(match[1] ?? '', 'Key');
    if (key !== undefined) tags.set(key, text(match[1] ?? '', 'Value') ?? '');
  }
  const reason = tags.get('quarantine-reason');
  if (reason !== undefined) return { status: 'rejected', reason };
  if (tags.get('verified') === 'true') return { status: 'verified' };
  return { status: 'checking' };
}

// ---- keys ----

/** Keys are `uploads/<sub>/<YYYY>/<MM>/<DD>/<id>/<name>`; a quarantined one has `quarantine/` in front instead. */
const KEY = /^(uploads|quarantine)\/([^/]+)\/(\d{4})\/(\d{2})\/(\d{2})\/([^/]+)\/([^/]+)$/;

/** The name shown for a key: its last segment (the sanitized file name). */
export function fileNameOf(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

/** When the file was uploaded: S3's LastModified, else the key's UTC date; undefined for neither. */
export function uploadedAt(key: string, lastModified: number | undefined): number | undefined {
  if (lastModified !== undefined) return lastModified;
  const parts = KEY.exec(key);
  if (parts === null) return undefined;
  const at = Date.UTC(Number(parts[3]), Number(parts[4]) - 1, Number(parts[5]));
  return Number.isFinite(at) ? at : undefined;
}

/** The same upload's key under the quarantine prefix (where the inspector moves a rejected file), or undefined. */
export function quarantineKeyOf(key: string): string | undefined {
  return key.startsWith('uploads/') && KEY.test(key) ? `quarantine/${key.slice('uploads/'.length)}` : undefined;
}

/** The uploads/ key a quarantined key came from: one row per upload, whichever prefix it is under now. */
export function uploadKeyOf(key: string): string {
  return key.startsWith('quarantine/') ? `uploads/${key.slice('quarantine/'.length)}` : key;
}

// ---- words ----

/** Each inspector reason in plain words: what happened and what to do. Typed against the inspector's own list, so a new reason fails to compile here. */
const REJECTION_TEXT: Readonly<Record<QuarantineReason, string>> = {
  EMPTY_OBJECT: 'The file is empty. Check that you picked the right file.',
  TYPE_NOT_ALLOWED: 'This kind of file is not accepted.',
  EXTENSION_MISMATCH: 'The end of the file name does not match the kind of file. Rename it with the right ending and upload it again.',
  UNRECOGNIZED_CONTENT: 'The content is not a kind of file we accept, whatever its name says.',
  TYPE_MISMATCH: 'The content is a different kind of file than its name says. Save it in the right format and upload it again.',
  MALFORMED_HEADER: 'The file looks damaged. Save or export it again, then upload it again.',
  TRUNCATED: 'The file looks cut short or incomplete. Save or export it again, then upload it again.',
  TRAILING_DATA: 'The file has extra data after its end. Save or export it again, then upload it again.',
  UNREADABLE: 'The file could not be read to check it. Upload it again.',
};

export const REJECTION_REASONS: readonly string[] = Object.keys(REJECTION_TEXT);

/** A rejection reason in plain words; a code this page does not know still gets a sentence. */
export function rejectionText(reason: string): string {
  return Object.prototype.hasOwnProperty.call(REJECTION_TEXT, reason)
    ? REJECTION_TEXT[reason as QuarantineReason]
    : 'The file did not pass the safety check.';
}
