/**
 * The two multipart routes (docs/large-files.md), after the shared checks in
 * presign-routes.ts (method, token, media type, body) have passed:
 *
 * - `/presign/multipart`: validates the file as `/presign` does, names its
 *   key, plans its parts, issues the ticket and signs the CreateMultipartUpload
 *   URL with the type, owner and encryption as signed headers;
 * - `/presign/multipart/parts`: checks the ticket against the token's sub and
 *   the request's key, and what it claims against the upload rules (see
 *   checkTicketClaims), then signs UploadPart URLs (each part's exact length,
 *   and its Content-MD5 when given, as signed headers) and the upload's
 *   complete, list and abort URLs; the list URL starts after
 *   `listPartNumberMarker` when one is given (the next page of ListParts).
 *
 * No S3 call and no state: everything the second route needs is in the ticket.
 */
import type { EdgeConfig } from './edge-config';
import { InvalidRequestError, InvalidTicketError } from './errors';
import { jsonResponse, type HttpResponse } from './http-response';
import { signTicket, TICKET_TTL_SECONDS, verifyTicket, type TicketClaims } from './multipart-ticket';
import { buildObjectKey } from './object-key';
import { partLength, planParts } from './part-plan';
import type { PresignDependencies } from './presign-routes';
import { isMd5Base64, validateFile } from './presign-request';
import { createUrlSigner, objectEndpoint, type ObjectEndpoint, type UrlSignerInput } from './presigned-url';
import { isPlainObject, safeJsonParse } from './safe-json';
import { isoSeconds } from './sigv4';
import type { AccessTokenClaims } from './token-verifier';
import { ruleForType, type UploadRules } from './upload-rules';
import { schemeFileName } from './user-files';

/**
 * S3 upload ids are opaque. AWS's are base64url-like (letters, digits, `.`,
 * `_`, `-`, ~100–200 characters), radosgw's are `2~` + 32 characters, s3rver's
 * 32 hex digits. We accept RFC 3986 unreserved characters only, at most 256:
 * they need no escaping, so they cannot smuggle a query separator or change
 * what is signed, and 256 keeps the largest parts response within the 40 KB
 * edge limit (a test holds it there).
 */
const UPLOAD_ID = /^[A-Za-z0-9._~-]{1,256}$/;
/** The key scheme's longest key is well under this (prefix, sub, date, id, 128-byte name). */
const MAX_KEY_LENGTH = 1024;
/**
 * Lifetime of the CreateMultipartUpload URL (at most; never longer than
 * partUrlTtlSeconds). The URL can be replayed while it lives, and each replay
 * opens another incomplete upload under the key, so it lives only as long as
 * the client needs to send it: the client sends it right after the start
 * answer, retries included that is a few seconds. A client that misses it
 * starts again with /presign/multipart. The part, complete, list and abort
 * URLs keep partUrlTtlSeconds: a part may wait its turn behind others.
 */
export const CREATE_URL_TTL_SECONDS = 60;

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
  if (!isPlainObject(parsed.value)) throw new InvalidRequestError(`The body must be a JSON object with ${shape}.`);
  return parsed.value;
}

/** `POST /presign/multipart`. */
export function startMultipart(body: string, claims: AccessTokenClaims, deps: PresignDependencies): HttpResponse {
  const { config, rules } = deps;
  const input = parseObject(body, 'a "file" object');
  // Same rules and errors as /presign. Any size the type admits is allowed,
  // also one a POST form could carry (the client may prefer resumable parts).
  // A whole-file md5 is checked for shape but cannot be bound: S3 checks MD5 per part.
  const file = validateFile(input.file, undefined, rules);

  const now = deps.now();
  const id = file.id ?? deps.newId();
  const key = buildObjectKey({ prefix: rules.keyPrefix, sub: claims.sub, now, id, safeName: file.safeName });
  const plan = planParts(file.size);
  const exp = Math.floor(now.getTime() / 1000) + TICKET_TTL_SECONDS;
  const ticket = signTicket({ sub: claims.sub, key, type: file.type, size: file.size, ...plan, exp }, config.multipartTicketKeys);

  // Every one of these is a signed header (not hoisted into the query): S3 refuses another type, owner or encryption.
  const headers = {
    'Content-Type': file.type,
    'x-amz-meta-userid': claims.sub,
    'x-amz-server-side-encryption': 'aws:kms',
    'x-amz-server-side-encryption-aws-kms-key-id': config.kmsKeyId,
  };
  const createBase = urlBase(config, key, now, deps);
  const url = createUrlSigner({ ...createBase, expiresSeconds: Math.min(CREATE_URL_TTL_SECONDS, createBase.expiresSeconds) })({
    method: 'POST',
    query: { uploads: '' },
    headers,
  });
  return jsonResponse(200, {
    id,
    key,
    partSize: plan.partSize,
    partCount: plan.partCount,
    ticket,
    ticketExpiresAt: isoSeconds(new Date(exp * 1000)),
    create: { method: 'POST', url, headers },
  });
}

/**
 * ListParts' query. S3 answers at most 1,000 parts per call; the next page
 * starts after `part-number-marker`, which is signed like every other
 * parameter, so the URL lists that page and no other (a client changing the
 * marker breaks the signature). Without a marker the query is the first page's,
 * as before. The signer sorts the parameters, so the URL is the SDK's
 * (`part-number-marker` before `uploadId`).
 */
function listQuery(uploadId: string, marker: number | undefined): Record<string, string> {
  const query: Record<string, string> = { uploadId, 'x-id': 'ListParts' };
  if (marker !== undefined) query['part-number-marker'] = String(marker);
  return query;
}

interface RequestedPart {
  readonly partNumber: number;
  readonly md5: string | undefined;
}

/** `POST /presign/multipart/parts`. */
export function signPartUrls(body: string, claims: AccessTokenClaims, deps: PresignDependencies): HttpResponse {
  const { config, rules } = deps;
  const input = parseObject(body, '"key", "uploadId", "ticket" and "parts"');
  const { key, uploadId, ticket } = input;
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH)
    throw new InvalidRequestError('"key" must be the key /presign/multipart returned.');
  if (typeof uploadId !== 'string' || !UPLOAD_ID.test(uploadId))
    throw new InvalidRequestError('"uploadId" must be the UploadId S3 returned.');
  if (typeof ticket !== 'string') throw new InvalidRequestError('"ticket" must be the ticket /presign/multipart returned.');
  const parts = parseParts(input.parts, rules.maxPartsPerRequest);
  const marker = parseListMarker(input.listPartNumberMarker);

  const now = deps.now();
  const plan = verifyTicket(ticket, { sub: claims.sub, key, now }, config.multipartTicketKeys);
  checkTicketClaims(plan, rules);
  for (const [index, part] of parts.entries()) {
    if (part.partNumber > plan.partCount) {
      throw new InvalidRequestError(`parts[${index}]: this upload has parts 1 to ${plan.partCount}.`);
    }
  }
  // A marker at or past the last part can only list nothing: refused, like a part number past partCount.
  if (marker !== undefined && marker >= plan.partCount) {
    throw new InvalidRequestError(
      plan.partCount === 1
        ? `"listPartNumberMarker": this upload has one part, so no page of ListParts starts after a marker.`
        : `"listPartNumberMarker": this upload has parts 1 to ${plan.partCount}, so a marker is from 1 to ${plan.partCount - 1}.`,
    );
  }

  const sign = createUrlSigner(urlBase(config, key, now, deps));
  const signedParts = parts.map((part) => {
    const size = partLength(plan, part.partNumber);
    const headers: Record<string, string> = part.md5 === undefined ? {} : { 'Content-MD5': part.md5 };
    const url = sign({
      method: 'PUT',
      query: { partNumber: String(part.partNumber), uploadId, 'x-id': 'UploadPart' },
      // content-length is signed too: S3 refuses a part of any other length. The browser sets it itself.
      headers: { 'content-length': String(size), ...headers },
    });
    return { partNumber: part.partNumber, size, url, headers };
  });
  return jsonResponse(200, {
    parts: signedParts,
    complete: { method: 'POST', url: sign({ method: 'POST', query: { uploadId }, headers: {} }) },
    list: { method: 'GET', url: sign({ method: 'GET', query: listQuery(uploadId, marker), headers: {} }) },
    abort: { method: 'DELETE', url: sign({ method: 'DELETE', query: { uploadId, 'x-id': 'AbortMultipartUpload' }, headers: {} }) },
    expiresAt: isoSeconds(new Date(now.getTime() + config.partUrlTtlSeconds * 1000)),
  });
}

/**
 * A genuine ticket is trusted only as far as the start route could have
 * issued it. The MAC proves the edge's key signed it, but that key sits in the
 * function package (readable to anyone with lambda:GetFunction, in every old
 * version); with it one could mint a ticket for any size and partSize and get
 * part URLs far past the type's limit, up to 5 GiB each. So the claims must be
 * what /presign/multipart would have written: the sub's own key in the key
 * scheme (the same shape the "your files" routes accept), an allowed type that
 * the name's extension belongs to, a size within that type's limit, and
 * exactly planParts(size). Every mismatch is the one 403 INVALID_TICKET;
 * `reason` names the check for the log. (verifyTicket has already matched the
 * ticket's sub and key to the token and the request.)
 */
function checkTicketClaims(ticket: TicketClaims, rules: UploadRules): void {
  const name = schemeFileName(ticket.key, `${rules.keyPrefix}${ticket.sub}/`, rules);
  if (name === undefined) throw new InvalidTicketError('key-off-scheme');
  const rule = ruleForType(rules, ticket.type);
  if (rule === undefined) throw new InvalidTicketError('type-not-allowed');
  // As file-name.ts names it: the lower-case text after the last dot; a safe name never starts with a dot.
  const dot = name.lastIndexOf('.');
  if (!rule.extensions.includes(dot > 0 ? name.slice(dot + 1) : '')) throw new InvalidTicketError('extension-not-of-type');
  if (ticket.size > rule.maxBytes) throw new InvalidTicketError('over-type-limit');
  const plan = planParts(ticket.size);
  if (ticket.partSize !== plan.partSize || ticket.partCount !== plan.partCount) throw new InvalidTicketError('off-plan');
}

function parseParts(input: unknown, maxPartsPerRequest: number): RequestedPart[] {
  if (!Array.isArray(input) || input.length === 0) throw new InvalidRequestError('"parts" must list at least one part.');
  if (input.length > maxPartsPerRequest) {
    throw new InvalidRequestError(`At most ${maxPartsPerRequest} parts per request; got ${input.length}.`);
  }
  const seen = new Set<number>();
  return input.map((part: unknown, index) => {
    if (!isPlainObject(part)) throw new InvalidRequestError(`parts[${index}] must be an object.`);
    const { partNumber, md5 } = part;
    if (typeof partNumber !== 'number' || !Number.isSafeInteger(partNumber) || partNumber < 1) {
      throw new InvalidRequestError(`parts[${index}] needs a "partNumber" from 1 to the upload's part count.`);
    }
    if (seen.has(partNumber)) throw new InvalidRequestError(`parts[${index}] repeats part ${partNumber}.`);
    seen.add(partNumber);
    if (md5 !== undefined && !isMd5Base64(md5)) {
      throw new InvalidRequestError(`parts[${index}] has an "md5" that is not the base64 of a 16-byte MD5 digest.`);
    }
    return { partNumber, md5 };
  });
}

/** The optional `listPartNumberMarker`: the NextPartNumberMarker of the ListParts page before (its upper bound needs the ticket). */
function parseListMarker(input: unknown): number | undefined {
  if (input === undefined) return undefined;
  if (typeof input !== 'number' || !Number.isSafeInteger(input) || input < 1) {
    throw new InvalidRequestError(
      '"listPartNumberMarker", when given, must be a whole number from 1 to the part count less one: the NextPartNumberMarker of the ListParts page before.',
    );
  }
  return input;
}

function urlBase(config: EdgeConfig, key: string, now: Date, deps: PresignDependencies): UrlSignerInput {
  return {
    endpoint: endpointOf(config),
    key,
    credentials: deps.credentials(),
    region: config.region,
    now,
    expiresSeconds: config.partUrlTtlSeconds,
  };
}
