import { AuthConfigError } from '../../../origin/core/errors';
import { parseAuthConfig } from '../../../origin/core/config';

const VALID = {
  USER_POOL_ID: 'eu-west-1_AbCdEfGhI',
  USER_POOL_CLIENT_ID: '1example23456789',
  SITE_ORIGIN: 'https://uploads.example.com',
};

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    parseAuthConfig(env);
  } catch (error) {
    if (error instanceof AuthConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected AuthConfigError');
}

describe('parseAuthConfig', () => {
  it('reads a minimal environment with secure defaults, frozen', () => {
    const config = parseAuthConfig(VALID);
    expect(config).toEqual({
      userPoolId: 'eu-west-1_AbCdEfGhI',
      clientId: '1example23456789',
      siteOrigin: 'https://uploads.example.com',
      refreshCookie: { name: '__Secure-edge_upload_refresh', maxAgeSeconds: 2592000 },
      cognito: { region: 'eu-west-1', endpoint: undefined, maxAttempts: 3, requestTimeoutMs: 5000 },
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.refreshCookie)).toBe(true);
    expect(Object.isFrozen(config.cognito)).toBe(true);
  });

  it('reads every optional setting, for the local stack', () => {
    const config = parseAuthConfig({
      USER_POOL_ID: 'local_edgeUpl0d',
      USER_POOL_CLIENT_ID: 'edgeuploadlocal0000client1',
      SITE_ORIGIN: 'http://127.0.0.1:3000',
      COGNITO_ENDPOINT: 'http://127.0.0.1:9229',
      REFRESH_COOKIE_NAME: '__Secure-refresh',
      REFRESH_COOKIE_MAX_AGE_SECONDS: '3600',
      COGNITO_MAX_ATTEMPTS: '1',
      COGNITO_REQUEST_TIMEOUT_MS: '2000',
    });
    expect(config).toMatchObject({
      siteOrigin: 'http://127.0.0.1:3000',
      refreshCookie: { name: '__Secure-refresh', maxAgeSeconds: 3600 },
      cognito: { region: 'local', endpoint: 'http://127.0.0.1:9229/', maxAttempts: 1, requestTimeoutMs: 2000 },
    });
  });

  it('accepts http only for loopback site origins', () => {
    expect(parseAuthConfig({ ...VALID, SITE_ORIGIN: 'http://localhost:3000' }).siteOrigin).toBe('http://localhost:3000');
    expect(parseAuthConfig({ ...VALID, SITE_ORIGIN: 'https://Uploads.Example.com/' }).siteOrigin).toBe('https://uploads.example.com');
    expect(problemsOf({ ...VALID, SITE_ORIGIN: 'http://uploads.example.com' })).toEqual([
      'SITE_ORIGIN must use https (http is allowed only for localhost and 127.0.0.1)',
    ]);
  });

  it.each([
    [{ USER_POOL_ID: undefined }, 'USER_POOL_ID is required'],
    [{ USER_POOL_ID: '  ' }, 'USER_POOL_ID is required'],
    [{ USER_POOL_ID: 'AbCdEfGhI' }, 'USER_POOL_ID must look like <region>_<id>, for example eu-west-1_AbCdEfGhI'],
    [{ USER_POOL_CLIENT_ID: undefined }, 'USER_POOL_CLIENT_ID is required'],
    [{ USER_POOL_CLIENT_ID: 'has space' }, 'USER_POOL_CLIENT_ID must be a Cognito app client id (letters, digits, _ or +)'],
    [{ SITE_ORIGIN: undefined }, 'SITE_ORIGIN is required'],
    [
      { SITE_ORIGIN: 'uploads.example.com' },
      'SITE_ORIGIN must be an origin such as https://uploads.example.com (scheme, host, optional port; no path)',
    ],
    [
      { SITE_ORIGIN: 'https://uploads.example.com/app' },
      'SITE_ORIGIN must be an origin such as https://uploads.example.com (scheme, host, optional port; no path)',
    ],
    [
      { SITE_ORIGIN: 'https://uploads.example.com?x=1' },
      'SITE_ORIGIN must be an origin such as https://uploads.example.com (scheme, host, optional port; no path)',
    ],
    [{ COGNITO_ENDPOINT: 'ftp://127.0.0.1' }, 'COGNITO_ENDPOINT must be an http(s) URL such as http://127.0.0.1:9229'],
    [{ COGNITO_ENDPOINT: 'http://user:pass@127.0.0.1:9229' }, 'COGNITO_ENDPOINT must be an http(s) URL such as http://127.0.0.1:9229'],
    [{ REFRESH_COOKIE_NAME: 'bad name' }, 'REFRESH_COOKIE_NAME must be a cookie name of at most 64 token characters'],
    [
      { REFRESH_COOKIE_NAME: '__Host-refresh' },
      'REFRESH_COOKIE_NAME cannot use the __Host- prefix: it requires Path=/ and the cookie is Path=/auth',
    ],
    [{ REFRESH_COOKIE_NAME: 'edge_upload_refresh' }, 'REFRESH_COOKIE_NAME must start with __Secure-'],
    [{ REFRESH_COOKIE_NAME: '__secure-refresh' }, 'REFRESH_COOKIE_NAME must start with __Secure-'],
    [{ REFRESH_COOKIE_MAX_AGE_SECONDS: '59' }, 'REFRESH_COOKIE_MAX_AGE_SECONDS must be a whole number from 60 to 315360000'],
    [{ REFRESH_COOKIE_MAX_AGE_SECONDS: '1e6' }, 'REFRESH_COOKIE_MAX_AGE_SECONDS must be a whole number from 60 to 315360000'],
    [{ COGNITO_MAX_ATTEMPTS: '0' }, 'COGNITO_MAX_ATTEMPTS must be a whole number from 1 to 10'],
    [{ COGNITO_REQUEST_TIMEOUT_MS: '60000' }, 'COGNITO_REQUEST_TIMEOUT_MS must be a whole number from 100 to 25000'],
  ])('%j ⇒ %s', (override, problem) => {
    expect(problemsOf({ ...VALID, ...override })).toEqual([problem]);
  });

  it('reports every problem at once, in one clear message', () => {
    expect(() => parseAuthConfig({})).toThrow(
      'Invalid auth API configuration: USER_POOL_ID is required; USER_POOL_CLIENT_ID is required; SITE_ORIGIN is required',
    );
  });
});
