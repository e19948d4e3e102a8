import { clearedRefreshCookie, isPlausibleRefreshToken, readCookie, refreshCookie } from '../../../origin/core/cookies';

const settings = { name: 'edge_upload_refresh', maxAgeSeconds: 2592000 };

describe('the refresh cookie', () => {
  it('is HttpOnly, Secure, SameSite=Strict, Path=/auth and host-only', () => {
    expect(refreshCookie('eyJh.b.c', settings)).toBe('edge_upload_refresh=eyJh.b.c; Max-Age=2592000; Path=/auth; HttpOnly; Secure; SameSite=Strict');
  });

  it('is cleared with the same name, path and attributes', () => {
    expect(clearedRefreshCookie(settings)).toBe(
      'edge_upload_refresh=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/auth; HttpOnly; Secure; SameSite=Strict',
    );
  });

  it('refuses to carry a value that could break out of the header', () => {
    for (const token of ['a;b', 'a b', 'a\r\nSet-Cookie: x=y', '', 'x'.repeat(4097)]) {
      expect(() => refreshCookie(token, settings)).toThrow('unexpected token format');
    }
  });
});

describe('readCookie', () => {
  it('finds the cookie among others, in any of several Cookie headers', () => {
    expect(readCookie(['theme=dark; edge_upload_refresh=eyJ.a.b; lang=en'], 'edge_upload_refresh')).toBe('eyJ.a.b');
    expect(readCookie(['theme=dark', 'edge_upload_refresh=eyJ.a.b'], 'edge_upload_refresh')).toBe('eyJ.a.b');
    expect(readCookie(['edge_upload_refresh="eyJ.a.b"'], 'edge_upload_refresh')).toBe('eyJ.a.b');
  });

  it('takes the first when the name repeats, and matches names exactly', () => {
    expect(readCookie(['edge_upload_refresh=first; edge_upload_refresh=second'], 'edge_upload_refresh')).toBe('first');
    expect(readCookie(['xedge_upload_refresh=no; EDGE_UPLOAD_REFRESH=no'], 'edge_upload_refresh')).toBeUndefined();
    expect(readCookie([], 'edge_upload_refresh')).toBeUndefined();
    expect(readCookie(['garbage;;;='], 'edge_upload_refresh')).toBeUndefined();
  });

  it('accepts only token-shaped values as refresh tokens', () => {
    expect(isPlausibleRefreshToken('eyJjdHkiOiJKV1QifQ.a_b-c.d..e')).toBe(true);
    expect(isPlausibleRefreshToken('')).toBe(false);
    expect(isPlausibleRefreshToken('has space')).toBe(false);
    expect(isPlausibleRefreshToken('.leadingdot')).toBe(false);
  });
});
