/**
 * Every security-relevant default of the AWS deployment, in one place, each
 * with the reason for its value. Constructs read their defaults from here;
 * a prop can override a value for one construct, never weaken it silently
 * for all. (Upload sizes, types, the key prefix and the policy lifetime are
 * not here: they live in edge-functions/core/upload-rules.ts, the one
 * definition the edge, the site and this app share. The password policy is
 * origin/core/password-policy.ts and the response security headers are
 * infra/shared/security-headers.ts, for the same reason.)
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { SecurityPolicyProtocol } from 'aws-cdk-lib/aws-cloudfront';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { AuthPath } from '../../edge-functions/core/auth-routes';

/** An API Gateway method throttle: steady requests per second, and the burst above it. */
export interface RouteThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export const SECURE_DEFAULTS = Object.freeze({
  tokens: Object.freeze({
    /**
     * Access and id tokens live 15 minutes: a token that leaks from the page
     * (it is held in script memory) is useful for a short time only, and the
     * site renews it silently through /auth/refresh.
     */
    accessTokenValidity: Duration.minutes(15),
    idTokenValidity: Duration.minutes(15),
    /**
     * The refresh token (an HttpOnly, SameSite=Strict cookie on /auth) lasts a
     * week: a person signs in about once a week; revocation on logout ends it
     * sooner. The auth Lambda's cookie Max-Age is set to the same value.
     */
    refreshTokenValidity: Duration.days(7),
    /** Cognito's own default for the sign-in session (challenge flows). */
    authSessionValidity: Duration.minutes(3),
  }),

  authApi: Object.freeze({
    /**
     * Whole-stage ceiling behind WAF's per-IP limits: a flood from many IPs
     * is cut here before it reaches Cognito's own quotas (Cognito's default
     * for user account recovery and sign-up is far lower than its sign-in one).
     */
    throttlingRateLimit: 25,
    throttlingBurstLimit: 50,
    /**
     * Each auth route has its own API Gateway throttle (requests per second,
     * burst), so that whoever floods one route spends that route's budget
     * only: a flood of /auth/register or /auth/resend (which send mail) can
     * no longer lock every signed-in user out of /auth/login and
     * /auth/refresh. The routes that send mail get the least (far under
     * SES's and Cognito's own quotas); refresh, which every open tab calls
     * every 15 minutes, the most. The stage-wide value above stays the
     * ceiling of anything else (the catch-all, which only answers 404/405).
     */
    routeThrottling: Object.freeze({
      '/auth/register': { rateLimit: 2, burstLimit: 10 },
      '/auth/resend': { rateLimit: 1, burstLimit: 5 },
      '/auth/forgot': { rateLimit: 1, burstLimit: 5 },
      '/auth/confirm': { rateLimit: 5, burstLimit: 10 },
      '/auth/reset': { rateLimit: 5, burstLimit: 10 },
      '/auth/login': { rateLimit: 20, burstLimit: 40 },
      '/auth/refresh': { rateLimit: 25, burstLimit: 50 },
      '/auth/logout': { rateLimit: 10, burstLimit: 20 },
    } satisfies Record<AuthPath, RouteThrottle>),
    /** The Cognito client tries 3 times at 5 s at most; this leaves room below API Gateway's 29 s. */
    lambdaTimeout: Duration.seconds(20),
    lambdaMemoryMb: 256,
    /** The stage name is also the origin path CloudFront puts in front of /auth/*. */
    stageName: 'api',
  }),

  inspector: Object.freeze({
    /**
     * Two ranged GETs of 1 KiB and a copy: seconds at worst, even with the
     * SDK's retries. Far below S3's event age limit, so a slow run is retried.
     */
    lambdaTimeout: Duration.seconds(30),
    /** It holds 2 KiB of each file, never a whole one. */
    lambdaMemoryMb: 256,
  }),

  edgeFunction: Object.freeze({
    /** Viewer-request Lambda@Edge functions may have at most 128 MB and 5 s. */
    memoryMb: 128,
    timeout: Duration.seconds(5),
  }),

  cloudFront: Object.freeze({
    /** Only applies with a custom domain: the default *.cloudfront.net certificate is fixed at TLSv1. */
    minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
    /** API Gateway answers within 29 s; CloudFront gives up a little later, never earlier. */
    apiOriginReadTimeout: Duration.seconds(30),
    /**
     * IPv4 only. WAF's rate rules count per IP address, and one IPv6 client
     * holds a whole /64 (2^64 addresses): rotating through them it escapes
     * every per-IP rule, and could then spend the auth API's throttles for
     * everyone. IPv6-only viewers still reach the site through their
     * network's NAT64/DNS64. Opt in with `enableIpv6` (README, "IPv6").
     */
    enableIpv6: false,
  }),

  logs: Object.freeze({
    /** CloudWatch log groups (WAF, API access and execution, Lambda). */
    retention: RetentionDays.THREE_MONTHS,
    /** S3 and CloudFront access logs in the access-log bucket. */
    accessLogExpiration: Duration.days(90),
  }),

  storage: Object.freeze({
    /** A multipart upload left unfinished is aborted (and its parts deleted) after a day. */
    abortIncompleteMultipartUploadAfter: Duration.days(1),
    /** Uploaded files are people's data: a stack deletion never deletes them. */
    uploadBucketRemovalPolicy: RemovalPolicy.RETAIN,
    /** Access logs are evidence: kept when the stack goes, expired by lifecycle. */
    accessLogBucketRemovalPolicy: RemovalPolicy.RETAIN,
    /** The key that encrypts retained uploads must outlive the stack too. */
    kmsKeyRemovalPolicy: RemovalPolicy.RETAIN,
    kmsKeyRotationPeriod: Duration.days(365),
    kmsPendingWindow: Duration.days(30),
  }),

  identity: Object.freeze({
    /** Accounts are people's identities: never deleted with a stack, and the pool refuses deletion. */
    userPoolRemovalPolicy: RemovalPolicy.RETAIN,
    userPoolDeletionProtection: true,
  }),
});
