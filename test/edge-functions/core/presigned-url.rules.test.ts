/**
 * The rules of SigV4 query presigning for S3 (edge-functions/core/presigned-url.ts),
 * checked against a reference written from the SigV4 specification in this
 * file, itself anchored on the published AWS example ("Authenticating
 * Requests: Using Query Parameters", GET examplebucket/test.txt). The SDK
 * comparison (multipart-urls.differential) stays in the normal run; these
 * rules hold each step of the canonical request on its own.
 */
import { createHash, createHmac } from 'node:crypto';
import type { SigningCredentials } from '../../../edge-functions/core/edge-config';
import {
  createUrlSigner,
  escapeUri,
  objectEndpoint,
  type PresignUrlInput,
  presignUrl,
  UNSIGNED_PAYLOAD,
  type UrlRequest,
} from '../../../edge-functions/core/presigned-url';

const AWS_EXAMPLE: SigningCredentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: undefined,
};
const WITH_TOKEN: SigningCredentials = { ...AWS_EXAMPLE, sessionToken: 'FwoGZXIvYXdzE+token/with=reserved chars' };

/** RFC 3986 escaping, everything but unreserved characters (SigV4's UriEncode). */
const uriEncode = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

interface Reference {
  method: string;
  path: string;
  host: string;
  /** Unescaped name/value pairs, every X-Amz-* parameter but the signature included. */
  query: Record<string, string>;
  headers: Record<string, string>;
  secret: string;
  date: string;
  region: string;
}

/** The signature, step by step as the SigV4 specification lays it out. */
function referenceSignature(ref: Reference): string {
  const canonicalQuery = Object.entries(ref.query)
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const headers = Object.entries({ host: ref.host, ...ref.headers })
    .map(([name, value]) => [name.toLowerCase(), value.trim().replace(/\s+/g, ' ')] as const)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const canonicalHeaders = headers.map(([name, value]) => `${name}:${value}\n`).join('');
  const signedHeaders = headers.map(([name]) => name).join(';');
  const canonicalRequest = [ref.method, ref.path, canonicalQuery, canonicalHeaders, signedHeaders, UNSIGNED_PAYLOAD].join('\n');
  const day = ref.date.slice(0, 8);
  const scope = `${day}/${ref.region}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', ref.date, scope, createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')].join(
    '\n',
  );
  const key = hmac(hmac(hmac(hmac(`AWS4${ref.secret}`, day), ref.region), 's3'), 'aws4_request');
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
}

const base: PresignUrlInput = {
  endpoint: objectEndpoint('https://examplebucket.s3.amazonaws.com'),
  key: 'test.txt',
  credentials: AWS_EXAMPLE,
  region: 'us-east-1',
  now: new Date('2013-05-24T00:00:00.000Z'),
  expiresSeconds: 86400,
  method: 'GET',
  query: {},
  headers: {},
};

/** The URL's parameters in order, decoded. */
function parametersOf(url: string): [string, string][] {
  return [...new URL(url).searchParams.entries()];
}

/** What the URL must say for `input`, by the reference. */
function expectSignedAsTheSpecificationSays(url: string, input: PresignUrlInput, path: string): void {
  const date = '20130524T000000Z';
  const signedHeaders = ['host', ...Object.keys(input.headers).map((name) => name.toLowerCase())].sort().join(';');
  const query: Record<string, string> = {
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD',
    'X-Amz-Credential': `${input.credentials.accessKeyId}/20130524/${input.region}/s3/aws4_request`,
    'X-Amz-Date': date,
    'X-Amz-Expires': String(input.expiresSeconds),
    ...(input.credentials.sessionToken === undefined ? {} : { 'X-Amz-Security-Token': input.credentials.sessionToken }),
    'X-Amz-SignedHeaders': signedHeaders,
    ...input.query,
  };
  const signature = referenceSignature({
    method: input.method,
    path,
    host: input.endpoint.host,
    query,
    headers: { ...input.headers },
    secret: input.credentials.secretAccessKey,
    date,
    region: input.region,
  });
  const expected = Object.entries({ ...query, 'X-Amz-Signature': signature }).sort(([a], [b]) => (uriEncode(a) < uriEncode(b) ? -1 : 1));
  expect(parametersOf(url)).toEqual(expected);
  const parsed = new URL(url);
  expect(`${parsed.origin}${parsed.pathname}`).toBe(`${input.endpoint.origin}${path}`);
  // Every name and value is escaped exactly as it was signed.
  expect(url.slice(url.indexOf('?') + 1)).toBe(expected.map(([name, value]) => `${uriEncode(name)}=${uriEncode(value)}`).join('&'));
}

describe('the reference', () => {
  it("reproduces the published AWS example's signature (no X-Amz-Content-Sha256 there)", () => {
    expect(
      referenceSignature({
        method: 'GET',
        path: '/test.txt',
        host: 'examplebucket.s3.amazonaws.com',
        query: {
          'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
          'X-Amz-Credential': 'AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request',
          'X-Amz-Date': '20130524T000000Z',
          'X-Amz-Expires': '86400',
          'X-Amz-SignedHeaders': 'host',
        },
        headers: {},
        secret: AWS_EXAMPLE.secretAccessKey,
        date: '20130524T000000Z',
        region: 'us-east-1',
      }),
    ).toBe('aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404');
  });
});

describe('presignUrl', () => {
  it("signs the AWS example's GET as the specification says, with an unsigned payload and the signature in its sorted place", () => {
    const url = presignUrl(base);
    expectSignedAsTheSpecificationSays(url, base, '/test.txt');
    expect(url).toBe(
      'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD' +
        '&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z' +
        '&X-Amz-Expires=86400&X-Amz-Signature=7c66ee2a8f3d418b10e74b41ba1e114ec349feb696f43a3dd136eed4fa1a2ac6&X-Amz-SignedHeaders=host',
    );
  });

  it('signs the method: the same URL for another method has another signature', () => {
    for (const method of ['PUT', 'POST', 'DELETE'] as const) {
      const input = { ...base, method };
      expectSignedAsTheSpecificationSays(presignUrl(input), input, '/test.txt');
    }
  });

  it('signs the scope of the day (UTC), the region and the service s3, and the expiry as given', () => {
    const input = { ...base, region: 'eu-west-1', now: new Date('2013-05-24T00:00:00.999Z'), expiresSeconds: 300 };
    const url = presignUrl(input);
    expect(new URL(url).searchParams.get('X-Amz-Credential')).toBe('AKIAIOSFODNN7EXAMPLE/20130524/eu-west-1/s3/aws4_request');
    expect(new URL(url).searchParams.get('X-Amz-Date')).toBe('20130524T000000Z');
    expectSignedAsTheSpecificationSays(url, input, '/test.txt');
  });

  it('adds and signs the session token, escaped, only when the credentials carry one', () => {
    const input = { ...base, credentials: WITH_TOKEN };
    const url = presignUrl(input);
    expect(url).toContain('X-Amz-Security-Token=FwoGZXIvYXdzE%2Btoken%2Fwith%3Dreserved%20chars');
    expectSignedAsTheSpecificationSays(url, input, '/test.txt');
    expect(presignUrl(base)).not.toContain('X-Amz-Security-Token');
  });

  it("escapes each segment of the key, keeping '/', and signs the path as sent", () => {
    const input = { ...base, key: "uploads/sub/2026/a b+c=d'(e)*!~._-Füße.png" };
    const url = presignUrl(input);
    const path = '/uploads/sub/2026/a%20b%2Bc%3Dd%27%28e%29%2A%21~._-F%C3%BC%C3%9Fe.png';
    expect(url.slice(0, url.indexOf('?'))).toBe(`https://examplebucket.s3.amazonaws.com${path}`);
    expectSignedAsTheSpecificationSays(url, input, path);
  });

  it("puts a path-style endpoint's bucket before the key", () => {
    const input = { ...base, endpoint: objectEndpoint('http://127.0.0.1:9000/examplebucket'), key: 'a/b.txt' };
    const url = presignUrl(input);
    expect(url.startsWith('http://127.0.0.1:9000/examplebucket/a/b.txt?')).toBe(true);
    expectSignedAsTheSpecificationSays(url, input, '/examplebucket/a/b.txt');
  });

  it("signs the operation's own query parameters, escaped, sorted among the X-Amz ones", () => {
    const input = {
      ...base,
      method: 'PUT' as const,
      query: {
        partNumber: '3',
        uploadId: 'VXBsb2FkIElE+/=',
        'response-content-disposition': 'attachment; filename="a b.png"',
        tagging: '',
      },
    };
    const url = presignUrl(input);
    expect(url).toContain('uploadId=VXBsb2FkIElE%2B%2F%3D');
    expect(url).toContain('&tagging=&');
    expectSignedAsTheSpecificationSays(url, input, '/test.txt');
  });

  it('signs extra headers by their lower-case names, sorted with host, each value trimmed and its inner whitespace folded', () => {
    const input = {
      ...base,
      method: 'PUT' as const,
      headers: { 'X-Amz-Meta-Userid': '  user  1\t2 ', 'Content-MD5': 'XrY7u+Ae7tCTyyK7j1rNww==', 'content-length': '5' },
    };
    const url = presignUrl(input);
    expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-md5;host;x-amz-meta-userid');
    expectSignedAsTheSpecificationSays(url, input, '/test.txt');
  });

  it('changes the signature when a signed header value changes beyond whitespace', () => {
    const one = presignUrl({ ...base, headers: { 'x-amz-meta-userid': 'a b' } });
    expect(presignUrl({ ...base, headers: { 'x-amz-meta-userid': ' a   b ' } })).toBe(one);
    expect(presignUrl({ ...base, headers: { 'x-amz-meta-userid': 'a_b' } })).not.toBe(one);
  });
});

describe('createUrlSigner', () => {
  it('signs each request of one object and instant exactly as presignUrl does alone', () => {
    const { method: _m, query: _q, headers: _h, ...shared } = { ...base, credentials: WITH_TOKEN, key: 'k/ü x' };
    const sign = createUrlSigner(shared);
    const requests: UrlRequest[] = [
      { method: 'PUT', query: { partNumber: '1', uploadId: 'u' }, headers: { 'content-md5': 'x' } },
      { method: 'GET', query: { uploadId: 'u' }, headers: {} },
      { method: 'DELETE', query: { 'x-id': 'AbortMultipartUpload' }, headers: {} },
    ];
    for (const request of requests) expect(sign(request)).toBe(presignUrl({ ...shared, ...request }));
  });
});

describe('objectEndpoint', () => {
  it('keeps origin and host (with a non-default port) and makes no bucket path for a virtual-hosted URL', () => {
    expect(objectEndpoint('https://acme.s3-accelerate.amazonaws.com/')).toEqual({
      origin: 'https://acme.s3-accelerate.amazonaws.com',
      host: 'acme.s3-accelerate.amazonaws.com',
      pathPrefix: '',
    });
    expect(objectEndpoint('http://localhost:4569')).toEqual({ origin: 'http://localhost:4569', host: 'localhost:4569', pathPrefix: '' });
    expect(objectEndpoint('https://s3.example.com:443/b')).toEqual({
      origin: 'https://s3.example.com',
      host: 's3.example.com',
      pathPrefix: '/b',
    });
  });

  it('keeps a path-style bucket without any trailing slash, however many', () => {
    expect(objectEndpoint('http://127.0.0.1:9000/bucket').pathPrefix).toBe('/bucket');
    expect(objectEndpoint('http://127.0.0.1:9000/bucket/').pathPrefix).toBe('/bucket');
    expect(objectEndpoint('http://127.0.0.1:9000/bucket///').pathPrefix).toBe('/bucket');
    expect(objectEndpoint('http://127.0.0.1:9000/a/bucket/').pathPrefix).toBe('/a/bucket');
  });
});

describe('escapeUri', () => {
  it('keeps the unreserved characters of RFC 3986 as they are', () => {
    expect(escapeUri('AZaz09._~-')).toBe('AZaz09._~-');
    expect(escapeUri('')).toBe('');
  });

  it.each([
    ['/', '%2F'],
    [' ', '%20'],
    ['+', '%2B'],
    ['=', '%3D'],
    ['&', '%26'],
    ["!'()*", '%21%27%28%29%2A'],
    ['a*b', 'a%2Ab'],
    ['ü', '%C3%BC'],
    ['%', '%25'],
  ])('escapes %j as %s, in upper-case hex', (text, escaped) => {
    expect(escapeUri(text)).toBe(escaped);
  });
});
