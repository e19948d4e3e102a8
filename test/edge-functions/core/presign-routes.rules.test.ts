/**
 * The `/presign` core, called directly with a real verifier over a test key:
 * the order of its checks, the exact refusals, every header of every answer
 * (nosniff included), and what each signed form commits the browser to.
 */
import { createHmac } from 'node:crypto';
import { parseEdgeConfig } from '../../../edge-functions/core/edge-config';
import {
  EdgeUploadError,
  EmptyFileError,
  FileTooLargeError,
  InvalidFilenameError,
  InvalidRequestError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  UnsupportedTypeError,
  UseMultipartError,
} from '../../../edge-functions/core/errors';
import { errorResponse, jsonResponse } from '../../../edge-functions/core/http-response';
import { presign, type PresignHttpRequest } from '../../../edge-functions/core/presign-routes';
import { createPresignedPost } from '../../../edge-functions/core/presigned-post';
import { createTokenVerifier } from '../../../edge-functions/core/token-verifier';
import { DEFAULT_UPLOAD_RULES } from '../../../edge-functions/core/upload-rules';
import { accessToken, newSigningKey, TEST_CREDENTIALS, TEST_SUB, testEdgeConfig } from '../../support/tokens';

const key = newSigningKey('presign-rules');
const config = parseEdgeConfig(testEdgeConfig(key), 300);
const NOW = new Date('2026-11-29T12:00:00.000Z');
const ID = '0b9a6f2c-1111-4222-8333-444455556666';
const BASE_HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };

function deps() {
  const offline = { fetch: async (): Promise<ArrayBuffer> => Promise.reject(new Error('network is off in tests')) };
  return {
    config,
    rules: DEFAULT_UPLOAD_RULES,
    verifier: createTokenVerifier(config, { fetcher: offline }),
    credentials: () => TEST_CREDENTIALS,
    now: () => NOW,
    newId: () => ID,
  };
}

const goodBody = JSON.stringify({ files: [{ name: 'a.png', size: 10, type: 'image/png' }] });

function request(overrides: Partial<PresignHttpRequest> & { headers?: Record<string, string | undefined> } = {}): PresignHttpRequest {
  return {
    method: 'POST',
    body: goodBody,
    bodyTruncated: false,
    ...overrides,
    headers: { authorization: `Bearer ${accessToken(key)}`, 'content-type': 'application/json', ...overrides.headers },
  };
}

async function refusal(input: PresignHttpRequest): Promise<EdgeUploadError> {
  try {
    await presign(input, deps());
  } catch (error) {
    expect(error).toBeInstanceOf(EdgeUploadError);
    return error as EdgeUploadError;
  }
  throw new Error('expected the request to be refused');
}

describe('presign: refusals, in order', () => {
  it('refuses any method but POST, naming a plain method and hiding an odd one', async () => {
    const get = await refusal(request({ method: 'GET' }));
    expect(get).toBeInstanceOf(MethodNotAllowedError);
    expect(get.message).toBe('GET is not allowed here; use POST.');
    expect((get as MethodNotAllowedError).allow).toEqual(['POST']);
    expect((await refusal(request({ method: 'get' }))).message).toBe('This method is not allowed here; use POST.');
    expect((await refusal(request({ method: 'A'.repeat(17) }))).message).toBe('This method is not allowed here; use POST.');
    expect((await refusal(request({ method: 'A'.repeat(16) }))).message).toBe(`${'A'.repeat(16)} is not allowed here; use POST.`);
  });

  it.each([
    ['no Authorization header', undefined, 'no Authorization header'],
    ['a token over 8192 characters', `Bearer ${'a'.repeat(4000)}.${'b'.repeat(4000)}.${'c'.repeat(184)}`, 'Authorization header too long'],
    ['Basic credentials', 'Basic dXNlcjpwYXNz', 'Authorization is not a Bearer JWT'],
    ['junk before Bearer', 'xBearer a.b.c', 'Authorization is not a Bearer JWT'],
    ['junk after the token', 'Bearer a.b.c d', 'Authorization is not a Bearer JWT'],
    ['two parts only', 'Bearer a.b', 'Authorization is not a Bearer JWT'],
    ['no space', 'Bearera.b.c', 'Authorization is not a Bearer JWT'],
  ])('refuses %s as UNAUTHORIZED before anything else', async (_label, authorization, reason) => {
    const error = await refusal(request({ headers: { authorization, 'content-type': 'text/plain' }, body: undefined }));
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as UnauthorizedError).reason).toBe(reason);
  });

  it('takes a Bearer scheme in any case, with several spaces and surrounding whitespace', async () => {
    const response = await presign(request({ headers: { authorization: `  bEaReR   ${accessToken(key)} ` } }), deps());
    expect(response.status).toBe(200);
  });

  it('takes a token of exactly 8192 characters as far as verification', async () => {
    const header = `Bearer ${'a'.repeat(4000)}.${'b'.repeat(4000)}.${'c'.repeat(183)}`;
    expect(header).toHaveLength(8192);
    expect(((await refusal(request({ headers: { authorization: header } }))) as UnauthorizedError).reason).not.toMatch(/Authorization/);
  });

  it.each([undefined, 'text/plain', 'text/plain;a=application/json', 'application/jsonp', 'xapplication/json', 'application/json x'])(
    'refuses Content-Type %j as UNSUPPORTED_MEDIA_TYPE, before the token is verified',
    async (contentType) => {
      const error = await refusal(request({ headers: { authorization: 'Bearer a.b.c', 'content-type': contentType } }));
      expect(error).toBeInstanceOf(UnsupportedMediaTypeError);
      expect(error.message).toBe('Send the request as Content-Type: application/json.');
    },
  );

  it.each(['application/json', 'Application/JSON', 'application/json; charset=utf-8', 'application/json ;charset=utf-8'])(
    'accepts Content-Type %j',
    async (contentType) => {
      expect((await presign(request({ headers: { 'content-type': contentType } }), deps())).status).toBe(200);
    },
  );

  it('verifies the token before it looks at the body', async () => {
    const error = await refusal(request({ headers: { authorization: 'Bearer a.b.c' }, body: undefined, bodyTruncated: true }));
    expect(error).toBeInstanceOf(UnauthorizedError);
  });

  it.each([
    ['a truncated body', { bodyTruncated: true }, 'The request body is too large and was cut short.'],
    ['no body', { body: undefined }, 'The request has no body.'],
    ['an empty body', { body: '' }, 'The request has no body.'],
    ['a body that is not JSON', { body: '{' }, 'The body is not valid JSON.'],
  ])('refuses %s as INVALID_REQUEST', async (_label, overrides, message) => {
    const error = await refusal(request(overrides));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.message).toBe(message);
  });
});

describe('presign: the answer', () => {
  it("signs one POST form per file, under the caller's sub, with the config's bucket, key and TTL", async () => {
    const response = await presign(request(), deps());
    expect(response.status).toBe(200);
    expect(response.headers).toEqual(BASE_HEADERS);
    const { uploads } = JSON.parse(response.body) as {
      uploads: Array<{ id: string; key: string; url: string; fields: Record<string, string>; expiresAt: string }>;
    };
    expect(uploads).toHaveLength(1);
    const [upload] = uploads;
    const objectKey = `${DEFAULT_UPLOAD_RULES.keyPrefix}${TEST_SUB}/2026/11/29/${ID}/a.png`;
    expect(upload).toEqual({
      id: ID,
      key: objectKey,
      url: config.uploadUrl,
      fields: expect.any(Object),
      expiresAt: '2026-11-29T12:05:00Z',
    });
    const expected = createPresignedPost({
      bucket: 'acme-uploads',
      region: 'eu-west-1',
      key: objectKey,
      fields: {
        'Content-Type': 'image/png',
        'x-amz-meta-userid': TEST_SUB,
        success_action_status: '201',
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': config.kmsKeyId,
      },
      contentLength: [10, 10],
      credentials: TEST_CREDENTIALS,
      now: NOW,
      ttlSeconds: 300,
    });
    expect(upload?.fields).toEqual(expected.fields);
  });

  it('keeps a client-chosen id instead of making one', async () => {
    const body = JSON.stringify({ files: [{ name: 'a.png', size: 1, type: 'image/png', id: 'AAAAAAAA-1111-4222-8333-444455556666' }] });
    const { uploads } = JSON.parse((await presign(request({ body }), deps())).body) as { uploads: Array<{ id: string; key: string }> };
    expect(uploads[0]?.id).toBe('aaaaaaaa-1111-4222-8333-444455556666');
    expect(uploads[0]?.key).toContain('/aaaaaaaa-1111-4222-8333-444455556666/a.png');
  });
});

describe('createPresignedPost', () => {
  const input = {
    bucket: 'b',
    region: 'eu-west-1',
    key: 'uploads/s/k.png',
    fields: { 'Content-Type': 'image/png' },
    contentLength: [3, 7] as const,
    now: new Date('2026-11-29T12:00:00.999Z'),
    ttlSeconds: 60,
  };

  it("commits the policy to every field, the key and the size range, and signs it with the day's key", () => {
    const post = createPresignedPost({ ...input, credentials: TEST_CREDENTIALS });
    const credential = `${TEST_CREDENTIALS.accessKeyId}/20261129/eu-west-1/s3/aws4_request`;
    expect(Object.keys(post.fields)).toEqual([
      'Content-Type',
      'bucket',
      'X-Amz-Algorithm',
      'X-Amz-Credential',
      'X-Amz-Date',
      'X-Amz-Security-Token',
      'key',
      'Policy',
      'X-Amz-Signature',
    ]);
    expect(post.fields).toMatchObject({
      'Content-Type': 'image/png',
      bucket: 'b',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': credential,
      'X-Amz-Date': '20261129T120000Z',
      'X-Amz-Security-Token': TEST_CREDENTIALS.sessionToken,
      key: 'uploads/s/k.png',
    });
    expect(post.expiresAt).toBe('2026-11-29T12:01:00Z');
    const policy = JSON.parse(Buffer.from(post.fields.Policy ?? '', 'base64').toString('utf8')) as unknown;
    expect(policy).toEqual({
      expiration: '2026-11-29T12:01:00Z',
      conditions: [
        ['content-length-range', 3, 7],
        { 'Content-Type': 'image/png' },
        { bucket: 'b' },
        { 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256' },
        { 'X-Amz-Credential': credential },
        { 'X-Amz-Date': '20261129T120000Z' },
        { 'X-Amz-Security-Token': TEST_CREDENTIALS.sessionToken },
        { key: 'uploads/s/k.png' },
      ],
    });
    const step = (k: string | Buffer, data: string) => createHmac('sha256', k).update(data, 'utf8').digest();
    const signingKey = step(step(step(step(`AWS4${TEST_CREDENTIALS.secretAccessKey}`, '20261129'), 'eu-west-1'), 's3'), 'aws4_request');
    expect(post.fields['X-Amz-Signature']).toBe(
      createHmac('sha256', signingKey)
        .update(post.fields.Policy ?? '', 'utf8')
        .digest('hex'),
    );
  });

  it('leaves the security token out when the credentials have none', () => {
    const post = createPresignedPost({ ...input, credentials: { ...TEST_CREDENTIALS, sessionToken: undefined } });
    expect(post.fields).not.toHaveProperty('X-Amz-Security-Token');
    expect(Buffer.from(post.fields.Policy ?? '', 'base64').toString('utf8')).not.toContain('Security-Token');
  });
});

describe('http-response', () => {
  it('sends no-store and nosniff on every JSON answer, extra headers beside them', () => {
    expect(jsonResponse(201, { a: 1 }, { Allow: 'POST' })).toEqual({
      status: 201,
      headers: { ...BASE_HEADERS, Allow: 'POST' },
      body: '{"a":1}',
    });
    expect(jsonResponse(200, null).headers).toEqual(BASE_HEADERS);
  });

  it('turns anything that is not ours into a 500 that says nothing', () => {
    const response = errorResponse(new Error('secret detail'));
    expect(response).toEqual({
      status: 500,
      headers: BASE_HEADERS,
      body: JSON.stringify({ error: { code: 'INTERNAL', message: 'Something went wrong on our side. Please try again.' } }),
    });
  });

  it('maps each error to its code and status, with the file index only when there is one', () => {
    const cases: Array<[EdgeUploadError, string, number]> = [
      [new InvalidRequestError('m', 2), 'INVALID_REQUEST', 400],
      [new InvalidFilenameError('m'), 'INVALID_FILENAME', 400],
      [new FileTooLargeError('m'), 'FILE_TOO_LARGE', 413],
      [new UseMultipartError('m'), 'USE_MULTIPART', 413],
      [new EmptyFileError('m'), 'EMPTY_FILE', 400],
      [new UnsupportedTypeError('m'), 'UNSUPPORTED_TYPE', 415],
      [new UnsupportedMediaTypeError('m'), 'UNSUPPORTED_MEDIA_TYPE', 415],
      [new PayloadTooLargeError('m'), 'PAYLOAD_TOO_LARGE', 413],
    ];
    for (const [error, code, status] of cases) {
      const response = errorResponse(error);
      expect(response.status).toBe(status);
      expect(response.headers).toEqual(BASE_HEADERS);
      const expected = error.file === undefined ? { code, message: 'm' } : { code, message: 'm', file: error.file };
      expect(JSON.parse(response.body)).toEqual({ error: expected });
      expect(error.name).toBe(error.constructor.name);
    }
  });

  it('asks for a Bearer token on 401 and names the allowed methods on 405', () => {
    const unauthorized = errorResponse(new UnauthorizedError('expired'));
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers).toEqual({ ...BASE_HEADERS, 'WWW-Authenticate': 'Bearer' });
    expect(JSON.parse(unauthorized.body)).toEqual({ error: { code: 'UNAUTHORIZED', message: 'A valid access token is required.' } });
    const notAllowed = errorResponse(new MethodNotAllowedError('PUT', ['POST', 'OPTIONS']));
    expect(notAllowed.status).toBe(405);
    expect(notAllowed.headers).toEqual({ ...BASE_HEADERS, Allow: 'POST, OPTIONS' });
    expect(JSON.parse(notAllowed.body)).toEqual({
      error: { code: 'METHOD_NOT_ALLOWED', message: 'PUT is not allowed here; use POST, OPTIONS.' },
    });
  });
});
