/**
 * cdk-nag's AwsSolutions pack over the whole app: no unacknowledged finding,
 * and every acknowledgement is a deliberate, reviewed decision with a reason
 * a reader can act on. Adding one means changing the list below in the same
 * review.
 */
import type { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildTestApp } from './support/synth-app';

let app: App;
let templates: Array<{ stack: string; template: { Resources: Record<string, { Metadata?: Record<string, unknown> }> } }>;

beforeAll(() => {
  const built = buildTestApp({ nag: true });
  app = built.app;
  // Synthesis runs the registered AwsSolutions plugin (and CDK's template checks) and fails on any finding.
  const assembly = app.synth();
  templates = Object.values(built.stacks).map((stack) => ({
    stack: stack.stackName,
    template: assembly.getStackByName(stack.stackName).template as { Resources: Record<string, { Metadata?: Record<string, unknown> }> },
  }));
});

interface Acknowledgement {
  readonly stack: string;
  readonly resource: string;
  readonly id: string;
  readonly reason: string;
}

function acknowledgements(): Acknowledgement[] {
  return templates.flatMap(({ stack, template }) =>
    Object.entries(template.Resources).flatMap(([resource, { Metadata }]) => {
      const nag = Metadata?.cdk_nag as { rules_to_suppress?: Array<{ id: string; reason: string }> } | undefined;
      return (nag?.rules_to_suppress ?? []).map(({ id, reason }) => ({ stack, resource, id, reason }));
    }),
  );
}

it('finds nothing unacknowledged anywhere in the app', () => {
  const report = new AwsSolutionsChecks().validateScope(app);
  const findings = report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
  expect(findings).toEqual([]);
  expect(report.success).toBe(true);
});

it('writes every acknowledgement into the template with a reason worth reading', () => {
  const all = acknowledgements();
  expect(all.length).toBeGreaterThan(0);
  for (const ack of all) {
    expect(ack.id).toMatch(/^AwsSolutions-[A-Z0-9]+(\[.+\])?$/);
    expect(ack.reason.length).toBeGreaterThanOrEqual(60);
  }
});

it('acknowledges exactly the reviewed set of findings, each on its one resource', () => {
  const reviewed = acknowledgements()
    .map((ack) => `${ack.stack} ${ack.resource.replace(/[0-9A-F]{8}$/, '')} ${ack.id}`)
    .sort();
  const deployment = 'edge-upload-web CustomCDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C512MiB';
  const basicExecution = 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';
  expect(reviewed).toEqual(
    [
      'edge-upload-data AccessLogsBucket AwsSolutions-S1',
      'edge-upload-data UsersUserPool AwsSolutions-COG2',
      'edge-upload-data UsersUserPool AwsSolutions-COG8',
      'edge-upload-edge PresignRoleDefaultPolicy AwsSolutions-IAM5[Resource::arn:aws:s3:::edge-upload-uploads-111111111111-eu-west-1/quarantine/*]',
      'edge-upload-edge PresignRoleDefaultPolicy AwsSolutions-IAM5[Resource::arn:aws:s3:::edge-upload-uploads-111111111111-eu-west-1/uploads/*]',
      'edge-upload-edge PresignRoleDefaultPolicy AwsSolutions-IAM5[Resource::arn:aws:logs:*:111111111111:log-group:/aws/lambda/us-east-1.edge-upload-presign]',
      'edge-upload-edge PresignRoleDefaultPolicy AwsSolutions-IAM5[Resource::arn:aws:logs:*:111111111111:log-group:/aws/lambda/us-east-1.edge-upload-presign:*]',
      'edge-upload-edge PresignRoleDefaultPolicy AwsSolutions-IAM5[Resource::arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/edge-upload-presign:*]',
      'edge-upload-edge PresignFunction AwsSolutions-L1',
      'edge-upload-edge PresignConfigHandlerRoleDefaultPolicy AwsSolutions-IAM5[Resource::<PresignFunction0C6DD37F.Arn>:*]',
      'edge-upload-uploads InspectorRoleDefaultPolicy AwsSolutions-IAM5[Resource::arn:aws:s3:::edge-upload-uploads-111111111111-eu-west-1/uploads/*]',
      'edge-upload-uploads InspectorRoleDefaultPolicy AwsSolutions-IAM5[Resource::arn:aws:s3:::edge-upload-uploads-111111111111-eu-west-1/quarantine/*]',
      `edge-upload-edge PresignConfigProviderframeworkonEventServiceRole ${basicExecution}`,
      'edge-upload-edge PresignConfigProviderframeworkonEventServiceRoleDefaultPolicy AwsSolutions-IAM5[Resource::<PresignConfigHandler371AC1F5.Arn>:*]',
      // The role of aws-cdk-lib's AwsCustomResource function, one per stack: it writes (edge) and reads (web) the app's
      // presign version parameters, one stable policy on their path (infra/aws/constructs/presign-version-parameter.ts).
      'edge-upload-edge PresignVersionParameterSdkCallRoleDefaultPolicy AwsSolutions-IAM5[Resource::arn:aws:ssm:us-east-1:111111111111:parameter/edge-upload/edge-upload/presign-version/*]',
      'edge-upload-web PresignVersionSdkCallRoleDefaultPolicy AwsSolutions-IAM5[Resource::arn:aws:ssm:us-east-1:111111111111:parameter/edge-upload/edge-upload/presign-version/*]',
      'edge-upload-web AuthApiRestApi AwsSolutions-APIG2',
      'edge-upload-web AuthApiRestApiCloudWatchRole AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'edge-upload-web AuthApiRestApiauthproxyANY AwsSolutions-APIG4',
      'edge-upload-web AuthApiRestApiauthproxyANY AwsSolutions-COG4',
      // One POST method per auth route, each with its own throttle (auth-api.ts): the same two findings, the same reason.
      ...['register', 'confirm', 'resend', 'login', 'refresh', 'logout', 'forgot', 'reset'].flatMap((route) => [
        `edge-upload-web AuthApiRestApiauth${route}POST AwsSolutions-APIG4`,
        `edge-upload-web AuthApiRestApiauth${route}POST AwsSolutions-COG4`,
      ]),
      'edge-upload-web AuthOriginVerifySecret AwsSolutions-SMG4',
      'edge-upload-web CdnDistribution AwsSolutions-CFR4',
      `${deployment}ServiceRole ${basicExecution}`,
      `${deployment}ServiceRoleDefaultPolicy AwsSolutions-IAM5[Action::s3:GetBucket*]`,
      `${deployment}ServiceRoleDefaultPolicy AwsSolutions-IAM5[Action::s3:GetObject*]`,
      `${deployment}ServiceRoleDefaultPolicy AwsSolutions-IAM5[Action::s3:List*]`,
      `${deployment}ServiceRoleDefaultPolicy AwsSolutions-IAM5[Action::s3:Abort*]`,
      `${deployment}ServiceRoleDefaultPolicy AwsSolutions-IAM5[Action::s3:DeleteObject*]`,
      `${deployment}ServiceRoleDefaultPolicy AwsSolutions-IAM5[Resource::arn:aws:s3:::cdk-hnb659fds-assets-111111111111-eu-west-1/*]`,
      `${deployment}ServiceRoleDefaultPolicy AwsSolutions-IAM5[Resource::<SiteBucket978D4AEB.Arn>/*]`,
      `${deployment}ServiceRoleDefaultPolicy AwsSolutions-IAM5[Resource::*]`,
      `${deployment} AwsSolutions-L1`,
    ].sort(),
  );
});
