/**
 * The upload inspector in the uploads stack: the function,
 * the bucket's notification that calls it, its least-privilege role, its
 * dead-letter queue, and the bucket policy that makes "only verified objects
 * are readable" a rule. Read from the synthesized template.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { UploadInspector } from '../../../infra/aws/constructs/upload-inspector';
import { ConstructPropsError } from '../../../infra/aws/errors';
import { resourceNamed, synthTemplates, type StackTemplates } from './support/synth-app';

let t: StackTemplates;
beforeAll(() => {
  t = synthTemplates();
});

const BUCKET = 'edge-upload-uploads-111111111111-eu-west-1';
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const UPLOADS = `${BUCKET_ARN}/uploads/*`;
const QUARANTINE = `${BUCKET_ARN}/quarantine/*`;
const UPLOAD_KEY = {
  'Fn::GetStackOutput': Match.objectLike({ StackName: 'edge-upload-data', OutputName: Match.stringLikeRegexp('UploadKey') }),
};

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
const roleStatements = (): Statement[] =>
  (resourceNamed(t.uploads, 'AWS::IAM::Policy', 'InspectorRoleDefaultPolicy').properties.PolicyDocument as { Statement: Statement[] })
    .Statement;
const bucketStatements = (): Statement[] =>
  (Object.values(t.uploads.findResources('AWS::S3::BucketPolicy'))[0] as { Properties: { PolicyDocument: { Statement: Statement[] } } })
    .Properties.PolicyDocument.Statement;

/** Every S3 statement holds only while the bucket is this account's. */
const OWN_BUCKET = { StringEquals: { 's3:ResourceAccount': '111111111111' } };

describe('the function', () => {
  it('runs the built inspector with the bucket, the prefixes and the upload key in its environment', () => {
    t.uploads.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 30,
      Environment: {
        Variables: { UPLOAD_BUCKET: BUCKET, UPLOAD_PREFIX: 'uploads/', QUARANTINE_PREFIX: 'quarantine/', UPLOAD_KMS_KEY_ID: UPLOAD_KEY },
      },
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^InspectorDeadLetters'), 'Arn'] } },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^InspectorLogs') } },
    });
  });

  it('is retried twice by Lambda, then the event goes to an encrypted, TLS-only dead-letter queue', () => {
    t.uploads.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2 });
    t.uploads.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    t.uploads.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  it('keeps its logs three months', () => {
    t.uploads.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });
});

describe('the notification', () => {
  it('calls the function for every ObjectCreated under uploads/, set on the bucket itself', () => {
    t.uploads.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: BUCKET,
      NotificationConfiguration: {
        LambdaConfigurations: [
          {
            Event: 's3:ObjectCreated:*',
            Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'uploads/' }] } },
            Function: { 'Fn::GetAtt': [Match.stringLikeRegexp('^InspectorFunction'), 'Arn'] },
          },
        ],
      },
    });
    // No BucketNotifications custom resource (and so no Lambda with s3:PutBucketNotification on *).
    expect(t.uploads.findResources('Custom::S3BucketNotifications')).toEqual({});
  });

  it('lets S3 invoke it for this bucket in this account only, and the bucket waits for that permission', () => {
    const permission = resourceNamed(t.uploads, 'AWS::Lambda::Permission', 'InspectorInvokeFromUploadBucket');
    expect(permission.properties).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [expect.stringMatching(/^InspectorFunction/), 'Arn'] },
      Principal: 's3.amazonaws.com',
      SourceArn: BUCKET_ARN,
      SourceAccount: '111111111111',
    });
    t.uploads.hasResource('AWS::S3::Bucket', { DependsOn: Match.arrayWith([permission.id]) });
  });
});

describe('the role: least privilege', () => {
  it('may read, tag and delete under uploads/, copy and tag into quarantine/, list those two prefixes, and nothing else in S3', () => {
    const s3Statements = roleStatements()
      .filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')))
      .map(({ Action, Resource, Condition }) => ({ Action, Resource, ...(Condition === undefined ? {} : { Condition }) }));
    expect(s3Statements).toEqual([
      { Action: 's3:GetObject', Resource: UPLOADS, Condition: OWN_BUCKET },
      { Action: 's3:PutObjectTagging', Resource: [QUARANTINE, UPLOADS], Condition: OWN_BUCKET },
      { Action: 's3:PutObject', Resource: QUARANTINE, Condition: OWN_BUCKET },
      { Action: 's3:DeleteObject', Resource: UPLOADS, Condition: OWN_BUCKET },
      {
        Action: 's3:ListBucket',
        Resource: BUCKET_ARN,
        Condition: { ...OWN_BUCKET, StringLike: { 's3:prefix': ['uploads/*', 'quarantine/*'] } },
      },
    ]);
  });

  it('may list the bucket (so a missing object is a 404, the "gone" path, not a 403) only under uploads/ and quarantine/', () => {
    const list = roleStatements().filter((s) => [s.Action].flat().includes('s3:ListBucket'));
    expect(list).toEqual([
      {
        Sid: 'KnowWhenAnUploadIsGone',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: BUCKET_ARN,
        Condition: { ...OWN_BUCKET, StringLike: { 's3:prefix': ['uploads/*', 'quarantine/*'] } },
      },
    ]);
  });

  it('acts on the bucket only while it belongs to this account (s3:ResourceAccount), in every S3 statement', () => {
    // The name is fixed at synth: a bucket of that name in another account (after a deletion) is never touched.
    const s3Statements = roleStatements().filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')));
    expect(s3Statements.length).toBeGreaterThan(0);
    for (const statement of s3Statements) {
      expect(statement.Condition).toEqual(expect.objectContaining(OWN_BUCKET));
    }
  });

  it('may use the upload key only through S3 in the bucket region, for this bucket', () => {
    expect(roleStatements().find((s) => s.Sid === 'UploadKeyThroughS3Only')).toEqual({
      Sid: 'UploadKeyThroughS3Only',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: expect.objectContaining({ 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'edge-upload-data' }) }),
      Condition: {
        StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': [BUCKET_ARN, UPLOADS, QUARANTINE] },
      },
    });
  });

  it('has nothing on "*", no managed policy, and otherwise only its log group, the default event bus and its dead-letter queue', () => {
    const all = roleStatements();
    expect(JSON.stringify(all.map((s) => s.Resource))).not.toMatch(/"\*"/);
    const rest = all.filter((s) => ![s.Action].flat().some((a) => a.startsWith('s3:') || a.startsWith('kms:')));
    // events:PutEvents is on the default bus only, as edge-upload only (embed-options.test.ts).
    expect(rest.map((s) => s.Action)).toEqual([['logs:CreateLogStream', 'logs:PutLogEvents'], 'events:PutEvents', 'sqs:SendMessage']);
    const role = resourceNamed(t.uploads, 'AWS::IAM::Role', 'InspectorRole');
    expect(role.properties.ManagedPolicyArns).toBeUndefined();
    expect(role.properties.AssumeRolePolicyDocument).toEqual({
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
      Version: '2012-10-17',
    });
  });
});

describe('what readers see: the bucket policy', () => {
  const inspectorRole = { 'Fn::GetAtt': [expect.stringMatching(/^InspectorRole/), 'Arn'] };

  it('denies reading an upload that is not tagged verified=true to everyone but the inspector', () => {
    expect(bucketStatements()).toContainEqual({
      Sid: 'DenyReadingUnverifiedUploads',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      Resource: UPLOADS,
      Condition: { StringNotEquals: { 's3:ExistingObjectTag/verified': 'true' }, ArnNotEquals: { 'aws:PrincipalArn': inspectorRole } },
    });
  });

  it('denies tagging any object (so no one else can mark one verified) to everyone but the inspector', () => {
    expect(bucketStatements()).toContainEqual({
      Sid: 'OnlyTheInspectorTags',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['s3:DeleteObjectTagging', 's3:DeleteObjectVersionTagging', 's3:PutObjectTagging', 's3:PutObjectVersionTagging'],
      Resource: `${BUCKET_ARN}/*`,
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': inspectorRole } },
    });
  });

  it('still has no Allow statement', () => {
    for (const statement of bucketStatements()) expect(statement.Effect).toBe('Deny');
  });
});

describe('props', () => {
  const make = (props: { uploadPrefix?: string; quarantinePrefix?: string }) => {
    const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const bucket = new s3.Bucket(stack, 'B', { bucketName: 'my-uploads' });
    return () =>
      new UploadInspector(stack, 'I', {
        appName: 'x',
        codeDir: t.built.artifacts.inspectorDir,
        bucket,
        bucketName: 'my-uploads',
        uploadKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/abc',
        ...props,
      });
  };

  it('refuse a quarantine prefix that overlaps the upload prefix', () => {
    expect(make({ quarantinePrefix: 'uploads/' })).toThrow(ConstructPropsError);
    expect(make({ uploadPrefix: 'up/', quarantinePrefix: 'up/q/' })).toThrow(ConstructPropsError);
  });

  it('refuse a prefix that is not one folder', () => {
    expect(make({ quarantinePrefix: 'quarantine' })).toThrow(/ending in "\/"/);
    expect(make({ quarantinePrefix: '*/' })).toThrow(ConstructPropsError);
  });
});
