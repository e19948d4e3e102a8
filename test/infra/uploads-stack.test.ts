/**
 * The upload bucket (issue 5, item 1): every security property, read from the
 * synthesized template, plus the synth-time refusal of names with dots.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AppConfigError, BucketNameError } from '../../infra/aws/errors';
import { UploadBucket } from '../../infra/aws/constructs/upload-bucket';
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
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
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
              KMSMasterKeyID: { 'Fn::GetStackOutput': Match.objectLike({ StackName: 'edge-upload-data', OutputName: Match.stringLikeRegexp('UploadKey') }) },
            },
          },
        ],
      },
    });
  });

  it('has Transfer Acceleration on', () => {
    t.uploads.hasResourceProperties('AWS::S3::Bucket', { BucketName: BUCKET, AccelerateConfiguration: { AccelerationStatus: 'Enabled' } });
  });

  it('allows CORS POST only, from the site origin, exposing ETag and Location', () => {
    const bucket = Object.values(t.uploads.findResources('AWS::S3::Bucket'))[0] as { Properties: { CorsConfiguration: { CorsRules: unknown[] } } };
    const rules = bucket.Properties.CorsConfiguration.CorsRules as Array<Record<string, unknown>>;
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ AllowedMethods: ['POST'], ExposedHeaders: ['ETag', 'Location'] });
    expect(rules[0]!.AllowedOrigins).toEqual([
      { 'Fn::Join': ['', ['https://', { 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'edge-upload-web', OutputName: expect.stringMatching(/CdnDistribution.*DomainName/) }) }]] },
    ]);
  });

  it('aborts incomplete multipart uploads and writes server access logs', () => {
    t.uploads.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: BUCKET,
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' })]) },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'upload-bucket/' },
    });
  });

  it('is retained when the stack is deleted (people’s files)', () => {
    t.uploads.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  describe('bucket policy', () => {
    const statements = (): Array<Record<string, unknown>> => {
      const policies = Object.values(t.uploads.findResources('AWS::S3::BucketPolicy')) as Array<{ Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> } } }>;
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

    it('denies writes that name another KMS key or another encryption', () => {
      expect(statements()).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Sid: 'DenyOtherKmsKeys',
            Action: 's3:PutObject',
            Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': expect.anything() } },
          }),
          expect.objectContaining({
            Sid: 'DenyOtherEncryption',
            Action: 's3:PutObject',
            Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
          }),
        ]),
      );
    });
  });
});

describe('bucket names with dots', () => {
  it('are refused at synth by the config, naming the setting', () => {
    expect(() => buildTestApp({ context: { uploadBucketName: 'uploads.example.com' } })).toThrow(AppConfigError);
    expect(() => buildTestApp({ context: { uploadBucketName: 'uploads.example.com' } })).toThrow(/edgeUpload\.uploadBucketName: it contains dots/);
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
