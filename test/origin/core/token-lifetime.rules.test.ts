/** expiresIn from Cognito, or from the access token's own claims, never a made-up number. */
import { isPlainObject, safeJsonParse } from '../../../edge-functions/core/safe-json';
import { accessTokenLifetimeSeconds } from '../../../origin/core/token-lifetime';

const jwt = (payload: unknown) => `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;

describe('accessTokenLifetimeSeconds', () => {
  it('takes a positive whole ExpiresIn as is', () => {
    expect(accessTokenLifetimeSeconds(3600, 'x')).toBe(3600);
    expect(accessTokenLifetimeSeconds(1, 'x')).toBe(1);
  });

  it('falls back to exp - iat when ExpiresIn is missing, zero, negative or fractional', () => {
    const token = jwt({ iat: 1000, exp: 4600 });
    for (const expiresIn of [undefined, 0, -5, 1.5]) expect(accessTokenLifetimeSeconds(expiresIn, token)).toBe(3600);
  });

  it('rounds a fractional lifetime down', () => {
    expect(accessTokenLifetimeSeconds(undefined, jwt({ iat: 1000, exp: 1010.9 }))).toBe(10);
  });

  it.each([
    ['no payload', 'abc'],
    ['a payload that is not base64url', 'a.b+c.d'],
    ['a payload that is not JSON', `a.${Buffer.from('{').toString('base64url')}.c`],
    ['a payload that is an array', jwt([1])],
    ['a payload that is null', jwt(null)],
    ['a payload with a prototype key', jwt({ iat: 1, exp: 2, ['__proto__']: {} })],
    ['no exp', jwt({ iat: 1 })],
    ['no iat', jwt({ exp: 1 })],
    ['a string exp', jwt({ iat: 1, exp: '100' })],
    ['exp equal to iat', jwt({ iat: 5, exp: 5 })],
    ['exp within a second of iat', jwt({ iat: 5, exp: 5.5 })],
    ['exp before iat', jwt({ iat: 5, exp: 4 })],
  ])('gives up on %s', (_label, token) => {
    expect(accessTokenLifetimeSeconds(undefined, token)).toBeUndefined();
  });
});

// The auth API parses with the edge's safe JSON (edge-functions/core/safe-json.ts): a result, never a throw.
describe('safeJsonParse', () => {
  it.each(['__proto__', 'constructor', 'prototype'])('refuses a %s key anywhere in the document', (key) => {
    expect(safeJsonParse(`{"a":[{"${key}":1}]}`)).toEqual({ ok: false, reason: 'unsafe-key', key });
  });

  it('parses everything else, and tells objects from arrays and null', () => {
    expect(safeJsonParse('{"a":[1,"b",null]}')).toEqual({ ok: true, value: { a: [1, 'b', null] } });
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(null)).toBe(false);
    expect(isPlainObject('x')).toBe(false);
  });
});

// A JWT's parts are unpadded base64url and nothing else (RFC 7515 §2), though Node's decoder would
// accept padding and whitespace: such a token is not one Cognito issued, so no lifetime is read from it.
describe('accessTokenLifetimeSeconds on a payload that is not strict base64url', () => {
  const payload = Buffer.from(JSON.stringify({ iat: 1000, exp: 4600 })).toString('base64url');

  it('reads a strict payload', () => {
    expect(accessTokenLifetimeSeconds(undefined, `h.${payload}.s`)).toBe(3600);
  });

  it.each([
    ['padding after it', `h.${payload}==.s`],
    ['a space before it', `h. ${payload}.s`],
    ['an empty payload', 'h..s'],
  ])('gives up on %s', (_label, token) => {
    expect(accessTokenLifetimeSeconds(undefined, token)).toBeUndefined();
  });

  it('gives up on an exp or iat that is a numeric string', () => {
    expect(accessTokenLifetimeSeconds(undefined, jwt({ iat: '1000', exp: 4600 }))).toBeUndefined();
    expect(accessTokenLifetimeSeconds(undefined, jwt({ iat: 1000, exp: '4600' }))).toBeUndefined();
  });
});
