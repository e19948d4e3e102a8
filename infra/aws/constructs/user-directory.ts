/**
 * The Cognito user pool and its one app client: the identities the auth API
 * manages and the tokens the edge verifies (DESIGN §2–3, origin/README.md
 * "For the CDK app").
 *
 * - Email is the user name (case-insensitive), people sign themselves up and
 *   confirm with an emailed code; the password policy is PASSWORD_POLICY, the
 *   one the auth handler checks before calling Cognito.
 * - The client has no secret (the Lambda holds nothing secret), allows only
 *   ADMIN_USER_PASSWORD_AUTH and refresh, hides whether a user exists, and
 *   supports token revocation (logout revokes the refresh token).
 * - No hosted UI and no OAuth flows: the site talks to the auth API only.
 */
import { RemovalPolicy, Stack, type Duration } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';
import { PASSWORD_POLICY, type PasswordPolicy } from '../../../origin/core/password-policy';
import { SECURE_DEFAULTS } from '../secure-defaults';

export interface UserDirectoryProps {
  /** Names the pool and the client. */
  readonly appName: string;
  /**
   * The password policy.
   * @default PASSWORD_POLICY from origin/core/password-policy.ts (the auth handler's)
   */
  readonly passwordPolicy?: PasswordPolicy;
  /**
   * Access and id token lifetime.
   * @default 15 minutes
   */
  readonly accessTokenValidity?: Duration;
  /**
   * Refresh token lifetime; the auth Lambda's refresh cookie gets the same Max-Age.
   * @default 7 days
   */
  readonly refreshTokenValidity?: Duration;
  /**
   * What happens to the pool when its stack is deleted (deletion protection is always on).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

export class UserDirectory extends Construct {
  public readonly userPool: cognito.UserPool;
  public readonly client: cognito.UserPoolClient;
  public readonly refreshTokenValidity: Duration;
  /** The `iss` of the pool's tokens: `https://cognito-idp.<region>.amazonaws.com/<pool id>`. */
  public readonly issuer: string;
  public readonly jwksUrl: string;

  constructor(scope: Construct, id: string, props: UserDirectoryProps) {
    super(scope, id);
    const policy = props.passwordPolicy ?? PASSWORD_POLICY;
    this.refreshTokenValidity = props.refreshTokenValidity ?? SECURE_DEFAULTS.tokens.refreshTokenValidity;

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `${props.appName}-users`,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      selfSignUpEnabled: true,
      autoVerify: { email: true },
      userVerification: {
        emailStyle: cognito.VerificationEmailStyle.CODE,
        emailSubject: 'Your verification code',
        emailBody: 'Your verification code is {####}. It expires in 24 hours.',
      },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: policy.minLength,
        requireUppercase: policy.requireUppercase,
        requireLowercase: policy.requireLowercase,
        requireDigits: policy.requireDigits,
        requireSymbols: policy.requireSymbols,
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      mfa: cognito.Mfa.OFF,
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      deletionProtection: SECURE_DEFAULTS.identity.userPoolDeletionProtection,
      removalPolicy: props.removalPolicy ?? SECURE_DEFAULTS.identity.userPoolRemovalPolicy,
    });

    const emailOnly = new cognito.ClientAttributes().withStandardAttributes({ email: true });
    this.client = this.userPool.addClient('Client', {
      userPoolClientName: `${props.appName}-site`,
      generateSecret: false,
      authFlows: { adminUserPassword: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: props.accessTokenValidity ?? SECURE_DEFAULTS.tokens.accessTokenValidity,
      idTokenValidity: props.accessTokenValidity ?? SECURE_DEFAULTS.tokens.idTokenValidity,
      refreshTokenValidity: this.refreshTokenValidity,
      authSessionValidity: SECURE_DEFAULTS.tokens.authSessionValidity,
      readAttributes: new cognito.ClientAttributes().withStandardAttributes({ email: true, emailVerified: true }),
      writeAttributes: emailOnly,
    });

    this.issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`;
    this.jwksUrl = `${this.issuer}/.well-known/jwks.json`;

    acknowledge(
      this.userPool,
      {
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is off: the auth API (origin/) answers a login challenge with 500 by design, so MFA would lock every user out. ' +
          'Brute force is limited by the WAF rate rule on /auth/*, the stage throttle and Cognito lockout; MFA is a later feature.',
      },
      {
        id: 'AwsSolutions-COG8',
        reason:
          'Essentials plan: threat protection (Plus) is billed per monthly active user, a cost decision left to the operator; ' +
          'the WAF rules, IP reputation list and rate limits already sit in front of every auth call.',
      },
    );
  }
}
