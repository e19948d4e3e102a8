/** The refresh cookie: what may go into it, its fixed attributes, and reading exactly one back. */
import {
  clearedRefreshCookie,
  COOKIE_NAME_PATTERN,
  isPlausibleRefreshToken,
  readCookie,
  refreshCookie,
} from '../../../origin/core/cookies';

const settings = { name: '__Secure-refresh', maxAgeSeconds: 3600 };

describe('refreshCookie', () => {
  it('sets the token with Max-Age and the fixed attributes', () => {
    expect(refreshCookie('abc.def_-.', settings)).toBe(
      '__Secure-refresh=abc.def_-.; Max-Age=3600; Path=/auth; HttpOnly; Secure; SameSite=Strict',
    );
  });

  it('clears it with the same attributes', () => {
    expect(clearedRefreshCookie(settings)).toBe(
      '__Secure-refresh=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/auth; HttpOnly; Secure; SameSite=Strict',
    );
  });

  it.each(['', 'a;b', 'a b', '.abc', 'abc\r\nSet-Cookie: x=y', 'a=b', 'a'.repeat(4097)])('refuses to put %j in a cookie', (token) => {
    expect(isPlausibleRefreshToken(token)).toBe(false);
    expect(() => refreshCookie(token, settings)).toThrow('Refusing to set a refresh cookie with an unexpected token format');
  });

  it('accepts a token of exactly 4096 characters', () => {
    expect(isPlausibleRefreshToken('a'.repeat(4096))).toBe(true);
  });
});

describe('readCookie', () => {
  it('finds none, one (unquoted, trimmed) or several', () => {
    expect(readCookie([], 'r')).toEqual({ kind: 'none' });
    expect(readCookie(['a=1; novalue; r2=x'], 'r')).toEqual({ kind: 'none' });
    expect(readCookie(['a=1;  r = "v=1" '], 'r')).toEqual({ kind: 'one', value: 'v=1' });
    expect(readCookie(['r="'], 'r')).toEqual({ kind: 'one', value: '"' });
    expect(readCookie(['r=""'], 'r')).toEqual({ kind: 'one', value: '' });
    expect(readCookie(['r="a'], 'r')).toEqual({ kind: 'one', value: '"a' });
    expect(readCookie(['r=a"'], 'r')).toEqual({ kind: 'one', value: 'a"' });
    expect(readCookie(['r=1', 'x=2; r=3'], 'r')).toEqual({ kind: 'several', count: 2 });
  });

  it('does not take a pair without "=" for the cookie, even one that is the name plus a character', () => {
    expect(readCookie(['rx'], 'r')).toEqual({ kind: 'none' });
    expect(readCookie(['rx; r=1'], 'r')).toEqual({ kind: 'one', value: '1' });
  });
});

describe('COOKIE_NAME_PATTERN', () => {
  it.each(['__Secure-refresh', "a!#$%&'*+-.^_`|~9"])('accepts %j', (name) => {
    expect(COOKIE_NAME_PATTERN.test(name)).toBe(true);
  });
  it.each(['', 'a b', 'a;b', 'a=b', ' a', 'a ', 'a,b'])('refuses %j', (name) => {
    expect(COOKIE_NAME_PATTERN.test(name)).toBe(false);
  });
});
