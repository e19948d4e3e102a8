/**
 * Object tags, the pure part: two things S3 does with them that s3rver does not.
 *
 * - The read rule the bucket policy enforces on AWS
 *   (infra/aws/constructs/upload-inspector.ts, `DenyReadingUnverifiedUploads`;
 *   and the presign role's s3:GetObject, which covers the upload prefix only):
 *   a GetObject of an upload not tagged `verified=true`, or of a quarantined
 *   object, is 403 AccessDenied — for everyone but the inspector, which is
 *   exempt by role on AWS and by its own access key here.
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

/** Query parameters a GetObject may carry (x-amz-* included: a presigned URL keeps X-Amz-Content-Sha256); any other makes the GET another operation (tagging, acl, …). */
const GET_OBJECT_PARAMS = /^(x-id|versionId|partNumber|response-[a-z-]+|[Xx]-[Aa]mz-[A-Za-z0-9-]+)$/;

/** True when a GET with this (forwarded, authentication-free) query is GetObject rather than a subresource. */
export function isGetObject(forwardQuery: string): boolean {
  for (const [name, value] of new URLSearchParams(forwardQuery)) {
    if (!GET_OBJECT_PARAMS.test(name)) return false;
    if (name === 'x-id' && value !== 'GetObject') return false;
  }
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

/** The `x-amz-tagging` header (URL query syntax, `a=1&b=2`), checked against S3's limits. */
export function parseTaggingHeader(header: string): Tags {
  const tags = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(header)) {
    if (tags.has(key)) throw new InvalidArgumentError('Cannot provide multiple Tags with the same key', 'x-amz-tagging', header);
    if (key.length === 0 || key.length > MAX_TAG_KEY) throw new InvalidArgumentError('The TagKey you have provided is invalid', 'x-amz-tagging', header);
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
    entity.startsWith('#x') ? String.fromCodePoint(parseInt(entity.slice(2), 16)) : entity.startsWith('#') ? String.fromCodePoint(Number(entity.slice(1))) : (ENTITIES[entity] ?? ''),
  );
}
