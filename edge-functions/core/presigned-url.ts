/**
 * SigV4 query presigning of S3 requests (docs/large-files.md): the URLs the browser
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

/** What every URL of one answer shares: where, who signs, when, for how long. */
export interface UrlSignerInput {
  readonly endpoint: ObjectEndpoint;
  readonly key: string;
  readonly credentials: SigningCredentials;
  readonly region: string;
  readonly now: Date;
  readonly expiresSeconds: number;
}

/** One URL: the operation's method, its own query parameters and its signed headers. */
export interface UrlRequest {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** The operation's own query parameters (uploads, partNumber, uploadId, x-id). */
  readonly query: Readonly<Record<string, string>>;
  /** Headers to sign besides host; the client must send exactly these values. */
  readonly headers: Readonly<Record<string, string>>;
}

export type PresignUrlInput = UrlSignerInput & UrlRequest;

export function presignUrl(input: PresignUrlInput): string {
  return createUrlSigner(input)(input);
}

/**
 * A signer for the URLs of one object at one instant. A parts answer signs
 * 13 URLs that share the date, scope, signing key, the ~1 KB session token
 * and the key: those are derived and escaped once here, not per URL.
 */
export function createUrlSigner(input: UrlSignerInput): (request: UrlRequest) => string {
  const { credentials } = input;
  const date = amzDate(input.now);
  const shortDate = date.slice(0, 8);
  const scope = credentialScope(shortDate, input.region, 's3');
  const key = signingKey(credentials.secretAccessKey, shortDate, input.region, 's3');
  // Each segment of the key escaped, '/' kept: S3 signs the path as sent, without a second encoding.
  const path = `${input.endpoint.pathPrefix}/${input.key.split('/').map(escapeUri).join('/')}`;
  const host = input.endpoint.host;
  const common: [string, string][] = [
    ['X-Amz-Algorithm', SIGV4_ALGORITHM],
    ['X-Amz-Content-Sha256', UNSIGNED_PAYLOAD],
    ['X-Amz-Credential', escapeUri(`${credentials.accessKeyId}/${scope}`)],
    ['X-Amz-Date', date],
    ['X-Amz-Expires', String(input.expiresSeconds)],
  ];
  if (credentials.sessionToken !== undefined) common.push(['X-Amz-Security-Token', escapeUri(credentials.sessionToken)]);
  const prefix = `\n${path}\n`;
  const stringToSignPrefix = `${SIGV4_ALGORITHM}\n${date}\n${scope}\n`;

  return (request) => {
    const headers: Record<string, string> = { host };
    for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
    const headerNames = Object.keys(headers).sort();
    const signedHeaders = headerNames.join(';');
    let canonicalHeaders = '';
    for (const name of headerNames) canonicalHeaders += `${name}:${canonicalHeaderValue(headers[name] ?? '')}\n`;

    const pairs: [string, string][] = [...common, ['X-Amz-SignedHeaders', escapeUri(signedHeaders)]];
    for (const [name, value] of Object.entries(request.query)) pairs.push([escapeUri(name), escapeUri(value)]);
    // Sorted by name; one list serves the canonical query and the URL (the SDK lists the URL's
    // parameters in the same order, the signature in its sorted place).
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const canonicalQuery = pairs.map(([name, value]) => `${name}=${value}`).join('&');

    const canonicalRequest = `${request.method}${prefix}${canonicalQuery}\n${canonicalHeaders}\n${signedHeaders}\n${UNSIGNED_PAYLOAD}`;
    const signature = signHex(key, `${stringToSignPrefix}${createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')}`);

    let at = 0;
    while (at < pairs.length && (pairs[at]?.[0] ?? '') < 'X-Amz-Signature') at++;
    pairs.splice(at, 0, ['X-Amz-Signature', signature]);
    return `${input.endpoint.origin}${path}?${pairs.map(([name, value]) => `${name}=${value}`).join('&')}`;
  };
}

const UNRESERVED = /^[A-Za-z0-9._~-]*$/;

/** RFC 3986 escaping as SigV4 wants it: everything but unreserved characters. */
export function escapeUri(text: string): string {
  if (UNRESERVED.test(text)) return text;
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ');
}
