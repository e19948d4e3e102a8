/**
 * The upload inspector (origin/inspector): a Lambda function that S3 calls
 * for every object created under `uploads/` of the upload bucket. It reads
 * the object's first and last bytes (two ranged GETs), then tags it
 * `verified=true` or moves it to `quarantine/<rest of the key>`.
 *
 * - Its role may do exactly that: `s3:GetObject` on uploads/* (ranged GETs,
 *   HEAD, and the copy's source), `s3:PutObjectTagging` on uploads/* (the
 *   verified tag) and on quarantine/* (the reason tag the copy carries),
 *   `s3:PutObject` on quarantine/* (the copy), `s3:DeleteObject` on uploads/*;
 *   `kms:Decrypt` and `kms:GenerateDataKey` on the upload key only through S3
 *   in the bucket's region, for this bucket; `s3:ListBucket` limited to the
 *   uploads/ and quarantine/ prefixes (so a missing object answers 404, not
 *   403); and its own log group. No managed policies, nothing else in the
 *   bucket. Every S3 statement holds only while the bucket belongs to this
 *   account (`s3:ResourceAccount`): the name is fixed at synth, and a bucket of
 *   that name in someone else's account must never be read from or written to.
 *   And `events:PutEvents` on the default event bus of its own region and
 *   account only, with source `edge-upload`: one event per verdict
 *   (origin/inspector/README.md, "Events").
 * - The bucket's notification is set on the bucket itself (its name is fixed
 *   at synth, so the invoke permission can name it and the bucket can depend
 *   on that permission), not through CDK's BucketNotifications custom
 *   resource, which would add a Lambda with `s3:PutBucketNotification` on `*`.
 * - Events that still fail after Lambda's two retries go to an SQS
 *   dead-letter queue (encrypted, TLS only, kept 14 days). Their objects stay
 *   untagged, so readers never trust them (below).
 * - What readers see: an object under uploads/ is untagged from the moment
 *   it is stored until the inspector has tagged it (normally well under a
 *   second). The bucket policy makes "only verified objects are readable" a
 *   rule rather than a convention: GetObject on uploads/* is denied unless
 *   the object carries verified=true, and tagging any object is denied,
 *   both for every principal but this function's role.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_UPLOAD_RULES } from '../../../edge-functions/core/upload-rules';
import { DEFAULT_QUARANTINE_PREFIX, INSPECTOR_ENV, VERIFIED_TAG } from '../../../origin/inspector/core/config';
import { VERDICT_EVENT_SOURCE } from '../../../origin/inspector/core/verdict-events';
import { assertUploadBucketName } from '../bucket-name';
import { ConstructPropsError } from '../errors';
import { acknowledge, defaultPolicyOf } from '../nag';
import { SECURE_DEFAULTS } from '../secure-defaults';

export interface UploadInspectorProps {
  readonly appName: string;
  /** Folder holding the built inspector (`index.js` exporting `handler`). */
  readonly codeDir: string;
  /** The upload bucket: its notification and its policy are set here. */
  readonly bucket: s3.Bucket;
  /** The bucket's name, fixed at synth: ARNs are built from it, so nothing here depends on the bucket resource. */
  readonly bucketName: string;
  /** The upload bucket's SSE-KMS key. */
  readonly uploadKeyArn: string;
  /**
   * New uploads: the notification's prefix filter.
   * @default DEFAULT_UPLOAD_RULES.keyPrefix ('uploads/')
   */
  readonly uploadPrefix?: string;
  /**
   * Where failed uploads are moved.
   * @default 'quarantine/'
   */
  readonly quarantinePrefix?: string;
  /**
   * Retention of the function's logs.
   * @default three months
   */
  readonly logRetention?: logs.RetentionDays;
}

const PREFIX = /^[a-z0-9][a-z0-9_.-]*\/$/;

export class UploadInspector extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: UploadInspectorProps) {
    super(scope, id);
    assertUploadBucketName(props.bucketName);
    const uploadPrefix = props.uploadPrefix ?? DEFAULT_UPLOAD_RULES.keyPrefix;
    const quarantinePrefix = props.quarantinePrefix ?? DEFAULT_QUARANTINE_PREFIX;
    for (const prefix of [uploadPrefix, quarantinePrefix]) {
      if (!PREFIX.test(prefix))
        throw new ConstructPropsError('UploadInspector', `"${prefix}" must be a one-segment prefix ending in "/", such as "uploads/"`);
    }
    if (uploadPrefix.startsWith(quarantinePrefix) || quarantinePrefix.startsWith(uploadPrefix)) {
      throw new ConstructPropsError(
        'UploadInspector',
        'the quarantine prefix must not overlap the upload prefix: quarantined copies would be inspected again',
      );
    }

    const stack = Stack.of(this);
    const bucketArn = `arn:${stack.partition}:s3:::${props.bucketName}`;
    const uploads = `${bucketArn}/${uploadPrefix}*`;
    const quarantine = `${bucketArn}/${quarantinePrefix}*`;
    const retention = props.logRetention ?? SECURE_DEFAULTS.logs.retention;

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention, removalPolicy: RemovalPolicy.DESTROY });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `upload inspector: read ${uploadPrefix}*, tag it or move it to ${quarantinePrefix}*`,
    });
    this.logGroup.grantWrite(this.role);
    const ownBucket = { StringEquals: { 's3:ResourceAccount': stack.account } };
    this.role.addToPolicy(
      new iam.PolicyStatement({ sid: 'ReadUploads', actions: ['s3:GetObject'], resources: [uploads], conditions: ownBucket }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'TagUploadsAndQuarantine',
        actions: ['s3:PutObjectTagging'],
        resources: [uploads, quarantine],
        conditions: ownBucket,
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({ sid: 'CopyToQuarantine', actions: ['s3:PutObject'], resources: [quarantine], conditions: ownBucket }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({ sid: 'RemoveFromUploads', actions: ['s3:DeleteObject'], resources: [uploads], conditions: ownBucket }),
    );
    // One event per verdict, on the default bus only, and only as edge-upload (no other source can be forged from here).
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PutVerdictEvents',
        actions: ['events:PutEvents'],
        resources: [`arn:${stack.partition}:events:${stack.region}:${stack.account}:event-bus/default`],
        conditions: { StringEquals: { 'events:source': VERDICT_EVENT_SOURCE } },
      }),
    );
    // Without s3:ListBucket, S3 answers 403 (not 404) for a missing key, so the inspector's "gone" path (a duplicate
    // event for an object it already moved) never ran and such events ended in the dead-letter queue.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'KnowWhenAnUploadIsGone',
        actions: ['s3:ListBucket'],
        resources: [bucketArn],
        conditions: { ...ownBucket, StringLike: { 's3:prefix': [`${uploadPrefix}*`, `${quarantinePrefix}*`] } },
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'UploadKeyThroughS3Only',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [props.uploadKeyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` },
          // With an S3 bucket key the context is the bucket's ARN; without one, the object's.
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [bucketArn, uploads, quarantine] },
        },
      }),
    );

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.function = new lambda.Function(this, 'Function', {
      description: `${props.appName} upload inspector (S3 ObjectCreated on ${uploadPrefix})`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(props.codeDir),
      role: this.role,
      logGroup: this.logGroup,
      memorySize: SECURE_DEFAULTS.inspector.lambdaMemoryMb,
      timeout: SECURE_DEFAULTS.inspector.lambdaTimeout,
      retryAttempts: 2,
      deadLetterQueue: this.deadLetterQueue,
      environment: {
        [INSPECTOR_ENV.bucket]: props.bucketName,
        [INSPECTOR_ENV.uploadPrefix]: uploadPrefix,
        [INSPECTOR_ENV.quarantinePrefix]: quarantinePrefix,
        [INSPECTOR_ENV.kmsKeyId]: props.uploadKeyArn,
      },
    });

    // S3 checks that it may invoke the function when the notification is set, so the bucket waits for this permission.
    const permission = new lambda.CfnPermission(this, 'InvokeFromUploadBucket', {
      action: 'lambda:InvokeFunction',
      functionName: this.function.functionArn,
      principal: 's3.amazonaws.com',
      sourceArn: bucketArn,
      sourceAccount: stack.account,
    });
    const cfnBucket = props.bucket.node.defaultChild as s3.CfnBucket;
    cfnBucket.notificationConfiguration = {
      lambdaConfigurations: [
        {
          event: 's3:ObjectCreated:*',
          function: this.function.functionArn,
          filter: { s3Key: { rules: [{ name: 'prefix', value: uploadPrefix }] } },
        },
      ],
    };
    cfnBucket.node.addDependency(permission);

    props.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyReadingUnverifiedUploads',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [uploads],
        conditions: {
          StringNotEquals: { [`s3:ExistingObjectTag/${VERIFIED_TAG.key}`]: VERIFIED_TAG.value },
          ArnNotEquals: { 'aws:PrincipalArn': this.role.roleArn },
        },
      }),
    );
    props.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheInspectorTags',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObjectTagging', 's3:PutObjectVersionTagging', 's3:DeleteObjectTagging', 's3:DeleteObjectVersionTagging'],
        resources: [`${bucketArn}/*`],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': this.role.roleArn } },
      }),
    );

    const wildcard = (resource: string, reason: string) => ({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
    acknowledge(
      defaultPolicyOf(this.role),
      wildcard(
        uploads,
        `Every upload has its own key (${uploadPrefix}<user>/<date>/<id>/<name>), known only from the S3 event: the wildcard is the upload prefix of the one upload bucket, and the actions on it are read, tag and delete.`,
      ),
      wildcard(
        quarantine,
        `A failed upload is copied to ${quarantinePrefix} under the rest of its own key, known only at run time: the wildcard is the quarantine prefix of the one upload bucket, for PutObject and PutObjectTagging only.`,
      ),
    );
  }
}
