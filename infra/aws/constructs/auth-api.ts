/**
 * The regional auth API (origin/README.md): one Lambda function behind a
 * REST API, `ANY /auth/{proxy+}` with Lambda proxy integration, so the
 * handler itself answers wrong paths and methods (404/405) exactly as it does
 * locally. Reached through CloudFront's `/auth/*` behaviour; OriginVerify
 * keeps everyone else out.
 *
 * - The function's role may call one IAM-authorized Cognito action,
 *   `AdminInitiateAuth`, on this pool only (SignUp, ConfirmSignUp,
 *   ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword and
 *   RevokeToken are Cognito's public, unauthenticated APIs), and write its
 *   own log group. No managed policies.
 * - The stage is throttled, writes JSON access logs, and logs errors of
 *   execution without request data (no bodies: they carry passwords).
 * - Each of the eight routes (AUTH_ROUTES) is its own `POST` method with its
 *   own throttle (SECURE_DEFAULTS.authApi.routeThrottling): API Gateway keeps
 *   one token bucket per method, so a flood of one route (register, resend,
 *   forgot send mail) cannot spend the budget of login and refresh. Same
 *   integration, same handler. `ANY /auth/{proxy+}` stays as the catch-all,
 *   under the stage-wide throttle; the auth-guard function already answers
 *   other paths and methods at the edge, so it only ever sees strays.
 */
import { type Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';
import { AUTH_METHOD, AUTH_ROUTES, type AuthPath } from '../../../edge-functions/core/auth-routes';
import { AUTH_ENV } from '../../../origin/core/config';
import { ConstructPropsError } from '../errors';
import { SECURE_DEFAULTS, type RouteThrottle } from '../secure-defaults';

export interface AuthApiProps {
  readonly appName: string;
  /** Folder holding the built auth Lambda (`index.js` exporting `handler`). */
  readonly codeDir: string;
  readonly userPool: cognito.IUserPool;
  readonly userPoolClient: cognito.IUserPoolClient;
  /** The only `Origin` the API accepts, e.g. `https://uploads.example.com` (may be a token). */
  readonly siteOrigin: string;
  /** The app client's refresh token validity: the refresh cookie's Max-Age. */
  readonly refreshTokenValidity: Duration;
  /**
   * Stage-wide steady request rate (requests per second).
   * @default 25
   */
  readonly throttlingRateLimit?: number;
  /**
   * Stage-wide burst.
   * @default 50
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Per-route throttles; a route left out keeps its default.
   * @default SECURE_DEFAULTS.authApi.routeThrottling
   */
  readonly routeThrottling?: Partial<Record<AuthPath, RouteThrottle>>;
  /**
   * Retention of the function's, the access and the execution logs.
   * @default three months
   */
  readonly logRetention?: logs.RetentionDays;
}

export class AuthApi extends Construct {
  public readonly function: lambda.Function;
  public readonly restApi: apigateway.RestApi;
  public readonly stage: apigateway.Stage;
  public readonly accessLogGroup: logs.LogGroup;
  /** `<api id>.execute-api.<region>.amazonaws.com`: depends on the API only, not on its deployment. */
  public readonly originDomainName: string;
  /** `/<stage>`: CloudFront's origin path in front of `/auth/*`. */
  public readonly originPath: string;

  constructor(scope: Construct, id: string, props: AuthApiProps) {
    super(scope, id);
    const rate = props.throttlingRateLimit ?? SECURE_DEFAULTS.authApi.throttlingRateLimit;
    const burst = props.throttlingBurstLimit ?? SECURE_DEFAULTS.authApi.throttlingBurstLimit;
    if (!(rate > 0) || !(burst >= 1) || !Number.isInteger(burst)) {
      throw new ConstructPropsError('AuthApi', 'throttlingRateLimit must be above 0 and throttlingBurstLimit a whole number of at least 1');
    }
    const routes = Object.keys(AUTH_ROUTES) as AuthPath[];
    const routeThrottling = { ...SECURE_DEFAULTS.authApi.routeThrottling, ...props.routeThrottling };
    for (const route of routes) {
      const { rateLimit, burstLimit } = routeThrottling[route];
      if (!(rateLimit > 0) || !(burstLimit >= 1) || !Number.isInteger(burstLimit)) {
        throw new ConstructPropsError(
          'AuthApi',
          `routeThrottling["${route}"]: rateLimit must be above 0 and burstLimit a whole number of at least 1`,
        );
      }
    }
    const retention = props.logRetention ?? SECURE_DEFAULTS.logs.retention;
    const stageName = SECURE_DEFAULTS.authApi.stageName;
    // A method's own settings replace the stage's for that method: the logging settings are repeated.
    const methodLogging = { loggingLevel: apigateway.MethodLoggingLevel.ERROR, dataTraceEnabled: false, metricsEnabled: true } as const;

    const functionLogGroup = new logs.LogGroup(this, 'FunctionLogs', { retention, removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'auth API Lambda: AdminInitiateAuth on its user pool, write its own logs',
    });
    functionLogGroup.grantWrite(role);
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AdminInitiateAuthOnThisPool',
        actions: ['cognito-idp:AdminInitiateAuth'],
        resources: [props.userPool.userPoolArn],
      }),
    );

    this.function = new lambda.Function(this, 'Function', {
      description: `${props.appName} auth API (/auth/*)`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(props.codeDir),
      role,
      logGroup: functionLogGroup,
      memorySize: SECURE_DEFAULTS.authApi.lambdaMemoryMb,
      timeout: SECURE_DEFAULTS.authApi.lambdaTimeout,
      environment: {
        [AUTH_ENV.userPoolId]: props.userPool.userPoolId,
        [AUTH_ENV.clientId]: props.userPoolClient.userPoolClientId,
        [AUTH_ENV.siteOrigin]: props.siteOrigin,
        [AUTH_ENV.cookieMaxAge]: String(props.refreshTokenValidity.toSeconds()),
      },
    });

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', { retention, removalPolicy: RemovalPolicy.DESTROY });
    this.restApi = new apigateway.RestApi(this, 'RestApi', {
      restApiName: `${props.appName}-auth`,
      description: `${props.appName} auth API, reached through CloudFront /auth/*`,
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      // API Gateway needs an account-wide role to write any CloudWatch log; kept on stack deletion
      // because other APIs of the account may rely on it.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName,
        throttlingRateLimit: rate,
        throttlingBurstLimit: burst,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
        ...methodLogging,
        methodOptions: Object.fromEntries(
          routes.map((route) => [
            `${route}/${AUTH_METHOD}`,
            {
              ...methodLogging,
              throttlingRateLimit: routeThrottling[route].rateLimit,
              throttlingBurstLimit: routeThrottling[route].burstLimit,
            },
          ]),
        ),
      },
    });
    this.stage = this.restApi.deploymentStage;

    const integration = new apigateway.LambdaIntegration(this.function, { proxy: true });
    const auth = this.restApi.root.addResource('auth');
    const method = auth.addResource('{proxy+}').addMethod('ANY', integration, {
      authorizationType: apigateway.AuthorizationType.NONE,
    });
    const routeMethods = routes.map((route) =>
      auth
        .addResource(route.slice('/auth/'.length))
        .addMethod(AUTH_METHOD, integration, { authorizationType: apigateway.AuthorizationType.NONE }),
    );

    const stack = Stack.of(this);
    this.originDomainName = `${this.restApi.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
    this.originPath = `/${stageName}`;

    acknowledge(this.restApi, {
      id: 'AwsSolutions-APIG2',
      reason:
        'Lambda proxy integration on purpose: the handler validates every request strictly (exact JSON fields, types, sizes, content type, origin) ' +
        'with the same code locally and on AWS; API Gateway models would repeat those rules in a second, weaker place.',
    });
    for (const routeMethod of [method, ...routeMethods]) {
      acknowledge(
        routeMethod,
        {
          id: 'AwsSolutions-APIG4',
          reason:
            'These are the sign-up and sign-in endpoints: they are what a caller uses to obtain credentials, so they cannot require them.',
        },
        {
          id: 'AwsSolutions-COG4',
          reason:
            'These are the sign-up and sign-in endpoints of the Cognito pool itself: a Cognito authorizer would require the token they hand out.',
        },
      );
    }
    const cloudWatchRole = this.restApi.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole !== undefined) {
      acknowledge(cloudWatchRole, {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "API Gateway's account-level CloudWatch role uses AmazonAPIGatewayPushToCloudWatchLogs, the policy AWS documents for it; it only lets API Gateway write logs.",
      });
    }
  }
}
