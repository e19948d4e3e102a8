import { clearedRefreshCookie, isPlausibleRefreshToken, readCookie, refreshCookie } from '../../../origin/core/cookies';

const settings = { name: '__Secure-edge_upload_refresh', maxAgeSeconds: 2592000 };

describe('the refresh cookie', () => {
  it('is HttpOnly, Secure, SameSite=Strict, Path=/auth and host-only', () => {
    expect(refreshCookie('eyJh.b.c', settings)).toBe(
      '__Secure-edge_upload_refresh=eyJh.b.c; Max-Age=2592000; Path=/auth; HttpOnly; Secure; SameSite=Strict',
    );
  });

  it('is cleared with the same name, path and attributes', () => {
    expect(clearedRefreshCookie(settings)).toBe(
      '__Secure-edge_upload_refresh=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/auth; HttpOnly; Secure; SameSite=Strict',
    );
  });

  it('refuses to carry a value that could break out of the header', () => {
    for (const token of ['a;b', 'a b', 'a\r\nSet-Cookie: x=y', '', 'x'.repeat(4097)]) {
      expect(() => refreshCookie(token, settings)).toThrow('unexpected token format');
    }
  });
});

describe('readCookie', () => {
  const NAME = '__Secure-edge_upload_refresh';

  it('finds the cookie among others, in any of several Cookie headers', () => {
    expect(readCookie([`theme=dark; ${NAME}=eyJ.a.b; lang=en`], NAME)).toEqual({ kind: 'one', value: 'eyJ.a.b' });
    expect(readCookie(['theme=dark', `${NAME}=eyJ.a.b`], NAME)).toEqual({ kind: 'one', value: 'eyJ.a.b' });
    expect(readCookie([`${NAME}="eyJ.a.b"`], NAME)).toEqual({ kind: 'one', value: 'eyJ.a.b' });
  });

  it('matches names exactly', () => {
    expect(readCookie([`x${NAME}=no; ${NAME.toUpperCase()}=no; edge_upload_refresh=no`], NAME)).toEqual({ kind: 'none' });
    expect(readCookie([], NAME)).toEqual({ kind: 'none' });
    expect(readCookie(['garbage;;;='], NAME)).toEqual({ kind: 'none' });
  });

  it('never picks one when the name repeats (cookie tossing): a planted copy is listed first', () => {
    expect(readCookie([`${NAME}=planted; ${NAME}=ours`], NAME)).toEqual({ kind: 'several', count: 2 });
    expect(readCookie([`${NAME}=planted`, `theme=dark; ${NAME}=ours`], NAME)).toEqual({ kind: 'several', count: 2 });
    expect(readCookie([`${NAME}=same; ${NAME}=same; ${NAME}=`], NAME)).toEqual({ kind: 'several', count: 3 });
  });

  it('accepts only token-shaped values as refresh tokens', () => {
    expect(isPlausibleRefreshToken('eyJjdHkiOiJKV1QifQ.a_b-c.d..e')).toBe(true);
    expect(isPlausibleRefreshToken('')).toBe(false);
    expect(isPlausibleRefreshToken('has space')).toBe(false);
    expect(isPlausibleRefreshToken('.leadingdot')).toBe(false);
  });
});
