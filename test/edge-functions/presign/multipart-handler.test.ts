/**
 * The multipart routes of the presign Lambda@Edge handler (docs/large-files.md),
 * driven by recorded viewer-request events: the start and parts answers,
 * every refusal, the one 403 for every ticket failure, 404 for any other path,
 * the log line of each, and the largest parts answer within the 40 KB limit.
 */
import type { CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { createHash, createSecretKey } from 'node:crypto';
import { signTicket, type TicketClaims } from '../../../edge-functions/core/multipart-ticket';
import { DEFAULT_UPLOAD_RULES } from '../../../edge-functions/core/upload-rules';
import { MAX_GENERATED_RESPONSE_BYTES } from '../../../edge-functions/presign/handler';
import { bodyOf, requestOf, viewerRequest, withBody, withHeader, withToken } from '../../support/lambda-edge-events';
import { FIXED_NOW, header, jsonBody, presignHarness } from '../../support/presign-harness';
import { accessToken, TEST_CREDENTIALS, TEST_SUB, testEdgeConfig } from '../../support/tokens';

const harness = presignHarness();
const token = accessToken(harness.key);
const call = (event: CloudFrontRequestEvent) => harness.handler(withToken(event, token));

const ID = '0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
const KEY = `uploads/${TEST_SUB}/2026/11/29/${ID}/talk.mp4`;
const SIZE = 7_340_032_000;
const MiB = 1024 * 1024;

interface StartAnswer {
  id: string;
  key: string;
  partSize: number;
  partCount: number;
  ticket: string;
  ticketExpiresAt: string;
  create: { method: string; url: string; headers: Record<string, string> };
}
interface PartsAnswer {
  parts: { partNumber: number; size: number; url: string; headers: Record<string, string> }[];
  complete: { method: string; url: string };
  list: { method: string; url: string };
  abort: { method: string; url: string };
  expiresAt: string;
}

function errorOf(response: CloudFrontResultResponse) {
  return (jsonBody(response) as { error: { code: string; message: string } }).error;
}
/** Deterministic bytes that look random (a hash chain), so the size test is the same on every run. */
function pseudoRandomBytes(length: number): Buffer {
  const chunks: Buffer[] = [];
  let block = Buffer.from('edge-upload');
  for (let total = 0; total < length; total += block.length) chunks.push((block = createHash('sha256').update(block).digest()));
  return Buffer.concat(chunks).subarray(0, length);
}
const lastLog = () => harness.logs[harness.logs.length - 1];

async function start(file: Record<string, unknown>): Promise<CloudFrontResultResponse> {
  return call(withBody(viewerRequest('presign-multipart-start'), { file }));
}
function partsBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...(bodyOf(viewerRequest('presign-multipart-parts')) as Record<string, unknown>), ...overrides };
}
const parts = (overrides: Record<string, unknown> = {}) => call(withBody(viewerRequest('presign-multipart-parts'), partsBody(overrides)));

const ticketKeys = harness.config.multipartTicketKeys;
function ticketFor(claims: Partial<TicketClaims> = {}, keys = ticketKeys): string {
  return signTicket(
    {
      sub: TEST_SUB,
      key: KEY,
      type: 'video/mp4',
      size: SIZE,
      partSize: 8 * MiB,
      partCount: 875,
      exp: FIXED_NOW.getTime() / 1000 + 3600,
      ...claims,
    },
    keys,
  );
}

describe('POST /presign/multipart', () => {
  it('answers the recorded start with key, plan, ticket and a signed create of docs/large-files.md', async () => {
    const response = await call(viewerRequest('presign-multipart-start'));
    expect(response).toMatchObject({ status: '200', bodyEncoding: 'text' });
    expect(header(response, 'cache-control')).toBe('no-store');
    const body = jsonBody(response) as StartAnswer;
    expect(body).toEqual({
      id: ID,
      key: KEY,
      partSize: 8 * MiB,
      partCount: 875,
      ticket: expect.stringMatching(/^test-ticket-1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/),
      ticketExpiresAt: '2026-11-30T12:00:00Z',
      create: {
        method: 'POST',
        url: expect.stringMatching(new RegExp(`^https://acme-uploads\\.s3-accelerate\\.amazonaws\\.com/${KEY.replace(/\./g, '\\.')}\\?`)),
        headers: {
          'Content-Type': 'video/mp4',
          'x-amz-meta-userid': TEST_SUB,
          'x-amz-server-side-encryption': 'aws:kms',
          'x-amz-server-side-encryption-aws-kms-key-id': harness.config.kmsKeyId,
        },
      },
    });
    const url = new URL(body.create.url);
    expect(url.searchParams.get('uploads')).toBe('');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe(
      'content-type;host;x-amz-meta-userid;x-amz-server-side-encryption;x-amz-server-side-encryption-aws-kms-key-id',
    );
    // CREATE_URL_TTL_SECONDS, not partUrlTtlSeconds (900): a replayed create opens another upload.
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe(TEST_CREDENTIALS.sessionToken);
    expect(lastLog()).toMatchObject({ route: '/presign/multipart', status: 200 });
  });

  it('gives the same key for the same id, and a fresh one without', async () => {
    const again = jsonBody(await call(viewerRequest('presign-multipart-start'))) as StartAnswer;
    expect(again.key).toBe(KEY);
    const fresh = jsonBody(await start({ name: 'talk.mp4', size: SIZE, type: 'video/mp4' })) as StartAnswer;
    expect(fresh.id).not.toBe(ID);
    expect(fresh.key).toBe(`uploads/${TEST_SUB}/2026/11/29/${fresh.id}/talk.mp4`);
  });

  it('accepts a small file (the client may prefer multipart) and plans one 8 MiB-capped part', async () => {
    const body = jsonBody(await start({ name: 'clip.mov', size: 1234, type: 'video/quicktime' })) as StartAnswer;
    expect({ partSize: body.partSize, partCount: body.partCount }).toEqual({ partSize: 8 * MiB, partCount: 1 });
  });

  it.each([
    ['an empty file', { name: 'a.mp4', size: 0, type: 'video/mp4' }, '400', 'EMPTY_FILE'],
    ['a file over the type limit', { name: 'a.zip', size: 5 * 1024 * MiB + 1, type: 'application/zip' }, '413', 'FILE_TOO_LARGE'],
    ['an extension of another type', { name: 'a.mov', size: 10, type: 'video/mp4' }, '415', 'UNSUPPORTED_TYPE'],
    ['a type not allowed', { name: 'a.exe', size: 10, type: 'application/x-msdownload' }, '415', 'UNSUPPORTED_TYPE'],
    ['a malformed md5', { name: 'a.mp4', size: 10, type: 'video/mp4', md5: 'not-an-md5' }, '400', 'INVALID_REQUEST'],
    ['a bad id', { name: 'a.mp4', size: 10, type: 'video/mp4', id: 'x' }, '400', 'INVALID_REQUEST'],
    ['a name empty after sanitizing', { name: '...', size: 10, type: 'video/mp4' }, '400', 'INVALID_FILENAME'],
  ])('refuses %s like /presign', async (_what, file, status, code) => {
    const response = await start(file);
    expect(response.status).toBe(status);
    expect(errorOf(response).code).toBe(code);
    expect(response.body).not.toContain('X-Amz-Signature');
  });

  it('refuses a body without a file object', async () => {
    const response = await call(withBody(viewerRequest('presign-multipart-start'), { files: [] }));
    expect([response.status, errorOf(response).code]).toEqual(['400', 'INVALID_REQUEST']);
  });

  it('asks for a token first (401), and POST only (405)', async () => {
    const anonymous = await harness.handler(withHeader(viewerRequest('presign-multipart-start'), 'Authorization', undefined));
    expect([anonymous.status, errorOf(anonymous).code, header(anonymous, 'www-authenticate')]).toEqual(['401', 'UNAUTHORIZED', 'Bearer']);
    const get = viewerRequest('presign-multipart-start');
    Object.assign(requestOf(get), { method: 'GET' });
    const response = await call(get);
    expect([response.status, errorOf(response).code, header(response, 'allow')]).toEqual(['405', 'METHOD_NOT_ALLOWED', 'POST']);
  });
});

describe('POST /presign/multipart/parts', () => {
  it('signs each part with its exact length (and Content-MD5 when given) and the complete, list and abort URLs', async () => {
    const response = await call(viewerRequest('presign-multipart-parts'));
    expect(response).toMatchObject({ status: '200', bodyEncoding: 'text' });
    const body = jsonBody(response) as PartsAnswer;
    const lastSize = SIZE - 874 * 8 * MiB;
    expect(body.parts.map(({ partNumber, size, headers }) => ({ partNumber, size, headers }))).toEqual([
      { partNumber: 1, size: 8 * MiB, headers: { 'Content-MD5': 'kQ4sWfQq8eDxKt1l9t1y6A==' } },
      { partNumber: 875, size: lastSize, headers: {} },
    ]);
    const [first, last] = body.parts.map((part) => new URL(part.url));
    expect(first!.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-md5;host');
    expect(last!.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host');
    expect(first!.searchParams.get('partNumber')).toBe('1');
    expect(first!.pathname).toBe(`/${KEY}`);
    for (const [name, method, xId] of [
      ['complete', 'POST', null],
      ['list', 'GET', 'ListParts'],
      ['abort', 'DELETE', 'AbortMultipartUpload'],
    ] as const) {
      const url = new URL(body[name].url);
      expect(body[name].method).toBe(method);
      expect(url.searchParams.get('uploadId')).toBe(partsBody().uploadId);
      expect(url.searchParams.get('x-id')).toBe(xId);
      expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    }
    expect(body.expiresAt).toBe('2026-11-29T12:15:00Z');
    expect(lastLog()).toMatchObject({ route: '/presign/multipart/parts', status: 200 });
  });

  it.each([
    ['partNumber 0', { parts: [{ partNumber: 0 }] }],
    ['a partNumber past partCount', { parts: [{ partNumber: 876 }] }],
    ['a fractional partNumber', { parts: [{ partNumber: 1.5 }] }],
    ['no parts', { parts: [] }],
    ['more than maxPartsPerRequest parts', { parts: Array.from({ length: 11 }, (_, i) => ({ partNumber: i + 1 })) }],
    ['a repeated part', { parts: [{ partNumber: 2 }, { partNumber: 2 }] }],
    ['a malformed md5', { parts: [{ partNumber: 1, md5: 'kQ4sWfQq8eDxKt1l9t1y6A=' }] }],
    ['an md5 of the wrong length', { parts: [{ partNumber: 1, md5: Buffer.alloc(20).toString('base64') }] }],
    ['an uploadId with a query separator', { uploadId: 'abc&partNumber=2' }],
    ['an uploadId with spaces', { uploadId: 'abc def' }],
    ['an uploadId longer than 256', { uploadId: 'a'.repeat(257) }],
    ['no uploadId', { uploadId: undefined }],
    ['no key', { key: undefined }],
  ])('refuses %s with 400 INVALID_REQUEST', async (_what, overrides) => {
    const response = await parts(overrides);
    expect([response.status, errorOf(response).code]).toEqual(['400', 'INVALID_REQUEST']);
    expect(response.body).not.toContain('X-Amz-Signature');
  });

  it('signs the list URL for the page after listPartNumberMarker, the marker a signed query parameter; every other URL as without it', async () => {
    const plain = jsonBody(await parts()) as PartsAnswer;
    expect(new URL(plain.list.url).searchParams.has('part-number-marker')).toBe(false);
    for (const marker of [1, 500, 874]) {
      const paged = jsonBody(await parts({ listPartNumberMarker: marker })) as PartsAnswer;
      expect([paged.parts, paged.complete, paged.abort, paged.expiresAt]).toEqual([
        plain.parts,
        plain.complete,
        plain.abort,
        plain.expiresAt,
      ]);
      const list = new URL(paged.list.url);
      expect(paged.list.method).toBe('GET');
      expect(list.searchParams.get('part-number-marker')).toBe(String(marker));
      expect(list.searchParams.get('x-id')).toBe('ListParts');
      expect(list.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
      // Signed: the first page's signature does not carry over.
      expect(list.searchParams.get('X-Amz-Signature')).not.toBe(new URL(plain.list.url).searchParams.get('X-Amz-Signature'));
      // Apart from the marker and the signature, the same URL as the first page's.
      list.searchParams.delete('part-number-marker');
      list.searchParams.delete('X-Amz-Signature');
      const first = new URL(plain.list.url);
      first.searchParams.delete('X-Amz-Signature');
      expect(list.href).toBe(first.href);
    }
  });

  it.each([
    ['0', 0],
    ['negative', -1],
    ['fractional', 1.5],
    ['a string', '3'],
    ['null', null],
    ['a boolean', true],
    ['an array', [3]],
    ['an object', { marker: 3 }],
    ['past the safe integers', 2 ** 53],
  ])('refuses a listPartNumberMarker that is %s with 400 INVALID_REQUEST, before the ticket is checked', async (_what, marker) => {
    const response = await parts({ listPartNumberMarker: marker, ticket: 'not a ticket' });
    expect([response.status, errorOf(response).code]).toEqual(['400', 'INVALID_REQUEST']);
    expect(errorOf(response).message).toMatch(/^"listPartNumberMarker", when given, must be a whole number from 1/);
    expect(response.body).not.toContain('X-Amz-Signature');
  });

  it.each([875, 876, 10_000])(
    "refuses a listPartNumberMarker of %s, at or past the upload's 875 parts, with 400 INVALID_REQUEST",
    async (marker) => {
      const response = await parts({ listPartNumberMarker: marker });
      expect([response.status, errorOf(response).code]).toEqual(['400', 'INVALID_REQUEST']);
      expect(errorOf(response).message).toBe('"listPartNumberMarker": this upload has parts 1 to 875, so a marker is from 1 to 874.');
      expect(response.body).not.toContain('X-Amz-Signature');
    },
  );

  it('refuses any listPartNumberMarker for a one-part upload', async () => {
    const started = jsonBody(await start({ name: 'small.mp4', size: 10, type: 'video/mp4' })) as StartAnswer;
    expect(started.partCount).toBe(1);
    const body = { key: started.key, ticket: started.ticket, parts: [{ partNumber: 1 }] };
    expect((await parts(body)).status).toBe('200');
    const response = await parts({ ...body, listPartNumberMarker: 1 });
    expect([response.status, errorOf(response).code]).toEqual(['400', 'INVALID_REQUEST']);
    expect(errorOf(response).message).toMatch(/this upload has one part/);
  });

  const otherKeys = [{ id: 'test-ticket-1', secret: createSecretKey(Buffer.alloc(32, 'not-the-deployed-key')) }];
  it.each([
    ['forged (signed with another secret)', () => ticketFor({}, otherKeys), 'bad-mac'],
    ['signed by a key no longer configured', () => ticketFor({}, [{ ...otherKeys[0]!, id: 'retired-key' }]), 'unknown-key'],
    [
      'tampered (payload changed, MAC kept)',
      () => {
        const [id, , mac] = ticketFor().split('.');
        const payload = Buffer.from(
          JSON.stringify({ sub: TEST_SUB, key: KEY, type: 'video/mp4', size: 99 * SIZE, partSize: 8 * MiB, partCount: 875, exp: 4e9 }),
        ).toString('base64url');
        return `${id}.${payload}.${mac}`;
      },
      'bad-mac',
    ],
    ['expired', () => ticketFor({ exp: FIXED_NOW.getTime() / 1000 }), 'expired'],
    ["another user's", () => ticketFor({ sub: '11111111-2222-4333-8444-555555555555' }), 'other-user'],
    ['for another key', () => ticketFor({ key: `${KEY}.other` }), 'other-key'],
    ['not a ticket', () => 'hello', 'malformed'],
    ['far too long', () => `${ticketFor()}${'A'.repeat(3000)}`, 'malformed'],
  ])('answers a ticket that is %s with the one 403 INVALID_TICKET, and logs only which check failed', async (_what, ticket, reason) => {
    const sent = ticket();
    const response = await parts({ ticket: sent });
    expect(response.status).toBe('403');
    expect(jsonBody(response)).toEqual({
      error: { code: 'INVALID_TICKET', message: 'The upload ticket is not valid for this upload; start the upload again.' },
    });
    expect(lastLog()).toMatchObject({ route: '/presign/multipart/parts', status: 403, code: 'INVALID_TICKET', reason });
    expect(JSON.stringify(lastLog())).not.toContain(sent.split('.')[2] ?? sent);
  });

  it('refuses a genuine ticket sent with another key in the request', async () => {
    const response = await parts({ key: `uploads/${TEST_SUB}/2026/11/29/${ID}/other.mp4` });
    expect([response.status, errorOf(response).code]).toEqual(['403', 'INVALID_TICKET']);
  });

  it('verifies with every configured key, signs with the first (one rotation survives)', async () => {
    const previous = [ticketKeys[1]!];
    expect((await parts({ ticket: ticketFor({}, previous) })).status).toBe('200');
    const rotated = presignHarness({
      key: harness.key,
      config: testEdgeConfig(harness.key, { multipartTicketKeys: [{ id: 'fresh', secret: Buffer.alloc(32, 'fresh').toString('base64') }] }),
    });
    const afterTwo = await rotated.handler(
      withToken(withBody(viewerRequest('presign-multipart-parts'), partsBody({ ticket: ticketFor({}, previous) })), token),
    );
    expect(afterTwo.status).toBe('403');
  });

  it('the largest allowed answer fits the 40 KB Lambda@Edge limit without gzip, with a 1.1 KB session token', async () => {
    // A real STS session token is ~1.1 KB of base64 (random-looking bytes; '+', '/' and '=' cost three characters each in a URL).
    const sessionToken = `IQoJb3JpZ2luX2Vj${pseudoRandomBytes(816).toString('base64')}`;
    expect(sessionToken.length).toBeGreaterThanOrEqual(1100);
    process.stdout.write(
      `session token: ${sessionToken.length} characters, ${(sessionToken.match(/[+/=]/g) ?? []).length} of them escaped\n`,
    );
    const big = presignHarness({ key: harness.key, credentials: () => ({ ...TEST_CREDENTIALS, sessionToken }) });
    // The longest key: a 128-byte name of three-byte characters (each escapes to 9 URL characters).
    const name = `${'日'.repeat(41)}.mp4`;
    const started = jsonBody(
      await big.handler(
        withToken(withBody(viewerRequest('presign-multipart-start'), { file: { name, size: 20 * 1024 * MiB, type: 'video/mp4' } }), token),
      ),
    ) as StartAnswer;
    expect(Buffer.byteLength(started.key.split('/').pop()!)).toBeGreaterThan(120);
    const event = withHeader(
      withBody(viewerRequest('presign-multipart-parts'), {
        key: started.key,
        uploadId: 'U'.repeat(256),
        ticket: started.ticket,
        // The longest list URL too: the next page's, with a four-digit marker.
        listPartNumberMarker: started.partCount - 1,
        parts: Array.from({ length: DEFAULT_UPLOAD_RULES.maxPartsPerRequest }, (_, i) => ({
          partNumber: started.partCount - i,
          md5: 'kQ4sWfQq8eDxKt1l9t1y6A==',
        })),
      }),
      'Accept-Encoding',
      undefined,
    );
    const response = await big.handler(withToken(event, token));
    expect(response).toMatchObject({ status: '200', bodyEncoding: 'text' });
    const headerBytes = Object.values(response.headers ?? {}).reduce(
      (sum, values) => sum + (values ?? []).reduce((s, h) => s + (h.key ?? '').length + h.value.length + 4, 0),
      0,
    );
    const total = Buffer.byteLength(response.body ?? '') + headerBytes;
    process.stdout.write(`largest parts answer: ${total} bytes\n`);
    expect(total).toBeLessThanOrEqual(MAX_GENERATED_RESPONSE_BYTES);
    expect((jsonBody(response) as PartsAnswer).parts).toHaveLength(DEFAULT_UPLOAD_RULES.maxPartsPerRequest);
    expect(new URL((jsonBody(response) as PartsAnswer).list.url).searchParams.get('part-number-marker')).toBe(
      String(started.partCount - 1),
    );
  });
});

describe('any other path', () => {
  it.each([
    ['/presign/multipart/complete', '/presign/*'],
    ['/presign/', '/presign/*'],
    ['/presign/multipart/', '/presign/*'],
    ['/presign/multipart/parts/x', '/presign/*'],
    ['/PRESIGN', 'other'],
    ['/', 'other'],
    ['/presign/ + 5000 characters'.replace(' + 5000 characters', 'x'.repeat(5000)), '/presign/*'],
  ])('%#: a path like %s is 404 NOT_FOUND, logged by its class only', async (uri, label) => {
    const event = viewerRequest('presign-unknown-path');
    requestOf(event).uri = uri;
    const response = await call(event);
    expect([response.status, errorOf(response).code]).toEqual(['404', 'NOT_FOUND']);
    expect(lastLog()).toMatchObject({ route: label, status: 404, code: 'NOT_FOUND' });
  });

  it('is 404 before anything else: no token, another method', async () => {
    const event = withHeader(viewerRequest('presign-unknown-path'), 'Authorization', undefined);
    Object.assign(requestOf(event), { method: 'GET' });
    const response = await harness.handler(event);
    expect([response.status, errorOf(response).code]).toEqual(['404', 'NOT_FOUND']);
  });
});
