/**
 * The upload bucket: every security property, read from the
 * synthesized template, plus the synth-time refusal of names with dots.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AppConfigError, BucketNameError } from '../../../infra/aws/errors';
import { UploadBucket } from '../../../infra/aws/constructs/upload-bucket';
import { conditionHolds, type RequestContext } from './support/iam-conditions';
import { buildTestApp, synthTemplates, type StackTemplates } from './support/synth-app';

let t: StackTemplates;
beforeAll(() => {
  t = synthTemplates();
});

const BUCKET = 'edge-upload-uploads-111111111111-eu-west-1';

describe('upload bucket', () => {
  it('has the name fixed at synth, the one the edge signs for', () => {
    t.uploads.hasResourceProperties('AWS::S3::Bucket', { BucketName: BUCKET });
    expect(t.built.config.uploadBucketName).toBe(BUCKET);
  });

  it('blocks all public access and enforces object ownership (no ACLs)', () => {
    t.uploads.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: BUCKET,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
  });

  it('encrypts with the customer-managed key from the data stack, with a bucket key', () => {
    t.uploads.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: BUCKET,
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: {
                'Fn::GetStackOutput': Match.objectLike({ StackName: 'edge-upload-data', OutputName: Match.stringLikeRegexp('UploadKey') }),
              },
            },
          },
        ],
      },
    });
  });

  it('has Transfer Acceleration on', () => {
    t.uploads.hasResourceProperties('AWS::S3::Bucket', { BucketName: BUCKET, AccelerateConfiguration: { AccelerationStatus: 'Enabled' } });
  });

  it('allows CORS from the site origin for the form and every multipart request, with their headers, exposing ETag', () => {
    const bucket = Object.values(t.uploads.findResources('AWS::S3::Bucket'))[0] as {
      Properties: { CorsConfiguration: { CorsRules: unknown[] } };
    };
    const rules = bucket.Properties.CorsConfiguration.CorsRules as Array<Record<string, unknown>>;
    expect(rules).toHaveLength(1);
    // POST: form, CreateMultipartUpload, CompleteMultipartUpload; PUT: UploadPart; GET: ListParts; DELETE: AbortMultipartUpload.
    expect(rules[0]).toMatchObject({
      AllowedMethods: ['GET', 'PUT', 'POST', 'DELETE'],
      ExposedHeaders: ['ETag', 'Location'],
      MaxAge: 3600,
    });
    // The signed headers of the create (Content-Type, x-amz-meta-userid, x-amz-server-side-encryption*) and a part's Content-MD5.
    expect(rules[0]!.AllowedHeaders).toEqual(['content-type', 'content-md5', 'x-amz-*']);
    expect(rules[0]!.AllowedOrigins).toEqual([
      {
        'Fn::Join': [
          '',
          [
            'https://',
            {
              'Fn::GetStackOutput': expect.objectContaining({
                StackName: 'edge-upload-web',
                OutputName: expect.stringMatching(/CdnDistribution.*DomainName/),
              }),
            },
          ],
        ],
      },
    ]);
  });

  it('aborts incomplete multipart uploads after 1 day, bucket-wide, and writes server access logs', () => {
    const bucket = Object.values(t.uploads.findResources('AWS::S3::Bucket'))[0] as {
      Properties: { LifecycleConfiguration: { Rules: unknown[] } };
    };
    // Bucket-wide (no prefix or tag filter: a create under any key is cleaned up) and nothing else (no expiry of files).
    expect(bucket.Properties.LifecycleConfiguration.Rules).toContainEqual({
      Id: 'abort-incomplete-multipart-uploads',
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      Status: 'Enabled',
    });
    t.uploads.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: BUCKET,
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' })]),
      },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'upload-bucket/' },
    });
  });

  it('is retained when the stack is deleted (people’s files)', () => {
    t.uploads.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  describe('bucket policy', () => {
    const statements = (): Array<Record<string, unknown>> => {
      const policies = Object.values(t.uploads.findResources('AWS::S3::BucketPolicy')) as Array<{
        Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> } };
      }>;
      expect(policies).toHaveLength(1);
      return policies[0]!.Properties.PolicyDocument.Statement;
    };

    it('lets no one in: every statement is a Deny (presigned POST forms are the only way to write)', () => {
      const all = statements();
      expect(all.length).toBeGreaterThan(0);
      for (const statement of all) expect(statement.Effect).toBe('Deny');
      expect(JSON.stringify(all)).not.toContain('cloudfront');
    });

    it('denies plain HTTP and TLS below 1.2', () => {
      expect(statements()).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      );
    });

    it('denies writes that name another KMS key or another encryption, only when they name one', () => {
      const keyId = 's3:x-amz-server-side-encryption-aws-kms-key-id';
      const sse = 's3:x-amz-server-side-encryption';
      expect(statements()).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Sid: 'DenyOtherKmsKeys',
            Action: 's3:PutObject',
            Condition: { Null: { [sse]: 'false' }, StringNotEquals: { [keyId]: expect.anything() } },
          }),
          expect.objectContaining({
            Sid: 'DenyOtherEncryption',
            Action: 's3:PutObject',
            Condition: { Null: { [sse]: 'false' }, StringNotEquals: { [sse]: 'aws:kms' } },
          }),
        ]),
      );
    });
  });

  describe('bucket policy against each write the edge signs (IAM condition rules, test/infra/aws/support/iam-conditions.ts)', () => {
    const KEY = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const OTHER_KEY = 'arn:aws:kms:eu-west-1:111111111111:key/ffffffff-12ab-34cd-56ef-1234567890ab';
    const SSE = 's3:x-amz-server-side-encryption';
    const KEY_ID = 's3:x-amz-server-side-encryption-aws-kms-key-id';

    type Statement = { Sid?: string; Effect: string; Action: string | string[]; Condition?: Record<string, Record<string, unknown>> };
    let policy: Statement[];
    beforeAll(() => {
      // The construct alone, with a concrete key ARN, so that the conditions can be evaluated.
      const stack = new Stack(new App(), 'Policy', { env: { account: '111111111111', region: 'eu-west-1' } });
      new UploadBucket(stack, 'U', {
        bucketName: BUCKET,
        encryptionKey: kms.Key.fromKeyArn(stack, 'K', KEY),
        corsOrigins: ['https://example.com'],
        accessLogs: { bucketName: 'logs', prefix: 'u/' },
      });
      const [only] = Object.values(Template.fromStack(stack).findResources('AWS::S3::BucketPolicy')) as Array<{
        Properties: { PolicyDocument: { Statement: Statement[] } };
      }>;
      policy = only!.Properties.PolicyDocument.Statement;
    });

    /** The Sids of the PutObject Denies that apply to an s3:PutObject request with this context. */
    const deniedBy = (context: RequestContext): string[] =>
      policy
        .filter((s) => s.Effect === 'Deny' && [s.Action].flat().includes('s3:PutObject'))
        .filter((s) => conditionHolds(s.Condition, context))
        .map((s) => s.Sid ?? '');

    it.each<[string, RequestContext]>([
      ['a POST form (its policy binds SSE-KMS and the key)', { [SSE]: 'aws:kms', [KEY_ID]: KEY }],
      ['CreateMultipartUpload with the signed SSE headers', { [SSE]: 'aws:kms', [KEY_ID]: KEY }],
      // UploadPart and CompleteMultipartUpload carry no SSE header: the create's encryption applies.
      ['UploadPart (no SSE header)', {}],
      ['CompleteMultipartUpload (no SSE header)', {}],
    ])('lets %s through', (_, context) => {
      expect(deniedBy(context)).toEqual([]);
    });

    it.each<[string, RequestContext, string[]]>([
      ['SSE-S3', { [SSE]: 'AES256' }, ['DenyOtherKmsKeys', 'DenyOtherEncryption']],
      ['DSSE-KMS with this key', { [SSE]: 'aws:kms:dsse', [KEY_ID]: KEY }, ['DenyOtherEncryption']],
      ['another KMS key', { [SSE]: 'aws:kms', [KEY_ID]: OTHER_KEY }, ['DenyOtherKmsKeys']],
      ['SSE-KMS without a key id (the AWS managed aws/s3 key)', { [SSE]: 'aws:kms' }, ['DenyOtherKmsKeys']],
    ])('denies a write that names %s', (_, context, sids) => {
      expect(deniedBy(context)).toEqual(sids);
    });

    it('would have refused every part with the IfExists form it replaces (a missing key makes a negated IfExists true)', () => {
      const previous = { StringNotEqualsIfExists: { [SSE]: 'aws:kms' } };
      expect(conditionHolds(previous, {})).toBe(true);
      expect(conditionHolds({ StringNotEquals: { [SSE]: 'aws:kms' } }, {})).toBe(true);
    });
  });
});

describe('bucket names with dots', () => {
  it('are refused at synth by the config, naming the setting', () => {
    expect(() => buildTestApp({ context: { uploadBucketName: 'uploads.example.com' } })).toThrow(AppConfigError);
    expect(() => buildTestApp({ context: { uploadBucketName: 'uploads.example.com' } })).toThrow(
      /edgeUpload\.uploadBucketName: it contains dots/,
    );
  });

  it('are refused by the construct itself', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const encryptionKey = new kms.Key(stack, 'K');
    expect(
      () =>
        new UploadBucket(stack, 'U', {
          bucketName: 'my.uploads',
          encryptionKey,
          corsOrigins: ['https://example.com'],
          accessLogs: { bucketName: 'logs', prefix: 'u/' },
        }),
    ).toThrow(BucketNameError);
  });
});
