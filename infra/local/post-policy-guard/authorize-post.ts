/**
 * The guard's decision, with no I/O: the fields sent before the file, the
 * file's name and the bucket in the URL in; either a refusal (a thrown
 * PostGuardError) or everything needed to store the object out. The file's
 * size is checked separately, as it streams (checkFileSize).
 *
 * The checks, in order:
 *   1. a `key` field came before the file (else 400 InvalidArgument);
 *   2. the SigV4 signature over the policy (policy-signature.ts);
 *   3. the policy document parses (400 InvalidPolicyDocument) and has not
 *      expired (403 "Policy expired.");
 *   4. every condition holds, `bucket` against the URL's bucket and `key`
 *      after `${filename}` is filled in (403 "Policy Condition failed");
 *   5. every field but policy, x-amz-signature, file and x-ignore-* is named
 *      by some condition (403 "Extra input fields");
 *   6. the key, the stored headers and the SSE fields are acceptable.
 */
import {
  EntityTooLargeError,
  EntityTooSmallError,
  ExtraInputFieldsError,
  InvalidArgumentError,
  KeyTooLongError,
  MissingKeyFieldError,
  PolicyConditionFailedError,
  PolicyExpiredError,
} from './errors';
import { isExemptFromPolicy, type FormFields } from './form-fields';
import { objectMetadataFromForm, type ObjectMetadata } from './object-metadata';
import { decodePolicy, type PolicyCondition } from './policy-document';
import { verifyPolicySignature, type SignatureConfig } from './policy-signature';

/** S3's limit for a single POST upload. */
export const MAX_POST_OBJECT_BYTES = 5 * 1024 ** 3;
/** S3's limit for an object key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;
/**
 * s3rver keeps an object as files named <segment>._S3rver_metadata.json
 * (22 extra bytes); Linux allows 255 bytes per file name.
 */
const MAX_STORABLE_SEGMENT_BYTES = 255 - '._S3rver_metadata.json'.length;
const FILENAME_VARIABLE = '${filename}';

export type GuardPolicyConfig = SignatureConfig;

export interface PostUploadRequest {
  /** The bucket named by the URL the form was posted to. */
  readonly bucket: string;
  /** The fields sent before the file. */
  readonly fields: FormFields;
  /** The file part's filename parameter, as sent. */
  readonly filename: string | undefined;
  readonly now: Date;
}

export type SuccessAction =
  | { readonly kind: 'redirect'; readonly url: string }
  | { readonly kind: 'status'; readonly status: 200 | 201 | 204 };

export interface AuthorizedUpload {
  readonly bucket: string;
  readonly key: string;
  /** Inclusive bounds of the file size, from content-length-range (0 and 5 GiB without one). */
  readonly minSize: number;
  readonly maxSize: number;
  readonly metadata: ObjectMetadata;
  readonly success: SuccessAction;
}

export function authorizePost(request: PostUploadRequest, config: GuardPolicyConfig): AuthorizedUpload {
  const { fields } = request;
  const rawKey = fields.get('key');
  if (rawKey === undefined) throw new MissingKeyFieldError();

  const policy = decodePolicy(verifyPolicySignature(fields, config));
  if (request.now.getTime() > policy.expiration.getTime()) throw new PolicyExpiredError(policy.expirationText);

  const key = rawKey.split(FILENAME_VARIABLE).join(fileBaseName(request.filename));
  const { minSize, maxSize } = checkConditions(policy.conditions, (field) => {
    if (field === 'bucket') return request.bucket;
    if (field === 'key') return key;
    return fields.get(field) ?? '';
  });
  checkNoExtraFields(fields, policy.conditions);
  assertStorableKey(key);

  return { bucket: request.bucket, key, minSize, maxSize, metadata: objectMetadataFromForm(fields), success: successAction(fields) };
}

/** The file's size against the policy's content-length-range. */
export function checkFileSize(upload: Pick<AuthorizedUpload, 'minSize' | 'maxSize'>, size: number): void {
  if (size > upload.maxSize) throw new EntityTooLargeError(upload.maxSize, size);
  if (size < upload.minSize) throw new EntityTooSmallError(size, upload.minSize);
}

/**
 * What `${filename}` stands for. AWS: "If the browser or client provides a
 * full or partial path to the file, only the text following the last slash
 * (/) or backslash (\) will be used"; no file name means the empty string.
 */
export function fileBaseName(filename: string | undefined): string {
  if (filename === undefined) return '';
  return filename.slice(Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\')) + 1);
}

function checkConditions(
  conditions: readonly PolicyCondition[],
  fieldValue: (field: string) => string,
): { minSize: number; maxSize: number } {
  let minSize = 0;
  let maxSize = MAX_POST_OBJECT_BYTES;
  for (const condition of conditions) {
    switch (condition.kind) {
      case 'content-length-range':
        // Several ranges all apply: the file must fit their intersection.
        minSize = Math.max(minSize, condition.min);
        maxSize = Math.min(maxSize, condition.max);
        break;
      case 'eq':
        if (fieldValue(condition.field) !== condition.value) throw new PolicyConditionFailedError(condition.text);
        break;
      case 'starts-with':
        if (!fieldValue(condition.field).startsWith(condition.prefix)) throw new PolicyConditionFailedError(condition.text);
        break;
    }
  }
  return { minSize, maxSize };
}

function checkNoExtraFields(fields: FormFields, conditions: readonly PolicyCondition[]): void {
  const named = new Set(conditions.flatMap((condition) => (condition.kind === 'content-length-range' ? [] : [condition.field])));
  const extra = fields
    .all()
    .map(({ name }) => name)
    .filter((name) => !isExemptFromPolicy(name) && !named.has(name.toLowerCase()));
  if (extra.length > 0) throw new ExtraInputFieldsError(extra);
}

/**
 * S3's own key rules (not empty, at most 1024 bytes), plus what s3rver's
 * file-per-object store can hold safely: no "." or ".." segment (it would
 * step out of the bucket's folder), no NUL, no segment too long for a file
 * name. S3 itself allows those; a local stand-in refuses them.
 */
function assertStorableKey(key: string): void {
  if (key === '') throw new InvalidArgumentError('User key must have a length greater than 0.', 'key', '');
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) throw new KeyTooLongError(bytes, MAX_KEY_BYTES);
  const unsafe =
    key.includes('\0') ||
    key
      .split('/')
      .some((segment) => segment === '.' || segment === '..' || Buffer.byteLength(segment, 'utf8') > MAX_STORABLE_SEGMENT_BYTES);
  if (unsafe)
    throw new InvalidArgumentError(
      'The local object store cannot hold this key (a "." or ".." segment, a NUL, or a segment over 233 bytes).',
      'key',
      key,
    );
}

function successAction(fields: FormFields): SuccessAction {
  const redirect = fields.get('success_action_redirect') ?? fields.get('redirect');
  const redirectUrl = redirect === undefined ? undefined : httpUrl(redirect);
  if (redirectUrl !== undefined) return { kind: 'redirect', url: redirectUrl };
  // AWS: any other value (or none) gives an empty 204.
  const status = fields.get('success_action_status');
  return { kind: 'status', status: status === '200' ? 200 : status === '201' ? 201 : 204 };
}

/** The URL, normalized (so it is a legal Location header), when it is an absolute http(s) URL. */
function httpUrl(text: string): string | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
