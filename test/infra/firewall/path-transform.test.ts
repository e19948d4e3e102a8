/**
 * The text transformations every path match applies, on AWS (the web ACL's
 * byte matches) and locally (the engine): URL_DECODE, then NORMALIZE_PATH.
 */
import { normalizePath, PATH_TEXT_TRANSFORMATIONS, transformPath, urlDecode } from '../../../infra/firewall/path-transform';

describe('URL_DECODE', () => {
  it.each([
    ['/%61uth/login', '/auth/login'],
    ['/auth%2Flogin', '/auth/login'],
    ['/%2e%2E/x', '/../x'],
    ['/caf%C3%A9', '/café'],
    ['/a%252e', '/a%2e'], // decoded once, as WAF does
  ])('decodes %s to %s', (input, output) => {
    expect(urlDecode(input)).toBe(output);
  });

  it.each(['/50%', '/a%4', '/a%zz/b', '/a+b'])('leaves %s as it is (no valid escape; + is not a space here)', (input) => {
    expect(urlDecode(input)).toBe(input);
  });

  it('turns an invalid UTF-8 byte into U+FFFD, never into an ASCII character', () => {
    expect(urlDecode('/a%FF/b')).toBe('/a\uFFFD/b');
    expect(urlDecode('/%C0%AF')).not.toContain('/a');
    expect(urlDecode('/%C0%AFauth').includes('//')).toBe(false); // an overlong "/" stays no slash
  });
});

describe('NORMALIZE_PATH', () => {
  it.each([
    ['/auth//login', '/auth/login'],
    ['//auth///login', '/auth/login'],
    ['/./auth/./login', '/auth/login'],
    ['/x/../auth/login', '/auth/login'],
    ['/presign/x/..', '/presign/'],
    ['/a/b/../../presign', '/presign'],
    ['/auth/.', '/auth/'],
    ['/', '/'],
    ['/auth/', '/auth/'],
    ['/../auth/login', '/../auth/login'], // a back-reference at the beginning stays
    ['/a/..b/c', '/a/..b/c'],
  ])('normalizes %s to %s', (input, output) => {
    expect(normalizePath(input)).toBe(output);
  });
});

describe('both, in WAF priority order', () => {
  it('is URL_DECODE then NORMALIZE_PATH', () => {
    expect(PATH_TEXT_TRANSFORMATIONS).toEqual(['URL_DECODE', 'NORMALIZE_PATH']);
  });

  it('normalizes what decoding reveals', () => {
    expect(transformPath('/x/%2e%2e/auth/login')).toBe('/auth/login');
    expect(transformPath('/x/..%2Fauth%2F%2Flogin')).toBe('/auth/login');
    expect(transformPath('/presign')).toBe('/presign');
  });
});
