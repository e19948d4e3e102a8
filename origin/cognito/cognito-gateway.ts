/**
 * The AuthGateway on Cognito: one SDK call per method, the request shapes of
 * the user pool (email is the user name), and every failure passed through
 * translateCognitoError. No HTTP, no cookies, no logging here.
 */
import {
  AdminInitiateAuthCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  ResendConfirmationCodeCommand,
  RevokeTokenCommand,
  SignUpCommand,
  type AuthenticationResultType,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { AuthGateway, DeliveryResult, TokenSet } from '../core/auth-gateway';
import type { AuthConfig } from '../core/config';
import { maskEmail } from '../core/email';
import { UnexpectedCognitoResponseError, UnsupportedChallengeError } from '../core/errors';
import { accessTokenLifetimeSeconds } from '../core/token-lifetime';
import { createCognitoClient } from './cognito-client';
import {
  describeCognitoError,
  isHiddenDeliveryFailure,
  isUnusableTokenFailure,
  translateCognitoError,
  type CognitoOperation,
} from './cognito-errors';

export function createCognitoGateway(
  config: Pick<AuthConfig, 'userPoolId' | 'clientId' | 'cognito'>,
  client: CognitoIdentityProviderClient = createCognitoClient(config.cognito),
): AuthGateway {
  const { userPoolId, clientId } = config;

  async function call<T>(operation: CognitoOperation, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw translateCognitoError(operation, error);
    }
  }

  async function deliver(operation: CognitoOperation, send: () => Promise<unknown>): Promise<DeliveryResult> {
    try {
      await send();
      return { hidden: undefined };
    } catch (error) {
      if (isHiddenDeliveryFailure(error)) return { hidden: describeCognitoError(error) };
      throw translateCognitoError(operation, error);
    }
  }

  return {
    async signUp(email, password) {
      const output = await call('SignUp', () =>
        client.send(
          new SignUpCommand({
            ClientId: clientId,
            Username: email,
            Password: password,
            UserAttributes: [{ Name: 'email', Value: email }],
          }),
        ),
      );
      const destination = output.CodeDeliveryDetails?.Destination;
      return {
        confirmed: output.UserConfirmed === true,
        destination: destination === undefined ? undefined : maskEmail(destination),
      };
    },

    async confirmSignUp(email, code) {
      await call('ConfirmSignUp', () =>
        client.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: code })),
      );
    },

    resendConfirmationCode(email) {
      return deliver('ResendConfirmationCode', () =>
        client.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: email })),
      );
    },

    async logIn(email, password) {
      const output = await call('PasswordLogin', () =>
        client.send(
          new AdminInitiateAuthCommand({
            UserPoolId: userPoolId,
            ClientId: clientId,
            AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: email, PASSWORD: password },
          }),
        ),
      );
      const tokens = toTokenSet(output.AuthenticationResult, output.ChallengeName);
      if (tokens.refreshToken === undefined) {
        throw new UnexpectedCognitoResponseError('Cognito returned no refresh token on login');
      }
      return tokens;
    },

    async refresh(refreshToken) {
      const output = await call('Refresh', () =>
        client.send(
          new AdminInitiateAuthCommand({
            UserPoolId: userPoolId,
            ClientId: clientId,
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            AuthParameters: { REFRESH_TOKEN: refreshToken },
          }),
        ),
      );
      return toTokenSet(output.AuthenticationResult, output.ChallengeName);
    },

    async revokeRefreshToken(refreshToken) {
      try {
        await client.send(new RevokeTokenCommand({ ClientId: clientId, Token: refreshToken }));
        return { alreadyUnusable: undefined };
      } catch (error) {
        if (isUnusableTokenFailure(error)) return { alreadyUnusable: describeCognitoError(error) };
        throw translateCognitoError('RevokeToken', error);
      }
    },

    forgotPassword(email) {
      return deliver('ForgotPassword', () => client.send(new ForgotPasswordCommand({ ClientId: clientId, Username: email })));
    },

    async confirmForgotPassword(email, code, newPassword) {
      await call('ConfirmForgotPassword', () =>
        client.send(
          new ConfirmForgotPasswordCommand({
            ClientId: clientId,
            Username: email,
            ConfirmationCode: code,
            Password: newPassword,
          }),
        ),
      );
    },
  };
}

function toTokenSet(result: AuthenticationResultType | undefined, challenge: string | undefined): TokenSet {
  if (result === undefined) {
    // The pool asked for a challenge this API does not offer (MFA, NEW_PASSWORD_REQUIRED for invited users): a 4xx, never a 500.
    if (challenge !== undefined) throw new UnsupportedChallengeError(challenge);
    throw new UnexpectedCognitoResponseError('Cognito answered with neither tokens nor a challenge');
  }
  const { AccessToken: accessToken, IdToken: idToken } = result;
  if (accessToken === undefined || idToken === undefined) {
    throw new UnexpectedCognitoResponseError('Cognito returned no access or id token');
  }
  const expiresIn = accessTokenLifetimeSeconds(result.ExpiresIn, accessToken);
  if (expiresIn === undefined) {
    throw new UnexpectedCognitoResponseError('Cognito returned no usable token lifetime');
  }
  return { accessToken, idToken, expiresIn, refreshToken: result.RefreshToken };
}
