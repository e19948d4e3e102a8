/**
 * The presign version ARN, from the edge stack (us-east-1) to the web stack
 * (the app's region), through one SSM parameter per version
 * (presign-version-parameter.ts; README, "Updating a deployment").
 *
 * Both ends are AwsCustomResources whose construct id carries the version's
 * fingerprint, so a new version is a new writer and a new reader, never an
 * update of an old one:
 * - the writer (edge stack) puts `/<appName>/edge/presign-version/<fingerprint>`
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
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { EDGE_REGION } from '../app-config';
import { acknowledge } from '../nag';
import { presignVersionParameterArn, presignVersionParameterName } from '../presign-version-parameter';
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

  constructor(scope: Construct, id: string, props: PresignVersionWriterProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const name = (this.parameterName = presignVersionParameterName(props.appName, props.fingerprint));
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
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['ssm:PutParameter'], resources: [presignVersionParameterArn(stack, name)] }),
      ]),
      installLatestAwsSdk: false,
      logGroup: sdkCallLogs(this),
    });
    acknowledgeSdkCallFunction(this);
  }
}

/** Reads the version ARN from its parameter in us-east-1, once, when created. */
export class PresignVersionReader extends Construct {
  public readonly parameterName: string;
  public readonly resource: cr.AwsCustomResource;
  /** The version ARN, for CloudFront's Lambda@Edge association. */
  public readonly functionVersionArn: string;

  constructor(scope: Construct, id: string, props: PresignVersionParameterProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const name = (this.parameterName = presignVersionParameterName(props.appName, props.fingerprint));
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
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [presignVersionParameterArn(stack, name)] }),
      ]),
      installLatestAwsSdk: false,
      logGroup: sdkCallLogs(this),
    });
    this.functionVersionArn = this.resource.getResponseField('Parameter.Value');
    acknowledgeSdkCallFunction(this);
  }
}

/**
 * The stack's one AwsCustomResource function logs here, with the retention of every other log:
 * beside the fingerprinted resource, so a new version does not mean a new log group.
 */
function sdkCallLogs(scope: Construct): logs.ILogGroup {
  return new logs.LogGroup(scope, 'SdkCallLogs', { retention: SECURE_DEFAULTS.logs.retention, removalPolicy: RemovalPolicy.DESTROY });
}

/** The findings on the stack's singleton AwsCustomResource function and its role (aws-cdk-lib creates both at stack level). */
function acknowledgeSdkCallFunction(scope: Construct): void {
  const singleton = Stack.of(scope).node.tryFindChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
  if (!(singleton instanceof lambda.Function) || singleton.role === undefined)
    throw new Error(`${scope.node.path}: the AwsCustomResource function was not found where aws-cdk-lib puts it`);
  acknowledge(singleton.role, {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      "aws-cdk-lib's AwsCustomResource function: AWS's basic execution policy only lets it write its logs; its one SSM call is granted by its own policy, on one parameter ARN.",
  });
}
