/**
 * The three small XML documents of an S3 multipart upload, read and written
 * without a DOM (as s3-error.ts reads S3's errors), so the same code runs in
 * the browser, in a worker and in the unit tests. S3's answers here are a
 * few hundred bytes to a few hundred KB; no general XML parser is needed.
 */
import { MultipartError } from './errors';
import { element, text } from './xml-text';

/** The `<UploadId>` of CreateMultipartUpload's `<InitiateMultipartUploadResult>`. */
export function parseUploadId(xml: string): string {
  const result = element(xml, 'InitiateMultipartUploadResult');
  const uploadId = result === undefined ? undefined : text(result, 'UploadId');
  // The edge accepts only this character set back (docs/large-files.md), so anything else is refused here first.
  if (uploadId === undefined || !/^[A-Za-z0-9._~-]{1,256}$/.test(uploadId)) throw new MultipartError('BAD_ANSWER');
  return uploadId;
}

export interface ListedPart {
  readonly partNumber: number;
  readonly etag: string;
  readonly size: number;
}

export interface ListPartsPage {
  readonly parts: readonly ListedPart[];
  /** More parts exist than this answer holds (S3 gives up to 1,000 per ListParts by default). */
  readonly isTruncated: boolean;
  readonly nextPartNumberMarker: number | undefined;
}

/** ListParts' `<ListPartsResult>`: each `<Part>`'s number, ETag and size; parts it cannot read are left out (they are sent again). */
export function parseListParts(xml: string): ListPartsPage {
  const result = element(xml, 'ListPartsResult');
  if (result === undefined) throw new MultipartError('BAD_ANSWER');
  const parts: ListedPart[] = [];
  for (const match of result.matchAll(/<Part>([\s\S]*?)<\/Part>/g)) {
    const body = match[1] ?? '';
    const partNumber = Number(text(body, 'PartNumber'));
    const size = Number(text(body, 'Size'));
    const etag = text(body, 'ETag');
    if (
      Number.isSafeInteger(partNumber) &&
      partNumber > 0 &&
      Number.isSafeInteger(size) &&
      size >= 0 &&
      etag !== undefined &&
      etag.length > 0
    ) {
      parts.push({ partNumber, etag, size });
    }
  }
  const marker = Number(text(result, 'NextPartNumberMarker'));
  return {
    parts,
    isTruncated: text(result, 'IsTruncated') === 'true',
    nextPartNumberMarker: Number.isSafeInteger(marker) && marker > 0 ? marker : undefined,
  };
}

/** CompleteMultipartUpload's body: every part, in ascending part number, with the ETag its PUT returned. */
export function completeMultipartXml(parts: ReadonlyArray<{ readonly partNumber: number; readonly etag: string }>): string {
  const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
  const body = sorted
    .map((part) => `<Part><PartNumber>${part.partNumber}</PartNumber><ETag>${escapeXml(part.etag)}</ETag></Part>`)
    .join('');
  return `<CompleteMultipartUpload>${body}</CompleteMultipartUpload>`;
}

/** Whether a 200 answer is really S3's `<Error>` (CompleteMultipartUpload can fail after it has sent its 200 status). */
export function isErrorDocument(xml: string): boolean {
  return /<Error\b[^>]*>/.test(xml);
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
