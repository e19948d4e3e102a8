/**
 * us-east-1: what CloudFront can only take from there. The CLOUDFRONT web
 * ACL and the presign Lambda@Edge function, configured with the data stack's
 * user pool, client and key (cross-region references). The version it
 * publishes reaches the web stack through a fingerprinted SSM parameter
 * (infra/aws/constructs/presign-version-parameter.ts), not a cross-stack reference.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { FirewallRules } from '../../firewall/rule-model';
import type { AppConfig } from '../app-config';
import type { BuildArtifacts } from '../build-artifacts';
import { EdgeFirewall } from '../constructs/edge-firewall';
import { EdgePresign } from '../constructs/edge-presign';

export interface EdgeStackProps extends StackProps {
  readonly config: AppConfig;
  readonly firewallRules: FirewallRules;
  readonly artifacts: BuildArtifacts;
  /** From the data stack. */
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly userPoolClientIds: readonly string[];
  readonly uploadKeyArn: string;
  /** Fingerprint of the data stack's pool, client and key (deploy-fingerprint.ts): their replacement republishes the edge config. */
  readonly dataFingerprint?: string;
}

export class EdgeStack extends Stack {
  public readonly firewall: EdgeFirewall;
  public readonly presign: EdgePresign;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const { config, artifacts } = props;
    this.firewall = new EdgeFirewall(this, 'Firewall', { appName: config.appName, rules: props.firewallRules });
    this.presign = new EdgePresign(this, 'Presign', {
      appName: config.appName,
      codeDir: artifacts.presignDir,
      codeSha256: artifacts.presignBundleSha256,
      configHandlerCodeDir: artifacts.edgeConfigResourceDir,
      uploadBucketName: config.uploadBucketName,
      uploadBucketRegion: config.region,
      uploadKeyArn: props.uploadKeyArn,
      issuer: props.issuer,
      jwksUrl: props.jwksUrl,
      userPoolClientIds: props.userPoolClientIds,
      allowedOrigins: config.allowedOrigins,
      ...(props.dataFingerprint === undefined ? {} : { configSourceFingerprint: props.dataFingerprint }),
    });

    new CfnOutput(this, 'WebAclArn', { value: this.firewall.webAclArn, description: 'CLOUDFRONT web ACL (from the firewall rules file)' });
    new CfnOutput(this, 'WafLogGroup', { value: this.firewall.logGroup.logGroupName, description: 'WAF logs' });
    new CfnOutput(this, 'PresignFunctionVersionArn', { value: this.presign.functionVersionArn, description: 'Configured presign version' });
  }
}
