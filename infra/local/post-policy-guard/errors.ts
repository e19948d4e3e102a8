/**
 * The one error hierarchy of the POST-policy guard.
 *
 * Every refusal the guard can make on purpose is a subclass of PostGuardError
 * carrying the S3 error `code` and HTTP `status` that Amazon S3 documents for
 * that case, a message in S3's words, and any extra elements S3 puts in the
 * XML body (`details`). The one mapper in s3-xml.ts (`errorResponse`) turns any thrown value
 * into S3's `<Error>` document; anything that is not a PostGuardError is a bug
 * and becomes a generic 500 InternalError.
 */

/** Extra child elements of `<Error>`, in order (e.g. ProposedSize, MaxSizeAllowed). */
export type ErrorDetails = ReadonlyArray<readonly [string, string]>;

export abstract class PostGuardError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  readonly details: ErrorDetails;

  constructor(message: string, details: ErrorDetails = []) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

// ---- 403: authorization and policy --------------------------------------

/** No policy, or a refusal S3 gives without detail. */
export class AccessDeniedError extends PostGuardError {
  readonly code = 'AccessDenied';
  readonly status = 403;
}

export class PolicyExpiredError extends PostGuardError {
  readonly code = 'AccessDenied';
  readonly status = 403;
  readonly expiration: string;

  constructor(expiration: string) {
    super('Invalid according to Policy: Policy expired.');
    this.expiration = expiration;
  }
}

export class PolicyConditionFailedError extends PostGuardError {
  readonly code = 'AccessDenied';
  readonly status = 403;
  /** The condition as S3 prints it, e.g. ["eq", "$key", "uploads/a.png"]. */
  readonly condition: string;

  constructor(condition: string) {
    super(`Invalid according to Policy: Policy Condition failed: ${condition}`);
    this.condition = condition;
  }
}

export class ExtraInputFieldsError extends PostGuardError {
  readonly code = 'AccessDenied';
  readonly status = 403;
  readonly fields: readonly string[];

  constructor(fields: readonly string[]) {
    super(`Invalid according to Policy: Extra input fields: ${fields.join(', ')}`);
    this.fields = fields;
  }
}

export class SignatureDoesNotMatchError extends PostGuardError {
  readonly code = 'SignatureDoesNotMatch';
  readonly status = 403;

  /** `stringToSign` is left out where the verifier does not build it itself (signed requests: @smithy/signature-v4 does). */
  constructor(accessKeyId: string, stringToSign: string | undefined, signatureProvided: string) {
    super('The request signature we calculated does not match the signature you provided. Check your key and signing method.', [
      ['AWSAccessKeyId', accessKeyId],
      ...(stringToSign === undefined ? [] : ([['StringToSign', stringToSign]] as const)),
      ['SignatureProvided', signatureProvided],
    ]);
  }
}

export class InvalidAccessKeyIdError extends PostGuardError {
  readonly code = 'InvalidAccessKeyId';
  readonly status = 403;

  constructor(accessKeyId: string) {
    super('The AWS Access Key Id you provided does not exist in our records.', [['AWSAccessKeyId', accessKeyId]]);
  }
}

/** A presigned URL past X-Amz-Date + X-Amz-Expires. */
export class RequestExpiredError extends PostGuardError {
  readonly code = 'AccessDenied';
  readonly status = 403;

  constructor(expiresSeconds: string, expires: string, serverTime: string) {
    super('Request has expired', [
      ['X-Amz-Expires', expiresSeconds],
      ['Expires', expires],
      ['ServerTime', serverTime],
    ]);
  }
}

/** A header-signed request whose X-Amz-Date is more than 15 minutes from the clock. */
export class RequestTimeTooSkewedError extends PostGuardError {
  readonly code = 'RequestTimeTooSkewed';
  readonly status = 403;

  constructor(requestTime: string, serverTime: string) {
    super('The difference between the request time and the current time is too large.', [
      ['RequestTime', requestTime],
      ['ServerTime', serverTime],
      ['MaxAllowedSkewMilliseconds', '900000'],
    ]);
  }
}

/** x-amz-* headers the signature does not cover: S3 refuses them rather than let them change the request. */
export class HeadersNotSignedError extends PostGuardError {
  readonly code = 'AccessDenied';
  readonly status = 403;

  constructor(headers: readonly string[]) {
    super('There were headers present in the request which were not signed', [['HeadersNotSigned', headers.join(', ')]]);
  }
}

/** A CORS preflight from an origin (or for a method) the configuration does not allow. */
export class CorsForbiddenError extends PostGuardError {
  readonly code = 'AccessForbidden';
  readonly status = 403;

  constructor(method: string) {
    super(
      "CORSResponse: This CORS request is not allowed. This is usually because the evaluation of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
      [
        ['Method', method],
        ['ResourceType', 'BUCKET'],
      ],
    );
  }
}

// ---- 400: the request itself --------------------------------------------

export class InvalidArgumentError extends PostGuardError {
  readonly code = 'InvalidArgument';
  readonly status = 400;

  constructor(message: string, argumentName?: string, argumentValue?: string) {
    const details: [string, string][] = [];
    if (argumentName !== undefined) details.push(['ArgumentName', argumentName]);
    if (argumentValue !== undefined) details.push(['ArgumentValue', argumentValue]);
    super(message, details);
  }
}

/** The form names no object key (missing, or sent after the file). */
export class MissingKeyFieldError extends InvalidArgumentError {
  constructor() {
    super("Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", 'key', '');
  }
}

export class AuthorizationHeaderMalformedError extends PostGuardError {
  readonly code = 'AuthorizationHeaderMalformed';
  readonly status = 400;
}

/** Content-MD5 (or an x-amz-checksum-*) that is not the body's. */
export class BadDigestError extends PostGuardError {
  readonly code = 'BadDigest';
  readonly status = 400;
}

/** Content-MD5 that is not the base64 of 16 bytes. */
export class InvalidDigestError extends PostGuardError {
  readonly code = 'InvalidDigest';
  readonly status = 400;

  constructor() {
    super('The Content-MD5 you specified was invalid.');
  }
}

export class ContentSha256MismatchError extends PostGuardError {
  readonly code = 'XAmzContentSHA256Mismatch';
  readonly status = 400;

  constructor(clientHash: string, computedHash: string) {
    super("The provided 'x-amz-content-sha256' header does not match what was computed.", [
      ['ClientComputedContentSHA256', clientHash],
      ['S3ComputedContentSHA256', computedHash],
    ]);
  }
}

/** A body that is not what its headers say (aws-chunked framing, length). */
export class IncompleteBodyError extends PostGuardError {
  readonly code = 'IncompleteBody';
  readonly status = 400;

  constructor() {
    super('You did not provide the number of bytes specified by the Content-Length HTTP header');
  }
}

export class InvalidRequestError extends PostGuardError {
  readonly code = 'InvalidRequest';
  readonly status = 400;
}

export class InvalidPolicyDocumentError extends PostGuardError {
  readonly code = 'InvalidPolicyDocument';
  readonly status = 400;
}

export class AuthorizationQueryParametersError extends PostGuardError {
  readonly code = 'AuthorizationQueryParametersError';
  readonly status = 400;
}

export class InvalidTokenError extends PostGuardError {
  readonly code = 'InvalidToken';
  readonly status = 400;

  constructor() {
    super('The provided token is malformed or otherwise invalid.');
  }
}

export class EntityTooLargeError extends PostGuardError {
  readonly code = 'EntityTooLarge';
  readonly status = 400;

  /** `proposedSize` is unknown when the upload was cut off as soon as it passed the limit. */
  constructor(maxSizeAllowed: number, proposedSize?: number) {
    super('Your proposed upload exceeds the maximum allowed size', [
      ...(proposedSize === undefined ? [] : ([['ProposedSize', String(proposedSize)]] as const)),
      ['MaxSizeAllowed', String(maxSizeAllowed)],
    ]);
  }
}

export class EntityTooSmallError extends PostGuardError {
  readonly code = 'EntityTooSmall';
  readonly status = 400;

  constructor(proposedSize: number, minSizeAllowed: number) {
    super('Your proposed upload is smaller than the minimum allowed size', [
      ['ProposedSize', String(proposedSize)],
      ['MinSizeAllowed', String(minSizeAllowed)],
    ]);
  }
}

export class KeyTooLongError extends PostGuardError {
  readonly code = 'KeyTooLongError';
  readonly status = 400;

  constructor(size: number, maxSizeAllowed: number) {
    super('Your key is too long', [
      ['Size', String(size)],
      ['MaxSizeAllowed', String(maxSizeAllowed)],
    ]);
  }
}

export class InvalidStorageClassError extends PostGuardError {
  readonly code = 'InvalidStorageClass';
  readonly status = 400;

  constructor() {
    super('The storage class you specified is not valid');
  }
}

export class IncorrectNumberOfFilesError extends PostGuardError {
  readonly code = 'IncorrectNumberOfFilesInPostRequest';
  readonly status = 400;

  constructor() {
    super('POST requires exactly one file upload per request.');
  }
}

export class MalformedPostRequestError extends PostGuardError {
  readonly code = 'MalformedPOSTRequest';
  readonly status = 400;

  constructor() {
    super('The body of your POST request is not well-formed multipart/form-data.');
  }
}

export class MaxPostPreDataLengthExceededError extends PostGuardError {
  readonly code = 'MaxPostPreDataLengthExceededError';
  readonly status = 400;

  constructor(limit: number) {
    super('Your POST request fields preceding the upload file were too large.', [['MaxPostPreDataLength', String(limit)]]);
  }
}

/** An OPTIONS request without the headers a CORS preflight needs. */
export class CorsBadRequestError extends PostGuardError {
  readonly code = 'BadRequest';
  readonly status = 400;
}

// ---- other statuses -----------------------------------------------------

export class PreconditionFailedError extends PostGuardError {
  readonly code = 'PreconditionFailed';
  readonly status = 412;

  constructor(condition: string) {
    super('At least one of the pre-conditions you specified did not hold', [['Condition', condition]]);
  }
}

export class NoSuchBucketError extends PostGuardError {
  readonly code = 'NoSuchBucket';
  readonly status = 404;

  constructor(bucket: string) {
    super('The specified bucket does not exist', [['BucketName', bucket]]);
  }
}

export class NotImplementedError extends PostGuardError {
  readonly code = 'NotImplemented';
  readonly status = 501;

  constructor(message: string, header?: string) {
    super(message, header === undefined ? [] : [['Header', header]]);
  }
}

/** The object store behind the guard answered with an S3 error of its own; relayed as is. */
export class UpstreamS3Error extends PostGuardError {
  readonly code: string;
  readonly status: number;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The object store behind the guard could not be reached. */
export class ServiceUnavailableError extends PostGuardError {
  readonly code = 'ServiceUnavailable';
  readonly status = 503;

  constructor() {
    super('The object store behind the local POST-policy guard is not answering.');
  }
}

/** What any unexpected failure becomes; its own message is never sent. */
export class InternalError extends PostGuardError {
  readonly code = 'InternalError';
  readonly status = 500;

  constructor() {
    super('We encountered an internal error. Please try again.');
  }
}

// ---- multipart uploads (AWS "CompleteMultipartUpload", "UploadPart", "ListParts" errors) ----

/** An upload id that was never issued, or whose upload was aborted or completed. */
export class NoSuchUploadError extends PostGuardError {
  readonly code = 'NoSuchUpload';
  readonly status = 404;

  constructor(uploadId: string) {
    super('The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', [
      ['UploadId', uploadId],
    ]);
  }
}

/** A part the complete request names that was not uploaded, or whose ETag is not the one given. */
export class InvalidPartError extends PostGuardError {
  readonly code = 'InvalidPart';
  readonly status = 400;

  constructor(uploadId: string, partNumber: number, etag: string) {
    super(
      "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
      [
        ['UploadId', uploadId],
        ['PartNumber', String(partNumber)],
        ['ETag', etag],
      ],
    );
  }
}

export class InvalidPartOrderError extends PostGuardError {
  readonly code = 'InvalidPartOrder';
  readonly status = 400;

  constructor(uploadId: string, partNumber: number) {
    super('The list of parts was not in ascending order. Parts must be ordered by part number.', [
      ['UploadId', uploadId],
      ['PartNumber', String(partNumber)],
    ]);
  }
}

/** A part other than the last one under 5 MiB, found when the upload is completed. */
export class PartTooSmallError extends PostGuardError {
  readonly code = 'EntityTooSmall';
  readonly status = 400;

  constructor(proposedSize: number, minSizeAllowed: number, partNumber: number, etag: string) {
    super('Your proposed upload is smaller than the minimum allowed size', [
      ['ProposedSize', String(proposedSize)],
      ['MinSizeAllowed', String(minSizeAllowed)],
      ['PartNumber', String(partNumber)],
      ['ETag', etag],
    ]);
  }
}

export class MalformedXmlError extends PostGuardError {
  readonly code = 'MalformedXML';
  readonly status = 400;

  constructor() {
    super('The XML you provided was not well-formed or did not validate against our published schema');
  }
}
