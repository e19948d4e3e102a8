/**
 * Object tags, the pure part: two things S3 does with them that s3rver does not.
 *
 * - The read rule the bucket policy enforces on AWS
 *   (infra/aws/constructs/upload-inspector.ts, `DenyReadingUnverifiedUploads`;
 *   and the presign role's s3:GetObject, which covers the upload prefix only):
 *   a GetObject of an upload not tagged `verified=true`, or of a quarantined
 *   object, is 403 AccessDenied — for everyone but the inspector, which is
 *   exempt by role on AWS and by its own access key here.
 * - The rest of the AWS access model that the edge's key runs into
 *   (`checkEdgeAccess`): the bucket policy's `OnlyTheInspectorTags` (no one
 *   but the inspector role tags, and tags on a write are authorized as
 *   s3:PutObjectTagging), and the presign role's IAM policy
 *   (infra/aws/constructs/edge-presign.ts: writes and multipart uploads under
 *   the upload prefix only, deletes under the upload and quarantine prefixes
 *   only, nothing bucket-wide).
 * - `x-amz-tagging` on PutObject, and on CopyObject with
 *   `x-amz-tagging-directive: REPLACE`: S3 stores those tags with the object
 *   (the inspector's quarantine copy carries its reason that way); s3rver
 *   ignores the header, so the guard applies the tags after the write.
 */
import { AccessDeniedError, InvalidArgumentError } from './errors';
import { xmlEscape } from './s3-xml';

export type Tags = ReadonlyMap<string, string>;

/** What the local bucket policy holds reads to; the guard enforces it only when given one. */
export interface ReadRule {
  /** e.g. `uploads/`: readable only when tagged with `verifiedTag`. */
  readonly uploadPrefix: string;
  /** e.g. `quarantine/`: never readable (but by the exempt key). */
  readonly quarantinePrefix: string;
  readonly verifiedTag: { readonly key: string; readonly value: string };
}

/** S3's limits on a tag set (PutObjectTagging, x-amz-tagging). */
const MAX_TAGS = 10;
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;

/**
 * The subresources that make a GET or HEAD of a key another operation than
 * GetObject/HeadObject (GetObjectTagging, GetObjectAcl, ListParts, …). Any
 * other query parameter — `response-*`, `versionId`, `partNumber`, `x-id`,
 * or one S3 does not know — leaves it a GetObject, as S3 treats it.
 */
const NOT_GET_OBJECT = new Set(['acl', 'attributes', 'legal-hold', 'retention', 'tagging', 'torrent', 'uploadId']);

/** True when a GET or HEAD of a key with this (forwarded, authentication-free) query is GetObject/HeadObject rather than a subresource. */
export function isGetObject(forwardQuery: string): boolean {
  for (const [name] of new URLSearchParams(forwardQuery)) if (NOT_GET_OBJECT.has(name)) return false;
  return true;
}

/**
 * Whether a GetObject of `key` needs the object's tags to be decided:
 * 'deny' (quarantined), 'tags' (an upload: verified or not), 'allow' (elsewhere).
 */
export function readDecision(key: string, rule: ReadRule): 'deny' | 'tags' | 'allow' {
  if (key.startsWith(rule.quarantinePrefix)) return 'deny';
  if (key.startsWith(rule.uploadPrefix)) return 'tags';
  return 'allow';
}

/** Throws S3's refusal unless the tags mark the object verified. */
export function checkVerified(tags: Tags | undefined, rule: ReadRule): void {
  if (tags?.get(rule.verifiedTag.key) !== rule.verifiedTag.value) throw new AccessDeniedError('Access Denied');
}

/** What the guard knows of a request signed by the edge's key, to hold it to the edge role. */
export interface EdgeRequest {
  readonly method: string;
  /** The object key; empty for a request on the bucket itself. */
  readonly key: string;
  /** The query without its authentication parameters. */
  readonly forwardQuery: string;
  /** Whether it asks S3 to store tags with the object (a non-empty `x-amz-tagging`, a form's `tagging` field). */
  readonly setsTags: boolean;
}

/**
 * Throws S3's refusal (403 AccessDenied) for what AWS refuses a request
 * signed by the edge's key: any tagging write (PutObjectTagging,
 * DeleteObjectTagging, tags on PutObject / CopyObject / a form /
 * CreateMultipartUpload), any write or multipart call outside the upload
 * prefix, a DeleteObject outside the upload and quarantine prefixes, any
 * write to the bucket itself. Reads are the read rule's business.
 */
export function checkEdgeAccess(request: EdgeRequest, rule: ReadRule): void {
  const method = request.method.toUpperCase();
  const names = new Set([...new URLSearchParams(request.forwardQuery)].map(([name]) => name));
  const multipart = names.has('uploadId') || names.has('uploads');
  if (!multipart && (method === 'GET' || method === 'HEAD' || method === 'OPTIONS')) return;
  const denied = (): never => {
    throw new AccessDeniedError('Access Denied');
  };
  if (request.setsTags || (names.has('tagging') && method !== 'GET')) denied();
  if (request.key === '') denied();
  const prefixes = method === 'DELETE' && !multipart ? [rule.uploadPrefix, rule.quarantinePrefix] : [rule.uploadPrefix];
  if (!prefixes.some((prefix) => request.key.startsWith(prefix))) denied();
}

/** The `x-amz-tagging` header (URL query syntax, `a=1&b=2`), checked against S3's limits. */
export function parseTaggingHeader(header: string): Tags {
  const tags = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(header)) {
    if (tags.has(key)) throw new InvalidArgumentError('Cannot provide multiple Tags with the same key', 'x-amz-tagging', header);
    if (key.length === 0 || key.length > MAX_TAG_KEY)
      throw new InvalidArgumentError('The TagKey you have provided is invalid', 'x-amz-tagging', header);
    if (value.length > MAX_TAG_VALUE) throw new InvalidArgumentError('The TagValue you have provided is invalid', 'x-amz-tagging', header);
    tags.set(key, value);
  }
  if (tags.size > MAX_TAGS) throw new InvalidArgumentError('Object tags cannot be greater than 10', 'x-amz-tagging', header);
  return tags;
}

/** The PutObjectTagging body for a tag set. */
export function taggingXml(tags: Tags): string {
  const items = [...tags].map(([key, value]) => `<Tag><Key>${xmlEscape(key)}</Key><Value>${xmlEscape(value)}</Value></Tag>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>${items}</TagSet></Tagging>`;
}

const TAG = /<Tag>\s*<Key>([^<]*)<\/Key>\s*<Value>([^<]*)<\/Value>\s*<\/Tag>/g;
const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The tag set of a GetObjectTagging answer (s3rver's `<Tagging><TagSet><Tag><Key/><Value/></Tag>…`). */
export function parseTaggingXml(xml: string): Tags {
  const tags = new Map<string, string>();
  for (const match of xml.matchAll(TAG)) tags.set(unescapeXml(match[1] ?? ''), unescapeXml(match[2] ?? ''));
  return tags;
}

function unescapeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, entity: string) =>
    entity.startsWith('#x')
      ? String.fromCodePoint(parseInt(entity.slice(2), 16))
      : entity.startsWith('#')
        ? String.fromCodePoint(Number(entity.slice(1)))
        : (ENTITIES[entity] ?? ''),
  );
}
