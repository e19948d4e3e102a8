import type { TokenGrant } from '../../../client/core/api-contract';
import { ApiError, NetworkError, SessionExpiredError } from '../../../client/core/errors';
import { emailFromIdToken, MIN_REFRESH_DELAY_MS, refreshDelayMs, Session, type SessionState } from '../../../site/core/session';
import { ManualClock, settle } from '../support/manual-clock';

function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'k' })}.${part(claims)}.c2lnbmF0dXJl`;
}

let issued = 0;
function grant(expiresIn = 3600, email = 'ann@example.com'): TokenGrant {
  issued += 1;
  return { accessToken: jwt({ token_use: 'access', n: issued }), idToken: jwt({ token_use: 'id', email }), expiresIn };
}

const refused = () => new ApiError(401, 'INVALID_REFRESH', 'The session has expired. Log in again.');

function setup(refresh: () => Promise<TokenGrant>, logout: () => Promise<void> = async () => undefined) {
  const clock = new ManualClock();
  const calls = { refresh: 0, logout: 0 };
  const session = new Session(
    {
      refresh: () => {
        calls.refresh += 1;
        return refresh();
      },
      logout: () => {
        calls.logout += 1;
        return logout();
      },
    },
    clock,
    () => 0.5,
  );
  const states: SessionState[] = [];
  session.onChange((state) => states.push(state));
  return { clock, session, calls, states };
}

describe('restoring a session on page load', () => {
  it('a refresh cookie becomes a session, with the email from the id token', async () => {
    const { session, states } = setup(async () => grant());
    await expect(session.restore()).resolves.toBe(true);
    expect(session.state).toEqual({ signedIn: true, email: 'ann@example.com' });
    expect(states).toEqual([{ signedIn: true, email: 'ann@example.com' }]);
  });

  it('no cookie (401) is simply no session', async () => {
    const { session, states } = setup(async () => Promise.reject(refused()));
    await expect(session.restore()).resolves.toBe(false);
    expect(session.state.signedIn).toBe(false);
    expect(states).toEqual([]);
  });

  it('an outage is not mistaken for "logged out": it is thrown for the page to say', async () => {
    const { session } = setup(async () => Promise.reject(new NetworkError()));
    await expect(session.restore()).rejects.toBeInstanceOf(NetworkError);
  });
});

describe('refreshing before expiry', () => {
  it('refreshes a minute before a one-hour token expires, and again after that', async () => {
    const { session, clock, calls } = setup(async () => grant());
    session.accept(grant());
    expect(clock.pending()).toEqual([3_540_000]);
    await clock.advance(3_540_000);
    expect(calls.refresh).toBe(1);
    expect(clock.pending()).toEqual([3_540_000]);
  });

  it('short tokens refresh at three quarters of their life, never more often than the floor', () => {
    expect(refreshDelayMs(3600)).toBe(3_540_000);
    expect(refreshDelayMs(120)).toBe(90_000);
    expect(refreshDelayMs(4)).toBe(MIN_REFRESH_DELAY_MS);
  });

  it('a failed scheduled refresh is tried again with backoff; a refused one ends the session', async () => {
    let answer: () => Promise<TokenGrant> = async () => Promise.reject(new NetworkError());
    const { session, clock, calls, states } = setup(() => answer());
    session.accept(grant());
    await clock.advance(3_540_000);
    expect(calls.refresh).toBe(1);
    expect(session.state.signedIn).toBe(true);
    expect(clock.pending()).toEqual([750]);
    answer = async () => Promise.reject(refused());
    await clock.advance(750);
    expect(calls.refresh).toBe(2);
    expect(session.state.signedIn).toBe(false);
    expect(states.at(-1)).toEqual({ signedIn: false, ended: 'expired' });
    expect(clock.pending()).toEqual([]);
  });

  it('many callers asking for a fresh token at once share one refresh', async () => {
    const { session, calls } = setup(async () => grant());
    session.accept(grant());
    const tokens = await Promise.all([session.refreshNow(), session.refreshNow(), session.refreshNow()]);
    expect(calls.refresh).toBe(1);
    expect(new Set(tokens).size).toBe(1);
  });

  it('after the tab was hidden: refreshes at once only if the token is about to expire', async () => {
    const { session, clock, calls } = setup(async () => grant());
    session.accept(grant());
    await session.ensureFresh();
    expect(calls.refresh).toBe(0);
    clock.clearTimeout(1); // the browser throttled the timer in the hidden tab
    await clock.advance(3_550_000);
    await session.ensureFresh();
    expect(calls.refresh).toBe(1);
  });
});

describe('withAccessToken: a 401 from /presign', () => {
  it('passes the current token', async () => {
    const { session } = setup(async () => grant());
    const first = grant();
    session.accept(first);
    await expect(session.withAccessToken(async (token) => token)).resolves.toBe(first.accessToken);
  });

  it('gets one refresh and one more try with the new token', async () => {
    const fresh = grant();
    const { session, calls } = setup(async () => fresh);
    session.accept(grant());
    const seen: string[] = [];
    const result = await session.withAccessToken(async (token) => {
      seen.push(token);
      if (seen.length === 1) throw new ApiError(401, 'UNAUTHORIZED', 'The access token is not valid.');
      return 'signed';
    });
    expect(result).toBe('signed');
    expect(calls.refresh).toBe(1);
    expect(seen[1]).toBe(fresh.accessToken);
  });

  it('a second 401 ends the session: back to log-in', async () => {
    const { session, calls, states } = setup(async () => grant());
    session.accept(grant());
    let tries = 0;
    await expect(
      session.withAccessToken(async () => {
        tries += 1;
        throw new ApiError(401, 'UNAUTHORIZED', 'no');
      }),
    ).rejects.toBeInstanceOf(SessionExpiredError);
    expect(tries).toBe(2);
    expect(calls.refresh).toBe(1);
    expect(states.at(-1)).toEqual({ signedIn: false, ended: 'expired' });
  });

  it('a refused refresh ends the session without a second try', async () => {
    const { session } = setup(async () => Promise.reject(refused()));
    session.accept(grant());
    let tries = 0;
    await expect(
      session.withAccessToken(async () => {
        tries += 1;
        throw new ApiError(401, 'UNAUTHORIZED', 'no');
      }),
    ).rejects.toBeInstanceOf(SessionExpiredError);
    expect(tries).toBe(1);
    expect(session.state.signedIn).toBe(false);
  });

  it('other errors pass through untouched, and the session stays', async () => {
    const { session, calls } = setup(async () => grant());
    session.accept(grant());
    const error = new ApiError(413, 'FILE_TOO_LARGE', 'too big', 0);
    await expect(session.withAccessToken(async () => Promise.reject(error))).rejects.toBe(error);
    expect(calls.refresh).toBe(0);
    expect(session.state.signedIn).toBe(true);
  });

  it('without a session there is no call at all', async () => {
    const { session } = setup(async () => grant());
    let called = false;
    await expect(
      session.withAccessToken(async () => {
        called = true;
      }),
    ).rejects.toBeInstanceOf(SessionExpiredError);
    expect(called).toBe(false);
  });
});

describe('logging out', () => {
  it('forgets the token at once and asks the API to revoke the cookie', async () => {
    const { session, calls, states, clock } = setup(async () => grant());
    session.accept(grant());
    await session.logout();
    expect(calls.logout).toBe(1);
    expect(session.state.signedIn).toBe(false);
    expect(states.at(-1)).toEqual({ signedIn: false, ended: 'logout' });
    expect(clock.pending()).toEqual([]);
  });

  it('a refresh that answers after the logout does not sign anyone back in', async () => {
    let answer: (value: TokenGrant) => void = () => undefined;
    const { session } = setup(() => new Promise((resolve) => (answer = resolve)));
    session.accept(grant());
    const refreshing = session.refreshNow();
    await session.logout();
    answer(grant());
    await expect(refreshing).rejects.toBeInstanceOf(SessionExpiredError);
    await settle();
    expect(session.state.signedIn).toBe(false);
  });

  it('a failed revocation is reported, but the page is logged out anyway', async () => {
    const { session } = setup(
      async () => grant(),
      async () => Promise.reject(new NetworkError()),
    );
    session.accept(grant());
    await expect(session.logout()).rejects.toBeInstanceOf(NetworkError);
    expect(session.state.signedIn).toBe(false);
  });
});

describe('emailFromIdToken', () => {
  it('reads the email claim, including non-ASCII addresses', () => {
    expect(emailFromIdToken(jwt({ email: 'zoë@exämple.com' }))).toBe('zoë@exämple.com');
  });

  it('gives nothing for anything else', () => {
    expect(emailFromIdToken('not-a-jwt')).toBeUndefined();
    expect(emailFromIdToken('a.%%%.c')).toBeUndefined();
    expect(emailFromIdToken(jwt({ sub: 'x' }))).toBeUndefined();
    expect(emailFromIdToken(jwt({ email: 42 }))).toBeUndefined();
  });
});
