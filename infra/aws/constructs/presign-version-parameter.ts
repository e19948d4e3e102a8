/**
 * The presign version ARN, from the edge stack (us-east-1) to the web stack
 * (the app's region), through one SSM parameter per version
 * (presign-version-parameter.ts; README, "Updating a deployment").
 *
 * Both ends are AwsCustomResources whose construct id carries the version's
 * fingerprint, so a new version is a new writer and a new reader, never an
 * update of an old one:
 * - the writer (edge stack) puts `/edge-upload/<appName>/presign-version/<fingerprint>`
 *   and never deletes it: a later deploy, or a rollback, leaves every older
 *   parameter where it was, so any older web template can still be read;
 * - the reader (web stack) gets that parameter from us-east-1 once, when it
 *   is created. A failed web deploy rolls back by deleting the new reader;
 *   the old reader, untouched, keeps the value it read, and CloudFormation
 *   hands its attribute back to the distribution: nothing is read again.
 *
 * CDK's own cross-region references do not have that property: the export
 * name follows the config resource's changing id, the producer stops
 * providing the old one on the edge deploy, and a web rollback has to read
 * the old one again.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { EDGE_REGION } from '../app-config';
import { acknowledge, defaultPolicyOf } from '../nag';
import { presignVersionParameterArn, presignVersionParameterName, presignVersionParameterPath } from '../presign-version-parameter';
import { SECURE_DEFAULTS } from '../secure-defaults';

export interface PresignVersionParameterProps {
  readonly appName: string;
  /** EdgeConfigDeployment.fingerprint of the version: part of the parameter's name and of the custom resource's id. */
  readonly fingerprint: string;
}

export interface PresignVersionWriterProps extends PresignVersionParameterProps {
  /** The published version's ARN. */
  readonly functionVersionArn: string;
}

/** Puts the version ARN into its parameter, in this (the edge) stack's region. */
export class PresignVersionWriter extends Construct {
  public readonly parameterName: string;
  public readonly resource: cr.AwsCustomResource;
  private readonly logs: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: PresignVersionWriterProps) {
    super(scope, id);
    const name = (this.parameterName = presignVersionParameterName(props.appName, props.fingerprint));
    this.logs = sdkCallLogs(this);
    const put: cr.AwsSdkCall = {
      service: 'SSM',
      action: 'putParameter',
      // Overwrite: after a `cdk destroy` (which leaves the parameters), a redeploy of the same version writes the same name again.
      parameters: { Name: name, Value: props.functionVersionArn, Type: 'String', Overwrite: true },
      physicalResourceId: cr.PhysicalResourceId.of(name),
    };
    // No onDelete: the parameter outlives its writer (see the top of this file; README for the cleanup).
    this.resource = new cr.AwsCustomResource(this, `Put${props.fingerprint}`, {
      resourceType: 'Custom::PresignVersionParameter',
      onCreate: put,
      onUpdate: put,
      role: sdkCallRole(this, props.appName, 'ssm:PutParameter', this.logs),
      installLatestAwsSdk: false,
      logGroup: this.logs,
    });
  }
}

/** Reads the version ARN from its parameter in us-east-1, once, when created. */
export class PresignVersionReader extends Construct {
  public readonly parameterName: string;
  public readonly resource: cr.AwsCustomResource;
  private readonly logs: logs.ILogGroup;
  /** The version ARN, for CloudFront's Lambda@Edge association. */
  public readonly functionVersionArn: string;

  constructor(scope: Construct, id: string, props: PresignVersionParameterProps) {
    super(scope, id);
    const name = (this.parameterName = presignVersionParameterName(props.appName, props.fingerprint));
    this.logs = sdkCallLogs(this);
    const get: cr.AwsSdkCall = {
      service: 'SSM',
      action: 'getParameter',
      region: EDGE_REGION,
      parameters: { Name: name },
      physicalResourceId: cr.PhysicalResourceId.of(name),
      outputPaths: ['Parameter.Value'],
    };
    this.resource = new cr.AwsCustomResource(this, `Get${props.fingerprint}`, {
      resourceType: 'Custom::PresignVersionParameterRead',
      onCreate: get,
      // Only CDK itself can change this resource's properties without a new fingerprint; reading the same name again is then harmless.
      onUpdate: get,
      role: sdkCallRole(this, props.appName, 'ssm:GetParameter', this.logs),
      installLatestAwsSdk: false,
      logGroup: this.logs,
    });
    this.functionVersionArn = this.resource.getResponseField('Parameter.Value');
  }
}

/**
 * The stack's one AwsCustomResource function logs here, with the retention of every other log:
 * beside the fingerprinted resource, so a new version does not mean a new log group.
 */
function sdkCallLogs(scope: Construct): logs.ILogGroup {
  return new logs.LogGroup(scope, 'SdkCallLogs', { retention: SECURE_DEFAULTS.logs.retention, removalPolicy: RemovalPolicy.DESTROY });
}

/**
 * The role of the stack's AwsCustomResource function: one, beside the
 * fingerprinted resource, with one policy that no new version changes. A
 * policy per version (AwsCustomResource's `policy`) would be attached in the
 * same deploy that first calls SSM with it, and IAM may not have propagated
 * it by then: an AccessDenied on a random deploy. So the policy names the
 * app's parameter path, not each parameter.
 */
function sdkCallRole(scope: Construct, appName: string, action: string, logGroup: logs.ILogGroup): iam.IRole {
  const stack = Stack.of(scope);
  const role = new iam.Role(scope, 'SdkCallRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `presign version parameter: ${action} on this app's ${presignVersionParameterPath(appName)}*, and its own logs`,
  });
  const path = presignVersionParameterArn(stack, `${presignVersionParameterPath(appName)}*`);
  role.addToPolicy(new iam.PolicyStatement({ actions: [action], resources: [path] }));
  logGroup.grantWrite(role);
  acknowledge(defaultPolicyOf(role), {
    id: `AwsSolutions-IAM5[Resource::${path}]`,
    reason:
      "The app's own presign-version parameters, one per published version, each named after its fingerprint: one stable policy for all of them, so that no deploy waits on IAM propagation of a new one.",
  });
  return role;
}
