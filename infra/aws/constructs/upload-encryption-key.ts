/**
 * The customer-managed KMS key that encrypts every uploaded object (SSE-KMS,
 * docs/post-policy-and-keys.md "What the form binds": the signed form binds this key's ARN). It
 * lives in the data stack because the edge's config.json and the edge role's
 * policy need its ARN before the upload bucket exists (see README, "Stacks").
 */
import type { RemovalPolicy, Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { SECURE_DEFAULTS } from '../secure-defaults';

export interface UploadEncryptionKeyProps {
  /** Prefix of the key's alias (`alias/<appName>-uploads`). */
  readonly appName: string;
  /**
   * What happens to the key when its stack is deleted.
   * @default RemovalPolicy.RETAIN — the retained uploads stay readable
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * How often KMS rotates the key material (automatic rotation is always on).
   * @default 365 days
   */
  readonly rotationPeriod?: Duration;
}

export class UploadEncryptionKey extends Construct {
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: UploadEncryptionKeyProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: `${props.appName}: encrypts uploaded objects (S3 SSE-KMS with a bucket key)`,
      alias: `alias/${props.appName}-uploads`,
      enableKeyRotation: true,
      rotationPeriod: props.rotationPeriod ?? SECURE_DEFAULTS.storage.kmsKeyRotationPeriod,
      pendingWindow: SECURE_DEFAULTS.storage.kmsPendingWindow,
      removalPolicy: props.removalPolicy ?? SECURE_DEFAULTS.storage.kmsKeyRemovalPolicy,
    });
  }
}
