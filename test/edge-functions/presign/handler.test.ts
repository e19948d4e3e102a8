/**
 * The Lambda@Edge `/presign` handler, driven by recorded viewer-request
 * events: every success property and every error code of docs/http-api.md.
 */
import type { CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { MAX_GENERATED_RESPONSE_BYTES } from '../../../edge-functions/presign/handler';
import { bodyOf, viewerRequest, withBody, withHeader, withToken } from '../../support/lambda-edge-events';
import { header, jsonBody, presignHarness } from '../../support/presign-harness';
import { accessToken, idToken, newSigningKey, TEST_CREDENTIALS, TEST_SUB } from '../../support/tokens';

interface Upload {
  id: string;
  key: string;
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
}

const harness = presignHarness();
const token = accessToken(harness.key);
const authorized = (event: CloudFrontRequestEvent) => withToken(event, token);
const call = (event: CloudFrontRequestEvent) => harness.handler(event);

function uploadsOf(response: CloudFrontResultResponse): Upload[] {
  expect(response.status).toBe('200');
  return (jsonBody(response) as { uploads: Upload[] }).uploads;
}

function errorOf(response: CloudFrontResultResponse) {
  return (jsonBody(response) as { error: { code: string; message: string; file?: number } }).error;
}

function policyOf(upload: Upload): { expiration: string; conditions: unknown[] } {
  return JSON.parse(Buffer.from(upload.fields.Policy ?? '', 'base64').toString('utf8'));
}

describe('POST /presign, success', () => {
  it('answers 200 with a generated CloudFront response in the documented shape', async () => {
    const response = await call(authorized(viewerRequest('presign-one-file')));
    expect(response).toMatchObject({ status: '200', statusDescription: 'OK', bodyEncoding: 'text' });
    for (const [name, values] of Object.entries(response.headers ?? {})) {
      expect(name).toBe(name.toLowerCase());
      expect(values).toEqual([{ key: expect.any(String), value: expect.any(String) }]);
      expect(values?.[0]?.key?.toLowerCase()).toBe(name);
    }
    expect(header(response, 'content-type')).toBe('application/json');
    expect(header(response, 'cache-control')).toBe('no-store');
    expect(Buffer.byteLength(response.body ?? '')).toBeLessThan(MAX_GENERATED_RESPONSE_BYTES);
  });

  it('returns the key, url, fields and expiry of docs/http-api.md', async () => {
    const event = authorized(viewerRequest('presign-one-file'));
    const [upload] = uploadsOf(await call(event));
    const id = '0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
    expect(upload).toEqual({
      id,
      key: `uploads/${TEST_SUB}/2026/11/29/${id}/holiday.png`,
      url: 'https://acme-uploads.s3-accelerate.amazonaws.com/',
      fields: {
        'Content-Type': 'image/png',
        'x-amz-meta-userid': TEST_SUB,
        success_action_status: '201',
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': harness.config.kmsKeyId,
        bucket: 'acme-uploads',
        'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
        'X-Amz-Credential': `${TEST_CREDENTIALS.accessKeyId}/20261129/eu-west-1/s3/aws4_request`,
        'X-Amz-Date': '20261129T120000Z',
        'X-Amz-Security-Token': TEST_CREDENTIALS.sessionToken,
        key: `uploads/${TEST_SUB}/2026/11/29/${id}/holiday.png`,
        Policy: expect.any(String),
        'X-Amz-Signature': expect.stringMatching(/^[0-9a-f]{64}$/),
      },
      expiresAt: '2026-11-29T12:05:00Z',
    });
  });

  it('binds every form field, the exact size and the expiry into the policy', async () => {
    const [upload] = uploadsOf(await call(authorized(viewerRequest('presign-one-file'))));
    const policy = policyOf(upload!);
    expect(policy.expiration).toBe('2026-11-29T12:05:00Z');
    expect(policy.conditions).toContainEqual(['content-length-range', 483211, 483211]);
    const { Policy: _policy, 'X-Amz-Signature': _signature, ...signedFields } = upload!.fields;
    for (const [name, value] of Object.entries(signedFields)) expect(policy.conditions).toContainEqual({ [name]: value });
    // Nothing else: one condition per field plus the length range.
    expect(policy.conditions).toHaveLength(Object.keys(signedFields).length + 1);
  });

  it('gives the same key for the same user, id and day, and a new one on the next day', async () => {
    const event = viewerRequest('presign-one-file');
    const first = uploadsOf(await call(authorized(structuredClone(event))))[0]!;
    const again = uploadsOf(await call(authorized(structuredClone(event))))[0]!;
    expect(again.key).toBe(first.key);
    const tomorrow = presignHarness({ key: harness.key, now: () => new Date('2026-11-30T00:00:01Z') });
    const next = uploadsOf(await tomorrow.handler(authorized(structuredClone(event))))[0]!;
    expect(next.key).not.toBe(first.key);
    expect(next.key).toContain('/2026/11/30/');
  });

  it('picks a fresh UUID v4 when the client sends no id', async () => {
    const a = uploadsOf(await call(authorized(viewerRequest('presign-without-id'))))[0]!;
    const b = uploadsOf(await call(authorized(viewerRequest('presign-without-id'))))[0]!;
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.id).not.toBe(b.id);
    expect(a.key).toBe(`uploads/${TEST_SUB}/2026/11/29/${a.id}/report.pdf`);
  });

  it('signs one form per file, in order, for ten files', async () => {
    const uploads = uploadsOf(await call(authorized(viewerRequest('presign-ten-files'))));
    expect(uploads.map((u) => u.key.split('/').pop())).toEqual(Array.from({ length: 10 }, (_, i) => `scan-${i + 1}.pdf`));
  });

  it('leaves out the session token when the credentials have none', async () => {
    const plain = presignHarness({ key: harness.key, credentials: () => ({ ...TEST_CREDENTIALS, sessionToken: undefined }) });
    const [upload] = uploadsOf(await plain.handler(authorized(viewerRequest('presign-one-file'))));
    expect(upload!.fields).not.toHaveProperty('X-Amz-Security-Token');
  });

  it('gzips a response that would not fit in 40 KB (ten files, a Lambda-sized session token)', async () => {
    const longToken = { ...TEST_CREDENTIALS, sessionToken: `IQoJ${'b3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ'.repeat(25)}` };
    const big = presignHarness({ key: harness.key, credentials: () => longToken });
    const event = authorized(viewerRequest('presign-ten-files'));
    const response = await big.handler(event);
    expect(response.bodyEncoding).toBe('base64');
    expect(header(response, 'content-encoding')).toBe('gzip');
    expect(Buffer.byteLength(response.body ?? '')).toBeLessThan(MAX_GENERATED_RESPONSE_BYTES - 1024);
    expect(uploadsOf(response)).toHaveLength(10);

    withHeader(event, 'Accept-Encoding', undefined);
    const refused = await big.handler(event);
    expect(refused.status).toBe('413');
    expect(errorOf(refused).code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('POST /presign, refusals', () => {
  it.each([
    ['GET', 'presign-get'],
    ['OPTIONS', 'presign-options-preflight'],
  ] as const)('405 METHOD_NOT_ALLOWED for %s, with Allow: POST', async (_method, scenario) => {
    const response = await call(viewerRequest(scenario));
    expect(response.status).toBe('405');
    expect(header(response, 'allow')).toBe('POST');
    expect(errorOf(response).code).toBe('METHOD_NOT_ALLOWED');
  });

  it.each([
    ['no Authorization header', (e: CloudFrontRequestEvent) => withHeader(e, 'Authorization', undefined)],
    ['a Basic scheme', (e: CloudFrontRequestEvent) => withHeader(e, 'Authorization', 'Basic dXNlcjpwYXNz')],
    ['a bare token', (e: CloudFrontRequestEvent) => withHeader(e, 'Authorization', token)],
    ['a malformed token', (e: CloudFrontRequestEvent) => withToken(e, 'not-a-jwt')],
    ['an expired token', (e: CloudFrontRequestEvent) => withToken(e, accessToken(harness.key, { now: 1_700_000_000 }))],
    ['an id token', (e: CloudFrontRequestEvent) => withToken(e, idToken(harness.key))],
    [
      'a token for another client',
      (e: CloudFrontRequestEvent) => withToken(e, accessToken(harness.key, { claims: { client_id: 'other' } })),
    ],
    [
      'a token from another issuer',
      (e: CloudFrontRequestEvent) => withToken(e, accessToken(harness.key, { claims: { iss: 'https://evil.example' } })),
    ],
    ['a token signed by an unknown key', (e: CloudFrontRequestEvent) => withToken(e, accessToken(newSigningKey('kid-unknown')))],
    ['a token with a forged signature', (e: CloudFrontRequestEvent) => withToken(e, `${token.slice(0, token.lastIndexOf('.'))}.AAAA`)],
  ])('401 UNAUTHORIZED for %s, with WWW-Authenticate: Bearer and no detail', async (_label, vary) => {
    const response = await call(vary(viewerRequest('presign-one-file')));
    expect(response.status).toBe('401');
    expect(header(response, 'www-authenticate')).toBe('Bearer');
    expect(errorOf(response)).toEqual({ code: 'UNAUTHORIZED', message: 'A valid access token is required.' });
  });

  it('checks the token before it reads the body', async () => {
    const response = await call(viewerRequest('presign-malformed-json'));
    expect(response.status).toBe('401');
  });

  it('415 UNSUPPORTED_MEDIA_TYPE for a text/plain body (a cross-site simple request)', async () => {
    const response = await call(authorized(viewerRequest('presign-text-plain')));
    expect(response.status).toBe('415');
    expect(errorOf(response).code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('accepts application/json with a charset parameter', async () => {
    const event = withHeader(authorized(viewerRequest('presign-one-file')), 'Content-Type', 'application/json; charset=utf-8');
    expect((await call(event)).status).toBe('200');
  });

  it.each([
    ['malformed JSON', 'presign-malformed-json'],
    ['a truncated body', 'presign-truncated-body'],
    ['no body', 'presign-no-body'],
  ] as const)('400 INVALID_REQUEST for %s', async (_label, scenario) => {
    const response = await call(authorized(viewerRequest(scenario)));
    expect(response.status).toBe('400');
    expect(errorOf(response).code).toBe('INVALID_REQUEST');
  });

  it.each([
    ['INVALID_REQUEST', '400', { name: 'a.png', size: '1', type: 'image/png' }],
    ['INVALID_FILENAME', '400', { name: '../..', size: 1, type: 'image/png' }],
    ['FILE_TOO_LARGE', '413', { name: 'a.png', size: 10 * 1024 * 1024 + 1, type: 'image/png' }],
    ['USE_MULTIPART', '413', { name: 'a.mp4', size: 100 * 1024 * 1024 + 1, type: 'video/mp4' }],
    ['EMPTY_FILE', '400', { name: 'a.png', size: 0, type: 'image/png' }],
    ['UNSUPPORTED_TYPE', '415', { name: 'a.svg', size: 10, type: 'image/svg+xml' }],
    ['UNSUPPORTED_TYPE', '415', { name: 'a.pdf', size: 10, type: 'image/png' }],
  ])('%s (%s) names the failing file and signs nothing', async (code, status, bad) => {
    const event = authorized(viewerRequest('presign-one-file'));
    const body = bodyOf(event) as { files: unknown[] };
    const response = await call(withBody(event, { files: [...body.files, bad] }));
    expect(response.status).toBe(status);
    expect(errorOf(response)).toMatchObject({ code, file: 1 });
    expect(response.body).not.toContain('Policy');
  });

  it('500 INTERNAL with a generic message when the function has no credentials, logged in full', async () => {
    const broken = presignHarness({
      key: harness.key,
      credentials: () => {
        throw new Error('AWS_ACCESS_KEY_ID is not set');
      },
    });
    const response = await broken.handler(authorized(viewerRequest('presign-one-file')));
    expect(response.status).toBe('500');
    expect(errorOf(response)).toEqual({ code: 'INTERNAL', message: expect.not.stringContaining('AWS_') });
    expect(broken.logs.at(-1)).toMatchObject({ status: 500, code: 'INTERNAL', stack: expect.stringContaining('AWS_ACCESS_KEY_ID') });
  });
});

describe('POST /presign, logging', () => {
  it('logs one line per request with route, status, code and latency, and never the token', async () => {
    const local = presignHarness({ key: harness.key });
    const secret = accessToken(local.key);
    await local.handler(withToken(viewerRequest('presign-one-file'), secret));
    await local.handler(withToken(viewerRequest('presign-one-file'), `${secret}x`));
    expect(local.logs).toHaveLength(2);
    expect(local.logs[0]).toMatchObject({ route: '/presign', status: 200, latencyMs: expect.any(Number) });
    expect(local.logs[1]).toMatchObject({ route: '/presign', status: 401, code: 'UNAUTHORIZED', reason: expect.any(String) });
    const everything = JSON.stringify(local.logs);
    for (const part of secret.split('.')) expect(everything).not.toContain(part);
    expect(everything).not.toContain(TEST_CREDENTIALS.sessionToken);
  });

  it('never echoes the token in a response', async () => {
    const secret = accessToken(harness.key, { claims: { client_id: 'other' } });
    const response = await call(withToken(viewerRequest('presign-one-file'), secret));
    expect(response.body).not.toContain(secret.split('.')[1]);
  });
});

describe('POST /presign, integrity (md5)', () => {
  const MD5 = 'kQ4sWfQq8eDxKt1l9t1y6A==';
  const withMd5 = (md5: unknown) => {
    const event = viewerRequest('presign-one-file');
    const body = bodyOf(event) as { files: Record<string, unknown>[] };
    body.files[0]!.md5 = md5;
    return authorized(withBody(event, body));
  };

  it('binds a given md5 exactly: a form field and an exact Content-MD5 condition', async () => {
    const [upload] = uploadsOf(await call(withMd5(MD5)));
    expect(upload!.fields['Content-MD5']).toBe(MD5);
    expect(policyOf(upload!).conditions).toContainEqual({ 'Content-MD5': MD5 });
  });

  it('binds nothing about MD5 without one', async () => {
    const [upload] = uploadsOf(await call(authorized(viewerRequest('presign-one-file'))));
    expect(upload!.fields).not.toHaveProperty('Content-MD5');
    expect(JSON.stringify(policyOf(upload!))).not.toContain('Content-MD5');
  });

  it.each([
    ['hex', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['base64 of 20 bytes', Buffer.alloc(20).toString('base64')],
    ['unpadded', MD5.replace(/=+$/, '')],
    ['non-canonical last character', 'kQ4sWfQq8eDxKt1l9t1y6B=='],
    ['a number', 16],
    ['empty', ''],
  ])('refuses a malformed md5 (%s) with 400 INVALID_REQUEST, naming the file', async (_what, md5) => {
    const response = await call(withMd5(md5));
    expect(response.status).toBe('400');
    expect(errorOf(response)).toMatchObject({ code: 'INVALID_REQUEST', file: 0 });
  });
});
