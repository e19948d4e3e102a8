/** Every rule of the auth API's environment, at its edges, with the exact problem line. */
import { parseAuthConfig } from '../../../origin/core/config';
import { AuthConfigError } from '../../../origin/core/errors';

const VALID = {
  USER_POOL_ID: 'eu-west-1_AbCdEfGhI',
  USER_POOL_CLIENT_ID: '1example23456789',
  SITE_ORIGIN: 'https://uploads.example.com',
};

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    parseAuthConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(AuthConfigError);
    const { problems, message } = error as AuthConfigError;
    expect(message).toBe(`Invalid auth API configuration: ${problems.join('; ')}`);
    return problems;
  }
  throw new Error('expected AuthConfigError');
}

describe('parseAuthConfig: required values', () => {
  it('names every missing or blank value at once', () => {
    expect(problemsOf({ USER_POOL_ID: '  ', SITE_ORIGIN: '' })).toEqual([
      'USER_POOL_ID is required',
      'USER_POOL_CLIENT_ID is required',
      'SITE_ORIGIN is required',
    ]);
  });

  it('trims surrounding spaces', () => {
    expect(parseAuthConfig({ ...VALID, USER_POOL_ID: ' eu-west-1_Ab ' }).userPoolId).toBe('eu-west-1_Ab');
  });

  it.each(['eu-west-1', 'eu-west-1_', '_AbC', 'EU-WEST-1_Ab', 'x/eu-west-1_Ab', 'eu-west-1_Ab/x', `eu-west-1_${'a'.repeat(46)}`])(
    'refuses the pool id %j',
    (USER_POOL_ID) => {
      expect(problemsOf({ ...VALID, USER_POOL_ID })).toEqual([
        'USER_POOL_ID must look like <region>_<id>, for example eu-west-1_AbCdEfGhI',
      ]);
    },
  );

  it('accepts a pool id of exactly 55 characters and takes the region from it', () => {
    const id = `eu-west-1_${'a'.repeat(45)}`.slice(0, 55);
    expect(id).toHaveLength(55);
    expect(parseAuthConfig({ ...VALID, USER_POOL_ID: id }).cognito.region).toBe('eu-west-1');
  });

  it.each(['a-b', 'a b', 'x'.repeat(129), 'abc/'])('refuses the client id %j', (USER_POOL_CLIENT_ID) => {
    expect(problemsOf({ ...VALID, USER_POOL_CLIENT_ID })).toEqual([
      'USER_POOL_CLIENT_ID must be a Cognito app client id (letters, digits, _ or +)',
    ]);
  });

  it('accepts a client id of 128 characters with _ and +', () => {
    const id = `${'a_+'.repeat(42)}ab`;
    expect(parseAuthConfig({ ...VALID, USER_POOL_CLIENT_ID: id }).clientId).toBe(id);
  });
});

describe('parseAuthConfig: origins and endpoints', () => {
  const originProblem = 'SITE_ORIGIN must be an origin such as https://uploads.example.com (scheme, host, optional port; no path)';

  it.each([
    'uploads.example.com',
    'https://uploads.example.com/app',
    'https://uploads.example.com?x',
    'https://user@uploads.example.com',
    'file:///tmp',
    'https://uploads.example.com//',
  ])('refuses the site origin %j', (SITE_ORIGIN) => {
    expect(problemsOf({ ...VALID, SITE_ORIGIN })).toEqual([originProblem]);
  });

  it.each(['http://127.0.0.1:3000', 'http://[::1]:3000', 'https://uploads.example.com:8443'])(
    'accepts the site origin %s',
    (SITE_ORIGIN) => {
      expect(parseAuthConfig({ ...VALID, SITE_ORIGIN }).siteOrigin).toBe(SITE_ORIGIN);
    },
  );

  it.each(['http://uploads.example.com', 'http://127.0.0.2', 'ws://localhost'])('refuses plain %s', (SITE_ORIGIN) => {
    expect(problemsOf({ ...VALID, SITE_ORIGIN })).toEqual([
      'SITE_ORIGIN must use https (http is allowed only for localhost and 127.0.0.1)',
    ]);
  });

  it.each([
    'not a url',
    'ftp://127.0.0.1',
    'http://u:p@127.0.0.1:9229',
    'http://u@127.0.0.1:9229',
    'http://:p@127.0.0.1:9229',
    'http://127.0.0.1:9229/?x=1',
    'http://127.0.0.1:9229/#x',
  ])('refuses the Cognito endpoint %j', (COGNITO_ENDPOINT) => {
    expect(problemsOf({ ...VALID, COGNITO_ENDPOINT })).toEqual(['COGNITO_ENDPOINT must be an http(s) URL such as http://127.0.0.1:9229']);
  });

  it('accepts an https Cognito endpoint', () => {
    expect(parseAuthConfig({ ...VALID, COGNITO_ENDPOINT: 'https://cognito.example' }).cognito.endpoint).toBe('https://cognito.example/');
  });
});

describe('parseAuthConfig: the refresh cookie and limits', () => {
  it.each([
    ['a space', '__Secure-a b', 'REFRESH_COOKIE_NAME must be a cookie name of at most 64 token characters'],
    ['65 characters', `__Secure-${'a'.repeat(56)}`, 'REFRESH_COOKIE_NAME must be a cookie name of at most 64 token characters'],
    [
      'the __Host- prefix',
      '__Host-refresh',
      'REFRESH_COOKIE_NAME cannot use the __Host- prefix: it requires Path=/ and the cookie is Path=/auth',
    ],
    ['no prefix', 'refresh', 'REFRESH_COOKIE_NAME must start with __Secure-'],
  ])('refuses a cookie name with %s', (_label, REFRESH_COOKIE_NAME, problem) => {
    expect(problemsOf({ ...VALID, REFRESH_COOKIE_NAME })).toEqual([problem]);
  });

  it('accepts a cookie name of exactly 64 characters', () => {
    const name = `__Secure-${'a'.repeat(55)}`;
    expect(parseAuthConfig({ ...VALID, REFRESH_COOKIE_NAME: name }).refreshCookie.name).toBe(name);
  });

  it.each([
    ['REFRESH_COOKIE_MAX_AGE_SECONDS', '60', 60],
    ['REFRESH_COOKIE_MAX_AGE_SECONDS', String(10 * 365 * 24 * 3600), 10 * 365 * 24 * 3600],
    ['COGNITO_MAX_ATTEMPTS', '10', 10],
    ['COGNITO_REQUEST_TIMEOUT_MS', ' 100 ', 100],
    ['COGNITO_REQUEST_TIMEOUT_MS', '25000', 25000],
  ])('accepts %s=%j at its bound', (name, value, expected) => {
    const config = parseAuthConfig({ ...VALID, [name]: value });
    expect([config.refreshCookie.maxAgeSeconds, config.cognito.maxAttempts, config.cognito.requestTimeoutMs]).toContain(expected);
  });

  it.each([
    ['REFRESH_COOKIE_MAX_AGE_SECONDS', '59', `from 60 to ${10 * 365 * 24 * 3600}`],
    ['REFRESH_COOKIE_MAX_AGE_SECONDS', String(10 * 365 * 24 * 3600 + 1), `from 60 to ${10 * 365 * 24 * 3600}`],
    ['COGNITO_MAX_ATTEMPTS', '0', 'from 1 to 10'],
    ['COGNITO_MAX_ATTEMPTS', '11', 'from 1 to 10'],
    ['COGNITO_MAX_ATTEMPTS', '3x', 'from 1 to 10'],
    ['COGNITO_MAX_ATTEMPTS', 'x3', 'from 1 to 10'],
    ['COGNITO_MAX_ATTEMPTS', '-3', 'from 1 to 10'],
    ['COGNITO_REQUEST_TIMEOUT_MS', '99', 'from 100 to 25000'],
    ['COGNITO_REQUEST_TIMEOUT_MS', '25001', 'from 100 to 25000'],
  ])('refuses %s=%j', (name, value, range) => {
    expect(problemsOf({ ...VALID, [name]: value })).toEqual([`${name} must be a whole number ${range}`]);
  });

  it('uses the defaults for blank limits', () => {
    expect(parseAuthConfig({ ...VALID, COGNITO_MAX_ATTEMPTS: ' ' }).cognito.maxAttempts).toBe(3);
  });
});
