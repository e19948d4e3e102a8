/**
 * The rules of "your files" (edge-functions/core/user-files.ts), called
 * directly: the exact refusals of each route, what each signed URL commits
 * the browser to (method, query, signature, expiry), and the key scheme that
 * decides which keys are the caller's own, at its exact bounds. The handler's
 * suite (test/edge-functions/presign/user-files-handler.test.ts) holds the
 * same routes through recorded events and a list of hostile keys.
 */
import { parseEdgeConfig } from '../../../edge-functions/core/edge-config';
import { EdgeUploadError, ForbiddenKeyError, InvalidRequestError } from '../../../edge-functions/core/errors';
import type { HttpResponse } from '../../../edge-functions/core/http-response';
import type { PresignDependencies } from '../../../edge-functions/core/presign-routes';
import { objectEndpoint, presignUrl, type UrlRequest } from '../../../edge-functions/core/presigned-url';
import { createTokenVerifier } from '../../../edge-functions/core/token-verifier';
import { DEFAULT_UPLOAD_RULES } from '../../../edge-functions/core/upload-rules';
import {
  attachmentDisposition,
  MAX_KEYS_PER_ACCESS,
  ownFileName,
  ownPrefixes,
  schemeFileName,
  signFileAccess,
  signFileList,
} from '../../../edge-functions/core/user-files';
import { newSigningKey, TEST_CREDENTIALS, TEST_SUB, testEdgeConfig } from '../../support/tokens';

const config = parseEdgeConfig(testEdgeConfig(newSigningKey('user-files-rules')), 300);
const NOW = new Date('2026-11-29T12:00:00.000Z');
const ID = '0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
const REST = `2026/11/29/${ID}/holiday.png`;
const KEY = `uploads/${TEST_SUB}/${REST}`;
const RULES = DEFAULT_UPLOAD_RULES;

const deps: PresignDependencies = {
  config,
  rules: RULES,
  verifier: createTokenVerifier(config, { fetcher: { fetch: async () => Promise.reject(new Error('network is off in tests')) } }),
  credentials: () => TEST_CREDENTIALS,
  now: () => NOW,
  newId: () => ID,
};
const claims = { sub: TEST_SUB };

/** The URL the route must hand out for `request` on `key`, signed the way presigned-url.ts signs (its own rules suite pins that). */
function expectedUrl(key: string, request: UrlRequest): string {
  return presignUrl({
    endpoint: objectEndpoint(config.uploadUrl),
    key,
    credentials: TEST_CREDENTIALS,
    region: 'eu-west-1',
    now: NOW,
    expiresSeconds: 300,
    ...request,
  });
}

function refusal(run: () => HttpResponse): EdgeUploadError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EdgeUploadError);
    return error as EdgeUploadError;
  }
  throw new Error('expected the request to be refused');
}

const list = (body: unknown) => signFileList(JSON.stringify(body), claims, deps);
const access = (keys: unknown) => signFileAccess(JSON.stringify({ keys }), claims, deps);

describe('POST /presign/files', () => {
  it("signs a ListObjectsV2 GET of 100 keys for each of the caller's two prefixes, valid for the policy TTL", () => {
    const response = list({});
    expect(response.status).toBe(200);
    const query = (prefix: string) => ({ 'list-type': '2', 'max-keys': '100', prefix });
    expect(JSON.parse(response.body)).toStrictEqual({
      list: { method: 'GET', url: expectedUrl('', { method: 'GET', query: query(`uploads/${TEST_SUB}/`), headers: {} }) },
      quarantined: { method: 'GET', url: expectedUrl('', { method: 'GET', query: query(`quarantine/${TEST_SUB}/`), headers: {} }) },
      expiresAt: '2026-11-29T12:05:00Z',
    });
  });

  it('binds a continuation token into both signed lists', () => {
    const continuationToken = 'a+b/c=d._~-';
    const { list: uploads, quarantined } = JSON.parse(list({ continuationToken }).body) as Record<string, { url: string }>;
    const query = (prefix: string) => ({ 'list-type': '2', 'max-keys': '100', prefix, 'continuation-token': continuationToken });
    expect(uploads?.url).toBe(expectedUrl('', { method: 'GET', query: query(`uploads/${TEST_SUB}/`), headers: {} }));
    expect(quarantined?.url).toBe(expectedUrl('', { method: 'GET', query: query(`quarantine/${TEST_SUB}/`), headers: {} }));
  });

  it.each([
    ['one character', 'a'],
    ['exactly 1024 characters', 'A'.repeat(1024)],
    ['letters and digits of any script', 'Füße日本123٣'],
    ['a combining mark', 'e\u0301'],
    ['a key as radosgw sends it', KEY],
  ])('accepts a continuation token of %s', (_label, continuationToken) => {
    expect(list({ continuationToken }).status).toBe(200);
  });

  it.each([
    ['null', null],
    ['a number', 7],
    ['empty', ''],
    ['1025 characters', 'A'.repeat(1025)],
    ['a space inside', 'a b'],
    ['a leading space', ' ab'],
    ['a trailing space', 'ab '],
    ['a query separator', 'a&b'],
  ])('refuses a continuation token that is %s, saying what it must be', (_label, continuationToken) => {
    const error = refusal(() => list({ continuationToken }));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.message).toBe('"continuationToken" must be the NextContinuationToken S3 returned.');
  });

  it('refuses a body that is not JSON, or not an object, saying which', () => {
    expect(refusal(() => signFileList('{', claims, deps)).message).toBe('The body is not valid JSON.');
    expect(refusal(() => list([])).message).toBe('The body must be a JSON object, optionally with a "continuationToken".');
    expect(refusal(() => list(null)).message).toBe('The body must be a JSON object, optionally with a "continuationToken".');
  });
});

describe('POST /presign/files/access', () => {
  it('signs, per key, a GetObject as an attachment, a GetObjectTagging and a DeleteObject, valid for the policy TTL', () => {
    const quarantined = `quarantine/${TEST_SUB}/2026/11/30/${ID}/report.pdf`;
    const response = access([KEY, quarantined]);
    expect(response.status).toBe(200);
    const filesOf = (key: string, name: string) => ({
      key,
      get: {
        method: 'GET',
        url: expectedUrl(key, {
          method: 'GET',
          query: { 'response-content-disposition': attachmentDisposition(name), 'x-id': 'GetObject' },
          headers: {},
        }),
      },
      tagging: { method: 'GET', url: expectedUrl(key, { method: 'GET', query: { tagging: '' }, headers: {} }) },
      delete: { method: 'DELETE', url: expectedUrl(key, { method: 'DELETE', query: { 'x-id': 'DeleteObject' }, headers: {} }) },
    });
    expect(JSON.parse(response.body)).toStrictEqual({
      files: [filesOf(KEY, 'holiday.png'), filesOf(quarantined, 'report.pdf')],
      expiresAt: '2026-11-29T12:05:00Z',
    });
  });

  it(`accepts exactly ${MAX_KEYS_PER_ACCESS} keys and refuses one more, naming the limit and the count`, () => {
    const keys = Array.from({ length: MAX_KEYS_PER_ACCESS + 1 }, (_, i) => `uploads/${TEST_SUB}/2026/11/29/${ID.slice(0, -1)}${i}/a.png`);
    expect(access(keys.slice(0, MAX_KEYS_PER_ACCESS)).status).toBe(200);
    const error = refusal(() => access(keys));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.message).toBe(`At most 5 keys per request; got 6.`);
  });

  it.each([
    ['no keys', []],
    ['keys that are not a list', KEY],
    ['no "keys" at all', undefined],
  ])('refuses %s: at least one key', (_label, keys) => {
    const error = refusal(() => access(keys));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.message).toBe('"keys" must list at least one key.');
  });

  it.each([
    ['empty', ''],
    ['a number', 7],
    ['null', null],
  ])('refuses a key that is %s as a malformed request, naming its index', (_label, key) => {
    const error = refusal(() => access([KEY, key]));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.message).toBe('keys[1] must be a non-empty string.');
  });

  it('refuses a key given twice, naming the repeat', () => {
    const other = `quarantine/${TEST_SUB}/${REST}`;
    const error = refusal(() => access([KEY, other, KEY]));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.message).toBe('keys[2] repeats an earlier key.');
  });

  it("refuses a key that is not the caller's as FORBIDDEN_KEY, naming its index and not the key", () => {
    const error = refusal(() => access([KEY, `uploads/someone-else/${REST}`]));
    expect(error).toBeInstanceOf(ForbiddenKeyError);
    expect(error.message).toBe('keys[1] is not one of your files.');
  });

  it('refuses a body that is not JSON, or not an object, saying which', () => {
    expect(refusal(() => signFileAccess('{', claims, deps)).message).toBe('The body is not valid JSON.');
    expect(refusal(() => signFileAccess('["keys"]', claims, deps)).message).toBe('The body must be a JSON object with "keys".');
  });
});

describe('ownFileName and schemeFileName: the key scheme', () => {
  const ownPrefix = `uploads/${TEST_SUB}/`;

  it("names the caller's two prefixes, each closed by a slash right after the sub", () => {
    expect(ownPrefixes(TEST_SUB, RULES)).toEqual([ownPrefix, `quarantine/${TEST_SUB}/`]);
  });

  it('returns the file name of a key of the scheme, under either prefix', () => {
    expect(ownFileName(KEY, TEST_SUB, RULES)).toBe('holiday.png');
    expect(ownFileName(`quarantine/${TEST_SUB}/${REST}`, TEST_SUB, RULES)).toBe('holiday.png');
    expect(schemeFileName(KEY, ownPrefix, RULES)).toBe('holiday.png');
  });

  it('refuses with the index 0 when none is given', () => {
    expect(() => ownFileName(`uploads/x/${REST}`, TEST_SUB, RULES)).toThrow(new ForbiddenKeyError('keys[0] is not one of your files.'));
  });

  it('holds a key to the prefix it is given, even one of the same length', () => {
    const sameLength = `uploads/${'f'.repeat(TEST_SUB.length)}/${REST}`;
    expect(schemeFileName(sameLength, ownPrefix, RULES)).toBeUndefined();
    expect(schemeFileName(KEY, `quarantine/${TEST_SUB}/`, RULES)).toBeUndefined();
  });

  it.each(['undefined', 'null', '', 'uploads'])(
    'refuses a key of the scheme under %j instead of an own prefix as FORBIDDEN_KEY, never another error',
    (start) => {
      expect(() => ownFileName(`${start}${REST}`, TEST_SUB, RULES)).toThrow(ForbiddenKeyError);
    },
  );

  it('refuses a key that ends with an own prefix rather than starting with it', () => {
    expect(() => ownFileName(`${REST}/${ownPrefix}`, TEST_SUB, RULES)).toThrow(ForbiddenKeyError);
  });

  // S3's limit is 1024 UTF-8 bytes; only a very long sub or prefix comes near it.
  const keyOfBytes = (sub: string) => `uploads/${sub}/${REST}`;
  const asciiSub = 'u'.repeat(1024 - keyOfBytes('').length);

  it("accepts a key of exactly S3's 1024 bytes and refuses one of 1025", () => {
    expect(Buffer.byteLength(keyOfBytes(asciiSub))).toBe(1024);
    expect(ownFileName(keyOfBytes(asciiSub), asciiSub, RULES)).toBe('holiday.png');
    expect(schemeFileName(keyOfBytes(asciiSub), `uploads/${asciiSub}/`, RULES)).toBe('holiday.png');
    const over = `${asciiSub}u`;
    expect(() => ownFileName(keyOfBytes(over), over, RULES)).toThrow(ForbiddenKeyError);
    expect(schemeFileName(keyOfBytes(over), `uploads/${over}/`, RULES)).toBeUndefined();
  });

  it('counts the limit in UTF-8 bytes, not characters', () => {
    const fits = 'ü'.repeat((1024 - keyOfBytes('').length) / 2);
    expect(Buffer.byteLength(keyOfBytes(fits))).toBe(1024);
    expect(ownFileName(keyOfBytes(fits), fits, RULES)).toBe('holiday.png');
    const over = `${fits}ü`;
    expect(keyOfBytes(over).length).toBeLessThan(1024);
    expect(() => ownFileName(keyOfBytes(over), over, RULES)).toThrow(ForbiddenKeyError);
    expect(schemeFileName(keyOfBytes(over), `uploads/${over}/`, RULES)).toBeUndefined();
  });

  it('accepts a name of exactly the rules’ byte limit and refuses one byte more', () => {
    const name = (bytes: number) => `${'é'.repeat((bytes - 4) / 2)}.png`;
    expect(Buffer.byteLength(name(RULES.maxFileNameBytes))).toBe(RULES.maxFileNameBytes);
    expect(schemeFileName(`${ownPrefix}2026/11/29/${ID}/${name(RULES.maxFileNameBytes)}`, ownPrefix, RULES)).toBe(
      name(RULES.maxFileNameBytes),
    );
    const longer = `${name(RULES.maxFileNameBytes).slice(0, -4)}a.png`;
    expect(Buffer.byteLength(longer)).toBe(RULES.maxFileNameBytes + 1);
    expect(schemeFileName(`${ownPrefix}2026/11/29/${ID}/${longer}`, ownPrefix, RULES)).toBeUndefined();
    expect(schemeFileName(`${ownPrefix}2026/11/29/${ID}/${longer}`, ownPrefix, { ...RULES, maxFileNameBytes: 129 })).toBe(longer);
  });

  it.each([
    ['a digit', '1.png'],
    ['a letter of any script', 'ž.png'],
    ['a name without extension', 'README'],
    ['dashes, underscores and single dots inside', 'a-b_c.d.png'],
  ])('accepts a name that starts with %s', (_label, name) => {
    expect(schemeFileName(`${ownPrefix}2026/11/29/${ID}/${name}`, ownPrefix, RULES)).toBe(name);
  });

  it.each([
    ['starts with a dash', '-a.png'],
    ['starts with an underscore', '_a.png'],
    ['starts with a dot', '.a.png'],
    ['holds a space', 'a b.png'],
    ['holds a colon', 'a:b.png'],
    ['ends with ..', 'a..'],
    ['is empty', ''],
  ])('refuses a name that %s', (_label, name) => {
    expect(schemeFileName(`${ownPrefix}2026/11/29/${ID}/${name}`, ownPrefix, RULES)).toBeUndefined();
  });

  it.each([
    ['a two-digit year', `26/11/29/${ID}/a.png`],
    ['a five-digit year', `20266/11/29/${ID}/a.png`],
    ['a one-digit month', `2026/1/29/${ID}/a.png`],
    ['a three-digit day', `2026/11/290/${ID}/a.png`],
    ['letters for the date', `yyyy/mm/dd/${ID}/a.png`],
    ['an upper-case upload id', `2026/11/29/${ID.toUpperCase()}/a.png`],
    ['an upload id of version 1', `2026/11/29/${ID.replace('-4a5b-', '-1a5b-')}/a.png`],
    ['an upload id of another variant', `2026/11/29/${ID.replace('-8c6d-', '-cc6d-')}/a.png`],
    ['an upload id one digit short', `2026/11/29/${ID.slice(1)}/a.png`],
    ['an upload id one digit long', `2026/11/29/0${ID}/a.png`],
    ['no name after the id', `2026/11/29/${ID}/`],
    ['junk before the date', `x2026/11/29/${ID}/a.png`],
  ])('refuses a key with %s', (_label, rest) => {
    expect(schemeFileName(`${ownPrefix}${rest}`, ownPrefix, RULES)).toBeUndefined();
  });

  it('accepts each variant digit of the upload id, 8, 9, a and b', () => {
    for (const variant of ['8', '9', 'a', 'b']) {
      const id = ID.replace('-8c6d-', `-${variant}c6d-`);
      expect(schemeFileName(`${ownPrefix}2026/11/29/${id}/a.png`, ownPrefix, RULES)).toBe('a.png');
    }
  });
});

describe('attachmentDisposition', () => {
  it('gives the name twice: an ASCII fallback in quotes and the exact UTF-8 name escaped', () => {
    expect(attachmentDisposition('Füße 1.png')).toBe(`attachment; filename="F__e_1.png"; filename*=UTF-8''F%C3%BC%C3%9Fe%201.png`);
    expect(attachmentDisposition('a-b_c.d')).toBe(`attachment; filename="a-b_c.d"; filename*=UTF-8''a-b_c.d`);
  });
});
