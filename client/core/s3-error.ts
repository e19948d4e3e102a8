/**
 * S3's answers to a refused POST are XML (`<Error><Code>…</Code><Message>…`).
 * This reads one without a DOM (the same code runs in the unit tests) and
 * says what happened in words a person can act on. S3's own code, message
 * and request id are kept on the error for the details line.
 */
import { S3ServiceError } from './errors';
import { unescapeXml } from './xml-text';

export interface S3ErrorDocument {
  readonly code: string | undefined;
  readonly message: string | undefined;
  readonly requestId: string | undefined;
}

/** The `<Error>` document's fields; all undefined when the text is not one. */
export function parseS3ErrorXml(text: string): S3ErrorDocument {
  const error = /<Error\b[^>]*>([\s\S]*?)<\/Error>/.exec(text)?.[1];
  if (error === undefined) return { code: undefined, message: undefined, requestId: undefined };
  return { code: child(error, 'Code'), message: child(error, 'Message'), requestId: child(error, 'RequestId') };
}

function child(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return match?.[1] === undefined ? undefined : unescapeXml(match[1]).trim();
}

/** S3 codes that mean "try again later": the service, not the request, had a problem. */
const TRANSIENT_CODES = new Set([
  'InternalError',
  'ServiceUnavailable',
  'SlowDown',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'OperationAborted',
]);

/** The readable sentence for each S3 code the upload path can meet (a Map: a code is text from the network). */
const READABLE: ReadonlyMap<string, string> = new Map(
  Object.entries({
    AccessDenied: 'The storage service refused the upload: its permission did not match this file or had expired.',
    SignatureDoesNotMatch: 'The storage service did not accept the upload permission.',
    InvalidAccessKeyId: 'The storage service did not accept the upload permission.',
    InvalidToken: 'The storage service did not accept the upload permission.',
    ExpiredToken: 'The upload permission expired before the file was sent.',
    InvalidPolicyDocument: 'The storage service did not accept the upload permission.',
    AuthorizationQueryParametersError: 'The storage service did not accept the upload permission.',
    EntityTooLarge: 'The file is larger than when it was chosen. If it changed on disk, choose it again.',
    EntityTooSmall: 'The file is smaller than when it was chosen. If it changed on disk, choose it again.',
    IncorrectNumberOfFilesInPostRequest: 'The upload form was not well-formed.',
    MalformedPOSTRequest: 'The upload form was not well-formed.',
    MaxPostPreDataLengthExceededError: 'The upload form was not well-formed.',
    InvalidArgument: 'The upload form was not well-formed.',
    KeyTooLongError: 'The file name is too long for the storage service.',
    NoSuchBucket: 'The upload destination does not exist. Please tell the site owner.',
    AccessForbidden: 'The storage service does not accept uploads from this site (CORS). Please tell the site owner.',
    InternalError: 'The storage service had an internal error.',
    ServiceUnavailable: 'The storage service is unavailable right now.',
    SlowDown: 'The storage service is busy right now.',
    RequestTimeout: 'The storage service stopped waiting for the file; the connection may be too slow.',
    RequestTimeTooSkewed: "This device's clock is too far off for the storage service.",
  }),
);

/** An S3ServiceError for a non-2xx answer to a POST upload: readable message, S3's fields kept. */
export function s3ErrorFromResponse(status: number, body: string): S3ServiceError {
  const doc = parseS3ErrorXml(body);
  const code = doc.code;
  const readable = code !== undefined ? READABLE.get(code) : undefined;
  const message =
    readable ??
    (code !== undefined
      ? `The storage service refused the upload (${code}).`
      : status >= 500
        ? `The storage service had a problem (HTTP ${status}).`
        : `The storage service refused the upload (HTTP ${status}).`);
  const transient = status >= 500 || (code !== undefined && TRANSIENT_CODES.has(code));
  return new S3ServiceError({
    status,
    message,
    transient,
    ...(code === undefined ? {} : { code }),
    ...(doc.message === undefined ? {} : { s3Message: doc.message }),
    ...(doc.requestId === undefined ? {} : { requestId: doc.requestId }),
  });
}
