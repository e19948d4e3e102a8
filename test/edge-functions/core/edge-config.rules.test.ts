/**
 * Every rule of config.json (docs/edge-config.md), each with the exact problem line it
 * must produce, so a check that is dropped or loosened shows up by name.
 */
import { credentialsFromEnv, parseEdgeConfig } from '../../../edge-functions/core/edge-config';
import { EdgeConfigError } from '../../../edge-functions/core/errors';
import { newSigningKey, testEdgeConfig } from '../../support/tokens';

const key = newSigningKey('rules-key');
const MAX_TTL = 7 * 24 * 3600;

/** The problem lines of a refused config (fails the test when it is accepted). */
function problems(input: unknown): string[] {
  try {
    parseEdgeConfig(input, 300);
  } catch (error) {
    expect(error).toBeInstanceOf(EdgeConfigError);
    const message = (error as Error).message;
    expect(message.startsWith('Invalid config.json:\n- ')).toBe(true);
    return message.slice('Invalid config.json:\n- '.length).split('\n- ');
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

const with_ = (overrides: Record<string, unknown>) => testEdgeConfig(key, overrides);
const jwk = (overrides: Record<string, unknown>) => with_({ jwks: { keys: [{ ...key.jwk, ...overrides }] } });

describe('parseEdgeConfig: a good config', () => {
  it('returns exactly the fields, frozen all the way down, with alg and use filled in', () => {
    const { alg: _alg, use: _use, ...bare } = key.jwk;
    const config = parseEdgeConfig(with_({ jwks: { keys: [bare] }, policyTtlSeconds: MAX_TTL }), 300);
    expect(config).toEqual({
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool1',
      clientIds: ['testclient0123456789abcdef'],
      jwks: { keys: [{ kid: 'rules-key', kty: 'RSA', n: key.jwk.n, e: key.jwk.e, alg: 'RS256', use: 'sig' }] },
      bucket: 'acme-uploads',
      region: 'eu-west-1',
      uploadUrl: 'https://acme-uploads.s3-accelerate.amazonaws.com/',
      kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      policyTtlSeconds: MAX_TTL,
      partUrlTtlSeconds: config.partUrlTtlSeconds,
      multipartTicketKeys: [
        { id: 'test-ticket-1', secret: expect.anything() },
        { id: 'test-ticket-0', secret: expect.anything() },
      ],
      allowedOrigins: [],
      local: false,
    });
    expect(Object.isFrozen(config.jwks)).toBe(true);
    expect(Object.isFrozen(config.jwks.keys)).toBe(true);
  });

  it('takes the default TTL only when the config has none, and "local": false as given', () => {
    const { policyTtlSeconds: _ttl, ...noTtl } = with_({ local: false });
    const config = parseEdgeConfig(noTtl, 77);
    expect(config.policyTtlSeconds).toBe(77);
    expect(config.local).toBe(false);
    expect(parseEdgeConfig(with_({ policyTtlSeconds: 1 }), 77).policyTtlSeconds).toBe(1);
  });

  it('allows http: URLs with "local": true and says so in the result', () => {
    const config = parseEdgeConfig(with_({ local: true, issuer: 'http://127.0.0.1:9229/pool', uploadUrl: 'http://127.0.0.1:4569/b' }), 300);
    expect(config.local).toBe(true);
    expect(config.issuer).toBe('http://127.0.0.1:9229/pool');
  });

  it.each(['abc', 'a'.repeat(63), 'my.bucket-1', '1bucket', 'acme-s3alias-x'])('accepts the bucket name %s', (bucket) => {
    expect(parseEdgeConfig(with_({ bucket }), 300).bucket).toBe(bucket);
  });

  it.each(['us-gov-west-1', 'ap-southeast-2', 'eu-west-10'])('accepts the region %s', (region) => {
    expect(parseEdgeConfig(with_({ region }), 300).region).toBe(region);
  });
});

describe('parseEdgeConfig: refusals', () => {
  it.each([null, [], 'config', 42])('refuses %j as a whole', (input) => {
    expect(() => parseEdgeConfig(input, 300)).toThrow(new EdgeConfigError('config.json must hold a JSON object.'));
  });

  it.each([
    ['surrounding spaces', ' acme-uploads'],
    ['a trailing space', 'acme-uploads '],
    ['an empty value', ''],
    ['a number', 42],
  ])('refuses a text field with %s', (_label, bucket) => {
    expect(problems(with_({ bucket }))).toEqual(['"bucket" must be a non-empty string without surrounding spaces.']);
  });

  it.each(['ab', 'a'.repeat(64), 'Acme', '-acme', 'acme.', 'xn--acme', 'acme-s3alias', 'x/acme-uploads', 'acme-uploads/x'])(
    'refuses the bucket name %j',
    (bucket) => {
      expect(problems(with_({ bucket }))).toEqual(['"bucket" is not a valid S3 bucket name.']);
    },
  );

  it.each(['moon', 'xeu-west-1', 'eu-west-1x', 'eu-west-123', 'EU-west-1', 'e-west-1', 'eu-west', 'eu-1'])(
    'refuses the region %j',
    (region) => {
      expect(problems(with_({ region }))).toEqual(['"region" must look like eu-west-1.']);
    },
  );

  it.each([
    ['user and password', 'https://user:pass@cognito.example/pool'],
    ['a user name', 'https://user@cognito.example/pool'],
    ['a password only', 'https://:pass@cognito.example/pool'],
    ['a fragment', 'https://cognito.example/pool#x'],
    ['a query', 'https://cognito.example/pool?x=1'],
  ])('refuses an issuer with %s', (_label, issuer) => {
    expect(problems(with_({ issuer }))).toEqual(['"issuer" must not carry credentials, a query or a fragment.']);
  });

  it('refuses something that is not a URL', () => {
    expect(problems(with_({ uploadUrl: 'not a url' }))).toEqual(['"uploadUrl" must be an absolute URL.']);
  });

  it.each([
    ['http without "local"', {}, 'http://cognito.example/pool'],
    ['ftp even with "local"', { local: true }, 'ftp://cognito.example/pool'],
  ])('refuses %s', (_label, extra, issuer) => {
    expect(problems(with_({ ...extra, issuer }))).toEqual(['"issuer" must use https: (http: is allowed only with "local": true).']);
  });

  it('refuses an issuer with a trailing slash', () => {
    expect(problems(with_({ issuer: 'https://cognito.example/pool/' }))).toEqual([
      '"issuer" must not end with "/": it is compared with the token\'s iss claim as is.',
    ]);
  });

  it.each([0, -1, MAX_TTL + 1, 1.5, '300', null])('refuses the TTL %j', (policyTtlSeconds) => {
    expect(problems(with_({ policyTtlSeconds }))).toEqual([`"policyTtlSeconds" must be a whole number of seconds from 1 to ${MAX_TTL}.`]);
  });

  it('reports an empty region once, as missing, not also as malformed', () => {
    expect(problems(with_({ region: '' }))).toEqual(['"region" must be a non-empty string without surrounding spaces.']);
    expect(problems(with_({ bucket: '' }))).toEqual(['"bucket" must be a non-empty string without surrounding spaces.']);
  });

  it('names its error class', () => {
    expect(() => parseEdgeConfig(null, 300)).toThrow(expect.objectContaining({ name: 'EdgeConfigError' }));
  });

  it('refuses a "local" that is not a boolean', () => {
    expect(problems(with_({ local: 'true' }))).toEqual(['"local" must be true or false when present.']);
  });

  it.each([
    ['no keys array', { keys: 'x' }],
    ['an empty keys array', { keys: [] }],
    ['an array', [key.jwk]],
    ['nothing', undefined],
  ])('refuses a JWKS with %s', (_label, jwks) => {
    expect(problems(with_({ jwks }))).toEqual(['"jwks" must be a JWKS object with a non-empty "keys" array.']);
  });

  it('refuses a key that is not an object, naming its index', () => {
    expect(problems(with_({ jwks: { keys: [key.jwk, 'key'] } }))).toEqual(['"jwks.keys[1]" must be an object.']);
  });

  it.each([
    ['without a kid', { kid: undefined }, '"jwks.keys[0]" needs a "kid".'],
    ['with an empty kid', { kid: '' }, '"jwks.keys[0]" needs a "kid".'],
    ['with a kid that is not text', { kid: 7 }, '"jwks.keys[0]" needs a "kid".'],
    ['with an EC kty', { kty: 'EC' }, '"jwks.keys[0]" must be an RSA key: only RS256 tokens are accepted.'],
    ['with alg RS512', { alg: 'RS512' }, '"jwks.keys[0]" has alg RS512; only RS256 is accepted.'],
    ['with use enc', { use: 'enc' }, '"jwks.keys[0]" must be a signing key (use "sig").'],
    ['with a base64 (not base64url) n', { n: 'ab+/cd==' }, '"jwks.keys[0]" needs a base64url modulus "n".'],
    ['with n wrapped in junk', { n: ' abc' }, '"jwks.keys[0]" needs a base64url modulus "n".'],
    ['with junk after n', { n: 'abc.' }, '"jwks.keys[0]" needs a base64url modulus "n".'],
    ['with an empty n', { n: '' }, '"jwks.keys[0]" needs a base64url modulus "n".'],
    ['without n', { n: undefined }, '"jwks.keys[0]" needs a base64url modulus "n".'],
    ['with a bad e', { e: 'AQ=B' }, '"jwks.keys[0]" needs a base64url exponent "e".'],
    ['with e as a number', { e: 65537 }, '"jwks.keys[0]" needs a base64url exponent "e".'],
  ])('refuses a key %s', (_label, overrides, message) => {
    expect(problems(jwk(overrides))).toEqual([message]);
  });

  it('lists every problem at once, in field order', () => {
    expect(problems(with_({ issuer: '', clientIds: [' '], bucket: 'B', region: 'r', kmsKeyId: 1 }))).toEqual([
      '"issuer" must be a non-empty string without surrounding spaces.',
      '"clientIds[0]" must be a Cognito app client id.',
      '"bucket" is not a valid S3 bucket name.',
      '"region" must look like eu-west-1.',
      '"kmsKeyId" must be a non-empty string without surrounding spaces.',
    ]);
  });
});

describe('credentialsFromEnv', () => {
  const message = 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: the function cannot sign.';

  it.each([
    ['no secret', { AWS_ACCESS_KEY_ID: 'AKID' }],
    ['no key id', { AWS_SECRET_ACCESS_KEY: 'secret' }],
    ['an empty secret', { AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: '' }],
  ])('fails with %s', (_label, env) => {
    expect(() => credentialsFromEnv(env)).toThrow(new EdgeConfigError(message));
  });

  it('treats an empty session token as none', () => {
    expect(credentialsFromEnv({ AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 'S', AWS_SESSION_TOKEN: '' })).toEqual({
      accessKeyId: 'A',
      secretAccessKey: 'S',
      sessionToken: undefined,
    });
  });
});
