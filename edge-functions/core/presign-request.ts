/**
 * Validation of the `/presign` body (docs/http-api.md). Input is `unknown` until
 * checked here; output is a list of files that obey the upload rules.
 */
import { EmptyFileError, FileTooLargeError, InvalidRequestError, UnsupportedTypeError, UseMultipartError } from './errors';
import { sanitizeFileName } from './file-name';
import { normalizeUploadId } from './object-key';
import { isPlainObject, safeJsonParse } from './safe-json';
import { formatBytes, ruleForType, type UploadRules } from './upload-rules';

export interface ValidFile {
  /** The name the client sent, for messages. */
  readonly originalName: string;
  readonly safeName: string;
  readonly size: number;
  /** Lower-case, parameter-free Content-Type from the rules table. */
  readonly type: string;
  /** Normalized client id, or undefined when the edge must choose one. */
  readonly id: string | undefined;
  /** Base64 MD5 of the whole file, when the client sent one (docs/post-policy-and-keys.md "Integrity"). */
  readonly md5: string | undefined;
}

/** Base64 of exactly 16 bytes, canonical: 22 characters and "==". */
const MD5_BASE64 = /^[A-Za-z0-9+/]{21}[AQgw]==$/;

export function isMd5Base64(value: unknown): value is string {
  return typeof value === 'string' && MD5_BASE64.test(value);
}

export function parsePresignBody(body: string, rules: UploadRules): ValidFile[] {
  const parsed = safeJsonParse(body);
  if (!parsed.ok) throw new InvalidRequestError('The body is not valid JSON.');
  return validatePresignRequest(parsed.value, rules);
}

export function validatePresignRequest(input: unknown, rules: UploadRules): ValidFile[] {
  if (!isPlainObject(input)) throw new InvalidRequestError('The body must be a JSON object with a "files" array.');
  const { files } = input;
  if (!Array.isArray(files)) throw new InvalidRequestError('"files" must be an array.');
  if (files.length === 0) throw new InvalidRequestError('"files" must list at least one file.');
  if (files.length > rules.maxFilesPerRequest) {
    throw new InvalidRequestError(`At most ${rules.maxFilesPerRequest} files per request; got ${files.length}.`);
  }

  const seenIds = new Set<string>();
  return files.map((file: unknown, index) => {
    const valid = validateFile(file, index, rules);
    // Allowed, but too big for one POST form (S3 takes at most 5 GiB that way, and a
    // multipart upload can resume): the client must switch to /presign/multipart.
    if (valid.size > rules.postMaxBytes) {
      throw new UseMultipartError(
        `${valid.safeName} is larger than ${formatBytes(rules.postMaxBytes, 'limit')}: upload it as a multipart upload (POST /presign/multipart).`,
        index,
      );
    }
    if (valid.id !== undefined) {
      if (seenIds.has(valid.id)) throw new InvalidRequestError(`File ${index} repeats the id of an earlier file.`, index);
      seenIds.add(valid.id);
    }
    return valid;
  });
}

/** One file spec of `/presign` (index into `files`) or `/presign/multipart` (index undefined). */
export function validateFile(file: unknown, index: number | undefined, rules: UploadRules): ValidFile {
  const what = index === undefined ? 'The file' : `File ${index}`;
  if (!isPlainObject(file)) throw new InvalidRequestError(`${what} must be an object.`, index);
  const { name, size, type, id, md5 } = file;

  // An empty string is a name that is empty after sanitizing: INVALID_FILENAME, below.
  if (typeof name !== 'string') {
    throw new InvalidRequestError(`${what} needs a "name" string.`, index);
  }
  if (typeof type !== 'string' || type.length === 0) {
    throw new InvalidRequestError(`${what} needs a "type" string.`, index);
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new InvalidRequestError(`${what} needs a "size" that is a whole number of bytes.`, index);
  }
  let uploadId: string | undefined;
  if (id !== undefined) {
    uploadId = typeof id === 'string' ? normalizeUploadId(id) : undefined;
    if (uploadId === undefined) throw new InvalidRequestError(`${what} has an "id" that is not a UUID v4.`, index);
  }
  if (md5 !== undefined && !isMd5Base64(md5)) {
    throw new InvalidRequestError(`${what} has an "md5" that is not the base64 of a 16-byte MD5 digest.`, index);
  }

  const safe = sanitizeFileName(name, rules.maxFileNameBytes, index);
  const label = safe.name;
  const normalizedType = type.trim().toLowerCase();
  const rule = ruleForType(rules, normalizedType);
  if (rule === undefined) {
    throw new UnsupportedTypeError(
      `${label}: files of this type are not accepted; allowed types are ${Object.keys(rules.types).join(', ')}.`,
      index,
    );
  }
  if (!rule.extensions.includes(safe.extension)) {
    const expected = rule.extensions.map((e) => `.${e}`).join(' or ');
    throw new UnsupportedTypeError(`${label}: a ${normalizedType} file must end in ${expected}.`, index);
  }
  if (size === 0) throw new EmptyFileError(`${label} is empty.`, index);
  if (size > rule.maxBytes) {
    throw new FileTooLargeError(
      `${label} is ${formatBytes(size)}; the limit for ${normalizedType} is ${formatBytes(rule.maxBytes, 'limit')}.`,
      index,
    );
  }
  return { originalName: name, safeName: safe.name, size, type: normalizedType, id: uploadId, md5 };
}
