/**
 * The bucket that receives the region's access logs: S3 server access logs
 * (upload and site buckets) and CloudFront's standard logs. CloudFront's
 * standard logging writes with an ACL grant, so this bucket keeps ACLs on
 * (BUCKET_OWNER_PREFERRED: the bucket owner still owns every object). S3's
 * log delivery is allowed by bucket policy for buckets of this account only,
 * so buckets in other stacks can log here without this stack naming them
 * (naming them would make this stack depend on theirs: a cycle).
 */
import { type RemovalPolicy, Stack, type Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';
import { SECURE_DEFAULTS } from '../secure-defaults';

export interface AccessLogBucketProps {
  /**
   * How long log objects are kept.
   * @default 90 days
   */
  readonly expiration?: Duration;
  /**
   * What happens to the bucket when its stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Where a bucket's server access logs go. */
export interface AccessLogTarget {
  readonly bucketName: string;
  /** Key prefix for this source, ending in `/`. */
  readonly prefix: string;
}

/**
 * Turns on S3 server access logging from `source` into `target`. Set on the
 * CloudFormation resource directly: the L2 `serverAccessLogsBucket` prop would
 * add a statement naming `source` to the log bucket's policy, in the log
 * bucket's stack, which would then depend on the source's stack.
 */
export function logAccessTo(source: s3.Bucket, target: AccessLogTarget): void {
  const cfn = source.node.defaultChild as s3.CfnBucket;
  cfn.loggingConfiguration = { destinationBucketName: target.bucketName, logFilePrefix: target.prefix };
}

export class AccessLogBucket extends Construct {
  public readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps = {}) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [
        { id: 'expire-logs', expiration: props.expiration ?? SECURE_DEFAULTS.logs.accessLogExpiration },
        {
          id: 'abort-incomplete-multipart-uploads',
          abortIncompleteMultipartUploadAfter: SECURE_DEFAULTS.storage.abortIncompleteMultipartUploadAfter,
        },
      ],
      removalPolicy: props.removalPolicy ?? SECURE_DEFAULTS.storage.accessLogBucketRemovalPolicy,
    });
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'S3ServerAccessLogsFromThisAccount',
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    acknowledge(this.bucket, {
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself: logging its own accesses into itself would log every log delivery, without end.',
    });
  }
}
