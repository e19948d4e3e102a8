/**
 * S3 multipart uploads, the pure part (AWS "CreateMultipartUpload",
 * "UploadPart", "CompleteMultipartUpload", "ListParts",
 * "AbortMultipartUpload"): upload ids, part numbers, the complete request's
 * XML, the checks S3 makes when an upload is completed, the multipart ETag,
 * and the XML answers. No I/O here; multipart-store.ts keeps the parts on
 * disk and multipart-requests.ts speaks HTTP.
 */
import { createHash, randomBytes } from 'node:crypto';
import { InvalidArgumentError, InvalidPartError, InvalidPartOrderError, MalformedXmlError, PartTooSmallError } from './errors';
import { xmlEscape } from './s3-xml';

/** S3: every part but the last is at least 5 MiB. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PART_NUMBER = 10_000;
/** S3: a part is at most 5 GiB. */
export const MAX_PART_SIZE = 5 * 1024 * 1024 * 1024;
/** A complete request for 10,000 parts with checksums stays well under this. */
export const MAX_COMPLETE_BODY_BYTES = 2 * 1024 * 1024;
/** ListParts answers at most this many parts per page, as S3 does. */
export const MAX_LIST_PARTS = 1000;

/**
 * 32 random bytes, base64url: unguessable, and only characters that need no
 * escaping in a URL (docs/large-files.md), so an id never changes what is signed.
 */
export function newUploadId(): string {
  return randomBytes(32).toString('base64url');
}

/** Only ids this guard could have issued are looked up (they name folders on disk). */
export function isUploadIdShape(text: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(text);
}

export function parsePartNumber(text: string | undefined): number {
  const value = text !== undefined && /^[0-9]{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(value >= 1 && value <= MAX_PART_NUMBER)) {
    throw new InvalidArgumentError('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', text ?? '');
  }
  return value;
}

export interface UploadedPart {
  readonly partNumber: number;
  /** Hex MD5 of the part's bytes (its ETag without quotes). */
  readonly md5: string;
  readonly size: number;
  /** ISO 8601. */
  readonly lastModified: string;
}

export interface RequestedPart {
  readonly partNumber: number;
  /** As the client sent it; quotes optional, as S3 takes it. */
  readonly etag: string;
}

/**
 * `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"…"</ETag></Part>…`.
 * A small strict reader: the document must consist of exactly that (an XML
 * declaration, a namespace and per-part checksum elements allowed), or it is
 * MalformedXML, as an empty list is.
 */
export function parseCompleteRequest(xml: string): RequestedPart[] {
  const body = xml.replace(/^\uFEFF?\s*(<\?xml[^?]*\?>)?\s*/, '').trim();
  const root = /^<CompleteMultipartUpload(\s+xmlns="[^"<>]*")?\s*>([\s\S]*)<\/CompleteMultipartUpload>$/.exec(body);
  if (root === null) throw new MalformedXmlError();
  const parts: RequestedPart[] = [];
  let rest = (root[2] as string).trim();
  while (rest !== '') {
    const part = /^<Part>([\s\S]*?)<\/Part>\s*/.exec(rest);
    if (part === null) throw new MalformedXmlError();
    rest = rest.slice(part[0].length);
    const fields = new Map<string, string>();
    let inner = (part[1] as string).trim();
    while (inner !== '') {
      const element = /^<([A-Za-z0-9]+)>([^<]*)<\/\1>\s*/.exec(inner);
      if (element === null || fields.has(element[1] as string)) throw new MalformedXmlError();
      fields.set(element[1] as string, unescapeXml(element[2] as string));
      inner = inner.slice(element[0].length);
    }
    for (const name of fields.keys())
      if (!/^(PartNumber|ETag|Checksum(CRC32|CRC32C|CRC64NVME|SHA1|SHA256))$/.test(name)) throw new MalformedXmlError();
    const number = fields.get('PartNumber')?.trim();
    const etag = fields.get('ETag')?.trim();
    if (number === undefined || etag === undefined || !/^[0-9]{1,9}$/.test(number)) throw new MalformedXmlError();
    parts.push({ partNumber: Number(number), etag });
  }
  if (parts.length === 0) throw new MalformedXmlError();
  return parts;
}

export interface CompletionPlan {
  /** The parts to concatenate, in order. */
  readonly parts: readonly UploadedPart[];
  readonly size: number;
  /** Quoted: `"<md5 of the binary part MD5s>-<count>"`. */
  readonly etag: string;
}

/**
 * S3's checks on complete, in its order: part numbers ascending
 * (InvalidPartOrder), each part uploaded with that ETag (InvalidPart), every
 * part but the last at least 5 MiB (EntityTooSmall).
 */
export function planCompletion(
  uploadId: string,
  requested: readonly RequestedPart[],
  uploaded: ReadonlyMap<number, UploadedPart>,
): CompletionPlan {
  for (let i = 1; i < requested.length; i += 1) {
    const previous = requested[i - 1] as RequestedPart;
    const current = requested[i] as RequestedPart;
    if (current.partNumber <= previous.partNumber) throw new InvalidPartOrderError(uploadId, current.partNumber);
  }
  const parts = requested.map((part) => {
    const stored = uploaded.get(part.partNumber);
    if (stored === undefined || unquote(part.etag).toLowerCase() !== stored.md5)
      throw new InvalidPartError(uploadId, part.partNumber, part.etag);
    return stored;
  });
  parts.forEach((part, index) => {
    if (index < parts.length - 1 && part.size < MIN_PART_SIZE)
      throw new PartTooSmallError(part.size, MIN_PART_SIZE, part.partNumber, `"${part.md5}"`);
  });
  return { parts, size: parts.reduce((sum, part) => sum + part.size, 0), etag: multipartEtag(parts.map((part) => part.md5)) };
}

/** S3's ETag of a completed multipart upload: MD5 of the parts' binary MD5s, a dash, the part count. */
export function multipartEtag(partMd5s: readonly string[]): string {
  const hash = createHash('md5');
  for (const md5 of partMd5s) hash.update(Buffer.from(md5, 'hex'));
  return `"${hash.digest('hex')}-${partMd5s.length}"`;
}

function unquote(etag: string): string {
  return etag.replace(/^"(.*)"$/, '$1');
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
const NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
const el = (name: string, value: string): string => `<${name}>${xmlEscape(value)}</${name}>`;

export function initiateResultXml(bucket: string, key: string, uploadId: string): string {
  return `${XML_DECLARATION}<InitiateMultipartUploadResult xmlns="${NAMESPACE}">${el('Bucket', bucket)}${el('Key', key)}${el('UploadId', uploadId)}</InitiateMultipartUploadResult>`;
}

export function completeResultXml(location: string, bucket: string, key: string, etag: string): string {
  return `${XML_DECLARATION}<CompleteMultipartUploadResult xmlns="${NAMESPACE}">${el('Location', location)}${el('Bucket', bucket)}${el('Key', key)}${el('ETag', etag)}</CompleteMultipartUploadResult>`;
}

export interface ListPartsPage {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  readonly partNumberMarker: number;
  readonly maxParts: number;
  readonly storageClass: string;
  readonly owner: { readonly id: string; readonly displayName: string };
  /** Every stored part; the page is cut here. */
  readonly parts: readonly UploadedPart[];
}

/** `max-parts` and `part-number-marker` of a ListParts query (absent: 1000 and 0). */
export function parseListPartsQuery(
  maxParts: string | undefined,
  marker: string | undefined,
): { maxParts: number; partNumberMarker: number } {
  const integer = (text: string | undefined, name: string, fallback: number): number => {
    if (text === undefined) return fallback;
    if (!/^[0-9]{1,9}$/.test(text)) throw new InvalidArgumentError(`Provided ${name} not an integer or within integer range`, name, text);
    return Number(text);
  };
  return {
    maxParts: Math.min(integer(maxParts, 'max-parts', MAX_LIST_PARTS), MAX_LIST_PARTS),
    partNumberMarker: integer(marker, 'part-number-marker', 0),
  };
}

export function listPartsXml(page: ListPartsPage): string {
  const after = [...page.parts].sort((a, b) => a.partNumber - b.partNumber).filter((part) => part.partNumber > page.partNumberMarker);
  const shown = after.slice(0, page.maxParts);
  const truncated = after.length > shown.length;
  const next = shown.length === 0 ? page.partNumberMarker : (shown[shown.length - 1] as UploadedPart).partNumber;
  const owner = `${el('ID', page.owner.id)}${el('DisplayName', page.owner.displayName)}`;
  return (
    `${XML_DECLARATION}<ListPartsResult xmlns="${NAMESPACE}">` +
    el('Bucket', page.bucket) +
    el('Key', page.key) +
    el('UploadId', page.uploadId) +
    `<Initiator>${owner}</Initiator><Owner>${owner}</Owner>` +
    el('StorageClass', page.storageClass) +
    el('PartNumberMarker', String(page.partNumberMarker)) +
    el('NextPartNumberMarker', String(next)) +
    el('MaxParts', String(page.maxParts)) +
    el('IsTruncated', String(truncated)) +
    shown
      .map(
        (part) =>
          `<Part>${el('PartNumber', String(part.partNumber))}${el('LastModified', part.lastModified)}${el('ETag', `"${part.md5}"`)}${el('Size', String(part.size))}</Part>`,
      )
      .join('') +
    '</ListPartsResult>'
  );
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});/g, (_match, name: string) => {
    const code = name.startsWith('#x') ? parseInt(name.slice(2), 16) : name.startsWith('#') ? Number(name.slice(1)) : undefined;
    if (code === undefined) return XML_ENTITIES[name] ?? '';
    if (code > 0x10ffff) throw new MalformedXmlError();
    return String.fromCodePoint(code);
  });
}
