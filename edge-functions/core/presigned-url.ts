/**
 * SigV4 query presigning of S3 requests (DESIGN §3b): the URLs the browser
 * uses for CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
 * ListParts and AbortMultipartUpload.
 *
 * The output is byte-identical to `getSignedUrl` from
 * @aws-sdk/s3-request-presigner for the same command, clock and headers (a
 * test holds them side by side), with one deliberate choice: the headers
 * listed as signed stay headers. The SDK hoists `x-amz-*` headers into the
 * query string by default, and a hoisted `x-amz-meta-userid` is not enforced
 * by every S3 implementation (radosgw accepted a create whose header the
 * client had changed); as a signed header, S3 refuses any other value.
 * The signing key derivation is the POST signer's (sigv4.ts).
 */
import { createHash } from 'node:crypto';
import type { SigningCredentials } from './edge-config';
import { amzDate, credentialScope, signHex, signingKey, SIGV4_ALGORITHM } from './sigv4';

/** S3 presigned URLs never sign the body: the part bytes are checked by length and Content-MD5. */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** Where the object's URLs point, derived once from config.uploadUrl. */
export interface ObjectEndpoint {
  /** scheme://host[:port], as the URL starts. */
  readonly origin: string;
  /** The Host header the browser will send (port included when not the default). */
  readonly host: string;
  /** '' for virtual-hosted (`<bucket>.s3-accelerate…/`), '/<bucket>' for path-style. */
  readonly pathPrefix: string;
}

export function objectEndpoint(uploadUrl: string): ObjectEndpoint {
  const url = new URL(uploadUrl);
  return { origin: url.origin, host: url.host, pathPrefix: url.pathname.replace(/\/+$/, '') };
}

export interface PresignUrlInput {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  readonly endpoint: ObjectEndpoint;
  readonly key: string;
  /** The operation's own query parameters (uploads, partNumber, uploadId, x-id). */
  readonly query: Readonly<Record<string, string>>;
  /** Headers to sign besides host, lower-case names; the client must send exactly these values. */
  readonly headers: Readonly<Record<string, string>>;
  readonly credentials: SigningCredentials;
  readonly region: string;
  readonly now: Date;
  readonly expiresSeconds: number;
}

export function presignUrl(input: PresignUrlInput): string {
  const { credentials, now } = input;
  const date = amzDate(now);
  const shortDate = date.slice(0, 8);
  const scope = credentialScope(shortDate, input.region, 's3');
  const path = `${input.endpoint.pathPrefix}/${encodeKey(input.key)}`;

  const headers: Record<string, string> = { host: input.endpoint.host };
  for (const [name, value] of Object.entries(input.headers)) headers[name.toLowerCase()] = value;
  const headerNames = Object.keys(headers).sort();
  const signedHeaders = headerNames.join(';');
  let canonicalHeaders = '';
  for (const name of headerNames) canonicalHeaders += `${name}:${canonicalHeaderValue(headers[name] ?? '')}\n`;

  const query: Record<string, string> = {
    ...input.query,
    'X-Amz-Algorithm': SIGV4_ALGORITHM,
    'X-Amz-Content-Sha256': UNSIGNED_PAYLOAD,
    'X-Amz-Credential': `${credentials.accessKeyId}/${scope}`,
    'X-Amz-Date': date,
    'X-Amz-Expires': String(input.expiresSeconds),
    'X-Amz-SignedHeaders': signedHeaders,
  };
  if (credentials.sessionToken !== undefined) query['X-Amz-Security-Token'] = credentials.sessionToken;
  const names = Object.keys(query).sort();
  const canonicalQuery = names.map((name) => `${escapeUri(name)}=${escapeUri(query[name] ?? '')}`).join('&');

  const canonicalRequest = `${input.method}\n${path}\n${canonicalQuery}\n${canonicalHeaders}\n${signedHeaders}\n${UNSIGNED_PAYLOAD}`;
  const stringToSign = `${SIGV4_ALGORITHM}\n${date}\n${scope}\n${createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')}`;
  const signature = signHex(signingKey(credentials.secretAccessKey, shortDate, input.region, 's3'), stringToSign);

  // The URL lists every parameter in the same sorted order, the signature in its place (as the SDK does).
  query['X-Amz-Signature'] = signature;
  const urlQuery = Object.keys(query)
    .sort()
    .map((name) => `${escapeUri(name)}=${escapeUri(query[name] ?? '')}`)
    .join('&');
  return `${input.endpoint.origin}${path}?${urlQuery}`;
}

/** RFC 3986 escaping as SigV4 wants it: everything but unreserved characters. */
export function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Each segment of the key escaped, '/' kept: S3 signs the path as sent, without a second encoding. */
function encodeKey(key: string): string {
  return key.split('/').map(escapeUri).join('/');
}

function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ');
}
