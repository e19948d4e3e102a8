/**
 * What the auth routes need from the identity provider, as a small interface
 * with no SDK types. The real implementation wraps Cognito
 * (origin/cognito/cognito-gateway.ts). Methods throw AuthApiError subclasses
 * for the failures the API reports; anything else is a bug (500).
 */

export interface TokenSet {
  readonly accessToken: string;
  readonly idToken: string;
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
  /** Present on login; on refresh only if the pool rotates refresh tokens. */
  readonly refreshToken: string | undefined;
}

export interface SignUpResult {
  /** True when the pool confirmed the user at once (a pre-sign-up trigger), so no code was sent. */
  readonly confirmed: boolean;
  /** Where the code went, masked (`a***@e***`). */
  readonly destination: string | undefined;
}

/**
 * A code delivery (resend, forgot) answers the same whether or not the
 * account exists. `hidden` names the provider's failure that was not shown
 * to the client (for the log line), if any.
 */
export interface DeliveryResult {
  readonly hidden: string | undefined;
}

/** `alreadyUnusable` names why the token could not be revoked because it was not valid anyway. */
export interface RevokeResult {
  readonly alreadyUnusable: string | undefined;
}

export interface AuthGateway {
  signUp(email: string, password: string): Promise<SignUpResult>;
  confirmSignUp(email: string, code: string): Promise<void>;
  resendConfirmationCode(email: string): Promise<DeliveryResult>;
  logIn(email: string, password: string): Promise<TokenSet>;
  refresh(refreshToken: string): Promise<TokenSet>;
  revokeRefreshToken(refreshToken: string): Promise<RevokeResult>;
  forgotPassword(email: string): Promise<DeliveryResult>;
  confirmForgotPassword(email: string, code: string, newPassword: string): Promise<void>;
}
