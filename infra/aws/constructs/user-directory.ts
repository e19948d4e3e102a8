/**
 * The Cognito user pool and its one app client: the identities the auth API
 * manages and the tokens the edge verifies (docs/http-api.md "Who answers which path"–3, origin/README.md
 * "For the CDK app").
 *
 * - Email is the user name (case-insensitive), people sign themselves up and
 *   confirm with an emailed code; the password policy is PASSWORD_POLICY, the
 *   one the auth handler checks before calling Cognito.
 * - The client has no secret (the Lambda holds nothing secret), allows only
 *   ADMIN_USER_PASSWORD_AUTH and refresh, hides whether a user exists, and
 *   supports token revocation (logout revokes the refresh token).
 * - No hosted UI and no OAuth flows: the site talks to the auth API only.
 * - A changed email address takes effect only once its code is confirmed
 *   (`keepOriginal`): until then the account keeps, and signs in with, the
 *   old one, so no one can claim an address they do not read.
 * - Mail goes through Amazon SES (`EmailSendingAccount: DEVELOPER`) when an
 *   identity is given. Without one, Cognito's built-in sender caps the whole
 *   pool at a few dozen mails a day, which anyone can spend with
 *   /auth/register or /auth/resend: fine for a trial, not for real use.
 *
 * Or, with `existing`, nothing is created: an existing pool of the app region
 * and its app clients are referenced by id (bring your own pool). The edge
 * then trusts tokens of every one of those clients; the auth API, if
 * deployed, signs in with the first (which must allow
 * ALLOW_ADMIN_USER_PASSWORD_AUTH and have no secret).
 */
import { type RemovalPolicy, Stack, type Duration } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';
import { PASSWORD_POLICY, type PasswordPolicy } from '../../../origin/core/password-policy';
import type { ExistingUserPool, SesEmail } from '../app-config';
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
   * Send the pool's mail through this verified SES identity.
   * @default - Cognito's built-in email (a few dozen mails a day: trials only)
   */
  readonly email?: SesEmail;
  /**
   * What happens to the pool when its stack is deleted (deletion protection is always on).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Reference this pool and these clients instead of creating them (the other props then do not apply).
   * @default - a new pool and one client
   */
  readonly existing?: ExistingUserPool;
}

export class UserDirectory extends Construct {
  public readonly userPool: cognito.IUserPool;
  /** The client the auth API signs in with: the created one, or the first existing one. */
  public readonly client: cognito.IUserPoolClient;
  /** Every client whose access tokens the edge trusts. */
  public readonly clientIds: readonly string[];
  /** False for an existing pool: nothing of it is in this app's templates. */
  public readonly managed: boolean;
  /**
   * The refresh cookie's Max-Age. For an existing pool it cannot be read at synth:
   * the default (7 days) unless given; the pool's own client setting still decides when Cognito refuses a token.
   */
  public readonly refreshTokenValidity: Duration;
  /** The `iss` of the pool's tokens: `https://cognito-idp.<region>.amazonaws.com/<pool id>`. */
  public readonly issuer: string;
  public readonly jwksUrl: string;

  constructor(scope: Construct, id: string, props: UserDirectoryProps) {
    super(scope, id);
    const policy = props.passwordPolicy ?? PASSWORD_POLICY;
    this.refreshTokenValidity = props.refreshTokenValidity ?? SECURE_DEFAULTS.tokens.refreshTokenValidity;

    if (props.existing !== undefined) {
      const { userPoolId, clientIds } = props.existing;
      this.managed = false;
      this.userPool = cognito.UserPool.fromUserPoolId(this, 'UserPool', userPoolId);
      const clients = clientIds.map((clientId, index) => cognito.UserPoolClient.fromUserPoolClientId(this, `Client${index}`, clientId));
      this.client = clients[0]!;
      this.clientIds = Object.freeze([...clientIds]);
      // The region is the pool id's own (app-config checks it is the app region).
      this.issuer = `https://cognito-idp.${userPoolId.split('_')[0]}.amazonaws.com/${userPoolId}`;
      this.jwksUrl = `${this.issuer}/.well-known/jwks.json`;
      return;
    }
    this.managed = true;

    const userPool = (this.userPool = new cognito.UserPool(this, 'UserPool', {
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
      // A new address replaces the old one only once its code is confirmed (no claiming someone else's address).
      keepOriginal: { email: true },
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
    }));

    if (props.email !== undefined) {
      // Set on the resource: CDK's UserPoolEmail.withSES builds the identity ARN from this stack's account
      // and cannot take a given ARN. Cognito sends through its service-linked role, which may use SES.
      const cfnPool = userPool.node.defaultChild as cognito.CfnUserPool;
      cfnPool.emailConfiguration = { emailSendingAccount: 'DEVELOPER', sourceArn: props.email.sesIdentityArn, from: props.email.from };
    }

    const emailOnly = new cognito.ClientAttributes().withStandardAttributes({ email: true });
    const client = (this.client = userPool.addClient('Client', {
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
    }));
    this.clientIds = Object.freeze([client.userPoolClientId]);

    this.issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${userPool.userPoolId}`;
    this.jwksUrl = `${this.issuer}/.well-known/jwks.json`;

    acknowledge(
      userPool,
      {
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is off: the auth API (origin/) answers a login challenge with 403 UNSUPPORTED_CHALLENGE, so MFA would lock every user out. ' +
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
