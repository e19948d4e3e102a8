/**
 * The "your files" routes of the presign Lambda@Edge handler
 * (docs/http-api.md), driven by recorded viewer-request events: the list and
 * access answers, every hostile key refused with the one 403 FORBIDDEN_KEY,
 * the bounded continuation token, the log line of each, and the largest
 * access answer within the 40 KB limit without gzip.
 */
import type { CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { sanitizeFileName } from '../../../edge-functions/core/file-name';
import { buildObjectKey } from '../../../edge-functions/core/object-key';
import { DEFAULT_UPLOAD_RULES } from '../../../edge-functions/core/upload-rules';
import {
  attachmentDisposition,
  LIST_MAX_KEYS,
  MAX_KEYS_PER_ACCESS,
  ownFileName,
  QUARANTINE_PREFIX,
} from '../../../edge-functions/core/user-files';
import { MAX_GENERATED_RESPONSE_BYTES } from '../../../edge-functions/presign/handler';
import { DEFAULT_QUARANTINE_PREFIX } from '../../../origin/inspector/core/config';
import { requestOf, viewerRequest, withBody, withHeader, withToken } from '../../support/lambda-edge-events';
import { FIXED_NOW, header, jsonBody, presignHarness } from '../../support/presign-harness';
import { accessToken, TEST_CREDENTIALS, TEST_SUB } from '../../support/tokens';

const harness = presignHarness();
const token = accessToken(harness.key);
const call = (event: CloudFrontRequestEvent) => harness.handler(withToken(event, token));
const lastLog = () => harness.logs[harness.logs.length - 1];

const ID = '0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
const KEY = `uploads/${TEST_SUB}/2026/11/29/${ID}/holiday.png`;
const QUARANTINED = `quarantine/${TEST_SUB}/2026/11/29/${ID}/holiday.png`;

interface Signed {
  method: string;
  url: string;
}
interface ListAnswer {
  list: Signed;
  quarantined: Signed;
  expiresAt: string;
}
interface AccessAnswer {
  files: { key: string; get: Signed; tagging: Signed; delete: Signed }[];
  expiresAt: string;
}

function errorOf(response: CloudFrontResultResponse) {
  return (jsonBody(response) as { error: { code: string; message: string } }).error;
}
const list = (body: unknown = {}) => call(withBody(viewerRequest('presign-files'), body));
const access = (keys: unknown) => call(withBody(viewerRequest('presign-files-access'), { keys }));
const query = (url: string) => new URL(url).searchParams;

function pseudoRandomBytes(length: number): Buffer {
  const chunks: Buffer[] = [];
  let block = Buffer.from('edge-upload');
  for (let total = 0; total < length; total += block.length) chunks.push((block = createHash('sha256').update(block).digest()));
  return Buffer.concat(chunks).subarray(0, length);
}

describe('POST /presign/files', () => {
  it("answers the recorded event with a signed ListObjectsV2 for each of the caller's two prefixes", async () => {
    const response = await call(viewerRequest('presign-files'));
    expect(response).toMatchObject({ status: '200', bodyEncoding: 'text' });
    expect(header(response, 'cache-control')).toBe('no-store');
    const body = jsonBody(response) as ListAnswer;
    expect(body.expiresAt).toBe('2026-11-29T12:05:00Z');
    for (const [answer, prefix] of [
      [body.list, `uploads/${TEST_SUB}/`],
      [body.quarantined, `quarantine/${TEST_SUB}/`],
    ] as const) {
      expect(answer.method).toBe('GET');
      const url = new URL(answer.url);
      expect(`${url.origin}${url.pathname}`).toBe('https://acme-uploads.s3-accelerate.amazonaws.com/');
      expect(Object.fromEntries(url.searchParams)).toMatchObject({
        'list-type': '2',
        prefix,
        'max-keys': String(LIST_MAX_KEYS),
        'X-Amz-Expires': '300',
        'X-Amz-SignedHeaders': 'host',
        'X-Amz-Security-Token': TEST_CREDENTIALS.sessionToken,
      });
      expect(url.searchParams.has('continuation-token')).toBe(false);
    }
    expect(lastLog()).toMatchObject({ route: '/presign/files', status: 200 });
  });

  it('binds a continuation token into both URLs, escaped', async () => {
    const continuationToken = '1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=';
    const body = jsonBody(await list({ continuationToken })) as ListAnswer;
    for (const answer of [body.list, body.quarantined]) {
      expect(query(answer.url).get('continuation-token')).toBe(continuationToken);
      expect(answer.url).toContain('continuation-token=1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2Fwm36Hy4vbOwM%3D');
    }
    // radosgw's token is the last key itself.
    expect((await list({ continuationToken: KEY })).status).toBe('200');
  });

  it.each([
    ['a number', 42],
    ['empty', ''],
    ['too long', 'A'.repeat(1025)],
    ['a query separator', 'abc&prefix=uploads/'],
    ['a space', 'abc def'],
    ['a percent sign', 'abc%2F'],
    ['a newline', 'abc\ndef'],
  ])('refuses a continuation token that is %s with 400 INVALID_REQUEST', async (_what, continuationToken) => {
    const response = await list({ continuationToken });
    expect([response.status, errorOf(response).code]).toEqual(['400', 'INVALID_REQUEST']);
  });

  it('refuses a body that is not an object, asks for a token (401) and POST (405)', async () => {
    expect(errorOf(await list([])).code).toBe('INVALID_REQUEST');
    const anonymous = await harness.handler(withHeader(viewerRequest('presign-files'), 'Authorization', undefined));
    expect([anonymous.status, errorOf(anonymous).code]).toEqual(['401', 'UNAUTHORIZED']);
    const get = viewerRequest('presign-files');
    Object.assign(requestOf(get), { method: 'GET' });
    expect((await call(get)).status).toBe('405');
    expect(lastLog()).toMatchObject({ route: '/presign/files', status: 405 });
  });
});

describe('POST /presign/files/access', () => {
  it('answers the recorded event with get (as an attachment), tagging and delete URLs for the key', async () => {
    const response = await call(viewerRequest('presign-files-access'));
    expect(response).toMatchObject({ status: '200', bodyEncoding: 'text' });
    const body = jsonBody(response) as AccessAnswer;
    expect(body.expiresAt).toBe('2026-11-29T12:05:00Z');
    expect(body.files).toHaveLength(1);
    const [file] = body.files;
    expect(file?.key).toBe(KEY);
    const base = `https://acme-uploads.s3-accelerate.amazonaws.com/${KEY}`;
    expect([file?.get.method, file?.tagging.method, file?.delete.method]).toEqual(['GET', 'GET', 'DELETE']);
    for (const signed of [file!.get, file!.tagging, file!.delete]) expect(signed.url.startsWith(`${base}?`)).toBe(true);
    expect(query(file!.get.url).get('response-content-disposition')).toBe(
      `attachment; filename="holiday.png"; filename*=UTF-8''holiday.png`,
    );
    expect(query(file!.get.url).get('x-id')).toBe('GetObject');
    expect(query(file!.tagging.url).has('tagging')).toBe(true);
    expect(query(file!.delete.url).get('x-id')).toBe('DeleteObject');
    expect(query(file!.delete.url).get('X-Amz-Expires')).toBe('300');
    expect(lastLog()).toMatchObject({ route: '/presign/files/access', status: 200 });
  });

  it("accepts keys under the caller's quarantine prefix too, and several keys at once", async () => {
    const other = `uploads/${TEST_SUB}/2026/12/01/1b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d/report.pdf`;
    const body = jsonBody(await access([QUARANTINED, other, KEY])) as AccessAnswer;
    expect(body.files.map((file) => file.key)).toEqual([QUARANTINED, other, KEY]);
  });

  it('names a non-ASCII file safely: an ASCII fallback and the exact UTF-8 name (RFC 6266 / 5987)', async () => {
    const key = `uploads/${TEST_SUB}/2026/11/29/${ID}/Füße-日本.png`;
    const body = jsonBody(await access([key])) as AccessAnswer;
    const disposition = query(body.files[0]!.get.url).get('response-content-disposition');
    expect(disposition).toBe(`attachment; filename="F__e-__.png"; filename*=UTF-8''F%C3%BC%C3%9Fe-%E6%97%A5%E6%9C%AC.png`);
    expect(attachmentDisposition("a'b(c)*.png")).toBe(`attachment; filename="a_b_c__.png"; filename*=UTF-8''a%27b%28c%29%2A.png`);
  });

  const OTHER_SUB = '1c9a6f2c-1111-4222-8333-444455556666';
  const rest = `2026/11/29/${ID}/holiday.png`;
  const cyrillicSub = TEST_SUB.replace('a', '\u0430'); // Cyrillic а
  it.each([
    ["another user's prefix", `uploads/${OTHER_SUB}/${rest}`],
    ["another user's quarantine", `quarantine/${OTHER_SUB}/${rest}`],
    ["a sub that extends the caller's (sub vs sub2)", `uploads/${TEST_SUB}2/${rest}`],
    ["the caller's sub without the slash", `uploads/${TEST_SUB}${rest}`],
    ['the prefix alone', `uploads/${TEST_SUB}/`],
    ['another top-level prefix', `other/${TEST_SUB}/${rest}`],
    ['no prefix', rest],
    ['a leading slash', `/uploads/${TEST_SUB}/${rest}`],
    ['.. segments', `uploads/${TEST_SUB}/../${OTHER_SUB}/${rest}`],
    ['.. at the end', `uploads/${TEST_SUB}/2026/11/29/${ID}/..`],
    ['a dot segment', `uploads/${TEST_SUB}/./2026/11/29/${ID}/holiday.png`],
    ['.. inside the name', `uploads/${TEST_SUB}/2026/11/29/${ID}/a..png`],
    ['a percent-encoded slash', `uploads/${TEST_SUB}%2F..%2F${OTHER_SUB}/${rest}`],
    ['a percent-encoded slash in the name', `uploads/${TEST_SUB}/2026/11/29/${ID}/a%2F..%2Fx.png`],
    ['percent-encoded dots', `uploads/${TEST_SUB}/%2E%2E/${OTHER_SUB}/${rest}`],
    ['a backslash', `uploads/${TEST_SUB}/2026/11/29/${ID}/..\\x.png`],
    ['a fullwidth solidus in the name', `uploads/${TEST_SUB}/2026/11/29/${ID}/a\uff0f..\uff0fx.png`],
    ['a fullwidth solidus after the sub', `uploads/${TEST_SUB}\uff0f${rest}`],
    ['a sub with a Cyrillic letter', `uploads/${cyrillicSub}/${rest}`],
    ['the sub in upper case', `uploads/${TEST_SUB.toUpperCase()}/${rest}`],
    ['an upper-case prefix', `UPLOADS/${TEST_SUB}/${rest}`],
    ['an extra folder', `uploads/${TEST_SUB}/2026/11/29/${ID}/x/holiday.png`],
    ['a double slash', `uploads/${TEST_SUB}//2026/11/29/${ID}/holiday.png`],
    ['no upload id', `uploads/${TEST_SUB}/2026/11/29/holiday.png`],
    ['a NUL', `uploads/${TEST_SUB}/2026/11/29/${ID}/a\u0000.png`],
    ['a bidi override', `uploads/${TEST_SUB}/2026/11/29/${ID}/a\u202egnp.exe`],
    ['a name that is not NFC', `uploads/${TEST_SUB}/2026/11/29/${ID}/Cafe\u0301.png`],
    ['a leading dot', `uploads/${TEST_SUB}/2026/11/29/${ID}/.htaccess`],
    ['a name over 128 bytes', `uploads/${TEST_SUB}/2026/11/29/${ID}/${'a'.repeat(125)}.png`],
    ['over 1024 bytes', `uploads/${TEST_SUB}/${'a/'.repeat(600)}`],
  ])('refuses %s with 403 FORBIDDEN_KEY, without echoing the key', async (_what, key) => {
    const response = await access([KEY, key]);
    expect([response.status, errorOf(response).code]).toEqual(['403', 'FORBIDDEN_KEY']);
    expect(errorOf(response).message).toBe('keys[1] is not one of your files.');
    expect(lastLog()).toMatchObject({ route: '/presign/files/access', status: 403, code: 'FORBIDDEN_KEY' });
  });

  it.each([
    ['no keys', []],
    ['not a list', KEY],
    ['an empty key', [KEY, '']],
    ['a key that is not a string', [KEY, 7]],
    ['a repeated key', [KEY, KEY]],
    ['one key too many', Array.from({ length: MAX_KEYS_PER_ACCESS + 1 }, () => KEY)],
  ])('refuses %s with 400 INVALID_REQUEST', async (_what, keys) => {
    const response = await access(keys);
    expect([response.status, errorOf(response).code]).toEqual(['400', 'INVALID_REQUEST']);
  });

  it('accepts every key the key scheme builds for the caller, under either prefix', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 200, unit: 'grapheme' }),
        fc.uuid({ version: 4 }),
        fc.date({ min: new Date('2000-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }),
        (raw, id, now) => {
          let safeName: string;
          try {
            safeName = sanitizeFileName(raw, DEFAULT_UPLOAD_RULES.maxFileNameBytes).name;
          } catch {
            return; // not a usable name: no key is ever built from it
          }
          const key = buildObjectKey({ prefix: DEFAULT_UPLOAD_RULES.keyPrefix, sub: TEST_SUB, now, id, safeName });
          expect(ownFileName(key, TEST_SUB, DEFAULT_UPLOAD_RULES)).toBe(safeName);
          expect(
            ownFileName(`${QUARANTINE_PREFIX}${key.slice(DEFAULT_UPLOAD_RULES.keyPrefix.length)}`, TEST_SUB, DEFAULT_UPLOAD_RULES),
          ).toBe(safeName);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("uses the inspector's quarantine prefix", () => {
    expect(QUARANTINE_PREFIX).toBe(DEFAULT_QUARANTINE_PREFIX);
  });

  it(`the largest answer (${MAX_KEYS_PER_ACCESS} keys × 3 URLs, 1.1 KB session token) fits the 40 KB Lambda@Edge limit without gzip`, async () => {
    const sessionToken = `IQoJb3JpZ2luX2Vj${pseudoRandomBytes(816).toString('base64')}`;
    expect(sessionToken.length).toBeGreaterThanOrEqual(1100);
    const big = presignHarness({ key: harness.key, credentials: () => ({ ...TEST_CREDENTIALS, sessionToken }) });
    // The longest keys: 128-byte names of three-byte characters (each escapes to 9 URL characters, 12 in the disposition).
    const name = `${'日'.repeat(41)}.pdf`;
    const keys = Array.from(
      { length: MAX_KEYS_PER_ACCESS },
      (_, i) => `quarantine/${TEST_SUB}/2026/11/29/${ID.slice(0, -1)}${i.toString(16)}/${name}`,
    );
    const event = withHeader(withBody(viewerRequest('presign-files-access'), { keys }), 'Accept-Encoding', undefined);
    const response = await big.handler(withToken(event, token));
    expect(response).toMatchObject({ status: '200', bodyEncoding: 'text' });
    const headerBytes = Object.values(response.headers ?? {}).reduce(
      (sum, values) => sum + (values ?? []).reduce((s, h) => s + (h.key ?? '').length + h.value.length + 4, 0),
      0,
    );
    const total = Buffer.byteLength(response.body ?? '') + headerBytes;
    process.stdout.write(`largest files/access answer (${MAX_KEYS_PER_ACCESS} keys): ${total} bytes\n`);
    expect(total).toBeLessThanOrEqual(MAX_GENERATED_RESPONSE_BYTES);
    expect((jsonBody(response) as AccessAnswer).files).toHaveLength(MAX_KEYS_PER_ACCESS);
    expect(FIXED_NOW).toBeDefined();
  });
});
