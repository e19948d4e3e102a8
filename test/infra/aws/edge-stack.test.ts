/**
 * The us-east-1 stack: the CLOUDFRONT web ACL generated from the shipped
 * firewall rules file and the presign Lambda@Edge function
 * with its deploy-time config.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { DEFAULT_UPLOAD_RULES } from '../../../edge-functions/core/upload-rules';
import { loadFirewallRules } from '../../../infra/firewall/rules';
import { EdgeFirewall } from '../../../infra/aws/constructs/edge-firewall';
import { EdgePresign } from '../../../infra/aws/constructs/edge-presign';
import { ConstructPropsError } from '../../../infra/aws/errors';
import { resourceNamed, synthTemplates, type StackTemplates } from './support/synth-app';

let t: StackTemplates;
beforeAll(() => {
  t = synthTemplates();
});

const BUCKET = 'edge-upload-uploads-111111111111-eu-west-1';
const byteMatch = (path: string, constraint: 'STARTS_WITH' | 'EXACTLY') => ({
  ByteMatchStatement: {
    FieldToMatch: { UriPath: {} },
    PositionalConstraint: constraint,
    SearchString: path,
    TextTransformations: [
      { Priority: 0, Type: 'URL_DECODE' },
      { Priority: 1, Type: 'NORMALIZE_PATH' },
    ],
  },
});

function webAcl(): Record<string, unknown> {
  return resourceNamed(t.edge, 'AWS::WAFv2::WebACL', 'Firewall').properties;
}
function rule(name: string): Record<string, unknown> {
  const found = (webAcl().Rules as Array<Record<string, unknown>>).find((r) => r.Name === name);
  if (found === undefined) throw new Error(`no rule ${name}`);
  return found;
}

describe('web ACL (from infra/firewall/firewall-rules.yaml)', () => {
  it('is CLOUDFRONT-scoped, allows by default, and is in us-east-1', () => {
    expect(t.built.stacks.edge.region).toBe('us-east-1');
    t.edge.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
      // Requests no rule matches include every /auth/* and /presign request: no samples of those.
      VisibilityConfig: { CloudWatchMetricsEnabled: true, SampledRequestsEnabled: false, MetricName: 'edge-upload-edge' },
    });
  });

  it('has one rule per file rule, same names and priorities, each with its own metric and no samples', () => {
    const shipped = loadFirewallRules(t.built.config.firewallRulesFile);
    const rules = webAcl().Rules as Array<Record<string, unknown>>;
    expect(rules.map((r) => [r.Name, r.Priority])).toEqual(shipped.rules.map((r) => [r.name, r.priority]));
    for (const r of rules) {
      // Every shipped rule can match a request with the refresh cookie or an access token in it.
      expect(r.VisibilityConfig).toEqual({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: false, MetricName: r.Name });
    }
  });

  it('rate-limits /auth/* per IP: 100 per 5 minutes, blocked with 429 and a JSON error', () => {
    expect(rule('rate-limit-auth')).toEqual(
      expect.objectContaining({
        Statement: {
          RateBasedStatement: {
            Limit: 100,
            EvaluationWindowSec: 300,
            AggregateKeyType: 'IP',
            ScopeDownStatement: byteMatch('/auth/', 'STARTS_WITH'),
          },
        },
        Action: { Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'rate-limit-429' } } },
      }),
    );
  });

  it('rate-limits the presign routes that start uploads (exact paths) at 300, every /presign* request at 1,500 and everything at 2,000', () => {
    expect(rule('rate-limit-presign').Statement).toEqual({
      RateBasedStatement: {
        Limit: 300,
        EvaluationWindowSec: 300,
        AggregateKeyType: 'IP',
        ScopeDownStatement: {
          OrStatement: {
            Statements: ['/presign', '/presign/multipart', '/presign/files', '/presign/files/access'].map((path) =>
              byteMatch(path, 'EXACTLY'),
            ),
          },
        },
      },
    });
    // Part URLs (/presign/multipart/parts) have the higher ceiling only: a 20 GiB file needs 256 calls.
    expect(rule('rate-limit-presign-all').Statement).toEqual({
      RateBasedStatement: {
        Limit: 1500,
        EvaluationWindowSec: 300,
        AggregateKeyType: 'IP',
        ScopeDownStatement: byteMatch('/presign', 'STARTS_WITH'),
      },
    });
    expect(rule('rate-limit-all').Statement).toEqual({
      RateBasedStatement: { Limit: 2000, EvaluationWindowSec: 300, AggregateKeyType: 'IP' },
    });
  });

  it('denies CU, IR, KP, SY by geo match with 403', () => {
    expect(rule('geo-deny')).toEqual(
      expect.objectContaining({
        Statement: { GeoMatchStatement: { CountryCodes: ['CU', 'IR', 'KP', 'SY'] } },
        Action: { Block: { CustomResponse: { ResponseCode: 403, CustomResponseBodyKey: 'geo-deny-403' } } },
      }),
    );
  });

  it('blocks bodies over 8 KiB on /auth/* and /presign*, oversize bodies included', () => {
    expect(rule('body-size-api').Statement).toEqual({
      AndStatement: {
        Statements: [
          {
            SizeConstraintStatement: {
              FieldToMatch: { Body: { OversizeHandling: 'MATCH' } },
              ComparisonOperator: 'GT',
              Size: 8192,
              TextTransformations: [{ Priority: 0, Type: 'NONE' }],
            },
          },
          { OrStatement: { Statements: [byteMatch('/auth/', 'STARTS_WITH'), byteMatch('/presign', 'STARTS_WITH')] } },
        ],
      },
    });
    t.edge.hasResourceProperties('AWS::WAFv2::WebACL', {
      AssociationConfig: { RequestBody: { CLOUDFRONT: { DefaultSizeInspectionLimit: 'KB_16' } } },
    });
  });

  it('runs the three AWS managed rule groups with their own actions', () => {
    for (const [name, group] of [
      ['aws-ip-reputation', 'AWSManagedRulesAmazonIpReputationList'],
      ['aws-known-bad-inputs', 'AWSManagedRulesKnownBadInputsRuleSet'],
      ['aws-common', 'AWSManagedRulesCommonRuleSet'],
    ] as const) {
      expect(rule(name)).toEqual(
        expect.objectContaining({
          Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: group } },
          OverrideAction: { None: {} },
        }),
      );
      expect(rule(name).Action).toBeUndefined();
    }
  });

  it('answers blocks in the error shape of docs/http-api.md', () => {
    const bodies = webAcl().CustomResponseBodies as Record<string, { ContentType: string; Content: string }>;
    expect(Object.keys(bodies).sort()).toEqual(['body-size-403', 'geo-deny-403', 'rate-limit-429']);
    for (const body of Object.values(bodies)) expect(body.ContentType).toBe('APPLICATION_JSON');
    expect(JSON.parse(bodies['rate-limit-429']!.Content)).toEqual({ error: { code: 'TOO_MANY_REQUESTS', message: expect.any(String) } });
    expect(JSON.parse(bodies['geo-deny-403']!.Content)).toEqual({ error: { code: 'REQUEST_BLOCKED', message: expect.any(String) } });
  });

  it('logs to an aws-waf-logs- log group, with the token-carrying headers redacted', () => {
    t.edge.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: 'aws-waf-logs-edge-upload', RetentionInDays: 90 });
    t.edge.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      ResourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FirewallWebAcl'), 'Arn'] },
      LogDestinationConfigs: [{ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':log-group:')])] }],
      RedactedFields: [{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'cookie' } }],
    });
  });
});

describe('presign Lambda@Edge function', () => {
  const presign = () => resourceNamed(t.edge, 'AWS::Lambda::Function', 'PresignFunction').properties;

  it('runs the built bundle within the viewer-request limits, with no environment', () => {
    expect(presign()).toEqual(
      expect.objectContaining({
        FunctionName: 'edge-upload-presign',
        Handler: 'index.handler',
        Runtime: 'nodejs22.x',
        Architectures: ['x86_64'],
        MemorySize: 128,
        Timeout: 5,
      }),
    );
    expect(presign().Environment).toBeUndefined();
  });

  it('has a role trusted by lambda and edgelambda', () => {
    const roleId = (presign().Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const role = t.edge.toJSON().Resources[roleId].Properties;
    const principals = role.AssumeRolePolicyDocument.Statement.flatMap((s: { Principal: { Service: string | string[] } }) =>
      [s.Principal.Service].flat(),
    );
    expect(principals.sort()).toEqual(['edgelambda.amazonaws.com', 'lambda.amazonaws.com']);
    expect(role.ManagedPolicyArns).toBeUndefined();
  });

  it('may only put objects, list and abort multipart uploads under uploads/, and list, read, check and delete your files, nothing else in S3', () => {
    const policy = resourceNamed(t.edge, 'AWS::IAM::Policy', 'PresignRoleDefaultPolicy').properties;
    const statements = (policy.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
    const s3 = statements.filter((s) => JSON.stringify(s.Action).includes('s3:'));
    const uploads = `arn:aws:s3:::${BUCKET}/${DEFAULT_UPLOAD_RULES.keyPrefix}*`;
    const quarantine = `arn:aws:s3:::${BUCKET}/quarantine/*`;
    // s3:PutObject covers the form, CreateMultipartUpload, UploadPart and CompleteMultipartUpload.
    expect(s3).toEqual([
      expect.objectContaining({ Sid: 'PutUploadsOnly', Effect: 'Allow', Action: 's3:PutObject', Resource: uploads }),
      expect.objectContaining({
        Sid: 'ListOwnFilesPrefixesOnly',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: `arn:aws:s3:::${BUCKET}`,
        Condition: expect.objectContaining({ StringLike: { 's3:prefix': [`${DEFAULT_UPLOAD_RULES.keyPrefix}*`, 'quarantine/*'] } }),
      }),
      // A quarantined file is never downloadable: GetObject under uploads/ only.
      expect.objectContaining({ Sid: 'DownloadUploadsOnly', Effect: 'Allow', Action: 's3:GetObject', Resource: uploads }),
      expect.objectContaining({ Sid: 'ReadVerdicts', Effect: 'Allow', Action: 's3:GetObjectTagging', Resource: [quarantine, uploads] }),
      expect.objectContaining({
        Sid: 'DeleteUploadsAndQuarantined',
        Effect: 'Allow',
        Action: 's3:DeleteObject',
        Resource: [quarantine, uploads],
      }),
      expect.objectContaining({
        Sid: 'MultipartUploadsOnly',
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        Resource: uploads,
      }),
    ]);
  });

  it('signs forms for the upload bucket only while it belongs to this account (s3:ResourceAccount)', () => {
    // The bucket name is fixed at synth: if it were ever deleted and the name taken, no upload may land in that bucket.
    const policy = resourceNamed(t.edge, 'AWS::IAM::Policy', 'PresignRoleDefaultPolicy').properties;
    const statements = (policy.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
    const s3 = statements.filter((s) => JSON.stringify(s.Action).includes('s3:'));
    expect(s3.length).toBeGreaterThan(0);
    for (const statement of s3)
      expect((statement.Condition as Record<string, unknown>).StringEquals).toEqual({ 's3:ResourceAccount': '111111111111' });
  });

  it('may use the upload key (GenerateDataKey, and Decrypt for multipart) only through S3 in the bucket region, for this bucket', () => {
    t.edge.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'UploadKeyThroughS3Only',
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Resource: { 'Fn::GetStackOutput': Match.objectLike({ StackName: 'edge-upload-data', Region: 'eu-west-1' }) },
            Condition: {
              StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
              StringLike: { 'kms:EncryptionContext:aws:s3:arn': [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/uploads/*`] },
            },
          },
        ]),
      },
    });
  });

  it('gets its config.json from the deploy-time custom resource, which publishes the version CloudFront uses', () => {
    const config = resourceNamed(t.edge, 'Custom::EdgeFunctionConfig', 'PresignConfig').properties;
    expect(config.FunctionName).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PresignFunction/), 'Arn'] });
    expect(config.PackageSha256).toBe(t.built.artifacts.presignBundleSha256);
    expect(JSON.parse(config.FunctionSettings as string)).toEqual({ runtime: 'nodejs22.x', memoryMb: 128, timeoutSeconds: 5 });
    const text = JSON.stringify(config.Config);
    for (const field of ['issuer', 'clientIds', 'bucket', 'region', 'uploadUrl', 'kmsKeyId', 'policyTtlSeconds'])
      expect(text).toContain(`\\"${field}\\"`);
    expect(text).toContain(`https://${BUCKET}.s3-accelerate.amazonaws.com/`);
    expect(text).toContain(`\\"policyTtlSeconds\\":${DEFAULT_UPLOAD_RULES.policyTtlSeconds}`);
    expect(text).toContain('https://cognito-idp.eu-west-1.amazonaws.com/');
    expect(JSON.stringify(config.JwksUrl)).toContain('/.well-known/jwks.json');
  });

  it('lets the config handler rewrite and publish that one function, nothing else', () => {
    const policy = resourceNamed(t.edge, 'AWS::IAM::Policy', 'PresignConfigHandlerRoleDefaultPolicy').properties;
    const statements = (policy.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
    const lambdaStatement = statements.find((s) => s.Sid === 'RewriteAndPublishThePresignFunction');
    expect(lambdaStatement).toEqual(
      expect.objectContaining({
        Action: [
          'lambda:GetFunction',
          'lambda:GetFunctionConfiguration',
          'lambda:ListVersionsByFunction',
          'lambda:PublishVersion',
          'lambda:UpdateFunctionCode',
        ],
        Resource: [
          { 'Fn::GetAtt': [expect.stringMatching(/^PresignFunction/), 'Arn'] },
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^PresignFunction/), 'Arn'] }, ':*']] },
        ],
      }),
    );
    for (const s of statements) expect(JSON.stringify(s.Resource)).not.toBe('"*"');
  });
});

describe('region guards', () => {
  const stackIn = (region: string) => new Stack(new App(), 'S', { env: { account: '111111111111', region } });

  it('refuses a CLOUDFRONT web ACL outside us-east-1', () => {
    const rules = loadFirewallRules(t.built.config.firewallRulesFile);
    expect(() => new EdgeFirewall(stackIn('eu-west-1'), 'F', { appName: 'x-app', rules })).toThrow(ConstructPropsError);
  });

  it('refuses a Lambda@Edge function outside us-east-1', () => {
    const a = t.built.artifacts;
    expect(
      () =>
        new EdgePresign(stackIn('eu-west-1'), 'P', {
          appName: 'x-app',
          codeDir: a.presignDir,
          codeSha256: a.presignBundleSha256,
          configHandlerCodeDir: a.edgeConfigResourceDir,
          uploadBucketName: 'x-app-uploads',
          uploadBucketRegion: 'eu-west-1',
          uploadKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/k',
          issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_x',
          jwksUrl: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_x/.well-known/jwks.json',
          userPoolClientIds: ['client'],
        }),
    ).toThrow(/must be created in us-east-1/);
  });
});
