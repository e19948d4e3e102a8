/**
 * The XML documents the guard answers with, in S3's shapes: the one mapper
 * from any thrown value to an `<Error>` document, and the `<PostResponse>` of
 * a successful upload with `success_action_status` 201.
 */
import { randomBytes } from 'node:crypto';
import { InternalError, PostGuardError } from './errors';

export interface XmlResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** Escapes text for an XML element; characters XML 1.0 cannot carry at all are dropped. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function element(name: string, value: string): string {
  return `<${name}>${xmlEscape(value)}</${name}>`;
}

/** A request id in S3's style (16 upper-case hex characters). */
export function newRequestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

/**
 * The one place a thrown value becomes a response. A PostGuardError is sent
 * with its own code, status, message and details; anything else is a bug and
 * becomes 500 InternalError without a word of its own message.
 */
export function errorResponse(error: unknown, requestId: string): XmlResponse {
  const known = error instanceof PostGuardError ? error : new InternalError();
  const body =
    XML_DECLARATION +
    '<Error>' +
    element('Code', known.code) +
    element('Message', known.message) +
    known.details.map(([name, value]) => element(name, value)).join('') +
    element('RequestId', requestId) +
    element('HostId', hostId(requestId)) +
    '</Error>';
  return {
    status: known.status,
    headers: { 'Content-Type': 'application/xml', 'x-amz-request-id': requestId, 'x-amz-id-2': hostId(requestId) },
    body,
  };
}

export interface PostResponseFields {
  readonly location: string;
  readonly bucket: string;
  readonly key: string;
  /** Quoted, as S3 sends it: "d41d8cd98f00b204e9800998ecf8427e". */
  readonly etag: string;
}

export function postResponseXml(fields: PostResponseFields): string {
  return (
    XML_DECLARATION +
    '<PostResponse>' +
    element('Location', fields.location) +
    element('Bucket', fields.bucket) +
    element('Key', fields.key) +
    element('ETag', fields.etag) +
    '</PostResponse>'
  );
}

function hostId(requestId: string): string {
  return Buffer.from(`edge-upload-local-guard/${requestId}`).toString('base64');
}
