/**
 * What each of the eight auth routes does once the request has passed the
 * guard (docs/http-api.md "Auth routes"): parse its body, call the gateway, shape the
 * answer. Business logic only: no platform types, no SDK, no logging.
 */
import type { AuthPath } from '../../edge-functions/core/auth-routes';
import type { AuthGateway, TokenSet } from '../core/auth-gateway';
import type { AuthConfig } from '../core/config';
import { clearedRefreshCookie, isPlausibleRefreshToken, readCookie, refreshCookie } from '../core/cookies';
import { maskEmail } from '../core/email';
import { InvalidRefreshError } from '../core/errors';
import { jsonResponse, noContentResponse, type AuthResponse } from '../core/http';
import { parseConfirmBody, parseEmailBody, parseLoginBody, parseRegisterBody, parseResetBody } from '../core/validation';

export interface ActionInput {
  /** The decoded request body ('' when there is none). */
  readonly body: string;
  readonly cookieHeaders: readonly string[];
  readonly config: AuthConfig;
  readonly gateway: AuthGateway;
}

export interface ActionResult {
  readonly response: AuthResponse;
  /** For the log line: the success status (CONFIRMATION_REQUIRED, SENT, LOGGED_IN, …). */
  readonly outcome: string;
  /** For the log line: a safe note such as a hidden Cognito failure. */
  readonly detail: string | undefined;
}

/** An action failed, and the error response must still carry these cookies (clearing the refresh cookie). */
export class ActionFailure extends Error {
  readonly error: unknown;
  readonly cookies: readonly string[];

  constructor(error: unknown, cookies: readonly string[]) {
    super('auth action failed');
    this.name = 'ActionFailure';
    this.error = error;
    this.cookies = cookies;
  }
}

export type AuthAction = (input: ActionInput) => Promise<ActionResult>;

export const AUTH_ACTIONS: Readonly<Record<AuthPath, AuthAction>> = Object.freeze({
  '/auth/register': async ({ body, gateway }) => {
    const { email, password } = parseRegisterBody(body);
    const result = await gateway.signUp(email, password);
    if (result.confirmed) return done(jsonResponse(201, { status: 'CONFIRMED' }), 'CONFIRMED');
    const destination = result.destination ?? maskEmail(email);
    return done(jsonResponse(201, { status: 'CONFIRMATION_REQUIRED', destination }), 'CONFIRMATION_REQUIRED');
  },

  '/auth/confirm': async ({ body, gateway }) => {
    const { email, code } = parseConfirmBody(body);
    await gateway.confirmSignUp(email, code);
    return done(jsonResponse(200, { status: 'CONFIRMED' }), 'CONFIRMED');
  },

  '/auth/resend': async ({ body, gateway }) => {
    const { email } = parseEmailBody(body);
    const { hidden } = await gateway.resendConfirmationCode(email);
    return done(jsonResponse(200, { status: 'SENT' }), 'SENT', hidden);
  },

  '/auth/login': async ({ body, gateway, config }) => {
    const { email, password } = parseLoginBody(body);
    const tokens = await gateway.logIn(email, password);
    const cookies = tokens.refreshToken === undefined ? [] : [refreshCookie(tokens.refreshToken, config.refreshCookie)];
    return done(jsonResponse(200, tokenBody(tokens), { cookies }), 'LOGGED_IN');
  },

  '/auth/refresh': async ({ cookieHeaders, gateway, config }) => {
    const cleared = [clearedRefreshCookie(config.refreshCookie)];
    const found = readCookie(cookieHeaders, config.refreshCookie.name);
    if (found.kind === 'none') {
      throw new ActionFailure(new InvalidRefreshError({ detail: 'no refresh cookie' }), cleared);
    }
    if (found.kind === 'several') {
      // Cookie tossing: one copy was planted and nothing says which. Clear ours (the
      // only one a Set-Cookie can be sure to reach) and make the user log in again.
      throw new ActionFailure(new InvalidRefreshError({ detail: 'several refresh cookies' }), cleared);
    }
    const token = found.value;
    if (!isPlausibleRefreshToken(token)) {
      throw new ActionFailure(new InvalidRefreshError({ detail: 'malformed refresh cookie' }), cleared);
    }
    let tokens: TokenSet;
    try {
      tokens = await gateway.refresh(token);
    } catch (error) {
      // A dead token is forgotten by the browser; an outage leaves it in place to try again.
      throw error instanceof InvalidRefreshError ? new ActionFailure(error, cleared) : error;
    }
    // Set a new cookie only if the pool rotated the refresh token.
    const cookies = tokens.refreshToken === undefined ? [] : [refreshCookie(tokens.refreshToken, config.refreshCookie)];
    return done(jsonResponse(200, tokenBody(tokens), { cookies }), 'REFRESHED');
  },

  '/auth/logout': async ({ cookieHeaders, gateway, config }) => {
    const cleared = [clearedRefreshCookie(config.refreshCookie)];
    const found = readCookie(cookieHeaders, config.refreshCookie.name);
    if (found.kind === 'several') {
      // As on refresh: revoke nothing (which copy is ours is unknown), clear ours, say the session is over.
      throw new ActionFailure(new InvalidRefreshError({ detail: 'several refresh cookies' }), cleared);
    }
    const token = found.kind === 'one' ? found.value : undefined;
    if (token === undefined || !isPlausibleRefreshToken(token)) {
      return done(noContentResponse(cleared), 'LOGGED_OUT', token === undefined ? 'no refresh cookie' : 'malformed refresh cookie');
    }
    try {
      const { alreadyUnusable } = await gateway.revokeRefreshToken(token);
      return done(noContentResponse(cleared), 'LOGGED_OUT', alreadyUnusable);
    } catch (error) {
      // Revocation failed (Cognito down): say so honestly, but the browser still forgets the token.
      throw new ActionFailure(error, cleared);
    }
  },

  '/auth/forgot': async ({ body, gateway }) => {
    const { email } = parseEmailBody(body);
    const { hidden } = await gateway.forgotPassword(email);
    return done(jsonResponse(200, { status: 'SENT' }), 'SENT', hidden);
  },

  '/auth/reset': async ({ body, gateway }) => {
    const { email, code, newPassword } = parseResetBody(body);
    await gateway.confirmForgotPassword(email, code, newPassword);
    return done(jsonResponse(200, { status: 'PASSWORD_RESET' }), 'PASSWORD_RESET');
  },
});

/** The login/refresh body: access and id token only; the refresh token never appears in a body. */
function tokenBody(tokens: TokenSet): { accessToken: string; idToken: string; expiresIn: number; tokenType: 'Bearer' } {
  return { accessToken: tokens.accessToken, idToken: tokens.idToken, expiresIn: tokens.expiresIn, tokenType: 'Bearer' };
}

function done(response: AuthResponse, outcome: string, detail?: string): ActionResult {
  return { response, outcome, detail };
}
