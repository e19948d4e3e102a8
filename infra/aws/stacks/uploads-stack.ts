/**
 * The app's region, last: the upload bucket and the inspector that checks
 * what lands in it. Last because the bucket's CORS rule names the site's
 * origin, which is the distribution's host name unless a custom domain is
 * set. Nothing earlier needs this stack: the edge and the CSP know the bucket
 * by its name, fixed at synth.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { AppConfig } from '../app-config';
import { accelerateUploadUrl } from '../bucket-name';
import { UploadBucket } from '../constructs/upload-bucket';
import { UploadInspector } from '../constructs/upload-inspector';

export interface UploadsStackProps extends StackProps {
  readonly config: AppConfig;
  /** From the data stack. */
  readonly uploadKey: kms.IKey;
  readonly accessLogBucketName: string;
  /** From the web stack: the site's own origin; undefined when the site is not deployed (withSite=false). */
  readonly siteOrigin: string | undefined;
  /** Folder holding the built upload inspector (`index.js`). */
  readonly inspectorCodeDir: string;
}

export class UploadsStack extends Stack {
  public readonly uploads: UploadBucket;
  public readonly inspector: UploadInspector;

  constructor(scope: Construct, id: string, props: UploadsStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.uploads = new UploadBucket(this, 'Uploads', {
      bucketName: config.uploadBucketName,
      encryptionKey: props.uploadKey,
      // The site, then your app's origins (allowedOrigins, the same list the edge answers), then any extra ones.
      corsOrigins: [
        ...new Set([...(props.siteOrigin === undefined ? [] : [props.siteOrigin]), ...config.allowedOrigins, ...config.extraCorsOrigins]),
      ],
      accessLogs: { bucketName: props.accessLogBucketName, prefix: 'upload-bucket/' },
    });
    this.inspector = new UploadInspector(this, 'Inspector', {
      appName: config.appName,
      codeDir: props.inspectorCodeDir,
      bucket: this.uploads.bucket,
      bucketName: config.uploadBucketName,
      uploadKeyArn: props.uploadKey.keyArn,
    });

    new CfnOutput(this, 'UploadBucketName', { value: this.uploads.bucket.bucketName });
    new CfnOutput(this, 'UploadUrl', {
      value: accelerateUploadUrl(config.uploadBucketName),
      description: 'Where browsers POST the signed forms',
    });
  }
}
