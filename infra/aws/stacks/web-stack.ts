/**
 * The app's region, after the edge: the site bucket, the auth API and the
 * distribution, in one stack because they need each other's names. The
 * distribution needs the API's host name; the API's Lambda needs the site's
 * origin (the distribution's host name) for its Origin check. Inside one
 * template there is no cycle: CloudFront names only the RestApi resource
 * (its id), while the Lambda, the methods and the stage come after the
 * distribution. A CloudFront distribution is global, so it can live in this
 * region's stack and take the us-east-1 web ACL and function version by ARN.
 *
 * Both the auth API and the web app are optional (withAuthApi, withSite):
 * without the API there is no /auth/* behaviour, no API and no origin-verify
 * secret; without the site nothing is deployed to the site bucket, which stays
 * as the default behaviour's origin (CloudFront needs one) and answers 403 to
 * everything. With neither, what is left is the distribution with its web ACL
 * and the /presign* behaviour, the edge presign for your own app.
 */
import { CfnOutput, Lazy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { FirewallRules } from '../../firewall/rule-model';
import type { AppConfig } from '../app-config';
import { accelerateUploadOrigin } from '../bucket-name';
import type { BuildArtifacts } from '../build-artifacts';
import type { AccessLogTarget } from '../constructs/access-log-bucket';
import { AuthApi } from '../constructs/auth-api';
import { OriginVerify } from '../constructs/origin-verify';
import { PresignVersionReader } from '../constructs/presign-version-parameter';
import { SiteDistribution } from '../constructs/site-distribution';
import { SiteHosting } from '../constructs/site-hosting';

export interface WebStackProps extends StackProps {
  readonly config: AppConfig;
  readonly firewallRules: FirewallRules;
  readonly artifacts: BuildArtifacts;
  /** From the data stack. */
  readonly userPool: cognito.IUserPool;
  readonly userPoolClient: cognito.IUserPoolClient;
  readonly refreshTokenValidity: Duration;
  readonly logBucket: s3.IBucket;
  /**
   * From the edge stack (us-east-1): the presign version's fingerprint, a plain string; the version ARN is read
   * from the parameter it names (infra/aws/constructs/presign-version-parameter.ts), not through a cross-stack reference.
   */
  readonly presignVersionFingerprint: string;
  readonly webAclArn: string;
}

export class WebStack extends Stack {
  public readonly site: SiteHosting;
  /** Undefined with withAuthApi=false. */
  public readonly authApi: AuthApi | undefined;
  public readonly originVerify: OriginVerify | undefined;
  public readonly cdn: SiteDistribution;
  public readonly presignVersion: PresignVersionReader;

  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);
    const { config, artifacts } = props;
    const logTarget = (prefix: string): AccessLogTarget => ({ bucketName: props.logBucket.bucketName, prefix });

    this.site = new SiteHosting(this, 'Site', { siteDir: artifacts.siteDir, accessLogs: logTarget('site-bucket/') });

    // The API comes before the distribution that fronts it; its Lambda's SITE_ORIGIN is the
    // distribution's address, so it is produced lazily, once the distribution exists (below).
    let siteOrigin: string | undefined;
    const authApi = (this.authApi = !config.withAuthApi
      ? undefined
      : new AuthApi(this, 'AuthApi', {
          appName: config.appName,
          codeDir: artifacts.authDir,
          userPool: props.userPool,
          userPoolClient: props.userPoolClient,
          siteOrigin: Lazy.string({
            produce: () => {
              if (siteOrigin === undefined) throw new Error('WebStack: the site origin is read before the distribution exists');
              return siteOrigin;
            },
          }),
          refreshTokenValidity: props.refreshTokenValidity,
        }));
    const originVerify = (this.originVerify =
      authApi === undefined
        ? undefined
        : new OriginVerify(this, 'AuthOriginVerify', {
            appName: config.appName,
            stage: authApi.stage,
            ...(config.originVerifySecretVersionId === undefined ? {} : { secretVersionId: config.originVerifySecretVersionId }),
            ...(config.originVerifyPreviousSecretVersionId === undefined
              ? {}
              : { previousSecretVersionId: config.originVerifyPreviousSecretVersionId }),
          }));

    this.presignVersion = new PresignVersionReader(this, 'PresignVersion', {
      appName: config.appName,
      fingerprint: props.presignVersionFingerprint,
    });
    this.cdn = new SiteDistribution(this, 'Cdn', {
      appName: config.appName,
      siteOrigin: this.site.origin,
      ...(authApi === undefined || originVerify === undefined
        ? {}
        : {
            api: {
              domainName: authApi.originDomainName,
              originPath: authApi.originPath,
              verifyHeaderName: originVerify.headerName,
              verifyHeaderValue: originVerify.headerValue,
            },
          }),
      presignFunctionVersionArn: this.presignVersion.functionVersionArn,
      webAclArn: props.webAclArn,
      geoDenyCountries: props.firewallRules.cloudFrontGeoRestriction,
      uploadOrigin: accelerateUploadOrigin(config.uploadBucketName),
      siteRouterFunctionFile: artifacts.siteRouterFunction,
      authGuardFunctionFile: artifacts.authGuardFunction,
      logBucket: props.logBucket,
      ...(config.customDomain === undefined ? {} : { customDomain: config.customDomain }),
      priceClass: config.priceClass,
      enableIpv6: config.enableIpv6,
    });
    siteOrigin = this.cdn.siteOrigin;
    if (config.withSite) this.site.deployTo(this.cdn.distribution);

    new CfnOutput(this, 'SiteUrl', { value: this.cdn.siteOrigin, description: 'Open this in a browser' });
    new CfnOutput(this, 'DistributionId', { value: this.cdn.distribution.distributionId });
    new CfnOutput(this, 'DistributionDomainName', {
      value: this.cdn.distribution.distributionDomainName,
      description: 'CNAME target for a custom domain',
    });
    new CfnOutput(this, 'SiteBucketName', { value: this.site.bucket.bucketName });
    if (authApi !== undefined)
      new CfnOutput(this, 'AuthApiStageArn', { value: authApi.stage.stageArn, description: 'Reachable only through CloudFront' });
  }
}
