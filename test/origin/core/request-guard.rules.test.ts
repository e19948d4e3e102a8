/**
 * The auth API's own request checks (origin/core/request-guard.ts), each
 * reached on its own: the base64 and UTF-8 checks with bodies that are
 * otherwise fine, the 4 KiB limit in both encodings, and exact errors.
 */
import { MAX_AUTH_BODY_BYTES } from '../../../edge-functions/core/auth-routes';
import {
  AuthApiError,
  ForbiddenOriginError,
  InvalidRequestError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../../../origin/core/errors';
import type { AuthRequest } from '../../../origin/core/http';
import { checkContentType, checkMethod, checkOrigin, isJsonMediaType, readBody, resolveRoute } from '../../../origin/core/request-guard';

const SITE = 'https://uploads.example.com';

function request(overrides: Partial<Omit<AuthRequest, 'headers'>> & { headers?: Record<string, string[]> } = {}): AuthRequest {
  return {
    method: 'POST',
    path: '/auth/login',
    rawBody: '{}',
    isBase64Encoded: false,
    requestId: undefined,
    ...overrides,
    headers: new Map(Object.entries(overrides.headers ?? {})),
  };
}

function thrown(run: () => unknown): AuthApiError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AuthApiError);
    return error as AuthApiError;
  }
  throw new Error('expected a refusal');
}

const b64 = (bytes: Buffer | string) => Buffer.from(bytes).toString('base64');

describe('readBody: plain text', () => {
  it('returns the body, or "" without one', () => {
    expect(readBody(request({ rawBody: '{"a":1}' }))).toBe('{"a":1}');
    expect(readBody(request({ rawBody: null }))).toBe('');
  });

  it('counts bytes, not characters, against the 4 KiB limit', () => {
    expect(readBody(request({ rawBody: 'a'.repeat(MAX_AUTH_BODY_BYTES) }))).toHaveLength(MAX_AUTH_BODY_BYTES);
    const error = thrown(() => readBody(request({ rawBody: 'é'.repeat(MAX_AUTH_BODY_BYTES / 2 + 1) })));
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error.message).toBe('The request body is larger than 4096 bytes.');
  });
});

describe('readBody: base64', () => {
  it('decodes a valid base64 body of exactly 4 KiB', () => {
    const body = 'a'.repeat(MAX_AUTH_BODY_BYTES);
    expect(readBody(request({ rawBody: b64(body), isBase64Encoded: true }))).toBe(body);
  });

  it('decodes an empty or absent base64 body to ""', () => {
    expect(readBody(request({ rawBody: '', isBase64Encoded: true }))).toBe('');
    expect(readBody(request({ rawBody: null, isBase64Encoded: true }))).toBe('');
  });

  it('refuses a base64 body that decodes to more than 4 KiB, although its text is within the base64 bound', () => {
    // 4097 bytes encode to 5464 characters, the longest text that 4096 bytes could need (ceil(4096 / 3) * 4).
    const text = b64(Buffer.alloc(MAX_AUTH_BODY_BYTES + 1, 0x61));
    expect(text).toHaveLength(Math.ceil(MAX_AUTH_BODY_BYTES / 3) * 4);
    expect(thrown(() => readBody(request({ rawBody: text, isBase64Encoded: true })))).toBeInstanceOf(PayloadTooLargeError);
  });

  it('refuses base64 text longer than the bound without decoding it, even when it is not base64', () => {
    const tooLong = '!'.repeat(Math.ceil(MAX_AUTH_BODY_BYTES / 3) * 4 + 1);
    expect(thrown(() => readBody(request({ rawBody: tooLong, isBase64Encoded: true })))).toBeInstanceOf(PayloadTooLargeError);
  });

  it.each([
    ['a length that is not a multiple of 4', 'e30'],
    ['a character outside the alphabet', 'e30!'],
    ['base64url characters', 'e3-_'],
    ['padding in the middle', 'e3==e30='],
    ['three padding characters', 'e==='],
    ['junk before valid text', `!!!!${b64('{}')}`],
    ['junk after valid text', `${b64('{}')}!!!!`],
  ])('refuses %s as INVALID_REQUEST, before any JSON parsing', (_label, rawBody) => {
    const error = thrown(() => readBody(request({ rawBody, isBase64Encoded: true })));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.message).toBe('The body is not valid base64.');
    expect(error.detail).toBe('base64');
  });

  it('refuses bytes that are not UTF-8, although they are valid base64', () => {
    const error = thrown(() => readBody(request({ rawBody: b64(Buffer.from([0x7b, 0xff, 0x7d, 0x20])), isBase64Encoded: true })));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.message).toBe('The body is not valid UTF-8.');
    expect(error.detail).toBe('utf-8');
  });

  it('accepts multi-byte UTF-8 and padding', () => {
    expect(readBody(request({ rawBody: b64('"é"'), isBase64Encoded: true }))).toBe('"é"');
    expect(readBody(request({ rawBody: b64('ab'), isBase64Encoded: true }))).toBe('ab');
  });
});

describe('routes and methods', () => {
  it('resolves a known route and refuses others as NOT_FOUND', () => {
    expect(resolveRoute(request({ path: '/auth/refresh' }))).toBe('/auth/refresh');
    const error = thrown(() => resolveRoute(request({ path: '/auth/toString' })));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.detail).toBe('unknown path');
  });

  it('allows POST only, and says so', () => {
    expect(() => checkMethod(request())).not.toThrow();
    const error = thrown(() => checkMethod(request({ method: 'post' })));
    expect(error).toBeInstanceOf(MethodNotAllowedError);
    expect((error as MethodNotAllowedError).allow).toEqual(['POST']);
    expect(error.message).toBe('Use POST for this path.');
    expect(error.detail).toBe('method');
  });
});

describe('checkOrigin', () => {
  it.each([
    ['no Origin and no Sec-Fetch-Site', {}],
    ['the site origin', { origin: [SITE] }],
    ['the site origin with spaces around it', { origin: [` ${SITE} `] }],
    ['Sec-Fetch-Site same-origin', { 'sec-fetch-site': ['same-origin'] }],
    ['Sec-Fetch-Site none', { 'sec-fetch-site': ['none'] }],
  ])('allows %s', (_label, headers) => {
    expect(() => checkOrigin(request({ headers }), SITE)).not.toThrow();
  });

  it.each([
    ['another origin', { origin: ['https://evil.example'] }, 'origin'],
    ['null', { origin: ['null'] }, 'origin'],
    ['a second, foreign Origin', { origin: [SITE, 'https://evil.example'] }, 'origin'],
    ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': ['cross-site'] }, 'sec-fetch-site'],
    ['Sec-Fetch-Site same-site, any case and spacing', { 'sec-fetch-site': [' Same-Site '] }, 'sec-fetch-site'],
    ['a cross-site value after a same-origin one', { 'sec-fetch-site': ['same-origin', 'cross-site'] }, 'sec-fetch-site'],
  ])('refuses %s', (_label, headers, detail) => {
    const error = thrown(() => checkOrigin(request({ headers }), SITE));
    expect(error).toBeInstanceOf(ForbiddenOriginError);
    expect(error.detail).toBe(detail);
  });
});

describe('checkContentType', () => {
  it('skips the routes without a body', () => {
    expect(() => checkContentType(request({ headers: {} }), '/auth/logout')).not.toThrow();
  });

  it.each([
    ['no Content-Type', {}, 'no content type'],
    ['two Content-Types', { 'content-type': ['application/json', 'application/json'] }, 'content type'],
    ['text/plain', { 'content-type': ['text/plain'] }, 'content type'],
  ])('refuses %s on a body route', (_label, headers, detail) => {
    const error = thrown(() => checkContentType(request({ headers }), '/auth/login'));
    expect(error).toBeInstanceOf(UnsupportedMediaTypeError);
    expect(error.detail).toBe(detail);
  });

  it('accepts one JSON Content-Type', () => {
    expect(() => checkContentType(request({ headers: { 'content-type': ['application/json'] } }), '/auth/login')).not.toThrow();
  });
});

describe('isJsonMediaType', () => {
  it.each([
    'application/json',
    ' Application/JSON ',
    'application/json; charset=utf-8',
    'application/json;charset="UTF-8"',
    'application/json;',
  ])('accepts %j', (value) => {
    expect(isJsonMediaType(value)).toBe(true);
  });

  it.each([
    'text/plain;a=application/json',
    'application/jsonx',
    'application/json; charset=latin1',
    'application/json; charset=utf-8x',
    'application/json; xcharset=utf-8',
    'application/json; boundary=x',
  ])('refuses %j', (value) => {
    expect(isJsonMediaType(value)).toBe(false);
  });
});
