/**
 * The rules of the two multipart routes (docs/large-files.md), called
 * directly after the shared checks: each refusal with its exact message (what
 * the client reads), the bounds of key, uploadId and parts, the order of the
 * checks (a malformed request is a 400 before any ticket is looked at), and
 * what a genuine ticket is held to. Each test starts its own upload.
 */
import { createHash, createHmac } from 'node:crypto';
import { parseEdgeConfig } from '../../../edge-functions/core/edge-config';
import { EdgeUploadError, InvalidTicketError } from '../../../edge-functions/core/errors';
import type { HttpResponse } from '../../../edge-functions/core/http-response';
import { signPartUrls, startMultipart } from '../../../edge-functions/core/multipart';
import { signTicket, type TicketClaims } from '../../../edge-functions/core/multipart-ticket';
import type { PresignDependencies } from '../../../edge-functions/core/presign-routes';
import { DEFAULT_UPLOAD_RULES, MiB } from '../../../edge-functions/core/upload-rules';
import { newSigningKey, TEST_CREDENTIALS, TEST_SUB, testEdgeConfig } from '../../support/tokens';

const config = parseEdgeConfig(testEdgeConfig(newSigningKey('multipart-rules')), 300);
const NOW = new Date('2026-11-29T12:00:00.000Z');
const ID = '0b9a6f2c-1111-4222-8333-444455556666';
const KEY = `uploads/${TEST_SUB}/2026/11/29/${ID}/talk.mp4`;
const UPLOAD_ID = '2~abcdefghijklmnopqrstuvwxyz012345';
const SIZE = 20 * MiB;

function deps(now: Date = NOW): PresignDependencies {
  return {
    config,
    rules: DEFAULT_UPLOAD_RULES,
    verifier: { verify: () => Promise.reject(new Error('the routes are called after the token check')) },
    credentials: () => TEST_CREDENTIALS,
    now: () => new Date(now.getTime()),
    newId: () => ID,
  };
}

interface Started {
  key: string;
  create: { method: string; url: string; headers: Record<string, string> };
  partSize: number;
  partCount: number;
  ticket: string;
  ticketExpiresAt: string;
}
interface Signed {
  parts: { partNumber: number; size: number; url: string; headers: Record<string, string> }[];
  complete: { method: string; url: string };
  list: { method: string; url: string };
  abort: { method: string; url: string };
}

/**
 * The SigV4 query signature S3 computes for `url` sent with `method` and
 * `headers` (UNSIGNED-PAYLOAD, the test credentials), written out here from
 * the AWS documentation so the test does not lean on the edge's own signer.
 */
function s3Signature(method: string, url: string, headers: Record<string, string> = {}): string {
  const { host, pathname, search } = new URL(url);
  const pairs = search
    .slice(1)
    .split('&')
    .filter((pair) => !pair.startsWith('X-Amz-Signature='))
    .map((pair) => (pair.includes('=') ? pair : `${pair}=`))
    .sort();
  const all: Record<string, string> = { host };
  for (const [name, value] of Object.entries(headers)) all[name.toLowerCase()] = value.trim();
  const names = Object.keys(all).sort();
  const canonical = [
    method,
    pathname,
    pairs.join('&'),
    ...names.map((name) => `${name}:${all[name]}`),
    '',
    names.join(';'),
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const params = new URL(url).searchParams;
  const date = params.get('X-Amz-Date')!;
  const scope = params.get('X-Amz-Credential')!.split('/').slice(1).join('/');
  const toSign = ['AWS4-HMAC-SHA256', date, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  const [day, region, service] = scope.split('/') as [string, string, string];
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${TEST_CREDENTIALS.secretAccessKey}`, day), region), service), 'aws4_request');
  return createHmac('sha256', signingKey).update(toSign).digest('hex');
}

/** The method S3 would accept `url` for: the one whose signature matches. */
function signedMethod(url: string, headers: Record<string, string> = {}): string | undefined {
  const given = new URL(url).searchParams.get('X-Amz-Signature');
  return ['GET', 'PUT', 'POST', 'DELETE', ''].find((method) => s3Signature(method, url, headers) === given);
}

const bodyOf = (response: HttpResponse): unknown => JSON.parse(response.body);

function start(file: Record<string, unknown> = { name: 'talk.mp4', size: SIZE, type: 'video/mp4' }, now: Date = NOW): Started {
  const response = startMultipart(JSON.stringify({ file }), { sub: TEST_SUB }, deps(now));
  expect(response.status).toBe(200);
  return bodyOf(response) as Started;
}

/** The parts body of a fresh 20 MiB upload (three parts), with `overrides` applied. */
function partsBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { key, ticket } = start();
  return { key, uploadId: UPLOAD_ID, ticket, parts: [{ partNumber: 1 }], ...overrides };
}

function signParts(body: unknown): Signed {
  const response = signPartUrls(typeof body === 'string' ? body : JSON.stringify(body), { sub: TEST_SUB }, deps());
  expect(response.status).toBe(200);
  return bodyOf(response) as Signed;
}

/** What the client is told (code and message) when `run` refuses; the ticket check's log reason too. */
function refusal(run: () => unknown): { code: string; message: string; reason?: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidTicketError) return { code: error.code, message: error.message, reason: error.reason };
    if (error instanceof EdgeUploadError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('accepted');
}

const refusalOfStart = (body: string) => refusal(() => startMultipart(body, { sub: TEST_SUB }, deps()));
const refusalOfParts = (body: unknown) =>
  refusal(() => signPartUrls(typeof body === 'string' ? body : JSON.stringify(body), { sub: TEST_SUB }, deps()));
const invalidRequest = (message: string) => ({ code: 'INVALID_REQUEST', message });
const TICKET_MESSAGE = 'The upload ticket is not valid for this upload; start the upload again.';

describe('POST /presign/multipart', () => {
  it('refuses a body that is not JSON', () => {
    expect(refusalOfStart('{"file":')).toEqual(invalidRequest('The body is not valid JSON.'));
  });

  it('refuses JSON that is not an object, naming the "file" object it needs', () => {
    expect(refusalOfStart('[{"name":"talk.mp4"}]')).toEqual(invalidRequest('The body must be a JSON object with a "file" object.'));
  });

  it('lets the ticket expire a day after the start, in whole seconds rounded down', () => {
    const started = start(undefined, new Date('2026-11-29T12:00:00.999Z'));
    expect(started.ticketExpiresAt).toBe('2026-11-30T12:00:00Z');
    const [, payload] = started.ticket.split('.');
    expect((JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as { exp: number }).exp).toBe(NOW.getTime() / 1000 + 86_400);
  });
});

describe('each URL is signed for its method: S3 refuses it under any other', () => {
  it('signs the create URL for POST, with its four headers', () => {
    const { create } = start();
    expect(create.method).toBe('POST');
    expect(signedMethod(create.url, create.headers)).toBe('POST');
  });

  it('signs each part URL for PUT, with its length and Content-MD5 as signed headers, as UploadPart', () => {
    const md5 = 'kQ4sWfQq8eDxKt1l9t1y6A==';
    const signed = signParts(partsBody({ parts: [{ partNumber: 1, md5 }, { partNumber: 3 }] }));
    const [first, last] = signed.parts;
    expect(signedMethod(first!.url, { 'content-length': String(8 * MiB), 'Content-MD5': md5 })).toBe('PUT');
    expect(signedMethod(last!.url, { 'content-length': String(4 * MiB) })).toBe('PUT');
    for (const part of signed.parts) expect(new URL(part.url).searchParams.get('x-id')).toBe('UploadPart');
  });

  it('signs the complete URL for POST, the list URL for GET and the abort URL for DELETE', () => {
    const signed = signParts(partsBody());
    expect([signed.complete.method, signedMethod(signed.complete.url)]).toEqual(['POST', 'POST']);
    expect([signed.list.method, signedMethod(signed.list.url)]).toEqual(['GET', 'GET']);
    expect([signed.abort.method, signedMethod(signed.abort.url)]).toEqual(['DELETE', 'DELETE']);
  });
});

describe('POST /presign/multipart/parts: the request', () => {
  it('refuses JSON that is not an object, naming the fields it needs', () => {
    expect(refusalOfParts('"parts"')).toEqual(
      invalidRequest('The body must be a JSON object with "key", "uploadId", "ticket" and "parts".'),
    );
  });

  it('refuses a body that is not JSON', () => {
    expect(refusalOfParts('{"key":')).toEqual(invalidRequest('The body is not valid JSON.'));
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['not a string', 7],
    ['1,025 characters long', `${KEY}${'x'.repeat(1025 - KEY.length)}`],
  ])('refuses a key that is %s with 400, before the ticket is checked', (_what, key) => {
    expect(refusalOfParts(partsBody({ key }))).toEqual(invalidRequest('"key" must be the key /presign/multipart returned.'));
  });

  it("takes a key of 1,024 characters as far as the ticket check (which then finds it is not the ticket's)", () => {
    const key = `${KEY}${'x'.repeat(1024 - KEY.length)}`;
    expect(refusalOfParts(partsBody({ key }))).toEqual({ code: 'INVALID_TICKET', message: TICKET_MESSAGE, reason: 'other-key' });
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['not a string', 123],
    ['257 characters long', 'u'.repeat(257)],
    ['holding a slash', 'abc/def'],
    ['holding a query separator', 'abc&x-id=PutObject'],
    ['holding a percent sign', 'abc%26'],
    ['holding a space', 'abc def'],
    ['ending in a newline', 'abc\n'],
  ])('refuses an uploadId that is %s with 400', (_what, uploadId) => {
    expect(refusalOfParts(partsBody({ uploadId }))).toEqual(invalidRequest('"uploadId" must be the UploadId S3 returned.'));
  });

  it.each([
    ["radosgw's form", '2~abcdefghijklmnopqrstuvwxyz012345'],
    ["AWS's alphabet", 'VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA.Az_-Zz09'],
    ['every unreserved character', 'AZaz09._~-'],
    ['a single character', 'x'],
    ['256 characters', 'u'.repeat(256)],
  ])('signs for an uploadId in %s, as a query parameter of every URL', (_what, uploadId) => {
    const signed = signParts(partsBody({ uploadId }));
    for (const url of [signed.parts[0]!.url, signed.complete.url, signed.list.url, signed.abort.url]) {
      expect(new URL(url).searchParams.get('uploadId')).toBe(uploadId);
    }
  });

  it.each([
    ['missing', undefined],
    ['a number', 42],
    ['an object', { ticket: 'x' }],
  ])('refuses a ticket that is %s with 400, not as an invalid ticket', (_what, ticket) => {
    expect(refusalOfParts(partsBody({ ticket }))).toEqual(invalidRequest('"ticket" must be the ticket /presign/multipart returned.'));
  });

  it.each([
    ['missing', undefined],
    ['empty', []],
    ['an object', { partNumber: 1 }],
    ['a string', '1'],
  ])('refuses parts that are %s with 400', (_what, parts) => {
    expect(refusalOfParts(partsBody({ parts }))).toEqual(invalidRequest('"parts" must list at least one part.'));
  });

  it('refuses more parts than maxPartsPerRequest, saying how many it got', () => {
    const max = DEFAULT_UPLOAD_RULES.maxPartsPerRequest;
    const parts = Array.from({ length: max + 1 }, (_, i) => ({ partNumber: i + 1 }));
    expect(refusalOfParts(partsBody({ parts }))).toEqual(invalidRequest(`At most ${max} parts per request; got ${max + 1}.`));
  });

  it.each([
    ['a number', 1],
    ['null', null],
    ['an array', [1]],
  ])('refuses a part that is %s, naming its index', (_what, part) => {
    expect(refusalOfParts(partsBody({ parts: [{ partNumber: 1 }, part] }))).toEqual(invalidRequest('parts[1] must be an object.'));
  });

  it.each([
    ['missing', undefined],
    ['0', 0],
    ['negative', -2],
    ['fractional', 1.5],
    ['text', '1'],
    ['past the safe integers', 2 ** 53],
  ])('refuses a partNumber that is %s, naming its index', (_what, partNumber) => {
    expect(refusalOfParts(partsBody({ parts: [{ partNumber: 2 }, { partNumber }] }))).toEqual(
      invalidRequest(`parts[1] needs a "partNumber" from 1 to the upload's part count.`),
    );
  });

  it('refuses a repeated part, naming the repeat and its index', () => {
    expect(refusalOfParts(partsBody({ parts: [{ partNumber: 3 }, { partNumber: 1 }, { partNumber: 3 }] }))).toEqual(
      invalidRequest('parts[2] repeats part 3.'),
    );
  });

  it('refuses an md5 that is not the base64 of 16 bytes, naming its index', () => {
    expect(refusalOfParts(partsBody({ parts: [{ partNumber: 1 }, { partNumber: 2, md5: 'not an md5' }] }))).toEqual(
      invalidRequest('parts[1] has an "md5" that is not the base64 of a 16-byte MD5 digest.'),
    );
  });

  it("refuses a part number past the ticket's part count, naming its index and the range", () => {
    expect(refusalOfParts(partsBody({ parts: [{ partNumber: 3 }, { partNumber: 4 }] }))).toEqual(
      invalidRequest('parts[1]: this upload has parts 1 to 3.'),
    );
  });

  it('checks the request before the ticket: a malformed part with a bad ticket is the 400', () => {
    expect(refusalOfParts(partsBody({ ticket: 'not a ticket', parts: [{ partNumber: 0 }] })).code).toBe('INVALID_REQUEST');
  });
});

describe('POST /presign/multipart/parts: what it signs', () => {
  it('signs part 1 to partCount, each of its exact length, the last the remainder', () => {
    const signed = signParts(partsBody({ parts: [{ partNumber: 3 }, { partNumber: 1 }, { partNumber: 2 }] }));
    expect(signed.parts.map(({ partNumber, size }) => [partNumber, size])).toEqual([
      [3, 4 * MiB],
      [1, 8 * MiB],
      [2, 8 * MiB],
    ]);
  });

  it('signs the complete URL as POST with the uploadId alone, and no signed header but host', () => {
    const url = new URL(signParts(partsBody()).complete.url);
    expect([...url.searchParams.keys()].filter((name) => !name.startsWith('X-Amz-'))).toEqual(['uploadId']);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
  });
});

describe('POST /presign/multipart/parts: a genuine ticket is held to what the start route issues', () => {
  const mint = (claims: Partial<TicketClaims>) =>
    signTicket(
      {
        sub: TEST_SUB,
        key: KEY,
        type: 'video/mp4',
        size: SIZE,
        partSize: 8 * MiB,
        partCount: 3,
        exp: NOW.getTime() / 1000 + 60,
        ...claims,
      },
      config.multipartTicketKeys,
    );

  it('refuses a partSize off the plan even when the part count matches the plan', () => {
    // 64 MiB plans 8 parts of 8 MiB; 9 MiB parts are also 8 of them.
    const ticket = mint({ size: 64 * MiB, partSize: 9 * MiB, partCount: 8 });
    expect(refusalOfParts({ key: KEY, uploadId: UPLOAD_ID, ticket, parts: [{ partNumber: 1 }] })).toEqual({
      code: 'INVALID_TICKET',
      message: TICKET_MESSAGE,
      reason: 'off-plan',
    });
  });

  it('finds no extension in a name without a dot, even one that spells an extension of the type', () => {
    const key = `uploads/${TEST_SUB}/2026/11/29/${ID}/mp4`;
    expect(refusalOfParts({ key, uploadId: UPLOAD_ID, ticket: mint({ key }), parts: [{ partNumber: 1 }] })).toEqual({
      code: 'INVALID_TICKET',
      message: TICKET_MESSAGE,
      reason: 'extension-not-of-type',
    });
  });

  it('accepts the ticket the start route issued for the same upload', () => {
    const ticket = mint({});
    expect(signParts({ key: KEY, uploadId: UPLOAD_ID, ticket, parts: [{ partNumber: 3 }] }).parts[0]!.size).toBe(4 * MiB);
  });
});
