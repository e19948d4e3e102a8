/**
 * "Your files" (docs/http-api.md): the two routes that let a signed-in user
 * list, check, download and delete their own objects, after the shared checks
 * in presign-routes.ts (method, token, media type, body) have passed. As with
 * uploads the edge only signs; the browser talks to S3 itself.
 *
 * - `/presign/files`: two signed ListObjectsV2 URLs, one for `uploads/<sub>/`
 *   and one for `quarantine/<sub>/`. The prefix is part of the signed query,
 *   so neither URL can be widened; an optional continuation token is bound
 *   into both (S3 tokens are opaque; one from the other list is refused by S3
 *   or yields nothing outside the signed prefix).
 * - `/presign/files/access`: for each key, a GetObject URL (with
 *   `response-content-disposition: attachment`, so a download never renders
 *   in the site's origin), a GetObjectTagging URL (the verdict: `verified`,
 *   or the quarantine reason) and a DeleteObject URL.
 *
 * Every key must be one of the caller's own, by the key scheme itself
 * (object-key.ts): `<uploads|quarantine>/<sub>/<yyyy>/<mm>/<dd>/<uuid>/<safe name>`.
 * Anything else is 403 FORBIDDEN_KEY, whatever the reason (another user's
 * prefix, `..`, percent-encoding, look-alike characters, a sub that merely
 * starts with the caller's): matching the whole shape, not just a prefix,
 * refuses every trick without enumerating them.
 */
import { ForbiddenKeyError, InvalidRequestError } from './errors';
import { jsonResponse, type HttpResponse } from './http-response';
import type { PresignDependencies } from './presign-routes';
import { createUrlSigner, escapeUri, objectEndpoint, type ObjectEndpoint, type UrlSignerInput } from './presigned-url';
import { isPlainObject, safeJsonParse } from './safe-json';
import { isoSeconds } from './sigv4';
import type { AccessTokenClaims } from './token-verifier';
import type { EdgeConfig } from './edge-config';
import type { UploadRules } from './upload-rules';
import { MAX_KEYS_PER_ACCESS } from './user-files-limits';

export { MAX_KEYS_PER_ACCESS };

/** Where the inspector moves a rejected upload (origin/inspector: DEFAULT_QUARANTINE_PREFIX; a test holds them equal). */
export const QUARANTINE_PREFIX = 'quarantine/';
/** Objects per list page: one screen of files, and a small S3 answer. */
export const LIST_MAX_KEYS = 100;
/**
 * Continuation tokens are opaque: AWS and s3rver send base64, radosgw the
 * last key itself. Letters, marks, digits and the base64 and key-name
 * punctuation cover them all; the length bounds the answer. Whatever the
 * token says, the prefix stays signed.
 */
const CONTINUATION_TOKEN = /^[\p{L}\p{M}\p{N}+/=._~-]{1,1024}$/u;
/** S3's own limit on a key, in UTF-8 bytes; no key of the scheme comes near it. */
const MAX_KEY_BYTES = 1024;
/** `<yyyy>/<mm>/<dd>/<uuid v4>/<name>`: the part of a key after `<prefix><sub>/` (object-key.ts). */
const KEY_REST = /^\d{4}\/\d{2}\/\d{2}\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\/([^/]+)$/;
/** A name as file-name.ts makes it: letters, marks, digits, `.`, `_`, `-`; never starts with `.`, `_` or `-`; no `..`. */
const SAFE_NAME = /^[\p{L}\p{M}\p{N}][\p{L}\p{M}\p{N}._-]*$/u;

const endpoints = new WeakMap<EdgeConfig, ObjectEndpoint>();
function endpointOf(config: EdgeConfig): ObjectEndpoint {
  let endpoint = endpoints.get(config);
  if (endpoint === undefined) {
    endpoint = objectEndpoint(config.uploadUrl);
    endpoints.set(config, endpoint);
  }
  return endpoint;
}

function parseObject(body: string, shape: string): Record<string, unknown> {
  const parsed = safeJsonParse(body);
  if (!parsed.ok) throw new InvalidRequestError('The body is not valid JSON.');
  if (!isPlainObject(parsed.value)) throw new InvalidRequestError(`The body must be a JSON object${shape}.`);
  return parsed.value;
}

/** The caller's two prefixes, each ending in `/` right after the sub (so `sub` never matches `sub2`). */
export function ownPrefixes(sub: string, rules: UploadRules): readonly [string, string] {
  return [`${rules.keyPrefix}${sub}/`, `${QUARANTINE_PREFIX}${sub}/`];
}

/** `POST /presign/files`. */
export function signFileList(body: string, claims: AccessTokenClaims, deps: PresignDependencies): HttpResponse {
  const input = parseObject(body, ', optionally with a "continuationToken"');
  const token = input.continuationToken;
  if (token !== undefined && (typeof token !== 'string' || !CONTINUATION_TOKEN.test(token))) {
    throw new InvalidRequestError('"continuationToken" must be the NextContinuationToken S3 returned.');
  }
  const now = deps.now();
  const sign = createUrlSigner(urlBase(deps, '', now));
  const [uploads, quarantine] = ownPrefixes(claims.sub, deps.rules);
  const list = (prefix: string) => ({
    method: 'GET',
    url: sign({
      method: 'GET',
      query: {
        'list-type': '2',
        'max-keys': String(LIST_MAX_KEYS),
        prefix,
        ...(token === undefined ? {} : { 'continuation-token': token }),
      },
      headers: {},
    }),
  });
  return jsonResponse(200, { list: list(uploads), quarantined: list(quarantine), expiresAt: expiresAt(deps, now) });
}

/** `POST /presign/files/access`. */
export function signFileAccess(body: string, claims: AccessTokenClaims, deps: PresignDependencies): HttpResponse {
  const input = parseObject(body, ' with "keys"');
  const keys = input.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new InvalidRequestError('"keys" must list at least one key.');
  if (keys.length > MAX_KEYS_PER_ACCESS)
    throw new InvalidRequestError(`At most ${MAX_KEYS_PER_ACCESS} keys per request; got ${keys.length}.`);
  const seen = new Set<string>();
  const names = keys.map((key: unknown, index) => {
    // A missing or empty key names no object: a malformed request, not an attempt on someone's files.
    if (typeof key !== 'string' || key.length === 0) throw new InvalidRequestError(`keys[${index}] must be a non-empty string.`);
    if (seen.has(key)) throw new InvalidRequestError(`keys[${index}] repeats an earlier key.`);
    seen.add(key);
    return ownFileName(key, claims.sub, deps.rules, index);
  });

  const now = deps.now();
  const base = urlBase(deps, '', now);
  const files = keys.map((key: string, index) => {
    const sign = createUrlSigner({ ...base, key });
    return {
      key,
      get: {
        method: 'GET',
        url: sign({
          method: 'GET',
          query: { 'response-content-disposition': attachmentDisposition(names[index] ?? 'download'), 'x-id': 'GetObject' },
          headers: {},
        }),
      },
      tagging: { method: 'GET', url: sign({ method: 'GET', query: { tagging: '' }, headers: {} }) },
      delete: { method: 'DELETE', url: sign({ method: 'DELETE', query: { 'x-id': 'DeleteObject' }, headers: {} }) },
    };
  });
  return jsonResponse(200, { files, expiresAt: expiresAt(deps, now) });
}

/**
 * The file name of one of the caller's own keys, or 403 FORBIDDEN_KEY. The
 * message never echoes the key.
 */
export function ownFileName(key: string, sub: string, rules: UploadRules, index = 0): string {
  const refuse = () => new ForbiddenKeyError(`keys[${index}] is not one of your files.`);
  if (key.length > MAX_KEY_BYTES || Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw refuse();
  const prefix = ownPrefixes(sub, rules).find((candidate) => key.startsWith(candidate));
  const name = prefix === undefined ? undefined : schemeFileName(key, prefix, rules);
  if (name === undefined) throw refuse();
  return name;
}

/**
 * The file name of `key` when it is `<prefix><yyyy>/<mm>/<dd>/<uuid>/<safe name>`,
 * a key object-key.ts could have built under `prefix` (which ends in `<sub>/`);
 * otherwise undefined. Shared with the multipart parts route, which holds a
 * ticket's key to the same shape.
 */
export function schemeFileName(key: string, prefix: string, rules: UploadRules): string | undefined {
  if (!key.startsWith(prefix) || key.length > MAX_KEY_BYTES || Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return undefined;
  const name = KEY_REST.exec(key.slice(prefix.length))?.[1];
  if (
    name === undefined ||
    !SAFE_NAME.test(name) ||
    name.includes('..') ||
    name.normalize('NFC') !== name ||
    Buffer.byteLength(name, 'utf8') > rules.maxFileNameBytes
  ) {
    return undefined;
  }
  return name;
}

/**
 * `attachment` with the name twice (RFC 6266): an ASCII fallback in quotes
 * for old clients, and the exact UTF-8 name in RFC 5987 `filename*`. Safe
 * names hold no quote, backslash or separator; the fallback still keeps
 * only ASCII letters, digits and `._-`, and `filename*` escapes every
 * character outside RFC 3986's unreserved set (a subset of RFC 5987's attr-char).
 */
export function attachmentDisposition(name: string): string {
  const fallback = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${escapeUri(name)}`;
}

function urlBase(deps: PresignDependencies, key: string, now: Date): UrlSignerInput {
  return {
    endpoint: endpointOf(deps.config),
    key,
    credentials: deps.credentials(),
    region: deps.config.region,
    now,
    expiresSeconds: deps.config.policyTtlSeconds,
  };
}

function expiresAt(deps: PresignDependencies, now: Date): string {
  return isoSeconds(new Date(now.getTime() + deps.config.policyTtlSeconds * 1000));
}
