/**
 * The signed-in session. The access token lives here, in this object's
 * memory, and nowhere else: not in storage, not in the URL, not on `window`.
 * The refresh token is the auth API's HttpOnly cookie, which script never
 * sees; `/auth/refresh` trades it for a new access token on page load and
 * shortly before each token expires.
 *
 * The auth calls and the clock are injected, so every path (restore,
 * scheduled refresh, a 401 from /presign, logout racing a refresh) is
 * unit-tested without a browser.
 */
import { INVALID_REFRESH, UNAUTHORIZED } from '../../edge-functions/contract/http-errors';
import { isPlainObject, safeJsonParse } from '../../edge-functions/core/safe-json';
import { retryDelayMs } from '../../client/core/backoff';
import type { TokenGrant } from '../../client/core/api-contract';
import { systemClock, type Clock } from '../../client/core/clock';
import { ApiError, SessionExpiredError } from '../../client/core/errors';

export interface SessionAuthCalls {
  refresh(signal: AbortSignal): Promise<TokenGrant>;
  logout(signal: AbortSignal): Promise<void>;
}

/** Refresh this long before the access token expires (or a quarter of its life, if that is shorter). */
export const REFRESH_MARGIN_SECONDS = 60;
/** Never schedule refreshes closer together than this, whatever the server says. */
export const MIN_REFRESH_DELAY_MS = 5_000;

export type SessionEnd = 'logout' | 'expired';

export type SessionState =
  | { readonly signedIn: true; readonly email: string | undefined }
  | { readonly signedIn: false; readonly ended: SessionEnd | undefined };

/** When to refresh a token that lives `expiresIn` seconds. */
export function refreshDelayMs(expiresIn: number): number {
  const margin = Math.min(REFRESH_MARGIN_SECONDS, expiresIn / 4);
  return Math.max(MIN_REFRESH_DELAY_MS, Math.round((expiresIn - margin) * 1000));
}

/** The `email` claim of an id token, read (not verified: it is only shown to the person it belongs to). */
export function emailFromIdToken(idToken: string): string | undefined {
  const payload = idToken.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')), (c) => c.charCodeAt(0));
    const claims = safeJsonParse(new TextDecoder().decode(bytes));
    const email = claims.ok && isPlainObject(claims.value) ? claims.value.email : undefined;
    return typeof email === 'string' ? email : undefined;
  } catch {
    return undefined;
  }
}

export class Session {
  private token: string | undefined;
  private email: string | undefined;
  private expiresAt = 0;
  private timer: unknown;
  private refreshing: Promise<string> | undefined;
  private scheduledFailures = 0;
  /** Bumped whenever the session ends, so an answer that arrives afterwards cannot sign anyone back in. */
  private generation = 0;
  private inFlight = new AbortController();
  private readonly listeners = new Set<(state: SessionState) => void>();

  constructor(
    private readonly auth: SessionAuthCalls,
    private readonly clock: Clock = systemClock,
    private readonly random: () => number = Math.random,
  ) {}

  get state(): SessionState {
    return this.token === undefined ? { signedIn: false, ended: undefined } : { signedIn: true, email: this.email };
  }

  onChange(listener: (state: SessionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Takes the tokens of a login or a refresh. */
  accept(grant: TokenGrant): void {
    const wasSignedIn = this.token !== undefined;
    this.token = grant.accessToken;
    this.email = emailFromIdToken(grant.idToken) ?? this.email;
    this.expiresAt = this.clock.now() + grant.expiresIn * 1000;
    this.scheduledFailures = 0;
    this.schedule(refreshDelayMs(grant.expiresIn));
    if (!wasSignedIn) this.emit(this.state);
  }

  /**
   * On page load: a refresh cookie, if the browser has one, becomes a session.
   * False when there is none (401); other failures (offline, 503) are thrown.
   */
  async restore(): Promise<boolean> {
    try {
      await this.refreshNow();
      return true;
    } catch (error) {
      if (error instanceof SessionExpiredError) return false;
      throw error;
    }
  }

  /**
   * Runs an authorized call with the current access token. A 401 answer gets
   * exactly one refresh and one more try; if that is refused too, the session
   * ends and SessionExpiredError is thrown (the app returns to log-in).
   */
  async withAccessToken<T>(call: (accessToken: string) => Promise<T>): Promise<T> {
    const token = this.token;
    if (token === undefined) throw new SessionExpiredError();
    try {
      return await call(token);
    } catch (error) {
      if (!isUnauthorized(error)) throw error;
    }
    const fresh = await this.refreshNow();
    try {
      return await call(fresh);
    } catch (error) {
      if (!isUnauthorized(error)) throw error;
      this.end('expired');
      throw new SessionExpiredError();
    }
  }

  /**
   * A new access token now (one request however many callers ask at once).
   * A refused refresh ends the session: SessionExpiredError.
   */
  refreshNow(): Promise<string> {
    if (this.refreshing !== undefined) return this.refreshing;
    const generation = this.generation;
    const attempt = (async () => {
      let grant: TokenGrant;
      try {
        grant = await this.auth.refresh(this.inFlight.signal);
      } catch (error) {
        if (generation !== this.generation) throw new SessionExpiredError();
        if (error instanceof ApiError && error.status === INVALID_REFRESH.status) {
          this.end('expired');
          throw new SessionExpiredError();
        }
        throw error;
      }
      if (generation !== this.generation) throw new SessionExpiredError();
      this.accept(grant);
      return grant.accessToken;
    })();
    this.refreshing = attempt;
    const clear = () => {
      if (this.refreshing === attempt) this.refreshing = undefined;
    };
    attempt.then(clear, clear);
    return attempt;
  }

  /** After the tab was hidden (timers are throttled there): refresh at once if the token is about to expire. */
  async ensureFresh(): Promise<void> {
    if (this.token === undefined) return;
    if (this.expiresAt - this.clock.now() > REFRESH_MARGIN_SECONDS * 1000) return;
    await this.refreshNow().catch(() => undefined);
  }

  /**
   * Logs out: the token is forgotten here at once, then the API revokes the
   * refresh token and clears its cookie. If that request fails the error is
   * thrown, so the page can say that this browser may still hold the cookie.
   */
  async logout(): Promise<void> {
    this.end('logout');
    await this.auth.logout(new AbortController().signal);
  }

  /** Forgets the token and tells the listeners why. */
  end(reason: SessionEnd): void {
    const wasSignedIn = this.token !== undefined;
    this.generation += 1;
    this.token = undefined;
    this.email = undefined;
    this.expiresAt = 0;
    this.clearTimer();
    this.inFlight.abort();
    this.inFlight = new AbortController();
    this.refreshing = undefined;
    if (wasSignedIn) this.emit({ signedIn: false, ended: reason });
  }

  private schedule(delayMs: number): void {
    this.clearTimer();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.scheduledRefresh();
    }, delayMs);
  }

  private async scheduledRefresh(): Promise<void> {
    try {
      await this.refreshNow();
    } catch (error) {
      if (error instanceof SessionExpiredError || this.token === undefined) return;
      // Offline or the API is busy: try again, sooner than a full period, while the refresh cookie may still work.
      this.scheduledFailures += 1;
      this.schedule(retryDelayMs(this.scheduledFailures, this.random()));
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private emit(state: SessionState): void {
    for (const listener of this.listeners) listener(state);
  }
}

function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiError && error.status === UNAUTHORIZED.status;
}
