/**
 * "Embed it": the deployment options for a team that already has an app and
 * a user pool, each from the CDK context alone (no TypeScript edited), read
 * from the synthesized templates: an existing pool and clients, your app's
 * origins (CORS at the edge and on the bucket), the auth API and the site
 * left out, and the inspector's permission to put one event per verdict.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { parseAppConfig } from '../../../infra/aws/app-config';
import { AppConfigError } from '../../../infra/aws/errors';
import { buildTestApp, PROJECT_ROOT, resourceNamed, synthTemplates, type StackTemplates } from './support/synth-app';

const POOL = 'eu-west-1_AbCdEfGhI';
const CLIENTS = ['1example23456789abcdefghij', '2example23456789abcdefghij'];
const APP = 'https://app.example.com';
const OTHER_APP = 'https://admin.example.com';

function edgeConfigText(t: StackTemplates): string {
  return JSON.stringify(resourceNamed(t.edge, 'Custom::EdgeFunctionConfig', 'PresignConfig').properties.Config);
}

function pathPatterns(web: Template): string[] {
  const distribution = Object.values(web.findResources('AWS::CloudFront::Distribution'))[0] as {
    Properties: { DistributionConfig: { CacheBehaviors?: Array<{ PathPattern: string }> } };
  };
  return (distribution.Properties.DistributionConfig.CacheBehaviors ?? []).map((behaviour) => behaviour.PathPattern);
}

function bucketCorsOrigins(uploads: Template): unknown {
  const bucket = resourceNamed(uploads, 'AWS::S3::Bucket', 'UploadsBucket').properties as {
    CorsConfiguration: { CorsRules: Array<{ AllowedOrigins: unknown }> };
  };
  return bucket.CorsConfiguration.CorsRules[0]!.AllowedOrigins;
}

describe('bring your own pool and clients', () => {
  let t: StackTemplates;
  beforeAll(() => {
    t = synthTemplates({
      context: { existingUserPoolId: POOL, existingUserPoolClientIds: CLIENTS.join(','), allowedOrigins: `${APP},${OTHER_APP}` },
    });
  });

  it('creates no user pool and no client', () => {
    t.data.resourceCountIs('AWS::Cognito::UserPool', 0);
    t.data.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
  });

  it("bakes the existing pool's issuer and JWKS URL and every client id into the edge config", () => {
    const text = edgeConfigText(t);
    expect(text).toContain(`https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`);
    expect(text).toContain(`\\"clientIds\\":[\\"${CLIENTS[0]}\\",\\"${CLIENTS[1]}\\"]`);
    expect(text).toContain(`\\"allowedOrigins\\":[\\"${APP}\\",\\"${OTHER_APP}\\"]`);
    const jwksUrl = resourceNamed(t.edge, 'Custom::EdgeFunctionConfig', 'PresignConfig').properties.JwksUrl;
    expect(JSON.stringify(jwksUrl)).toContain(`${POOL}/.well-known/jwks.json`);
  });

  it('the auth API, still deployed, signs in with the first client of that pool', () => {
    const fn = Object.values(
      t.web.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { USER_POOL_ID: Match.anyValue() } } } }),
    )[0] as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    };
    expect(JSON.stringify(fn.Properties.Environment.Variables.USER_POOL_ID)).toContain(POOL);
    expect(JSON.stringify(fn.Properties.Environment.Variables.USER_POOL_CLIENT_ID)).toContain(CLIENTS[0]);
  });

  it("the upload bucket's CORS admits the site and exactly the allowed origins", () => {
    expect(bucketCorsOrigins(t.uploads)).toEqual([expect.anything(), APP, OTHER_APP]);
  });
});

describe('without the auth API and the site (your own sign-in and app)', () => {
  let t: StackTemplates;
  beforeAll(() => {
    t = synthTemplates({
      context: {
        existingUserPoolId: POOL,
        existingUserPoolClientIds: CLIENTS[0],
        allowedOrigins: APP,
        withAuthApi: 'false',
        withSite: 'false',
      },
    });
  });

  it('leaves the distribution with only the /presign* behaviour, its web ACL and the presign function', () => {
    expect(pathPatterns(t.web)).toEqual(['/presign*']);
    t.web.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        WebACLId: Match.anyValue(),
        CacheBehaviors: [
          Match.objectLike({
            PathPattern: '/presign*',
            LambdaFunctionAssociations: [Match.objectLike({ EventType: 'viewer-request', IncludeBody: true })],
          }),
        ],
      }),
    });
  });

  it('deploys no auth API, no origin-verify secret and no site files', () => {
    t.web.resourceCountIs('AWS::ApiGateway::RestApi', 0);
    t.web.resourceCountIs('AWS::SecretsManager::Secret', 0);
    t.web.resourceCountIs('Custom::CDKBucketDeployment', 0);
  });

  it("the upload bucket's CORS admits only your app", () => {
    expect(bucketCorsOrigins(t.uploads)).toEqual([APP]);
  });
});

describe('without the site only', () => {
  let t: StackTemplates;
  beforeAll(() => {
    t = synthTemplates({ context: { allowedOrigins: APP, withSite: 'false' } });
  });

  it('keeps the pool, the auth API and /auth/*, deploys no site files', () => {
    t.data.resourceCountIs('AWS::Cognito::UserPool', 1);
    t.web.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    expect(pathPatterns(t.web)).toEqual(['/presign*', '/auth/*']);
    t.web.resourceCountIs('Custom::CDKBucketDeployment', 0);
  });
});

describe('the default deployment is unchanged', () => {
  let t: StackTemplates;
  beforeAll(() => {
    t = synthTemplates();
  });

  it('creates its pool and client, trusts that one client, and has no CORS list at the edge', () => {
    t.data.resourceCountIs('AWS::Cognito::UserPool', 1);
    const text = edgeConfigText(t);
    expect(text).toContain('\\"clientIds\\":[');
    expect(text).not.toContain('allowedOrigins');
    expect(pathPatterns(t.web)).toEqual(['/presign*', '/auth/*']);
    t.web.resourceCountIs('Custom::CDKBucketDeployment', 1);
  });

  it('lets the inspector put events on the default bus only, as edge-upload only', () => {
    const policy = resourceNamed(t.uploads, 'AWS::IAM::Policy', 'InspectorRoleDefaultPolicy').properties.PolicyDocument as {
      Statement: Array<{ Sid?: string; Action: unknown; Resource: unknown; Condition?: unknown }>;
    };
    const puts = policy.Statement.filter((statement) => JSON.stringify(statement.Action).includes('events:'));
    expect(puts).toHaveLength(1);
    expect(puts[0]).toMatchObject({
      Action: 'events:PutEvents',
      Resource: 'arn:aws:events:eu-west-1:111111111111:event-bus/default',
      Condition: { StringEquals: { 'events:source': 'edge-upload' } },
    });
  });
});

describe('the settings, checked before anything is built', () => {
  const parse = (context: Record<string, unknown>) =>
    parseAppConfig({ context: (key) => ({ region: 'eu-west-1', ...context })[key], env: {}, projectRoot: PROJECT_ROOT });

  it('defaults: own pool, auth API and site on, no allowed origins', () => {
    expect(parse({})).toMatchObject({ existingUserPool: undefined, allowedOrigins: [], withAuthApi: true, withSite: true });
  });

  it.each([
    ['a pool without clients', { existingUserPoolId: POOL }, /existingUserPoolClientIds/],
    ['clients without a pool', { existingUserPoolClientIds: CLIENTS[0] }, /needs edgeUpload.existingUserPoolId/],
    ['a pool in another region', { existingUserPoolId: 'us-east-1_AbCdEfGhI', existingUserPoolClientIds: CLIENTS[0] }, /app region/],
    ['a malformed pool id', { existingUserPoolId: 'AbCdEfGhI', existingUserPoolClientIds: CLIENTS[0] }, /user pool id/],
    ['a malformed client id', { existingUserPoolId: POOL, existingUserPoolClientIds: 'not a client' }, /existingUserPoolClientIds\[0\]/],
    ['an origin with a path', { allowedOrigins: 'https://app.example.com/app' }, /allowedOrigins\[0\]/],
    ['plain http', { allowedOrigins: 'http://app.example.com' }, /https/],
    ['the site without the auth API', { withAuthApi: 'false' }, /withSite needs/],
    ['no site and no origin for the bucket', { withSite: 'false' }, /allowedOrigins/],
    ['a non-boolean', { withSite: 'no', allowedOrigins: APP }, /withSite must be true or false/],
  ])('refuses %s, naming the setting', (_label, context, message) => {
    expect(() => parse(context)).toThrow(AppConfigError);
    expect(() => parse(context)).toThrow(message);
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in the smallest deployment (existing pool, no auth API, no site)', () => {
    const built = buildTestApp({
      nag: true,
      context: {
        existingUserPoolId: POOL,
        existingUserPoolClientIds: CLIENTS.join(','),
        allowedOrigins: APP,
        withAuthApi: 'false',
        withSite: 'false',
      },
    });
    // Synthesis runs the registered AwsSolutions plugin and fails on any finding.
    expect(() => built.app.synth()).not.toThrow();
  });
});
