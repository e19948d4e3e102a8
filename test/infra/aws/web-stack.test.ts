/**
 * The web stack: the distribution, the site hosting, the auth API and the
 * origin lock that keeps the API reachable through CloudFront only.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { AUTH_ROUTES } from '../../../edge-functions/core/auth-routes';
import { SECURE_DEFAULTS } from '../../../infra/aws/secure-defaults';
import { SECURITY_HEADERS, contentSecurityPolicy } from '../../../infra/shared/security-headers';
import { AUTH_ENV } from '../../../origin/core/config';
import { resourceNamed, synthTemplates, type StackTemplates } from './support/synth-app';

let t: StackTemplates;
beforeAll(() => {
  t = synthTemplates();
});

const UPLOAD_ORIGIN = 'https://edge-upload-uploads-111111111111-eu-west-1.s3-accelerate.amazonaws.com';
/** Managed policies, by the ids CloudFront gives them. */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

type Json = Record<string, unknown>;
const distributionConfig = (): Json =>
  resourceNamed(t.web, 'AWS::CloudFront::Distribution', 'CdnDistribution').properties.DistributionConfig as Json;
const behaviour = (pattern: string): Json => {
  const found = (distributionConfig().CacheBehaviors as Json[]).find((b) => b.PathPattern === pattern);
  if (found === undefined) throw new Error(`no behaviour ${pattern}`);
  return found;
};
const originOf = (b: Json): Json => (distributionConfig().Origins as Json[]).find((o) => o.Id === b.TargetOriginId)!;

describe('distribution', () => {
  it('serves HTTPS only, on every behaviour', () => {
    const config = distributionConfig();
    const behaviours = [config.DefaultCacheBehavior as Json, ...(config.CacheBehaviors as Json[])];
    expect(behaviours).toHaveLength(3);
    for (const b of behaviours) expect(b.ViewerProtocolPolicy).toBe('https-only');
  });

  it('attaches the edge web ACL from us-east-1', () => {
    expect(distributionConfig().WebACLId).toEqual({
      'Fn::GetStackOutput': expect.objectContaining({ StackName: 'edge-upload-edge', Region: 'us-east-1' }),
    });
  });

  it('restricts the firewall file’s deny list by CloudFront geo restriction', () => {
    expect(distributionConfig().Restrictions).toEqual({
      GeoRestriction: { RestrictionType: 'blacklist', Locations: ['CU', 'IR', 'KP', 'SY'] },
    });
  });

  it('logs to the access-log bucket, without cookies (they carry the refresh token)', () => {
    expect(distributionConfig().Logging).toEqual({
      Bucket: { 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'edge-upload-data' }) },
      IncludeCookies: false,
      Prefix: 'cloudfront/',
    });
  });

  it('uses the configured price class', () => {
    expect(distributionConfig().PriceClass).toBe('PriceClass_100');
  });

  describe('default behaviour: the site', () => {
    it('reads the private site bucket through Origin Access Control, with site-router at the viewer request', () => {
      const site = distributionConfig().DefaultCacheBehavior as Json;
      expect(site).toEqual(
        expect.objectContaining({
          AllowedMethods: ['GET', 'HEAD'],
          CachePolicyId: CACHING_OPTIMIZED,
          FunctionAssociations: [
            { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [expect.stringMatching(/^CdnSiteRouter/), 'FunctionARN'] } },
          ],
        }),
      );
      expect(originOf(site)).toEqual(
        expect.objectContaining({ OriginAccessControlId: expect.anything(), S3OriginConfig: { OriginAccessIdentity: '' } }),
      );
      t.web.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
        OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
      });
    });

    it('runs the built CloudFront Functions on cloudfront-js-2.0', () => {
      for (const [prefix, file] of [
        ['CdnSiteRouter', t.built.artifacts.siteRouterFunction],
        ['CdnAuthGuard', t.built.artifacts.authGuardFunction],
      ] as const) {
        const fn = resourceNamed(t.web, 'AWS::CloudFront::Function', prefix).properties;
        expect(fn.FunctionConfig).toEqual(expect.objectContaining({ Runtime: 'cloudfront-js-2.0' }));
        expect(fn.AutoPublish).toBe(true);
        expect(fn.FunctionCode).toBe(require('node:fs').readFileSync(file, 'utf8'));
      }
    });
  });

  describe('response headers policy', () => {
    const headers = () =>
      (resourceNamed(t.web, 'AWS::CloudFront::ResponseHeadersPolicy', 'CdnSecurityHeaders').properties.ResponseHeadersPolicyConfig as Json)
        .SecurityHeadersConfig as Json;

    it('is on every behaviour', () => {
      const config = distributionConfig();
      for (const b of [config.DefaultCacheBehavior as Json, ...(config.CacheBehaviors as Json[])]) {
        expect(b.ResponseHeadersPolicyId).toEqual({ Ref: expect.stringMatching(/^CdnSecurityHeaders/) });
      }
    });

    it('sends HSTS, nosniff, frame denial and the referrer policy of infra/shared/security-headers.ts', () => {
      const hsts = SECURITY_HEADERS.strictTransportSecurity;
      expect(headers()).toEqual(
        expect.objectContaining({
          StrictTransportSecurity: {
            AccessControlMaxAgeSec: hsts.maxAgeSeconds,
            IncludeSubdomains: hsts.includeSubdomains,
            Preload: hsts.preload,
            Override: true,
          },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
        }),
      );
    });

    it('sends a strict CSP whose connect-src is only the site itself and the upload endpoint', () => {
      const csp = (headers().ContentSecurityPolicy as Json).ContentSecurityPolicy as string;
      expect(csp).toBe(contentSecurityPolicy(UPLOAD_ORIGIN));
      const connect = csp.split('; ').find((d) => d.startsWith('connect-src'));
      expect(connect).toBe(`connect-src 'self' ${UPLOAD_ORIGIN}`);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('*');
    });
  });

  describe('/auth/*: the auth API', () => {
    it('runs auth-guard, caches nothing and forwards every viewer header but Host', () => {
      expect(behaviour('/auth/*')).toEqual(
        expect.objectContaining({
          AllowedMethods: expect.arrayContaining(['POST']),
          CachePolicyId: CACHING_DISABLED,
          OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
          FunctionAssociations: [
            { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [expect.stringMatching(/^CdnAuthGuard/), 'FunctionARN'] } },
          ],
        }),
      );
      expect(behaviour('/auth/*').LambdaFunctionAssociations).toBeUndefined();
    });

    it('reaches the API stage over TLS 1.2 with the origin-verify header', () => {
      expect(originOf(behaviour('/auth/*'))).toEqual(
        expect.objectContaining({
          DomainName: {
            'Fn::Join': ['', [{ Ref: expect.stringMatching(/^AuthApiRestApi/) }, '.execute-api.eu-west-1.', { Ref: 'AWS::URLSuffix' }]],
          },
          OriginPath: '/api',
          CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'], OriginReadTimeout: 30 },
          OriginCustomHeaders: [
            {
              HeaderName: 'x-origin-verify',
              HeaderValue: {
                'Fn::Join': [
                  '',
                  ['{{resolve:secretsmanager:', { Ref: expect.stringMatching(/^AuthOriginVerifySecret/) }, ':SecretString:::}}'],
                ],
              },
            },
          ],
        }),
      );
    });
  });

  describe('/presign*: Lambda@Edge', () => {
    it('runs the configured presign version at the viewer request, with the body, and caches nothing', () => {
      expect(behaviour('/presign*')).toEqual(
        expect.objectContaining({
          AllowedMethods: expect.arrayContaining(['POST']),
          CachePolicyId: CACHING_DISABLED,
          LambdaFunctionAssociations: [
            {
              EventType: 'viewer-request',
              IncludeBody: true,
              // Read from the fingerprinted SSM parameter the edge stack wrote (infra/aws/constructs/presign-version-parameter.ts).
              LambdaFunctionARN: { 'Fn::GetAtt': [expect.stringMatching(/^PresignVersionGet[0-9a-f]{16}/), 'Parameter.Value'] },
            },
          ],
        }),
      );
      expect(behaviour('/presign*').FunctionAssociations).toBeUndefined();
    });
  });
});

describe('site bucket', () => {
  it('is private, TLS-only and logs accesses', () => {
    t.web.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'site-bucket/' },
    });
  });

  it('lets only this distribution read it (OAC), and nothing else in', () => {
    const policy = resourceNamed(t.web, 'AWS::S3::BucketPolicy', 'SiteBucketPolicy').properties.PolicyDocument as { Statement: Json[] };
    const allows = policy.Statement.filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      expect.objectContaining({
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
      }),
    ]);
    expect(JSON.stringify(allows[0]!.Condition)).toContain('CdnDistribution');
  });

  it('is filled from the built site (or the placeholder) and invalidated after each deploy', () => {
    t.web.hasResourceProperties('Custom::CDKBucketDeployment', { Prune: true, DistributionPaths: ['/*'] });
  });
});

describe('auth API', () => {
  const fn = () => resourceNamed(t.web, 'AWS::Lambda::Function', 'AuthApiFunction').properties;

  it('runs the built auth bundle with the environment parseAuthConfig reads', () => {
    expect(fn()).toEqual(expect.objectContaining({ Handler: 'index.handler', Runtime: 'nodejs24.x' }));
    const variables = (fn().Environment as { Variables: Json }).Variables;
    expect(Object.keys(variables).sort()).toEqual(
      [AUTH_ENV.cookieMaxAge, AUTH_ENV.siteOrigin, AUTH_ENV.clientId, AUTH_ENV.userPoolId].sort(),
    );
    expect(variables[AUTH_ENV.siteOrigin]).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/^CdnDistribution/), 'DomainName'] }]],
    });
    expect(variables[AUTH_ENV.cookieMaxAge]).toBe(String(7 * 24 * 3600));
  });

  it('has a role that may call AdminInitiateAuth on this pool and write its own logs, nothing more', () => {
    const policy = resourceNamed(t.web, 'AWS::IAM::Policy', 'AuthApiFunctionRoleDefaultPolicy').properties.PolicyDocument as {
      Statement: Json[];
    };
    const actions = policy.Statement.flatMap((s) => [s.Action].flat());
    expect(actions.sort()).toEqual(['cognito-idp:AdminInitiateAuth', 'logs:CreateLogStream', 'logs:PutLogEvents']);
    const cognito = policy.Statement.find((s) => s.Action === 'cognito-idp:AdminInitiateAuth')!;
    expect(cognito.Resource).toEqual({
      'Fn::GetStackOutput': expect.objectContaining({ StackName: 'edge-upload-data', OutputName: expect.stringMatching(/UserPool.*Arn/) }),
    });
    const roleId = (fn().Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(t.web.toJSON().Resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('is a regional REST API with ANY /auth/{proxy+} proxied to the function', () => {
    t.web.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
    t.web.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{proxy+}' });
    t.web.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'ANY',
      AuthorizationType: 'NONE',
      Integration: Match.objectLike({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' }),
    });
  });

  it('throttles the stage, writes JSON access logs and never logs request data', () => {
    t.web.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'api',
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') },
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 25,
          ThrottlingBurstLimit: 50,
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          MetricsEnabled: true,
        }),
      ]),
    });
  });

  it('gives every auth route its own POST method and throttle, the mail-sending ones the tightest', () => {
    // One token bucket per method: a flood of /auth/register cannot spend /auth/login's or /auth/refresh's budget.
    const stage = resourceNamed(t.web, 'AWS::ApiGateway::Stage', 'AuthApiRestApiDeploymentStage').properties;
    const settings = stage.MethodSettings as Json[];
    const perRoute = Object.fromEntries(
      settings
        .filter((m) => m.ResourcePath !== '/*')
        .map((m) => [
          `${m.HttpMethod} ${String(m.ResourcePath).slice(1).replace(/~1/g, '/')}`,
          [m.ThrottlingRateLimit, m.ThrottlingBurstLimit],
        ]),
    );
    expect(Object.keys(perRoute).sort()).toEqual(
      Object.keys(AUTH_ROUTES)
        .map((route) => `POST ${route}`)
        .sort(),
    );
    for (const [route, { rateLimit, burstLimit }] of Object.entries(SECURE_DEFAULTS.authApi.routeThrottling)) {
      expect(perRoute[`POST ${route}`]).toEqual([rateLimit, burstLimit]);
    }
    for (const mail of ['/auth/register', '/auth/resend', '/auth/forgot']) {
      expect(perRoute[`POST ${mail}`]![0]).toBeLessThan(perRoute['POST /auth/login']![0] as number);
    }
    // A method's own settings replace the stage's: logging stays error-level, without request data.
    for (const m of settings)
      expect(m).toEqual(expect.objectContaining({ LoggingLevel: 'ERROR', DataTraceEnabled: false, MetricsEnabled: true }));
    const resources = Object.values(t.web.findResources('AWS::ApiGateway::Resource')).map(
      (r) => (r as { Properties: Json }).Properties.PathPart,
    );
    for (const route of Object.keys(AUTH_ROUTES)) expect(resources).toContain(route.slice('/auth/'.length));
    const posts = t.web.findResources('AWS::ApiGateway::Method', {
      Properties: { HttpMethod: 'POST', Integration: Match.objectLike({ Type: 'AWS_PROXY' }) },
    });
    expect(Object.keys(posts)).toHaveLength(Object.keys(AUTH_ROUTES).length);
  });

  it('is reachable only with the header CloudFront sends (regional web ACL on the stage)', () => {
    t.web.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      DefaultAction: { Block: { CustomResponse: { ResponseCode: 403, CustomResponseBodyKey: 'forbidden' } } },
      // Every request here carries the refresh cookie (or the secret header): WAF samples would show them.
      VisibilityConfig: Match.objectLike({ SampledRequestsEnabled: false }),
      Rules: [
        Match.objectLike({
          Action: { Allow: {} },
          Statement: {
            ByteMatchStatement: {
              FieldToMatch: { SingleHeader: { Name: 'x-origin-verify' } },
              PositionalConstraint: 'EXACTLY',
              SearchString: {
                'Fn::Join': [
                  '',
                  ['{{resolve:secretsmanager:', { Ref: Match.stringLikeRegexp('^AuthOriginVerifySecret') }, ':SecretString:::}}'],
                ],
              },
              TextTransformations: [{ Priority: 0, Type: 'NONE' }],
            },
          },
          VisibilityConfig: Match.objectLike({ SampledRequestsEnabled: false }),
        }),
      ],
    });
    t.web.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: {
        'Fn::Join': [
          '',
          [
            'arn:aws:apigateway:eu-west-1::/restapis/',
            { Ref: Match.stringLikeRegexp('^AuthApiRestApi') },
            '/stages/',
            { Ref: Match.stringLikeRegexp('^AuthApiRestApiDeploymentStageapi') },
          ],
        ],
      },
    });
  });
});
