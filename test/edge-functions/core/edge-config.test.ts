import { credentialsFromEnv, parseEdgeConfig } from '../../../edge-functions/core/edge-config';
import { EdgeConfigError } from '../../../edge-functions/core/errors';
import { newSigningKey, testEdgeConfig } from '../../support/tokens';

const key = newSigningKey();
const parse = (overrides: Record<string, unknown> = {}) => parseEdgeConfig(testEdgeConfig(key, overrides), 300);

describe('parseEdgeConfig', () => {
  it('accepts the docs/edge-config.md example shape and freezes it', () => {
    const config = parse();
    expect(config).toMatchObject({ bucket: 'acme-uploads', region: 'eu-west-1', policyTtlSeconds: 300, local: false });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.jwks.keys[0])).toBe(true);
  });

  it('uses the rules default TTL when the config has none', () => {
    expect(parseEdgeConfig({ ...testEdgeConfig(key), policyTtlSeconds: undefined }, 123).policyTtlSeconds).toBe(123);
  });

  it.each([
    ['a missing issuer', { issuer: undefined }, /"issuer"/],
    ['an http issuer', { issuer: 'http://cognito.example/pool' }, /https/],
    ['an issuer with a trailing slash', { issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/pool/' }, /must not end/],
    ['an empty client id list', { clientIds: [''] }, /"clientIds\[0\]"/],
    ['a bucket with upper case', { bucket: 'Acme' }, /bucket/],
    ['a made-up region', { region: 'moon' }, /region/],
    ['an upload url with a query', { uploadUrl: 'https://b.s3-accelerate.amazonaws.com/?x=1' }, /query/],
    ['an http upload url', { uploadUrl: 'http://127.0.0.1:4569/b' }, /https/],
    ['no kms key', { kmsKeyId: undefined }, /kmsKeyId/],
    ['a zero ttl', { policyTtlSeconds: 0 }, /policyTtlSeconds/],
    ['a fractional ttl', { policyTtlSeconds: 1.5 }, /policyTtlSeconds/],
    ['an empty jwks', { jwks: { keys: [] } }, /jwks/],
    ['an EC key', { jwks: { keys: [{ ...key.jwk, kty: 'EC' }] } }, /RSA/],
    ['an RS512 key', { jwks: { keys: [{ ...key.jwk, alg: 'RS512' }] } }, /RS256/],
    ['an encryption key', { jwks: { keys: [{ ...key.jwk, use: 'enc' }] } }, /sig/],
    ['a non-boolean local', { local: 'yes' }, /local/],
  ])('refuses %s, naming the field', (_label, overrides, message) => {
    expect(() => parse(overrides)).toThrow(EdgeConfigError);
    expect(() => parse(overrides)).toThrow(message);
  });

  it('lists every problem at once', () => {
    expect(() => parse({ bucket: '', region: '', clientIds: 3 })).toThrow(/clientIds[\s\S]*bucket[\s\S]*region/);
  });

  it('allows http: URLs only for the local stack', () => {
    const local = parse({ local: true, issuer: 'http://127.0.0.1:9229/local_pool', uploadUrl: 'http://127.0.0.1:4569/edge-upload-local' });
    expect(local.local).toBe(true);
  });

  it('refuses something that is not an object', () => {
    expect(() => parseEdgeConfig([], 300)).toThrow(EdgeConfigError);
  });
});

describe('parseEdgeConfig: multipart settings', () => {
  const secret = (bytes: number, fill = 's') => Buffer.alloc(bytes, fill).toString('base64');

  it('keeps the ticket keys in order as secret KeyObjects, frozen, and never prints a secret', () => {
    const config = parse({
      multipartTicketKeys: [
        { id: 'new', secret: secret(32, 'n') },
        { id: 'old', secret: secret(48, 'o') },
      ],
    });
    expect(config.multipartTicketKeys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(config.multipartTicketKeys[0]!.secret.type).toBe('secret');
    expect(config.multipartTicketKeys[0]!.secret.export().equals(Buffer.alloc(32, 'n'))).toBe(true);
    expect(Object.isFrozen(config.multipartTicketKeys)).toBe(true);
    expect(JSON.stringify(config)).not.toContain(secret(32, 'n'));
  });

  it('takes partUrlTtlSeconds from the config, else the given default', () => {
    expect(parse({ partUrlTtlSeconds: 60 }).partUrlTtlSeconds).toBe(60);
    expect(parseEdgeConfig(testEdgeConfig(key), 300, 900).partUrlTtlSeconds).toBe(900);
  });

  it.each([
    ['no ticket keys', { multipartTicketKeys: undefined }],
    ['an empty key list', { multipartTicketKeys: [] }],
    ['a secret shorter than 32 bytes', { multipartTicketKeys: [{ id: 'k', secret: secret(31) }] }],
    ['a secret that is not base64', { multipartTicketKeys: [{ id: 'k', secret: `${secret(32)}!` }] }],
    ['a secret in base64url', { multipartTicketKeys: [{ id: 'k', secret: Buffer.alloc(33, 0xfb).toString('base64url') }] }],
    ['a key without an id', { multipartTicketKeys: [{ secret: secret(32) }] }],
    ['an id with a dot (the ticket separator)', { multipartTicketKeys: [{ id: 'a.b', secret: secret(32) }] }],
    [
      'two keys with one id',
      {
        multipartTicketKeys: [
          { id: 'k', secret: secret(32) },
          { id: 'k', secret: secret(32, 't') },
        ],
      },
    ],
    ['five keys', { multipartTicketKeys: ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, secret: secret(32) })) }],
    ['a zero part URL ttl', { partUrlTtlSeconds: 0 }],
    ['a part URL ttl over seven days', { partUrlTtlSeconds: 7 * 24 * 3600 + 1 }],
  ])('refuses %s, without quoting a secret', (_label, overrides) => {
    let message = '';
    try {
      parse(overrides);
    } catch (error) {
      expect(error).toBeInstanceOf(EdgeConfigError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/multipartTicketKeys|partUrlTtlSeconds/);
    expect(message).not.toContain(secret(31));
    expect(message).not.toContain(secret(32));
  });
});

describe('credentialsFromEnv', () => {
  it('reads the variables Lambda sets, session token optional', () => {
    expect(credentialsFromEnv({ AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'secret' })).toEqual({
      accessKeyId: 'AKID',
      secretAccessKey: 'secret',
      sessionToken: undefined,
    });
    expect(credentialsFromEnv({ AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 'S', AWS_SESSION_TOKEN: 'T' }).sessionToken).toBe('T');
  });

  it('fails loudly without them', () => {
    expect(() => credentialsFromEnv({})).toThrow(EdgeConfigError);
  });
});
