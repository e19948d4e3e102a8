/**
 * Every request that is not a browser form is held to a real SigV4
 * verification by the guard, in front of a real s3rver (which itself checks
 * nothing): forged, wrongly keyed, expired, tampered or unsigned requests are
 * refused with S3's error XML and change nothing; the SDK signing with the
 * local keys (header auth, real payload hash or aws-chunked with a CRC32
 * trailer) and @aws-sdk/s3-request-presigner URLs (query auth) keep working.
 * Tampering is done after the SDK has signed (a middleware after its auth
 * step), so every refusal is of a request that was otherwise signed right.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { FinalizeHandler, FinalizeHandlerArguments, MetadataBearer } from '@smithy/types';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { type GuardStack, startGuardStack } from '../../../support/guard-stack';
import { send, xmlElement } from '../../../support/post-forms';

const BUCKET = 'edge-upload-local';
const REGION = 'us-east-1';
const credentials = { accessKeyId: 'AKIDLOCALGUARDSIGV41', secretAccessKey: 'local-guard-sigv4-secret-00000000000001' };
const ORIGINAL = Buffer.from('the original bytes');

let stack: GuardStack;
let tempDirectory: string;
let s3: S3Client;

function client(overrides: Partial<S3ClientConfig> = {}): S3Client {
  return stack.client(credentials, { maxAttempts: 1, ...overrides });
}

/** A client whose requests are changed by `tamper` after the SDK has signed them. */
function tamperingClient(
  tamper: (request: { headers: Record<string, string>; body?: unknown; path: string; query: Record<string, unknown> }) => void,
): S3Client {
  const made = client();
  made.middlewareStack.addRelativeTo(
    (next: FinalizeHandler<object, MetadataBearer>) => async (args: FinalizeHandlerArguments<object>) => {
      tamper((args as unknown as { request: Parameters<typeof tamper>[0] }).request);
      return next(args);
    },
    { relation: 'after', toMiddleware: 'awsAuthMiddleware', name: 'tamperAfterSigning', override: true },
  );
  return made;
}

beforeAll(async () => {
  stack = await startGuardStack({
    name: 'guard-sigv4',
    s3rver: { buckets: [{ name: BUCKET }] },
    guard: { credentials, region: REGION, allowedOrigins: [] },
  });
  ({ tempDirectory } = stack);
  s3 = client();
});

afterAll(async () => {
  await stack?.stop();
});

let counter = 0;
/** A fresh object holding ORIGINAL, stored through the guard by the SDK. */
async function victim(): Promise<string> {
  const key = `uploads/victim/2026/12/06/${++counter}/a.png`;
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: ORIGINAL, ContentType: 'image/png' }));
  return key;
}

async function content(key: string): Promise<Buffer | undefined> {
  try {
    const body = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body?.transformToByteArray();
    return Buffer.from(body ?? []);
  } catch {
    return undefined;
  }
}

const objectUrl = (key: string) => `${stack.guard.url}/${BUCKET}/${key}`;
const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('base64');

function expectRefusal(answer: { status: number; body: string; headers: Record<string, unknown> }, status: number, code: string): void {
  expect([answer.status, xmlElement(answer.body, 'Code')]).toEqual([status, code]);
  expect(answer.headers['content-type']).toBe('application/xml');
}

describe('forgeries measured against the old guard', () => {
  it('PUT …?X-Amz-Signature=x is refused 403 and the object is unchanged', async () => {
    const key = await victim();
    const answer = await send(`${objectUrl(key)}?X-Amz-Signature=x`, 'PUT', Buffer.from('planted'), { 'Content-Type': 'image/png' });
    expectRefusal(answer, 400, 'AuthorizationQueryParametersError');
    const forged =
      `${objectUrl(key)}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${credentials.accessKeyId}%2F20261206%2F${REGION}%2Fs3%2Faws4_request` +
      `&X-Amz-Date=${amzNow()}&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature=${'0'.repeat(64)}`;
    expectRefusal(
      await send(forged.replace('20261206', amzNow().slice(0, 8)), 'PUT', Buffer.from('planted')),
      403,
      'SignatureDoesNotMatch',
    );
    expect(await content(key)).toEqual(ORIGINAL);
  });

  it('a DELETE with a forged Authorization header is refused 403 and the object is still there', async () => {
    const key = await victim();
    const date = amzNow();
    const answer = await send(objectUrl(key), 'DELETE', undefined, {
      'x-amz-date': date,
      'x-amz-content-sha256': createHash('sha256').update('').digest('hex'),
      Authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${date.slice(0, 8)}/${REGION}/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${'ab'.repeat(32)}`,
    });
    expectRefusal(answer, 403, 'SignatureDoesNotMatch');
    expect(await content(key)).toEqual(ORIGINAL);
  });

  it('an unsigned DELETE, PUT or GET is refused 403 AccessDenied (the bucket is private)', async () => {
    const key = await victim();
    expectRefusal(await send(objectUrl(key), 'DELETE', undefined), 403, 'AccessDenied');
    expectRefusal(await send(objectUrl(key), 'PUT', Buffer.from('planted')), 403, 'AccessDenied');
    expectRefusal(await send(objectUrl(key), 'GET', undefined), 403, 'AccessDenied');
    expectRefusal(await send(`${stack.guard.url}/${BUCKET}?list-type=2`, 'GET', undefined), 403, 'AccessDenied');
    expect(await content(key)).toEqual(ORIGINAL);
  });
});

describe('header auth (the SDK)', () => {
  it('works for PutObject (payload hash), streamed PutObject (aws-chunked + CRC32 trailer), Head, Get, Delete', async () => {
    const key = await victim();
    const streamed = Buffer.alloc(200_000, 9);
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: Readable.from([streamed.subarray(0, 70_000), streamed.subarray(70_000)]),
        ContentLength: streamed.length,
        ContentType: 'image/png',
      }),
    );
    expect(await content(key)).toEqual(streamed); // the framing was taken off
    expect((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).ContentLength).toBe(streamed.length);
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await content(key)).toBeUndefined();
    expect(readdirSync(tempDirectory)).toEqual([]);
  });

  it('another secret for the same key id: 403 SignatureDoesNotMatch, for writes and reads', async () => {
    const key = await victim();
    const wrong = client({
      credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: 'not-the-local-secret-000000000000000000' },
    });
    await expect(wrong.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.from('planted') }))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(wrong.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
    });
    await expect(wrong.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    expect(await content(key)).toEqual(ORIGINAL);
  });

  it('an unknown key id: 403 InvalidAccessKeyId', async () => {
    const stranger = client({ credentials: { accessKeyId: 'SOMEONEELSE000000000', secretAccessKey: 'not-a-key-the-guard-knows' } });
    await expect(stranger.send(new GetObjectCommand({ Bucket: BUCKET, Key: await victim() }))).rejects.toMatchObject({
      name: 'InvalidAccessKeyId',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('a signed header changed after signing: 403, nothing stored', async () => {
    const key = await victim();
    const retyped = tamperingClient((request) => {
      request.headers['content-type'] = 'text/html';
    });
    await expect(
      retyped.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.from('<script>'), ContentType: 'image/png' })),
    ).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    expect(await content(key)).toEqual(ORIGINAL);
  });

  it('a signed header removed after signing: 403, nothing stored', async () => {
    const key = await victim();
    const stripped = tamperingClient((request) => {
      delete request.headers['x-amz-meta-userid'];
    });
    await expect(
      stripped.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.from('planted'), Metadata: { userid: 'victim' } })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    expect(await content(key)).toEqual(ORIGINAL);
  });

  it('an x-amz-* header added after signing: 403 AccessDenied (HeadersNotSigned)', async () => {
    const key = await victim();
    const added = tamperingClient((request) => {
      request.headers['x-amz-meta-userid'] = 'someone-else';
    });
    await expect(added.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.from('planted') }))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    expect(await content(key)).toEqual(ORIGINAL);
  });

  it('other bytes than the signed payload hash: 400 XAmzContentSHA256Mismatch, nothing stored', async () => {
    const key = await victim();
    const swapped = tamperingClient((request) => {
      request.body = Buffer.from('other bytes, same length!!');
      request.headers['content-length'] = String(27);
      delete request.headers['x-amz-checksum-crc32'];
      delete request.headers['x-amz-sdk-checksum-algorithm'];
    });
    // The checksum headers were signed: removing them alone is a 403; keep them, change only the body.
    const bodyOnly = tamperingClient((request) => {
      request.body = Buffer.from('other bytes, same length!!!');
    });
    await expect(
      swapped.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.from('the bytes that were signed') })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    await expect(
      bodyOnly.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.from('the bytes that were signed!') })),
    ).rejects.toMatchObject({ name: 'XAmzContentSHA256Mismatch', $metadata: { httpStatusCode: 400 } });
    expect(await content(key)).toEqual(ORIGINAL);
    expect(readdirSync(tempDirectory)).toEqual([]);
  });

  it("Content-MD5 that is not the body's: 400 BadDigest; a malformed one: 400 InvalidDigest; nothing stored", async () => {
    const key = await victim();
    const planted = Buffer.from('planted');
    await expect(
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: planted, ContentMD5: md5(Buffer.from('something else')) })),
    ).rejects.toMatchObject({ name: 'BadDigest', $metadata: { httpStatusCode: 400 } });
    await expect(
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: planted, ContentMD5: 'not-an-md5' })),
    ).rejects.toMatchObject({ name: 'InvalidDigest', $metadata: { httpStatusCode: 400 } });
    expect(await content(key)).toEqual(ORIGINAL);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: planted, ContentMD5: md5(planted) }));
    expect(await content(key)).toEqual(planted);
  });

  it("a CRC32 that is not the body's: 400 BadDigest; an unsigned checksum header: 403", async () => {
    const key = await victim();
    const claimed = Buffer.from('planted');
    const crc = crc32(claimed);
    const crcBase64 = Buffer.from([crc >>> 24, (crc >>> 16) & 255, (crc >>> 8) & 255, crc & 255]).toString('base64');
    // UNSIGNED-PAYLOAD: only the (signed) checksum header speaks for the body.
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: BUCKET, Key: key, ChecksumCRC32: crcBase64 }), {
      expiresIn: 300,
      unhoistableHeaders: new Set(['x-amz-checksum-crc32']),
    });
    expectRefusal(await send(url, 'PUT', Buffer.from('plantex'), { 'x-amz-checksum-crc32': crcBase64 }), 400, 'BadDigest');
    const unsignedUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn: 300 });
    expectRefusal(await send(unsignedUrl, 'PUT', claimed, { 'x-amz-checksum-crc32': crcBase64 }), 403, 'AccessDenied');
    expect(await content(key)).toEqual(ORIGINAL);
    expect((await send(url, 'PUT', claimed, { 'x-amz-checksum-crc32': crcBase64 })).status).toBe(200);
    expect(await content(key)).toEqual(claimed);
  });

  it('an X-Amz-Date more than 15 minutes off: 403 RequestTimeTooSkewed', async () => {
    const late = client({ systemClockOffset: -20 * 60 * 1000 });
    await expect(late.send(new HeadObjectCommand({ Bucket: BUCKET, Key: await victim() }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
    const answer = await send(objectUrl('x'), 'GET', undefined, {
      'x-amz-date': '20200101T000000Z',
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      Authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/20200101/${REGION}/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${'ab'.repeat(32)}`,
    });
    expectRefusal(answer, 403, 'RequestTimeTooSkewed');
  });
});

describe('query auth (presigned URLs)', () => {
  it('a presigned GET and PUT work; the PUT stores the bytes, Content-MD5 checked against them', async () => {
    const key = await victim();
    const get = await send(await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn: 60 }), 'GET', undefined);
    expect([get.status, get.body]).toEqual([200, ORIGINAL.toString()]);
    const bytes = Buffer.from('new bytes');
    // WHEN_REQUIRED: by default the SDK signs the CRC32 of an empty body into the URL, which S3 (and the guard) then holds the bytes to.
    const put = await getSignedUrl(
      client({ requestChecksumCalculation: 'WHEN_REQUIRED' }),
      new PutObjectCommand({ Bucket: BUCKET, Key: key, ContentMD5: md5(bytes) }),
      { expiresIn: 60, signableHeaders: new Set(['content-md5']) },
    );
    expectRefusal(await send(put, 'PUT', Buffer.from('new bytez'), { 'Content-MD5': md5(bytes) }), 400, 'BadDigest');
    expectRefusal(await send(put, 'PUT', bytes, { 'Content-MD5': md5(Buffer.from('new bytez')) }), 403, 'SignatureDoesNotMatch');
    expect(await content(key)).toEqual(ORIGINAL);
    expect((await send(put, 'PUT', bytes, { 'Content-MD5': md5(bytes) })).status).toBe(200);
    expect(await content(key)).toEqual(bytes);
  });

  it('an expired URL: 403 AccessDenied "Request has expired", nothing changed', async () => {
    const key = await victim();
    const url = await getSignedUrl(s3, new DeleteObjectCommand({ Bucket: BUCKET, Key: key }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 61_000),
    });
    const answer = await send(url, 'DELETE', undefined);
    expectRefusal(answer, 403, 'AccessDenied');
    expect(xmlElement(answer.body, 'Message')).toBe('Request has expired');
    expect(xmlElement(answer.body, 'X-Amz-Expires')).toBe('60');
    expect(await content(key)).toEqual(ORIGINAL);
  });

  it('a signed (unhoisted) header changed or left out: 403, nothing stored', async () => {
    const key = await victim();
    const url = await getSignedUrl(
      client({ requestChecksumCalculation: 'WHEN_REQUIRED' }),
      new PutObjectCommand({ Bucket: BUCKET, Key: key, ContentType: 'image/png', Metadata: { userid: 'victim' } }),
      {
        expiresIn: 60,
        signableHeaders: new Set(['content-type']),
        unhoistableHeaders: new Set(['x-amz-meta-userid']),
      },
    );
    expectRefusal(
      await send(url, 'PUT', Buffer.from('planted'), { 'Content-Type': 'text/html', 'x-amz-meta-userid': 'victim' }),
      403,
      'SignatureDoesNotMatch',
    );
    expectRefusal(
      await send(url, 'PUT', Buffer.from('planted'), { 'Content-Type': 'image/png', 'x-amz-meta-userid': 'mallory' }),
      403,
      'SignatureDoesNotMatch',
    );
    expectRefusal(await send(url, 'PUT', Buffer.from('planted'), { 'Content-Type': 'image/png' }), 403, 'AccessDenied');
    expect(await content(key)).toEqual(ORIGINAL);
    expect((await send(url, 'PUT', Buffer.from('accepted'), { 'Content-Type': 'image/png', 'x-amz-meta-userid': 'victim' })).status).toBe(
      200,
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect([head.ContentType, head.Metadata]).toEqual(['image/png', { userid: 'victim' }]);
  });

  it('the query changed after signing (another key, a parameter added): 403 SignatureDoesNotMatch', async () => {
    const key = await victim();
    const other = await victim();
    const url = await getSignedUrl(s3, new DeleteObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn: 60 });
    expectRefusal(await send(url.replace(key, other), 'DELETE', undefined), 403, 'SignatureDoesNotMatch');
    expectRefusal(await send(`${url}&versionId=1`, 'DELETE', undefined), 403, 'SignatureDoesNotMatch');
    expect(await content(other)).toEqual(ORIGINAL);
    expect(await content(key)).toEqual(ORIGINAL);
  });

  it('a query signature with an Authorization header too: 400 InvalidArgument', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: await victim() }), { expiresIn: 60 });
    expectRefusal(await send(url, 'GET', undefined, { Authorization: 'AWS4-HMAC-SHA256 Credential=x' }), 400, 'InvalidArgument');
  });
});

function amzNow(): string {
  return new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}
