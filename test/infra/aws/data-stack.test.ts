/**
 * The data stack: the upload key, the user pool and client (the identity
 * half), and the access-log bucket.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { PASSWORD_POLICY } from '../../../origin/core/password-policy';
import { synthTemplates, type StackTemplates } from './support/synth-app';

let t: StackTemplates;
beforeAll(() => {
  t = synthTemplates();
});

describe('upload key', () => {
  it('is a customer-managed symmetric key with automatic rotation, kept on stack deletion', () => {
    t.data.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, RotationPeriodInDays: 365, PendingWindowInDays: 30 });
    t.data.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    t.data.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/edge-upload-uploads' });
  });
});

describe('user pool', () => {
  it('signs in by email, case-insensitively, with self sign-up and an emailed code', () => {
    t.data.hasResourceProperties('AWS::Cognito::UserPool', {
      UsernameAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
      AutoVerifiedAttributes: ['email'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
      VerificationMessageTemplate: Match.objectLike({
        DefaultEmailOption: 'CONFIRM_WITH_CODE',
        EmailMessage: Match.stringLikeRegexp('\\{####\\}'),
      }),
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    });
  });

  it('enforces the one password policy the auth handler checks (origin/core/password-policy.ts)', () => {
    t.data.hasResourceProperties('AWS::Cognito::UserPool', {
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: PASSWORD_POLICY.minLength,
          RequireUppercase: PASSWORD_POLICY.requireUppercase,
          RequireLowercase: PASSWORD_POLICY.requireLowercase,
          RequireNumbers: PASSWORD_POLICY.requireDigits,
          RequireSymbols: PASSWORD_POLICY.requireSymbols,
        }),
      },
    });
  });

  it('keeps the verified email until a new one is confirmed (no taking over someone else’s address)', () => {
    t.data.hasResourceProperties('AWS::Cognito::UserPool', {
      UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
    });
  });

  it('has deletion protection on and is retained on stack deletion', () => {
    t.data.hasResourceProperties('AWS::Cognito::UserPool', { DeletionProtection: 'ACTIVE' });
    t.data.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Retain' });
  });
});

describe('app client', () => {
  it('has no secret and allows only admin password auth and refresh', () => {
    t.data.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    });
  });

  it('hides whether a user exists and supports token revocation', () => {
    t.data.hasResourceProperties('AWS::Cognito::UserPoolClient', { PreventUserExistenceErrors: 'ENABLED', EnableTokenRevocation: true });
  });

  it('has short access and id tokens and a one-week refresh token', () => {
    t.data.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AccessTokenValidity: 15,
      IdTokenValidity: 15,
      RefreshTokenValidity: 7 * 24 * 60,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
    });
  });

  it('offers no OAuth flows (no hosted UI)', () => {
    const client = Object.values(t.data.findResources('AWS::Cognito::UserPoolClient'))[0] as { Properties: Record<string, unknown> };
    expect(client.Properties.AllowedOAuthFlows).toBeUndefined();
    expect(client.Properties.CallbackURLs).toBeUndefined();
    expect(client.Properties.AllowedOAuthFlowsUserPoolClient).not.toBe(true);
  });
});

describe('access-log bucket', () => {
  it('is private, TLS-only, S3-encrypted and expires logs', () => {
    t.data.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      // CloudFront's standard logs are delivered with an ACL grant.
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 90 })]) },
    });
  });

  it('accepts S3 server access logs from this account only, and denies plain HTTP', () => {
    t.data.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Sid: 'S3ServerAccessLogsFromThisAccount',
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
          }),
        ]),
      },
    });
  });
});
