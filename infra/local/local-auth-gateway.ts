/**
 * The auth API's Cognito gateway as the local stack runs it: the real one
 * (origin/cognito/cognito-gateway.ts, talking to cognito-local), with the dev
 * mailbox around it, and nothing else changed.
 *
 * 1. Mail. A call that sent a code (sign-up; forgot password) puts that code
 *    in the mailbox before it returns, so a client can read it as soon as
 *    `/auth/register` has answered. The code is read from cognito-local's
 *    user store, which is saved before cognito-local answers; its printed
 *    "delivery" is asynchronous and can lag until it next logs. Calls that
 *    sent nothing (a pool that confirmed at once, an unknown user hidden
 *    behind SENT) deliver nothing.
 * 2. Resending a code. cognito-local does not implement
 *    ResendConfirmationCode (it answers 500 "Unsupported"), so the local
 *    stack answers it itself: an unconfirmed user gets the code cognito-local
 *    holds for them delivered again (Cognito would issue a new one); anyone
 *    else gets the same SENT as on AWS, the reason hidden in the log line.
 */
import type { AuthGateway, DeliveryResult, SignUpResult } from '../../origin/core/auth-gateway';
import type { StoredCode } from './cognito-local';
import type { MailKind, Mailbox } from './mailbox';

export interface LocalAuthGatewayOptions {
  readonly mailbox: Mailbox;
  /** The code cognito-local holds for a user (CognitoLocal.storedCode). */
  readonly storedCode: (email: string) => StoredCode | undefined;
  /** Told when a call said it sent a code but cognito-local holds none. */
  readonly onMissingCode?: (what: string) => void;
  readonly now?: () => Date;
}

export function localAuthGateway(gateway: AuthGateway, options: LocalAuthGatewayOptions): AuthGateway {
  const now = options.now ?? (() => new Date());
  const deliver = (email: string, kind: MailKind, operation: string): void => {
    const stored = options.storedCode(email);
    if (stored === undefined) {
      options.onMissingCode?.(`${operation}: cognito-local holds no code for the user; nothing was put in the mailbox`);
      return;
    }
    options.mailbox.deliver({ email, kind, code: stored.code, sentAt: now().toISOString() });
  };

  return {
    confirmSignUp: (email, code) => gateway.confirmSignUp(email, code),
    logIn: (email, password) => gateway.logIn(email, password),
    refresh: (refreshToken) => gateway.refresh(refreshToken),
    revokeRefreshToken: (refreshToken) => gateway.revokeRefreshToken(refreshToken),
    confirmForgotPassword: (email, code, newPassword) => gateway.confirmForgotPassword(email, code, newPassword),

    async signUp(email, password): Promise<SignUpResult> {
      const result = await gateway.signUp(email, password);
      if (!result.confirmed) deliver(email, 'confirm', 'SignUp');
      return result;
    },

    async forgotPassword(email): Promise<DeliveryResult> {
      const result = await gateway.forgotPassword(email);
      if (result.hidden === undefined) deliver(email, 'reset', 'ForgotPassword');
      return result;
    },

    async resendConfirmationCode(email): Promise<DeliveryResult> {
      const stored = options.storedCode(email);
      if (stored === undefined || stored.userStatus !== 'UNCONFIRMED')
        return { hidden: 'no unconfirmed user with this email (local resend)' };
      options.mailbox.deliver({ email, kind: 'confirm', code: stored.code, sentAt: now().toISOString() });
      return { hidden: undefined };
    },
  };
}
