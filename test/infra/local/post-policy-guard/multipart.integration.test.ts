/**
 * Multipart uploads through the guard (in front of a real s3rver), every
 * call made with a query-presigned URL from @aws-sdk/s3-request-presigner's
 * getSignedUrl, signed as the edge signs them: create with Content-Type,
 * x-amz-meta-userid and the two SSE-KMS headers as signed headers (not
 * hoisted), each part with its content-length (and content-md5) signed.
 * The upload's answers, S3's refusals, the stored object (bytes, multipart
 * ETag, metadata, SSE) and the disk left behind are checked.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { objectEndpoint, presignUrl } from '../../../../edge-functions/core/presigned-url';
import { type GuardStack, startGuardStack } from '../../../support/guard-stack';
import { send, xmlElement, type HttpAnswer } from '../../../support/post-forms';

const BUCKET = 'edge-upload-local';
const REGION = 'us-east-1';
const SITE = 'http://127.0.0.1:3000';
const credentials = { accessKeyId: 'AKIDLOCALGUARDMULTI1', secretAccessKey: 'local-guard-multipart-secret-000000000001' };
const MIB = 1024 * 1024;
const KMS_KEY = 'arn:aws:kms:us-east-1:111122223333:key/local-test-key';
const CREATE_HEADERS = {
  'Content-Type': 'video/mp4',
  'x-amz-meta-userid': 'user-1',
  'x-amz-server-side-encryption': 'aws:kms',
  'x-amz-server-side-encryption-aws-kms-key-id': KMS_KEY,
};

// Limits, not measurements: 15 MiB through the guard takes seconds on a busy machine.
jest.setTimeout(60_000);
let stack: GuardStack;
let multipartDirectory: string;
let s3: S3Client;

beforeAll(async () => {
  stack = await startGuardStack({
    name: 'guard-multipart',
    s3rver: { buckets: [{ name: BUCKET }] },
    guard: { credentials, region: REGION, allowedOrigins: [SITE] },
    multipartFolder: 'multipart',
  });
  ({ multipartDirectory } = stack);
  // WHEN_REQUIRED: otherwise the SDK signs the CRC32 of an empty body into every part URL (see the last test).
  s3 = stack.client(credentials, { maxAttempts: 1, requestChecksumCalculation: 'WHEN_REQUIRED' });
});

afterAll(async () => {
  await stack?.stop();
});

const md5 = (bytes: Buffer): string => createHash('md5').update(bytes).digest('base64');
const md5Hex = (bytes: Buffer): string => createHash('md5').update(bytes).digest('hex');
let counter = 0;
const newKey = (): string => `uploads/user-1/${Date.now()}-${(counter += 1)}/talk.mp4`;

async function createUrl(key: string, expiresIn = 300, signingDate?: Date): Promise<string> {
  return getSignedUrl(
    s3,
    new CreateMultipartUploadCommand({
      Bucket: BUCKET,
      Key: key,
      ContentType: 'video/mp4',
      Metadata: { userid: 'user-1' },
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: KMS_KEY,
    }),
    {
      expiresIn,
      ...(signingDate === undefined ? {} : { signingDate }),
      signableHeaders: new Set(['content-type']),
      unhoistableHeaders: new Set([
        'content-type',
        'x-amz-meta-userid',
        'x-amz-server-side-encryption',
        'x-amz-server-side-encryption-aws-kms-key-id',
      ]),
    },
  );
}

async function create(key: string): Promise<string> {
  const answer = await send(await createUrl(key), 'POST', undefined, CREATE_HEADERS);
  expect(answer.status).toBe(200);
  const uploadId = xmlElement(answer.body, 'UploadId');
  expect(uploadId).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return uploadId as string;
}

async function partUrl(
  key: string,
  uploadId: string,
  partNumber: number,
  bytes: Buffer,
  withMd5: boolean,
  expiresIn = 300,
  signingDate?: Date,
): Promise<string> {
  return getSignedUrl(
    s3,
    new UploadPartCommand({
      Bucket: BUCKET,
      Key: key,
      UploadId: uploadId,
      PartNumber: partNumber,
      ContentLength: bytes.length,
      ...(withMd5 ? { ContentMD5: md5(bytes) } : {}),
    }),
    {
      expiresIn,
      ...(signingDate === undefined ? {} : { signingDate }),
      signableHeaders: new Set(withMd5 ? ['content-length', 'content-md5'] : ['content-length']),
    },
  );
}

async function putPart(key: string, uploadId: string, partNumber: number, bytes: Buffer, withMd5 = true): Promise<HttpAnswer> {
  return send(await partUrl(key, uploadId, partNumber, bytes, withMd5), 'PUT', bytes, {
    'Content-Length': String(bytes.length),
    ...(withMd5 ? { 'Content-MD5': md5(bytes) } : {}),
  });
}

const completeBody = (parts: ReadonlyArray<{ n: number; etag: string }>): Buffer =>
  Buffer.from(
    `<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts.map((p) => `<Part><PartNumber>${p.n}</PartNumber><ETag>${p.etag}</ETag></Part>`).join('')}</CompleteMultipartUpload>`,
  );

async function complete(key: string, uploadId: string, parts: ReadonlyArray<{ n: number; etag: string }>): Promise<HttpAnswer> {
  const url = await getSignedUrl(s3, new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }), {
    expiresIn: 300,
  });
  return send(url, 'POST', completeBody(parts), { 'Content-Type': 'application/xml' });
}

async function list(key: string, uploadId: string): Promise<HttpAnswer> {
  return send(
    await getSignedUrl(s3, new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }), { expiresIn: 300 }),
    'GET',
    undefined,
  );
}

async function abort(key: string, uploadId: string): Promise<HttpAnswer> {
  return send(
    await getSignedUrl(s3, new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }), { expiresIn: 300 }),
    'DELETE',
    undefined,
  );
}

function expectRefusal(answer: HttpAnswer, status: number, code: string): void {
  expect([answer.status, xmlElement(answer.body, 'Code')]).toEqual([status, code]);
}

async function exists(key: string): Promise<boolean> {
  return s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).then(
    () => true,
    (error: { name?: string }) => {
      if (error.name === 'NotFound') return false;
      throw error;
    },
  );
}

const uploadFolders = (): string[] => readdirSync(multipartDirectory);

describe('a multipart upload through presigned URLs', () => {
  it('3 parts of 5 MiB and a remainder: listed, completed; the object has the bytes, the multipart ETag, type, owner and SSE', async () => {
    const key = newKey();
    const uploadId = await create(key);
    const parts = [randomBytes(5 * MIB), randomBytes(5 * MIB), randomBytes(5 * MIB), randomBytes(1234)];
    const etags: string[] = [];
    for (const [index, bytes] of parts.entries()) {
      const answer = await putPart(key, uploadId, index + 1, bytes, index % 2 === 0);
      expect(answer.status).toBe(200);
      expect(answer.headers.etag).toBe(`"${md5Hex(bytes)}"`);
      expect(answer.headers['x-amz-server-side-encryption']).toBe('aws:kms');
      etags.push(answer.headers.etag as string);
    }

    const listed = await list(key, uploadId);
    expect(listed.status).toBe(200);
    expect([...listed.body.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1]))).toEqual([1, 2, 3, 4]);
    expect([...listed.body.matchAll(/<Size>(\d+)<\/Size>/g)].map((m) => Number(m[1]))).toEqual(parts.map((p) => p.length));
    expect(xmlElement(listed.body, 'IsTruncated')).toBe('false');

    const done = await complete(
      key,
      uploadId,
      etags.map((etag, index) => ({ n: index + 1, etag })),
    );
    expect(done.status).toBe(200);
    const expectedEtag = `"${createHash('md5')
      .update(Buffer.concat(parts.map((p) => createHash('md5').update(p).digest())))
      .digest('hex')}-4"`;
    expect(xmlElement(done.body, 'ETag')).toBe(expectedEtag.replace(/"/g, '&quot;'));
    expect(xmlElement(done.body, 'Key')).toBe(key);

    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.ETag).toBe(expectedEtag);
    expect(head.ContentType).toBe('video/mp4');
    expect(head.Metadata).toEqual({ userid: 'user-1' });
    expect([head.ServerSideEncryption, head.SSEKMSKeyId]).toEqual(['aws:kms', KMS_KEY]);
    expect(head.ContentLength).toBe(15 * MIB + 1234);
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const bytes = Buffer.from(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(createHash('sha256').update(Buffer.concat(parts)).digest('hex'));

    // Completed: the upload is gone, on disk too.
    expect(uploadFolders()).not.toContain(uploadId);
    expectRefusal(await putPart(key, uploadId, 5, Buffer.from('late')), 404, 'NoSuchUpload');
    expectRefusal(await list(key, uploadId), 404, 'NoSuchUpload');
  });

  it('abort removes the parts; a later part, list or complete is NoSuchUpload', async () => {
    const key = newKey();
    const uploadId = await create(key);
    const bytes = Buffer.from('a small first part');
    const part = await putPart(key, uploadId, 1, bytes);
    expect(part.status).toBe(200);
    expect(readdirSync(join(multipartDirectory, uploadId))).toContain('part-1');
    const aborted = await abort(key, uploadId);
    expect(aborted.status).toBe(204);
    expect(uploadFolders()).not.toContain(uploadId);
    expectRefusal(await putPart(key, uploadId, 2, bytes), 404, 'NoSuchUpload');
    expectRefusal(await complete(key, uploadId, [{ n: 1, etag: part.headers.etag as string }]), 404, 'NoSuchUpload');
    expectRefusal(await abort(key, uploadId), 404, 'NoSuchUpload');
    expect(await exists(key)).toBe(false);
  });

  it('an upload id that was never issued, or for another key: NoSuchUpload', async () => {
    const key = newKey();
    const uploadId = await create(key);
    expectRefusal(await list(key, 'A'.repeat(43)), 404, 'NoSuchUpload');
    expectRefusal(await list(key, '..'), 404, 'NoSuchUpload');
    expectRefusal(await list(newKey(), uploadId), 404, 'NoSuchUpload');
    expect((await abort(key, uploadId)).status).toBe(204);
  });

  it('upload ids are unguessable: 256 random bits, never the same twice', async () => {
    const key = newKey();
    const ids = [await create(key), await create(key), await create(key)];
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(Buffer.from(id, 'base64url')).toHaveLength(32);
    for (const id of ids) await abort(key, id);
  });
});

describe('ListParts pages (part-number-marker, max-parts), as S3 answers them', () => {
  const partNumbers = (xml: string): number[] => [...xml.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1]));
  const page = (xml: string) => ({
    parts: partNumbers(xml),
    marker: xmlElement(xml, 'PartNumberMarker'),
    next: xmlElement(xml, 'NextPartNumberMarker'),
    max: xmlElement(xml, 'MaxParts'),
    truncated: xmlElement(xml, 'IsTruncated'),
  });
  /** The list URL as the edge signs it for a later page (edge-functions/core/multipart.ts): part-number-marker a signed parameter. */
  const edgeListUrl = (key: string, uploadId: string, marker: number): string =>
    presignUrl({
      endpoint: objectEndpoint(`${stack.guard.url}/${BUCKET}`),
      key,
      credentials: { ...credentials, sessionToken: undefined },
      region: REGION,
      now: new Date(),
      expiresSeconds: 300,
      method: 'GET',
      query: { uploadId, 'x-id': 'ListParts', 'part-number-marker': String(marker) },
      headers: {},
    });
  const listPage = async (key: string, uploadId: string, paging: { MaxParts?: number; PartNumberMarker?: string }) =>
    send(
      await getSignedUrl(s3, new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, ...paging }), { expiresIn: 300 }),
      'GET',
      undefined,
    );

  it('the edge-signed URL for the page after part 1 lists parts 2 and 3 only; a changed marker breaks its signature', async () => {
    const key = newKey();
    const uploadId = await create(key);
    for (const n of [1, 2, 3]) expect((await putPart(key, uploadId, n, randomBytes(100 + n))).status).toBe(200);

    const url = edgeListUrl(key, uploadId, 1);
    const answer = await send(url, 'GET', undefined);
    expect(answer.status).toBe(200);
    expect(page(answer.body)).toEqual({ parts: [2, 3], marker: '1', next: '3', max: '1000', truncated: 'false' });
    expect([...answer.body.matchAll(/<Size>(\d+)<\/Size>/g)].map((m) => Number(m[1]))).toEqual([102, 103]);

    expectRefusal(
      await send(url.replace('part-number-marker=1&', 'part-number-marker=0&'), 'GET', undefined),
      403,
      'SignatureDoesNotMatch',
    );
    await abort(key, uploadId);
  });

  it('max-parts cuts a page: IsTruncated and NextPartNumberMarker lead through every part, one page at a time', async () => {
    const key = newKey();
    const uploadId = await create(key);
    for (const n of [1, 3, 4, 7]) expect((await putPart(key, uploadId, n, randomBytes(10))).status).toBe(200);

    const pages: ReturnType<typeof page>[] = [];
    let marker: string | undefined;
    for (let i = 0; i < 5; i += 1) {
      const answer = await listPage(key, uploadId, { MaxParts: 2, ...(marker === undefined ? {} : { PartNumberMarker: marker }) });
      expect(answer.status).toBe(200);
      pages.push(page(answer.body));
      if (pages.at(-1)?.truncated !== 'true') break;
      marker = pages.at(-1)?.next;
    }
    expect(pages).toEqual([
      { parts: [1, 3], marker: '0', next: '3', max: '2', truncated: 'true' },
      { parts: [4, 7], marker: '3', next: '7', max: '2', truncated: 'false' },
    ]);
    // A marker between stored parts starts after it; past the last, an empty page.
    expect(page((await listPage(key, uploadId, { PartNumberMarker: '5' })).body).parts).toEqual([7]);
    expect(page((await listPage(key, uploadId, { PartNumberMarker: '7' })).body)).toMatchObject({ parts: [], truncated: 'false' });
    // More than 1,000 asked: the stand-in lists 1,000 at most (README: max-parts ≤ 1000).
    expect(page((await listPage(key, uploadId, { MaxParts: 5000 })).body)).toMatchObject({ parts: [1, 3, 4, 7], max: '1000' });
    expectRefusal(await listPage(key, uploadId, { PartNumberMarker: 'two' }), 400, 'InvalidArgument');
    await abort(key, uploadId);
  });
});

describe('what the signature binds', () => {
  it('a part of another length than signed: 403 SignatureDoesNotMatch, nothing kept', async () => {
    const key = newKey();
    const uploadId = await create(key);
    const signed = Buffer.alloc(1000, 1);
    const url = await partUrl(key, uploadId, 1, signed, false);
    const other = Buffer.alloc(999, 1);
    expectRefusal(await send(url, 'PUT', other, { 'Content-Length': String(other.length) }), 403, 'SignatureDoesNotMatch');
    expect(xmlElement((await list(key, uploadId)).body, 'Part')).toBeUndefined();
    expect((await send(url, 'PUT', signed, { 'Content-Length': String(signed.length) })).status).toBe(200);
    await abort(key, uploadId);
  });

  it('other bytes than the signed Content-MD5: 400 BadDigest, nothing kept', async () => {
    const key = newKey();
    const uploadId = await create(key);
    const signed = Buffer.alloc(1000, 1);
    const url = await partUrl(key, uploadId, 1, signed, true);
    const other = Buffer.alloc(1000, 2);
    expectRefusal(await send(url, 'PUT', other, { 'Content-Length': '1000', 'Content-MD5': md5(signed) }), 400, 'BadDigest');
    expectRefusal(await send(url, 'PUT', other, { 'Content-Length': '1000', 'Content-MD5': md5(other) }), 403, 'SignatureDoesNotMatch');
    expect(readdirSync(join(multipartDirectory, uploadId))).toEqual(['upload.json']);
    await abort(key, uploadId);
  });

  it('an expired URL, for create and for a part: 403 AccessDenied "Request has expired"', async () => {
    const key = newKey();
    const past = new Date(Date.now() - 120_000);
    const expiredCreate = await send(await createUrl(key, 60, past), 'POST', undefined, CREATE_HEADERS);
    expectRefusal(expiredCreate, 403, 'AccessDenied');
    expect(xmlElement(expiredCreate.body, 'Message')).toBe('Request has expired');
    const uploadId = await create(key);
    const bytes = Buffer.from('part');
    const expiredPart = await send(await partUrl(key, uploadId, 1, bytes, false, 60, past), 'PUT', bytes, { 'Content-Length': '4' });
    expectRefusal(expiredPart, 403, 'AccessDenied');
    await abort(key, uploadId);
  });

  it.each([
    ['type', { 'Content-Type': 'text/html' }],
    ['owner', { 'x-amz-meta-userid': 'user-2' }],
    ['encryption', { 'x-amz-server-side-encryption': 'AES256' }],
    ['KMS key', { 'x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:us-east-1:111122223333:key/other' }],
  ])('a changed create header (%s): 403 SignatureDoesNotMatch, no upload', async (_name, change) => {
    const key = newKey();
    const before = uploadFolders().length;
    expectRefusal(await send(await createUrl(key), 'POST', undefined, { ...CREATE_HEADERS, ...change }), 403, 'SignatureDoesNotMatch');
    expect(uploadFolders()).toHaveLength(before);
  });

  it('a create header left out: 403 AccessDenied (a signed header is missing)', async () => {
    const { 'x-amz-meta-userid': _owner, ...withoutOwner } = CREATE_HEADERS;
    expectRefusal(await send(await createUrl(newKey()), 'POST', undefined, withoutOwner), 403, 'AccessDenied');
  });
});

describe('complete: S3 checks', () => {
  async function twoParts(): Promise<{ key: string; uploadId: string; etags: string[] }> {
    const key = newKey();
    const uploadId = await create(key);
    const etags = [];
    for (const [index, size] of [5 * MIB, 10].entries())
      etags.push((await putPart(key, uploadId, index + 1, randomBytes(size))).headers.etag as string);
    return { key, uploadId, etags };
  }

  it('parts uploaded out of order are fine; listed in order; a complete list out of order: 400 InvalidPartOrder', async () => {
    const key = newKey();
    const uploadId = await create(key);
    const second = randomBytes(100);
    const first = randomBytes(5 * MIB);
    const e2 = (await putPart(key, uploadId, 2, second)).headers.etag as string;
    const e1 = (await putPart(key, uploadId, 1, first)).headers.etag as string;
    expect([...(await list(key, uploadId)).body.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => m[1])).toEqual(['1', '2']);
    expectRefusal(
      await complete(key, uploadId, [
        { n: 2, etag: e2 },
        { n: 1, etag: e1 },
      ]),
      400,
      'InvalidPartOrder',
    );
    expect(await exists(key)).toBe(false);
    expect(
      (
        await complete(key, uploadId, [
          { n: 1, etag: e1 },
          { n: 2, etag: e2 },
        ])
      ).status,
    ).toBe(200);
    expect(await exists(key)).toBe(true);
  });

  it('a wrong ETag, or a part never uploaded: 400 InvalidPart', async () => {
    const { key, uploadId, etags } = await twoParts();
    expectRefusal(
      await complete(key, uploadId, [
        { n: 1, etag: etags[0] as string },
        { n: 2, etag: `"${'0'.repeat(32)}"` },
      ]),
      400,
      'InvalidPart',
    );
    expectRefusal(
      await complete(key, uploadId, [
        { n: 1, etag: etags[0] as string },
        { n: 3, etag: etags[1] as string },
      ]),
      400,
      'InvalidPart',
    );
    expect(await exists(key)).toBe(false);
    await abort(key, uploadId);
  });

  it('a part other than the last under 5 MiB: 400 EntityTooSmall', async () => {
    const key = newKey();
    const uploadId = await create(key);
    const e1 = (await putPart(key, uploadId, 1, randomBytes(5 * MIB - 1))).headers.etag as string;
    const e2 = (await putPart(key, uploadId, 2, randomBytes(10))).headers.etag as string;
    const answer = await complete(key, uploadId, [
      { n: 1, etag: e1 },
      { n: 2, etag: e2 },
    ]);
    expectRefusal(answer, 400, 'EntityTooSmall');
    expect(xmlElement(answer.body, 'MinSizeAllowed')).toBe(String(5 * MIB));
    // The last part alone may be small.
    expect((await complete(key, uploadId, [{ n: 2, etag: e2 }])).status).toBe(200);
  });

  it('a body that is not the CompleteMultipartUpload document, or lists no part: 400 MalformedXML', async () => {
    const { key, uploadId } = await twoParts();
    const url = await getSignedUrl(s3, new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }), {
      expiresIn: 300,
    });
    for (const body of [
      '<CompleteMultipartUpload></CompleteMultipartUpload>',
      'not xml',
      '<CompleteMultipartUpload><Part><PartNumber>x</PartNumber><ETag>"a"</ETag></Part></CompleteMultipartUpload>',
    ]) {
      expectRefusal(await send(url, 'POST', Buffer.from(body)), 400, 'MalformedXML');
    }
    await abort(key, uploadId);
  });

  it('a part number outside 1..10000: 400 InvalidArgument', async () => {
    const key = newKey();
    const uploadId = await create(key);
    expectRefusal(await putPart(key, uploadId, 10001, Buffer.from('x')), 400, 'InvalidArgument');
    await abort(key, uploadId);
  });
});

describe('CORS for the browser', () => {
  it.each(['PUT', 'POST', 'DELETE', 'GET'])('a %s preflight from the site: 200, the signed headers allowed', async (method) => {
    const answer = await send(`${stack.guard.url}/${BUCKET}/uploads/x?uploadId=abc`, 'OPTIONS', undefined, {
      Origin: SITE,
      'Access-Control-Request-Method': method,
      'Access-Control-Request-Headers': 'content-type,content-md5,x-amz-meta-userid,x-amz-server-side-encryption',
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe(SITE);
    expect(String(answer.headers['access-control-allow-methods'])).toContain(method);
    expect(answer.headers['access-control-allow-headers']).toBe('content-type,content-md5,x-amz-meta-userid,x-amz-server-side-encryption');
  });

  it('a preflight from another origin: 403', async () => {
    const answer = await send(`${stack.guard.url}/${BUCKET}/uploads/x`, 'OPTIONS', undefined, {
      Origin: 'http://evil.test',
      'Access-Control-Request-Method': 'PUT',
    });
    expect(answer.status).toBe(403);
  });

  it('a part answer exposes its ETag to the site; refusals carry CORS too', async () => {
    const key = newKey();
    const uploadId = await create(key);
    const bytes = Buffer.from('browser part');
    const answer = await send(await partUrl(key, uploadId, 1, bytes, false), 'PUT', bytes, {
      'Content-Length': String(bytes.length),
      Origin: SITE,
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe(SITE);
    expect(String(answer.headers['access-control-expose-headers'])).toContain('ETag');
    const refused = await send(await partUrl(key, 'B'.repeat(43), 1, bytes, false), 'PUT', bytes, {
      'Content-Length': String(bytes.length),
      Origin: SITE,
    });
    expectRefusal(refused, 404, 'NoSuchUpload');
    expect(refused.headers['access-control-allow-origin']).toBe(SITE);
    await abort(key, uploadId);
  });
});

it('a part URL from a client with the default checksum setting carries the CRC32 of an empty body: 400 BadDigest, as S3 answers', async () => {
  const key = newKey();
  const uploadId = await create(key);
  const defaults = stack.client(credentials, { maxAttempts: 1 });
  const bytes = Buffer.from('not empty');
  const url = await getSignedUrl(
    defaults,
    new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 1, ContentLength: bytes.length }),
    {
      expiresIn: 300,
      signableHeaders: new Set(['content-length']),
    },
  );
  defaults.destroy();
  expect(url).toContain('x-amz-checksum-crc32=AAAAAA%3D%3D');
  expectRefusal(await send(url, 'PUT', bytes, { 'Content-Length': String(bytes.length) }), 400, 'BadDigest');
  await abort(key, uploadId);
});
