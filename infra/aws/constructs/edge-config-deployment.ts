/**
 * Writes config.json into a Lambda@Edge function's package at deploy time and
 * publishes a new version (docs/edge-config.md): the custom resource whose handler is
 * infra/aws/custom-resources/edge-config. It runs again whenever the config,
 * the JWKS URL or the function's bundle changes, so the published version
 * always pairs the current code with the current config.
 *
 * The resource's logical id carries a fingerprint of everything it publishes
 * (bundle SHA-256, settings, config text, the producer resources' fingerprint),
 * so any change is a replacement, not an update:
 * - a deploy Creates a new resource (a new version) and then Deletes the old
 *   one, which does nothing; a rollback Deletes only the new one, and the
 *   old resource's version (old code with its own config) is what the
 *   distribution gets back: rollback publishes nothing and fetches nothing;
 * - the fingerprint also names the SSM parameter that hands the version ARN
 *   to the web stack and the id of the web stack's reader
 *   (presign-version-parameter.ts), so the distribution's template changes
 *   too, and a plain `cdk deploy --all` updates it (the CLI skips unchanged
 *   templates).
 */
import { CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { valueFingerprint } from '../deploy-fingerprint';
import { acknowledge, defaultPolicyOf } from '../nag';
import type { EdgeConfigResourceProperties } from '../custom-resources/edge-config/edge-config-resource';
import { SECURE_DEFAULTS } from '../secure-defaults';

/** config.json as the app knows it at synth time: everything but the JWKS (fetched at deploy time). */
export interface EdgeConfigFields {
  readonly issuer: string;
  readonly clientIds: readonly string[];
  /** Omitted: no CORS at the edge. */
  readonly allowedOrigins?: readonly string[];
  readonly bucket: string;
  readonly region: string;
  readonly uploadUrl: string;
  readonly kmsKeyId: string;
  readonly policyTtlSeconds: number;
}

export interface EdgeConfigDeploymentProps {
  /** The Lambda@Edge function to configure (in this stack, so in us-east-1). */
  readonly targetFunction: lambda.IFunction;
  /** SHA-256 of the function's bundle: a new bundle means a new $LATEST that needs its config again. */
  readonly packageSha256: string;
  /**
   * The function's settings as text (runtime, memory, timeout): a version freezes them, so a change must publish anew.
   * @default - none: only code and config changes publish a new version
   */
  readonly functionSettings?: string;
  /**
   * Fingerprint of the resources in other stacks that the config reads (user pool, client, key):
   * their replacement changes this, so this resource runs again (deploy-fingerprint.ts).
   * @default - none: only this stack's inputs are fingerprinted
   */
  readonly sourceFingerprint?: string;
  readonly config: EdgeConfigFields;
  /** `<issuer>/.well-known/jwks.json`. */
  readonly jwksUrl: string;
  /** Folder with the built custom resource handler (`index.js`). */
  readonly handlerCodeDir: string;
  /**
   * Retention of the handler's logs.
   * @default three months
   */
  readonly logRetention?: logs.RetentionDays;
}

/** Download, rezip, upload and publish take seconds; the waits for Lambda to settle can take minutes. */
const HANDLER_TIMEOUT = Duration.minutes(10);
const HANDLER_MEMORY_MB = 512;

export class EdgeConfigDeployment extends Construct {
  /** The published version's ARN (`…:function:<name>:<version>`), for CloudFront. */
  public readonly functionVersionArn: string;
  public readonly handler: lambda.Function;
  /** Changes with every input of the published version; part of the custom resource's logical id. */
  public readonly fingerprint: string;

  constructor(scope: Construct, id: string, props: EdgeConfigDeploymentProps) {
    super(scope, id);
    const retention = props.logRetention ?? SECURE_DEFAULTS.logs.retention;

    const handlerLogs = new logs.LogGroup(this, 'HandlerLogs', { retention, removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'edge-config custom resource: rewrite and publish the presign function, write its own logs',
    });
    handlerLogs.grantWrite(role);
    const target = props.targetFunction.functionArn;
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RewriteAndPublishThePresignFunction',
        // ListVersionsByFunction + GetFunction on a version: the newest published version's ticket keys (ticket-keys.ts).
        actions: [
          'lambda:GetFunction',
          'lambda:GetFunctionConfiguration',
          'lambda:ListVersionsByFunction',
          'lambda:UpdateFunctionCode',
          'lambda:PublishVersion',
        ],
        resources: [target, `${target}:*`],
      }),
    );
    acknowledge(defaultPolicyOf(role), {
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(props.targetFunction.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      reason:
        'The ":*" matches the numbered versions of the one presign function: the handler checks each version it publishes becomes Active, and reads the newest one\'s ticket keys.',
    });

    this.handler = new lambda.Function(this, 'Handler', {
      description: 'edge-config custom resource: writes config.json into the presign Lambda@Edge package',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(props.handlerCodeDir),
      role,
      logGroup: handlerLogs,
      timeout: HANDLER_TIMEOUT,
      memorySize: HANDLER_MEMORY_MB,
    });

    const providerLogs = new logs.LogGroup(this, 'ProviderLogs', { retention, removalPolicy: RemovalPolicy.DESTROY });
    const provider = new cr.Provider(this, 'Provider', { onEventHandler: this.handler, logGroup: providerLogs });

    // PackageSha256, FunctionSettings and SourceFingerprint are read by no one: they say, in the template, what the version pairs.
    const properties: EdgeConfigResourceProperties & { PackageSha256: string; FunctionSettings?: string; SourceFingerprint?: string } = {
      FunctionName: target,
      Config: Stack.of(this).toJsonString(props.config),
      JwksUrl: props.jwksUrl,
      PackageSha256: props.packageSha256,
      ...(props.functionSettings === undefined ? {} : { FunctionSettings: props.functionSettings }),
      ...(props.sourceFingerprint === undefined ? {} : { SourceFingerprint: props.sourceFingerprint }),
    };
    this.fingerprint = valueFingerprint(this, { ...properties, FunctionName: undefined, config: props.config });
    // A new logical id per fingerprint: replacement, never update (see the top of this file).
    const resource = new CustomResource(this, `Version${this.fingerprint}`, {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::EdgeFunctionConfig',
      properties,
    });
    this.functionVersionArn = resource.getAttString('FunctionVersionArn');

    const frameworkRole = (provider.node.findChild('framework-onEvent') as lambda.Function).role;
    if (frameworkRole !== undefined) {
      acknowledge(frameworkRole, {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "The CDK custom resource provider framework's own function: AWS's basic execution policy only lets it write its logs.",
      });
      acknowledge(defaultPolicyOf(frameworkRole), {
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.handler.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
        reason:
          "The CDK provider framework may invoke the handler's versions; the wildcard covers versions of that one handler function only.",
      });
    }
  }
}
