/**
 * The bucket the browser uploads into, straight from the page, with the
 * presigned POST forms the edge signs (docs/http-api.md "Who answers which path"–3). S3 enforces each form's
 * policy; this bucket makes sure nothing else gets in:
 *
 * - all public access blocked, object ownership enforced (no ACLs), TLS 1.2+
 *   required by policy;
 * - SSE-KMS with the customer-managed key, S3 bucket key on; a write that names
 *   any other encryption or any other KMS key is denied (a multipart part,
 *   which names none, is not: see the two Deny statements below);
 * - no Allow statement at all: CloudFront has no access, and the only way to
 *   write is a form signed by the edge role (an IAM grant, in that role's
 *   policy);
 * - Transfer Acceleration on: the forms post to `<bucket>.s3-accelerate.amazonaws.com`;
 * - CORS from the site's origin(s): POST (forms, CreateMultipartUpload,
 *   CompleteMultipartUpload), PUT (UploadPart), GET (ListParts), DELETE
 *   (AbortMultipartUpload); the headers those requests carry; `ETag` exposed,
 *   which CompleteMultipartUpload needs from every part (docs/large-files.md);
 * - incomplete multipart uploads aborted after a day; server access logs on.
 *
 * The name is fixed at synth (not generated) because the edge's config, the
 * edge role's policy and the site's CSP need it before this bucket's stack
 * can be deployed; a name with dots is refused here (see bucket-name.ts).
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { assertUploadBucketName } from '../bucket-name';
import { ConstructPropsError } from '../errors';
import { SECURE_DEFAULTS } from '../secure-defaults';
import { UPLOAD_CORS_HEADERS as SHARED_CORS_HEADERS, UPLOAD_CORS_METHODS as SHARED_CORS_METHODS } from '../../shared/upload-cors';
import { logAccessTo, type AccessLogTarget } from './access-log-bucket';

export interface UploadBucketProps {
  /** Globally unique, no dots (Transfer Acceleration). Checked here. */
  readonly bucketName: string;
  /** The customer-managed key for SSE-KMS. */
  readonly encryptionKey: kms.IKey;
  /** Origins allowed to POST (the site's own first); at least one. Tokens allowed. */
  readonly corsOrigins: readonly string[];
  readonly accessLogs: AccessLogTarget;
  /**
   * Days after which an unfinished multipart upload is aborted.
   * @default 1 day
   */
  readonly abortIncompleteMultipartUploadAfter?: Duration;
  /**
   * What happens to the bucket (and the files in it) when its stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** How long a browser may cache the answer to a CORS preflight. */
const CORS_PREFLIGHT_MAX_AGE = Duration.hours(1);

/** What the page may send cross-origin (infra/shared/upload-cors.ts, which the local stand-in answers by too). */
export const UPLOAD_CORS_METHODS: readonly s3.HttpMethods[] = Object.freeze(SHARED_CORS_METHODS.map((method) => s3.HttpMethods[method]));
/** The headers those requests carry (infra/shared/upload-cors.ts). */
export const UPLOAD_CORS_HEADERS: readonly string[] = SHARED_CORS_HEADERS;

export class UploadBucket extends Construct {
  public readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: UploadBucketProps) {
    super(scope, id);
    assertUploadBucketName(props.bucketName);
    if (props.corsOrigins.length === 0) throw new ConstructPropsError('UploadBucket', "corsOrigins needs at least the site's own origin");

    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      transferAcceleration: true,
      cors: [
        {
          allowedMethods: [...UPLOAD_CORS_METHODS],
          allowedOrigins: [...props.corsOrigins],
          allowedHeaders: [...UPLOAD_CORS_HEADERS],
          exposedHeaders: ['ETag', 'Location'],
          maxAge: CORS_PREFLIGHT_MAX_AGE.toSeconds(),
        },
      ],
      lifecycleRules: [
        {
          id: 'abort-incomplete-multipart-uploads',
          abortIncompleteMultipartUploadAfter:
            props.abortIncompleteMultipartUploadAfter ?? SECURE_DEFAULTS.storage.abortIncompleteMultipartUploadAfter,
        },
      ],
      removalPolicy: props.removalPolicy ?? SECURE_DEFAULTS.storage.uploadBucketRemovalPolicy,
    });
    logAccessTo(this.bucket, props.accessLogs);

    // s3:PutObject covers PutObject, the POST form, CreateMultipartUpload, UploadPart and
    // CompleteMultipartUpload. Only the first three can carry x-amz-server-side-encryption: a part
    // and the complete inherit the create's encryption and send no such header. A negated operator
    // (StringNotEquals, and StringNotEqualsIfExists alike) is true when the key is missing from the
    // request (IAM: "Condition operators", negated matching), so the condition first asks that the
    // header be there (Null: false) and then that it be wrong: every part is let through, every
    // request that names an encryption must name this one. A request that names none gets the
    // bucket's default, which is this key.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyOtherKmsKeys',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects('*')],
        // `aws:kms` without a key id would be the AWS managed key aws/s3, not this one: denied too.
        conditions: {
          Null: { 's3:x-amz-server-side-encryption': 'false' },
          StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': props.encryptionKey.keyArn },
        },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyOtherEncryption',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: {
          Null: { 's3:x-amz-server-side-encryption': 'false' },
          StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
        },
      }),
    );
  }
}
