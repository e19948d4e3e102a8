/**
 * One definition of each contract fact: the distribution's behaviours come
 * from infra/shared/cloudfront-behaviours.ts. The synthesized distribution
 * has exactly the table's behaviours (patterns, order, methods, which
 * function), and a changed copy of the table changes the distribution with
 * it. test/infra/local/edge/behaviour-table.test.ts proves the same of the local edge.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { findProjectRoot, locateBuildArtifacts } from '../../../infra/aws/build-artifacts';
import { SiteDistribution } from '../../../infra/aws/constructs/site-distribution';
import { ConstructPropsError } from '../../../infra/aws/errors';
import { CLOUDFRONT_BEHAVIOURS, splitBehaviours, type CloudFrontBehaviour } from '../../../infra/shared/cloudfront-behaviours';
import { resourceNamed, synthTemplates, type StackTemplates } from './support/synth-app';

type Json = Record<string, unknown>;

/** The CloudFront Function constructs' ids, by the function names the table uses. */
const FUNCTION_IDS: Readonly<Record<string, RegExp>> = { 'site-router': /SiteRouter/, 'auth-guard': /AuthGuard/ };

/** What a synthesized behaviour says about the table's facts: pattern, methods and which function runs. */
function facts(behaviour: Json): { pathPattern: string; allowedMethods: readonly string[]; viewerRequest: string } {
  const fns = (behaviour.FunctionAssociations ?? []) as Json[];
  const lambdas = (behaviour.LambdaFunctionAssociations ?? []) as Json[];
  if (fns.length + lambdas.length !== 1) throw new Error(`expected one viewer-request function, found ${fns.length + lambdas.length}`);
  let viewerRequest: string;
  if (fns.length === 1) {
    expect(fns[0]!.EventType).toBe('viewer-request');
    const id = ((fns[0]!.FunctionARN as Json)['Fn::GetAtt'] as [string, string])[0];
    const match = Object.entries(FUNCTION_IDS).find(([, pattern]) => pattern.test(id));
    viewerRequest = `cloudfront-function:${match?.[0] ?? id}`;
  } else {
    expect(lambdas[0]!.EventType).toBe('viewer-request');
    viewerRequest = `lambda-edge:presign:${String(lambdas[0]!.IncludeBody === true)}`;
  }
  return { pathPattern: String(behaviour.PathPattern ?? '*'), allowedMethods: behaviour.AllowedMethods as string[], viewerRequest };
}

function expected(behaviour: CloudFrontBehaviour): ReturnType<typeof facts> {
  const fn = behaviour.viewerRequest;
  return {
    pathPattern: behaviour.pathPattern,
    allowedMethods: [...behaviour.allowedMethods],
    viewerRequest:
      fn.type === 'cloudfront-function' ? `cloudfront-function:${fn.name}` : `lambda-edge:${fn.name}:${String(fn.includeBody)}`,
  };
}

describe('the deployed distribution follows the shared behaviour table', () => {
  let t: StackTemplates;
  beforeAll(() => {
    t = synthTemplates();
  });

  it('has exactly its behaviours, in its order, with its methods and functions; the default last', () => {
    const config = resourceNamed(t.web, 'AWS::CloudFront::Distribution', 'CdnDistribution').properties.DistributionConfig as Json;
    const { ordered, fallback } = splitBehaviours(CLOUDFRONT_BEHAVIOURS);
    expect((config.CacheBehaviors as Json[]).map(facts)).toEqual(ordered.map(expected));
    expect(facts(config.DefaultCacheBehavior as Json)).toEqual(expected(fallback));
  });

  it('covers every presign route with one /presign* behaviour, and never the local stack’s /_local/* paths', () => {
    const patterns = CLOUDFRONT_BEHAVIOURS.map((b) => b.pathPattern);
    expect(patterns).toContain('/presign*');
    expect(patterns.some((p) => p.startsWith('/_local'))).toBe(false);
    const config = resourceNamed(t.web, 'AWS::CloudFront::Distribution', 'CdnDistribution').properties.DistributionConfig as Json;
    expect(JSON.stringify(config)).not.toContain('/_local');
  });
});

describe('a changed copy of the table changes the distribution with it', () => {
  function distributionWith(behaviours: readonly CloudFrontBehaviour[]): Json {
    const stack = new Stack(new App(), 'Copy', { env: { account: '111111111111', region: 'eu-west-1' } });
    const bucket = new s3.Bucket(stack, 'Site');
    const files = locateBuildArtifacts(findProjectRoot(__dirname));
    new SiteDistribution(stack, 'Cdn', {
      appName: 'copy',
      siteOrigin: origins.S3BucketOrigin.withOriginAccessControl(bucket),
      api: { domainName: 'api.example.com', originPath: '/api', verifyHeaderName: 'x-origin-verify', verifyHeaderValue: 'not-a-secret' },
      presignFunctionVersionArn: 'arn:aws:lambda:us-east-1:111111111111:function:copy-presign:1',
      webAclArn: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/copy/abc',
      geoDenyCountries: [],
      uploadOrigin: 'https://copy-uploads.s3-accelerate.amazonaws.com',
      siteRouterFunctionFile: files.siteRouterFunction,
      authGuardFunctionFile: files.authGuardFunction,
      logBucket: new s3.Bucket(stack, 'Logs', { objectOwnership: s3.ObjectOwnership.OBJECT_WRITER }),
      behaviours,
    });
    return resourceNamed(Template.fromStack(stack), 'AWS::CloudFront::Distribution', 'CdnDistribution').properties
      .DistributionConfig as Json;
  }

  it('moves a pattern, reorders the behaviours and changes which function runs', () => {
    const [presign, auth, fallback] = CLOUDFRONT_BEHAVIOURS as [CloudFrontBehaviour, CloudFrontBehaviour, CloudFrontBehaviour];
    const copy: CloudFrontBehaviour[] = [
      { ...auth, pathPattern: '/api/auth/*' },
      { ...presign, pathPattern: '/api/sign*' },
      { ...fallback, viewerRequest: { type: 'cloudfront-function', name: 'auth-guard' } },
    ];
    const config = distributionWith(copy);
    expect((config.CacheBehaviors as Json[]).map(facts)).toEqual(copy.slice(0, 2).map(expected));
    expect(facts(config.DefaultCacheBehavior as Json)).toEqual(expected(copy[2]!));
    // The origin and caching follow the table's origin kind: the auth API uncached, with its forwarded headers.
    const api = (config.CacheBehaviors as Json[])[0]!;
    expect(api.CachePolicyId).toBe(cloudfront.CachePolicy.CACHING_DISABLED.cachePolicyId);
    expect(api.OriginRequestPolicyId).toBe(cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId);
  });

  it('refuses a table without the default last, with a pattern twice, or with methods CloudFront cannot allow', () => {
    const [presign, auth, fallback] = CLOUDFRONT_BEHAVIOURS as [CloudFrontBehaviour, CloudFrontBehaviour, CloudFrontBehaviour];
    expect(() => distributionWith([presign, auth])).toThrow(ConstructPropsError);
    expect(() => distributionWith([presign, { ...auth, pathPattern: presign.pathPattern }, fallback])).toThrow(/twice/);
    const odd = { ...auth, allowedMethods: ['GET', 'POST'] } as unknown as CloudFrontBehaviour;
    expect(() => distributionWith([presign, odd, fallback])).toThrow(/no behaviour that allows exactly GET, POST/);
  });
});
