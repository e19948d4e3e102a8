/**
 * The single-page app's files: a private bucket that only this stack's
 * CloudFront distribution can read, through Origin Access Control (SigV4,
 * read-only, scoped to the distribution by a bucket-policy condition), and the
 * built site deployed into it.
 */
import { DefaultStackSynthesizer, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { acknowledge, defaultPolicyOf } from '../nag';
import { logAccessTo, type AccessLogTarget } from './access-log-bucket';

export interface SiteHostingProps {
  /** Folder with the built site (index.html at its root). */
  readonly siteDir: string;
  readonly accessLogs: AccessLogTarget;
}

/** Memory for the deployment's copy step: the site is small, the AWS CLI is not. */
const DEPLOYMENT_MEMORY_MB = 512;

export class SiteHosting extends Construct {
  public readonly bucket: s3.Bucket;
  /** The bucket as a CloudFront origin, through Origin Access Control (read only). */
  public readonly origin: cloudfront.IOrigin;
  private readonly siteDir: string;

  constructor(scope: Construct, id: string, props: SiteHostingProps) {
    super(scope, id);
    this.siteDir = props.siteDir;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // The site is rebuilt from source at every deploy; the deployment empties the bucket before it goes.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    logAccessTo(this.bucket, props.accessLogs);
    this.origin = origins.S3BucketOrigin.withOriginAccessControl(this.bucket, {
      originAccessLevels: [cloudfront.AccessLevel.READ],
    });
  }

  /** Copies the built site into the bucket and invalidates the distribution's cache. */
  deployTo(distribution: cloudfront.IDistribution): s3deploy.BucketDeployment {
    const deployment = new s3deploy.BucketDeployment(this, 'Deployment', {
      sources: [s3deploy.Source.asset(this.siteDir)],
      destinationBucket: this.bucket,
      distribution,
      distributionPaths: ['/*'],
      prune: true,
      retainOnDelete: false,
      memoryLimit: DEPLOYMENT_MEMORY_MB,
    });
    this.acknowledgeDeploymentHandler(deployment);
    return deployment;
  }

  /**
   * BucketDeployment's copy function is CDK's own (a stack-level singleton);
   * its role and runtime are not ours to choose, so its findings are
   * acknowledged here, one by one, with what each permission is for.
   */
  private acknowledgeDeploymentHandler(deployment: s3deploy.BucketDeployment): void {
    const stack = Stack.of(this);
    const qualifier = stack.synthesizer.bootstrapQualifier ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    const assetBucket = `cdk-${qualifier}-assets-${stack.account}-${stack.region}`;
    const siteBucketArn = `<${stack.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>`;
    const copy = 'CDK BucketDeployment (copies the built site into the site bucket)';
    acknowledge(deployment.handlerRole, {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: `${copy}: AWS's basic execution policy only lets the function write its own logs.`,
    });
    acknowledge(
      defaultPolicyOf(deployment.handlerRole),
      {
        id: 'AwsSolutions-IAM5[Action::s3:GetBucket*]',
        reason: `${copy}: reads the site's asset zip from the CDK asset bucket and lists the site bucket to prune.`,
      },
      { id: 'AwsSolutions-IAM5[Action::s3:GetObject*]', reason: `${copy}: reads the site's asset zip from the CDK asset bucket.` },
      { id: 'AwsSolutions-IAM5[Action::s3:List*]', reason: `${copy}: lists the site bucket to remove files the new build no longer has.` },
      { id: 'AwsSolutions-IAM5[Action::s3:Abort*]', reason: `${copy}: aborts its own unfinished multipart copies into the site bucket.` },
      { id: 'AwsSolutions-IAM5[Action::s3:DeleteObject*]', reason: `${copy}: removes files of older builds from the site bucket (prune).` },
      {
        id: `AwsSolutions-IAM5[Resource::arn:${stack.partition}:s3:::${assetBucket}/*]`,
        reason: `${copy}: the CDK bootstrap asset bucket holds the site asset under a content-hashed key.`,
      },
      {
        id: `AwsSolutions-IAM5[Resource::${siteBucketArn}/*]`,
        reason: `${copy}: every file of the site bucket is the deployment's to replace.`,
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `${copy}: CDK grants cloudfront:CreateInvalidation and GetInvalidation on any distribution; the function invalidates only this stack's distribution after a deploy.`,
      },
    );
    // The singleton lives at the stack's root under an id that starts with this prefix.
    const handler = stack.node.children.find(
      (child) => child instanceof lambda.Function && child.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    if (handler !== undefined) {
      acknowledge(handler, {
        id: 'AwsSolutions-L1',
        reason: `${copy}: the runtime (Python with the AWS CLI layer) is chosen and upgraded by aws-cdk-lib, not by this app.`,
      });
    }
  }
}
