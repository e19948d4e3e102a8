/**
 * The app's region, first: what the edge needs to exist before it can be
 * configured, and nothing that needs the distribution. The upload key, the
 * user pool and its client, and the region's access-log bucket.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { AppConfig } from '../app-config';
import { AccessLogBucket } from '../constructs/access-log-bucket';
import { UploadEncryptionKey } from '../constructs/upload-encryption-key';
import { UserDirectory } from '../constructs/user-directory';

export interface DataStackProps extends StackProps {
  readonly config: AppConfig;
}

export class DataStack extends Stack {
  public readonly uploadKey: UploadEncryptionKey;
  public readonly accessLogs: AccessLogBucket;
  public readonly users: UserDirectory;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { appName } = props.config;
    this.uploadKey = new UploadEncryptionKey(this, 'UploadKey', { appName });
    this.accessLogs = new AccessLogBucket(this, 'AccessLogs');
    const { email, existingUserPool } = props.config;
    this.users = new UserDirectory(this, 'Users', {
      appName,
      ...(email === undefined ? {} : { email }),
      ...(existingUserPool === undefined ? {} : { existing: existingUserPool }),
    });

    // With an existing pool these only echo the ids it was given: handy beside the other outputs.
    new CfnOutput(this, 'UserPoolId', { value: this.users.userPool.userPoolId, description: 'Cognito user pool' });
    new CfnOutput(this, 'UserPoolClientId', {
      value: this.users.client.userPoolClientId,
      description: 'Cognito app client the auth API uses (no secret)',
    });
    new CfnOutput(this, 'UploadKeyArn', { value: this.uploadKey.key.keyArn, description: 'KMS key of the uploaded objects' });
    new CfnOutput(this, 'AccessLogBucketName', { value: this.accessLogs.bucket.bucketName, description: 'S3 and CloudFront access logs' });
  }
}
