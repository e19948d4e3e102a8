/**
 * The CloudFront distribution: one address for the whole system (docs/http-api.md "Who answers which path").
 *
 * The behaviours (path pattern, methods, function, origin) come from the one
 * table in infra/shared/cloudfront-behaviours.ts, which the local edge routes
 * by too; this construct only says what each origin and function is on AWS:
 *
 * | behaviour | origin | at the viewer request |
 * |---|---|---|
 * | `/presign*` | never reached: the function always answers | Lambda@Edge presign, body included |
 * | `/auth/*` | the auth API stage, with the origin-verify header | CloudFront Function `auth-guard` |
 * | default (`*`) | site bucket (OAC) | CloudFront Function `site-router` |
 *
 * HTTPS only on every behaviour, TLSv1.2 to the API origin, the edge web ACL
 * attached, CloudFront's geo restriction from the firewall file's deny list,
 * standard logs without cookies (they carry the refresh token), and one
 * response headers policy with the shared security headers
 * (infra/shared/security-headers.ts): HSTS, a CSP whose connect-src names
 * only the site and the upload endpoint, nosniff, frame denial, referrer policy.
 */
import { Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  ALL_METHODS,
  CLOUDFRONT_BEHAVIOURS,
  READ_METHODS,
  splitBehaviours,
  type AllowedMethods,
  type BehaviourOrigin,
  type CloudFrontBehaviour,
} from '../../shared/cloudfront-behaviours';
import { ConstructPropsError } from '../errors';
import { acknowledge } from '../nag';
import { SECURITY_HEADERS, contentSecurityPolicy } from '../../shared/security-headers';
import type { CustomDomain } from '../app-config';
import { SECURE_DEFAULTS } from '../secure-defaults';

export interface ApiOriginProps {
  /** `<api id>.execute-api.<region>.amazonaws.com`. */
  readonly domainName: string;
  /** `/<stage>`. */
  readonly originPath: string;
  /** The header only CloudFront sends (OriginVerify). */
  readonly verifyHeaderName: string;
  readonly verifyHeaderValue: string;
}

export interface SiteDistributionProps {
  readonly appName: string;
  /** The site bucket, through Origin Access Control. */
  readonly siteOrigin: cloudfront.IOrigin;
  /**
   * The auth API.
   * @default - none: the behaviours whose origin is the auth API (`/auth/*`) are left out
   */
  readonly api?: ApiOriginProps;
  /** A published, configured version of the presign function (us-east-1). */
  readonly presignFunctionVersionArn: string;
  /** The CLOUDFRONT web ACL (us-east-1). */
  readonly webAclArn: string;
  /** ISO 3166-1 alpha-2 codes refused by CloudFront's geo restriction; none: no restriction. */
  readonly geoDenyCountries: readonly string[];
  /** The upload endpoint's origin, the one other origin the CSP lets the page connect to. */
  readonly uploadOrigin: string;
  /** Built CloudFront Function sources (cloudfront-js-2.0). */
  readonly siteRouterFunctionFile: string;
  readonly authGuardFunctionFile: string;
  readonly logBucket: s3.IBucket;
  /**
   * A custom domain with its us-east-1 ACM certificate; viewers then need TLS 1.2 or later.
   * @default - the distribution's own *.cloudfront.net name
   */
  readonly customDomain?: CustomDomain;
  /**
   * Answer over IPv6 as well as IPv4. Per-IP WAF rules count each IPv6
   * address apart, and one client holds a whole /64 of them.
   * @default false (SECURE_DEFAULTS.cloudFront.enableIpv6)
   */
  readonly enableIpv6?: boolean;
  /**
   * Which edge locations serve the site.
   * @default PriceClass.PRICE_CLASS_100
   */
  readonly priceClass?: cloudfront.PriceClass;
  /**
   * The behaviours, in CloudFront's order, the default (`*`) last.
   * @default CLOUDFRONT_BEHAVIOURS (infra/shared/cloudfront-behaviours.ts), the table the local edge routes by
   */
  readonly behaviours?: readonly CloudFrontBehaviour[];
}

export class SiteDistribution extends Construct {
  public readonly distribution: cloudfront.Distribution;
  public readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;
  /** `https://<custom domain or distribution domain>`: the site's own origin. */
  public readonly siteOrigin: string;

  constructor(scope: Construct, id: string, props: SiteDistributionProps) {
    super(scope, id);
    const hsts = SECURITY_HEADERS.strictTransportSecurity;
    this.responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: `${props.appName}: security headers (infra/shared/security-headers.ts)`,
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(hsts.maxAgeSeconds),
          includeSubdomains: hsts.includeSubdomains,
          preload: hsts.preload,
          override: true,
        },
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(props.uploadOrigin), override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
      },
    });

    const siteRouter = new cloudfront.Function(this, 'SiteRouter', {
      comment: 'site-router: app routes to /index.html, path probes refused',
      code: cloudfront.FunctionCode.fromFile({ filePath: props.siteRouterFunctionFile }),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
    });
    const authGuard = new cloudfront.Function(this, 'AuthGuard', {
      comment: 'auth-guard: route, method, origin, type and size checks for /auth/*',
      code: cloudfront.FunctionCode.fromFile({ filePath: props.authGuardFunctionFile }),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
    });

    const api = props.api;
    const apiOrigin =
      api === undefined
        ? undefined
        : new origins.HttpOrigin(api.domainName, {
            originPath: api.originPath,
            protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
            readTimeout: SECURE_DEFAULTS.cloudFront.apiOriginReadTimeout,
            customHeaders: { [api.verifyHeaderName]: api.verifyHeaderValue },
          });
    const presignVersion = lambda.Version.fromVersionArn(this, 'PresignVersion', props.presignFunctionVersionArn);

    const certificate =
      props.customDomain === undefined
        ? undefined
        : acm.Certificate.fromCertificateArn(this, 'Certificate', props.customDomain.certificateArn);

    let table: ReturnType<typeof splitBehaviours<CloudFrontBehaviour>>;
    try {
      // Without the auth API, its behaviours go: /auth/* then falls to the default behaviour (the site bucket).
      const behaviours = (props.behaviours ?? CLOUDFRONT_BEHAVIOURS).filter(
        (behaviour) => apiOrigin !== undefined || behaviour.origin !== 'auth-api',
      );
      table = splitBehaviours(behaviours);
    } catch (error) {
      throw new ConstructPropsError('SiteDistribution', error instanceof Error ? error.message : String(error));
    }
    const cloudFrontFunctions = { 'site-router': siteRouter, 'auth-guard': authGuard } as const;
    const originOf: Readonly<Record<BehaviourOrigin, cloudfront.IOrigin>> = {
      site: props.siteOrigin,
      // Never used without an API: its behaviours were left out above.
      'auth-api': apiOrigin ?? props.siteOrigin,
      // The viewer-request function answers every request itself; this origin is never called.
      none: props.siteOrigin,
    };
    const behaviourOptions = (behaviour: CloudFrontBehaviour): cloudfront.BehaviorOptions => {
      const fn = behaviour.viewerRequest;
      return {
        origin: originOf[behaviour.origin],
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudFrontAllowedMethods(behaviour.allowedMethods),
        ...ORIGIN_SETTINGS[behaviour.origin],
        compress: true,
        responseHeadersPolicy: this.responseHeadersPolicy,
        ...(fn.type === 'cloudfront-function'
          ? { functionAssociations: [{ function: cloudFrontFunctions[fn.name], eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }] }
          : {
              edgeLambdas: [
                { functionVersion: presignVersion, eventType: cloudfront.LambdaEdgeEventType.VIEWER_REQUEST, includeBody: fn.includeBody },
              ],
            }),
      };
    };

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${props.appName}: site, /auth/* and /presign`,
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableIpv6: props.enableIpv6 ?? SECURE_DEFAULTS.cloudFront.enableIpv6,
      defaultRootObject: 'index.html',
      webAclId: props.webAclArn,
      ...(props.geoDenyCountries.length > 0 ? { geoRestriction: cloudfront.GeoRestriction.denylist(...props.geoDenyCountries) } : {}),
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'cloudfront/',
      logIncludesCookies: false,
      ...(certificate === undefined || props.customDomain === undefined
        ? {}
        : {
            certificate,
            domainNames: [props.customDomain.domainName],
            minimumProtocolVersion: SECURE_DEFAULTS.cloudFront.minimumProtocolVersion,
            sslSupportMethod: cloudfront.SSLMethod.SNI,
          }),
      defaultBehavior: behaviourOptions(table.fallback),
      additionalBehaviors: Object.fromEntries(table.ordered.map((behaviour) => [behaviour.pathPattern, behaviourOptions(behaviour)])),
    });

    this.siteOrigin = `https://${props.customDomain?.domainName ?? this.distribution.distributionDomainName}`;

    if (props.customDomain === undefined) {
      acknowledge(this.distribution, {
        id: 'AwsSolutions-CFR4',
        reason:
          'No custom domain is configured, so CloudFront serves its default *.cloudfront.net certificate, whose security policy AWS fixes at TLSv1. ' +
          'Set edgeUpload.domainName and certificateArn to get TLSv1.2_2021 as the minimum (README, "Custom domain").',
      });
    }
  }
}

/** Caching and forwarding per kind of origin. */
const ORIGIN_SETTINGS: Readonly<Record<BehaviourOrigin, Pick<cloudfront.BehaviorOptions, 'cachePolicy' | 'originRequestPolicy'>>> = {
  site: { cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED },
  // Every viewer header but Host (API Gateway routes on its own host name): Cookie, Origin,
  // Sec-Fetch-Site and Content-Type are what the auth handler checks.
  'auth-api': {
    cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
    originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
  },
  none: { cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED },
};

function cloudFrontAllowedMethods(methods: AllowedMethods): cloudfront.AllowedMethods {
  const same = (set: readonly string[]) => set.length === methods.length && set.every((m) => methods.includes(m as never));
  if (same(READ_METHODS)) return cloudfront.AllowedMethods.ALLOW_GET_HEAD;
  if (same(ALL_METHODS)) return cloudfront.AllowedMethods.ALLOW_ALL;
  throw new ConstructPropsError('SiteDistribution', `CloudFront has no behaviour that allows exactly ${methods.join(', ')}`);
}
