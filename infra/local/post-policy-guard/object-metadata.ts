/**
 * What an accepted form stores with the object, and how server-side
 * encryption survives in s3rver.
 *
 * S3 keeps these form fields as the object's headers: Content-Type (default
 * binary/octet-stream), Cache-Control, Content-Disposition, Content-Encoding,
 * Expires, x-amz-meta-*, x-amz-storage-class, x-amz-website-redirect-location
 * and the SSE fields. s3rver keeps all of them except the SSE ones (its
 * S3Object model drops x-amz-server-side-encryption*), so the guard stores
 * those as reserved x-amz-meta-* entries and turns them back into the SSE
 * response headers on every GET/HEAD it proxies, stripping the reserved
 * entries from the object's user metadata. The reserved names are refused
 * in forms and PUTs so no one can forge them.
 */
import { InvalidArgumentError, InvalidRequestError, InvalidStorageClassError } from './errors';
import type { FormFields } from './form-fields';

const STORED_FIELDS = [
  'content-type',
  'cache-control',
  'content-disposition',
  'content-encoding',
  'expires',
  'x-amz-website-redirect-location',
];
const STORAGE_CLASSES = new Set([
  'STANDARD',
  'REDUCED_REDUNDANCY',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER',
  'DEEP_ARCHIVE',
  'GLACIER_IR',
  'OUTPOSTS',
  'EXPRESS_ONEZONE',
]);

export const SSE = 'x-amz-server-side-encryption';
/** The SSE response headers S3 returns for an object, in the order it returns them. */
export const SSE_HEADERS = [SSE, `${SSE}-aws-kms-key-id`, `${SSE}-context`, `${SSE}-bucket-key-enabled`] as const;
const SSE_ALGORITHMS = new Set(['AES256', 'aws:kms', 'aws:kms:dsse']);
const SSE_CUSTOMER_PREFIX = `${SSE}-customer-`;

/** x-amz-meta-edge-upload-local-sse[-<suffix>] holds x-amz-server-side-encryption[-<suffix>] in s3rver. */
export const RESERVED_METADATA_PREFIX = 'x-amz-meta-edge-upload-local-';
const reservedName = (sseHeader: string): string => `${RESERVED_METADATA_PREFIX}sse${sseHeader.slice(SSE.length)}`;
/**
 * A completed multipart upload's ETag (`"<md5 of the part MD5s>-<n>"`):
 * s3rver computes a plain MD5 for every object it stores, so the guard keeps
 * S3's ETag here and answers with it on every GET/HEAD it proxies.
 */
export const MULTIPART_ETAG_METADATA = `${RESERVED_METADATA_PREFIX}multipart-etag`;

const META_PREFIX = 'x-amz-meta-';
const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
const PRINTABLE_ASCII = /^[\t\x20-\x7e]*$/;

export interface ObjectMetadata {
  /** Headers for the PutObject to s3rver: lower-case names, values safe for HTTP. */
  readonly headers: Readonly<Record<string, string>>;
  /** The SSE headers S3 would return for the object (empty without SSE). */
  readonly encryption: Readonly<Record<string, string>>;
}

export function objectMetadataFromForm(fields: FormFields): ObjectMetadata {
  const headers: Record<string, string> = { 'content-type': fields.get('content-type') || 'binary/octet-stream' };
  for (const name of STORED_FIELDS) {
    const value = fields.get(name);
    if (value !== undefined && name !== 'content-type') headers[name] = value;
  }
  for (const [name, value] of Object.entries(headers)) assertHeaderValue(name, value);

  const storageClass = fields.get('x-amz-storage-class');
  if (storageClass !== undefined) {
    if (!STORAGE_CLASSES.has(storageClass)) throw new InvalidStorageClassError();
    headers['x-amz-storage-class'] = storageClass;
  }

  for (const { name, value } of fields.all()) {
    const lower = name.toLowerCase();
    if (!lower.startsWith(META_PREFIX)) continue;
    if (lower.startsWith(RESERVED_METADATA_PREFIX)) {
      throw new InvalidArgumentError(`${name} is reserved by the local POST-policy guard.`, name);
    }
    if (!HTTP_TOKEN.test(lower)) throw new InvalidArgumentError(`${name} is not a valid metadata name.`, name);
    headers[lower] = mailSafe(value);
  }

  const encryption = encryptionFromForm(fields);
  for (const [name, value] of Object.entries(encryption)) headers[reservedName(name)] = value;
  return { headers, encryption };
}

function encryptionFromForm(fields: FormFields): Record<string, string> {
  if (fields.all().some(({ name }) => name.toLowerCase().startsWith(SSE_CUSTOMER_PREFIX))) {
    throw new InvalidRequestError(
      'Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.',
    );
  }
  const encryption: Record<string, string> = {};
  for (const name of SSE_HEADERS) {
    const value = fields.get(name);
    if (value !== undefined) encryption[name] = value;
  }
  const algorithm = encryption[SSE];
  if (algorithm !== undefined && !SSE_ALGORITHMS.has(algorithm)) {
    throw new InvalidArgumentError('The encryption method specified is not supported', SSE, algorithm);
  }
  const kmsOnly = SSE_HEADERS.slice(1).find((name) => encryption[name] !== undefined);
  if (kmsOnly !== undefined && !algorithm?.startsWith('aws:kms')) {
    throw new InvalidArgumentError(
      `Server Side Encryption with AWS KMS managed key requires HTTP header ${SSE} : aws:kms`,
      kmsOnly,
      encryption[kmsOnly],
    );
  }
  for (const [name, value] of Object.entries(encryption)) assertHeaderValue(name, value);
  return encryption;
}

/**
 * S3 stores non-ASCII metadata values RFC 2047-encoded and returns them
 * that way; doing the same keeps every value a legal HTTP header.
 */
function mailSafe(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

function assertHeaderValue(name: string, value: string): void {
  if (!PRINTABLE_ASCII.test(value)) throw new InvalidArgumentError(`The value of ${name} must be printable US-ASCII here.`, name);
}

type HeaderValue = string | string[] | number | undefined;

/**
 * For a PUT the guard proxies to s3rver: the SSE request headers become the
 * reserved metadata (s3rver would drop them), and forged reserved metadata
 * is removed.
 */
export function encryptionToStore(headers: Readonly<Record<string, HeaderValue>>): Record<string, HeaderValue> {
  const out: Record<string, HeaderValue> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower.startsWith(RESERVED_METADATA_PREFIX)) continue;
    if ((SSE_HEADERS as readonly string[]).includes(lower) && typeof value === 'string') out[reservedName(lower)] = value;
    else out[name] = value;
  }
  return out;
}

/** For a response the guard proxies from s3rver: reserved metadata back into SSE headers (and a multipart upload's ETag). */
export function encryptionFromStore(headers: Readonly<Record<string, HeaderValue>>): Record<string, HeaderValue> {
  const out: Record<string, HeaderValue> = {};
  const restored: Record<string, string> = {};
  let etag: string | undefined;
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!lower.startsWith(RESERVED_METADATA_PREFIX)) {
      out[name] = value;
      continue;
    }
    const sseHeader = SSE_HEADERS.find((candidate) => reservedName(candidate) === lower);
    if (sseHeader !== undefined && typeof value === 'string') restored[sseHeader] = value;
    if (lower === MULTIPART_ETAG_METADATA && typeof value === 'string') etag = value;
  }
  if (etag !== undefined) for (const name of Object.keys(out)) if (name.toLowerCase() === 'etag') out[name] = etag;
  return { ...out, ...restored };
}
