/**
 * The upload bucket's CORS rule, defined once: the CDK construct
 * (infra/aws/constructs/upload-bucket.ts) deploys it as the bucket's
 * CORSRule, and the local S3 stand-in (the POST-policy guard and s3rver's
 * bucket rule) answers preflights by it, so a request the local stack lets a
 * browser send is one AWS lets it send too. Pure data: importing it never
 * pulls aws-cdk-lib into the local stack.
 */

/**
 * What the page may send cross-origin: a form POST, and the multipart
 * requests the edge signs (POST ?uploads and ?uploadId, PUT ?partNumber,
 * GET and DELETE ?uploadId). No HEAD: the page never sends one.
 */
export const UPLOAD_CORS_METHODS = Object.freeze(['GET', 'PUT', 'POST', 'DELETE'] as const);
export type UploadCorsMethod = (typeof UPLOAD_CORS_METHODS)[number];

/**
 * The headers those requests carry: the signed `Content-Type`, `Content-MD5`
 * and `x-amz-meta-userid` / `x-amz-server-side-encryption*` of the create.
 * S3 allows one `*` per entry and compares names case-insensitively. The
 * browser sets `Content-Length` itself.
 */
export const UPLOAD_CORS_HEADERS: readonly string[] = Object.freeze(['content-type', 'content-md5', 'x-amz-*']);
