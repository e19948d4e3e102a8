/**
 * The EDGE's own multipart URLs held against a real S3 implementation (Ceph
 * radosgw, SSE-KMS with its testing key store): the built presign bundle
 * (dist/edge-functions/presign/index.js, beside a config.json pointing at
 * radosgw path-style) answers POST /presign/multipart and
 * /presign/multipart/parts, and what it signs is sent to radosgw exactly as a
 * browser would. Untouched: created, parts stored, listed, completed, stored
 * with type, owner and SSE-KMS, byte-identical; the list URL for the page
 * after a marker lists only that page. Changed: a create header
 * (type, owner, encryption), a part of another length (URL without MD5), a
 * part with other bytes (URL with MD5), an expired URL: each refused, nothing
 * kept. Abort through its signed URL. Without radosgw installed the cases
 * are skipped with a warning (CI installs it).
 *
 * The answer's part entries carry no method (docs/http-api.md: the client
 * PUTs each part, as the site does); the create, complete, list and abort
 * entries do. A part sent without a method goes out as Node's default GET,
 * and S3 signs the method (the first line of the canonical request): radosgw
 * answered such a part 403 SignatureDoesNotMatch, which this suite once took
 * for a signing difference between the edge and getSignedUrl.
 */
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { viewerRequest, withBody, withToken } from '../../support/lambda-edge-events';
import { freePort, pathStyleClient } from '../../support/local-s3';
import { send, xmlElement, type HttpAnswer } from '../../support/post-forms';
import { type BundleHandler as Handler, bundleLoader, bundleSignsWith, localBundleConfig } from '../../support/presign-bundle';
import { itWithRadosgw, startRadosgwIfInstalled, type Radosgw } from '../../support/radosgw';
import { accessToken, newSigningKey, TEST_SUB } from '../../support/tokens';

const BUCKET = 'edge-upload-edge-multipart';
const REGION = 'us-east-1';
const MiB = 1024 * 1024;
/** 9 MiB: the edge plans two parts, 8 MiB and 1 MiB (parts under 5 MiB are allowed last only). */
const SIZE = 9 * MiB;

interface SignedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}
interface StartAnswer {
  key: string;
  partSize: number;
  partCount: number;
  ticket: string;
  create: SignedRequest;
}
/** One part as the edge answers it: no method, the client PUTs it. */
interface SignedPart {
  partNumber: number;
  size: number;
  url: string;
  headers: Record<string, string>;
}
interface PartsAnswer {
  parts: SignedPart[];
  complete: SignedRequest;
  list: SignedRequest;
  abort: SignedRequest;
}

let rgw: Radosgw;
let s3: S3Client;
const bundles = bundleLoader('edge-multipart');
const key = newSigningKey();
const token = accessToken(key);
let available = false;

/** A fresh copy of the built bundle beside its own config.json, as Lambda@Edge would load it. */
function loadBundle(overrides: Record<string, unknown> = {}): Handler {
  return bundles.load(localBundleConfig(key, rgw, BUCKET, REGION, overrides));
}

async function callEdge<T>(handler: Handler, scenario: 'presign-multipart-start' | 'presign-multipart-parts', body: unknown): Promise<T> {
  const response = await handler(withBody(withToken(viewerRequest(scenario), token), body));
  expect([response.status, response.body]).toEqual(['200', expect.any(String)]);
  return JSON.parse(response.body ?? '') as T;
}

/** Deterministic bytes for one test's file. */
function fileBytes(seed: string): Buffer {
  const chunks: Buffer[] = [];
  for (let block = 0; block * 32 * 1024 < SIZE; block += 1) chunks.push(createHash('sha256').update(`${seed}/${block}`).digest());
  const pattern = Buffer.concat(chunks);
  const bytes = Buffer.alloc(SIZE);
  for (let at = 0; at < SIZE; at += pattern.length) pattern.copy(bytes, at);
  // Every 32 bytes differ: a part sent at the wrong place changes the object.
  for (let at = 0; at < SIZE; at += 4096) bytes.writeUInt32BE(at, at);
  return bytes;
}

const md5 = (bytes: Buffer): string => createHash('md5').update(bytes).digest('base64');
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Sends a signed request as the browser does: that method, that URL, exactly those headers (plus Content-Length). */
function sendSigned(request: SignedRequest, body?: Buffer, headers: Record<string, string> = request.headers): Promise<HttpAnswer> {
  return send(request.url, request.method, body, { ...headers, ...(body === undefined ? {} : { 'Content-Length': String(body.length) }) });
}

/** A part as the browser sends it: PUT, that URL, exactly its listed headers (plus Content-Length). */
function sendPart(part: SignedPart, body: Buffer, headers: Record<string, string> = part.headers): Promise<HttpAnswer> {
  return sendSigned({ method: 'PUT', url: part.url, headers: part.headers }, body, headers);
}

interface Started {
  handler: Handler;
  start: StartAnswer;
  uploadId: string;
  bytes: Buffer;
  parts(requested: Array<{ partNumber: number; md5?: string }>): Promise<PartsAnswer>;
  slice(partNumber: number): Buffer;
}

async function startUpload(name: string, overrides: Record<string, unknown> = {}): Promise<Started> {
  const handler = loadBundle(overrides);
  const bytes = fileBytes(name);
  const start = await callEdge<StartAnswer>(handler, 'presign-multipart-start', { file: { name, size: SIZE, type: 'video/mp4' } });
  expect([start.partSize, start.partCount]).toEqual([8 * MiB, 2]);
  const created = await sendSigned(start.create);
  expect([created.status, created.body]).toEqual([200, expect.stringContaining('<UploadId>')]);
  const uploadId = xmlElement(created.body, 'UploadId') as string;
  const slice = (partNumber: number) => bytes.subarray((partNumber - 1) * start.partSize, Math.min(partNumber * start.partSize, SIZE));
  return {
    handler,
    start,
    uploadId,
    bytes,
    slice,
    parts: (requested) =>
      callEdge<PartsAnswer>(handler, 'presign-multipart-parts', { key: start.key, uploadId, ticket: start.ticket, parts: requested }),
  };
}

function partNumbersListed(answer: HttpAnswer): number[] {
  return [...answer.body.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((match) => Number(match[1]));
}

async function abortQuietly(links: PartsAnswer): Promise<void> {
  await sendSigned(links.abort);
}

beforeAll(async () => {
  const started = await startRadosgwIfInstalled(await freePort());
  if (started === undefined) return;
  rgw = started;
  available = true;
  bundleSignsWith(rgw);
  s3 = pathStyleClient(rgw.endpoint, REGION, rgw, { maxAttempts: 1 });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
}, 180_000);

afterAll(async () => {
  s3?.destroy();
  bundles.cleanup();
  if (rgw !== undefined) await rgw.stop();
});

const maybe = itWithRadosgw(() => available);

describe("the edge's multipart URLs against Ceph radosgw (SSE-KMS)", () => {
  maybe(
    'untouched: created, two parts stored (one bound to its MD5), listed, completed; stored with type, owner, SSE-KMS, byte-identical',
    async () => {
      const upload = await startUpload('talk.mp4');
      const signed = await upload.parts([{ partNumber: 1, md5: md5(upload.slice(1)) }, { partNumber: 2 }]);
      expect(signed.parts.map((part) => [part.partNumber, part.size])).toEqual([
        [1, 8 * MiB],
        [2, MiB],
      ]);
      const etags: string[] = [];
      for (const part of signed.parts) {
        const answer = await sendPart(part, upload.slice(part.partNumber));
        expect([part.partNumber, answer.status, answer.body]).toEqual([part.partNumber, 200, '']);
        etags.push(String(answer.headers.etag));
      }
      const listed = await sendSigned(signed.list);
      expect(listed.status).toBe(200);
      expect(partNumbersListed(listed)).toEqual([1, 2]);

      const xml = `<CompleteMultipartUpload>${etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
      const completed = await sendSigned(signed.complete, Buffer.from(xml));
      expect([completed.status, completed.body]).toEqual([200, expect.stringContaining('<CompleteMultipartUploadResult')]);

      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: upload.start.key }));
      expect(head.ContentType).toBe('video/mp4');
      expect(head.ContentLength).toBe(SIZE);
      expect(head.Metadata).toEqual({ userid: TEST_SUB });
      expect(head.ServerSideEncryption).toBe('aws:kms');
      expect(head.SSEKMSKeyId).toBe(rgw.kmsKeyId);
      const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: upload.start.key }));
      expect(sha256(Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()))).toBe(
        sha256(upload.bytes),
      );
    },
  );

  maybe('the list URL signed for listPartNumberMarker 1 lists part 2 only; the marker changed in the URL: 403', async () => {
    const upload = await startUpload('paged.mp4');
    const signed = await upload.parts([{ partNumber: 1 }, { partNumber: 2 }]);
    for (const part of signed.parts) expect((await sendPart(part, upload.slice(part.partNumber))).status).toBe(200);
    expect(partNumbersListed(await sendSigned(signed.list))).toEqual([1, 2]);

    // The next page, as the client asks for it after a truncated first page (NextPartNumberMarker 1).
    const paged = await callEdge<PartsAnswer>(upload.handler, 'presign-multipart-parts', {
      key: upload.start.key,
      uploadId: upload.uploadId,
      ticket: upload.start.ticket,
      parts: [{ partNumber: 1 }],
      listPartNumberMarker: 1,
    });
    expect(new URL(paged.list.url).searchParams.get('part-number-marker')).toBe('1');
    const listed = await sendSigned(paged.list);
    expect(listed.status).toBe(200);
    expect(partNumbersListed(listed)).toEqual([2]);
    expect([xmlElement(listed.body, 'PartNumberMarker'), xmlElement(listed.body, 'IsTruncated')]).toEqual(['1', 'false']);

    // The marker is signed: S3 refuses the URL with another one (a client cannot page on its own).
    const changed = await sendSigned({ ...paged.list, url: paged.list.url.replace('part-number-marker=1&', 'part-number-marker=0&') });
    expect([changed.status, xmlElement(changed.body, 'Code')]).toEqual([403, 'SignatureDoesNotMatch']);
    await abortQuietly(signed);
  });

  const createChanges: Array<[string, (headers: Record<string, string>) => Record<string, string>]> = [
    ['another Content-Type', (h) => ({ ...h, 'Content-Type': 'text/html' })],
    ['another owner in x-amz-meta-userid', (h) => ({ ...h, 'x-amz-meta-userid': 'someone-else' })],
    ['x-amz-meta-userid left out', ({ 'x-amz-meta-userid': _owner, ...h }) => h],
    ['another encryption (AES256)', (h) => ({ ...h, 'x-amz-server-side-encryption': 'AES256' })],
    ['another KMS key id', (h) => ({ ...h, 'x-amz-server-side-encryption-aws-kms-key-id': 'someone-elses-key' })],
    [
      'the encryption headers left out',
      ({ 'x-amz-server-side-encryption': _sse, 'x-amz-server-side-encryption-aws-kms-key-id': _kms, ...h }) => h,
    ],
  ];
  for (const [label, change] of createChanges) {
    maybe(`refuses the create with ${label} (403)`, async () => {
      const start = await callEdge<StartAnswer>(loadBundle(), 'presign-multipart-start', {
        file: { name: 'talk.mp4', size: SIZE, type: 'video/mp4' },
      });
      const answer = await sendSigned(start.create, undefined, change(start.create.headers));
      expect([answer.status, xmlElement(answer.body, 'Code')]).toEqual([403, 'SignatureDoesNotMatch']);
    });
  }

  maybe('refuses a part of another length than signed (URL without MD5) and keeps nothing', async () => {
    const upload = await startUpload('shorter.mp4');
    const signed = await upload.parts([{ partNumber: 1 }]);
    const part = signed.parts[0] as SignedPart;
    const shorter = await sendPart(part, upload.slice(1).subarray(1));
    expect([shorter.status, xmlElement(shorter.body, 'Code')]).toEqual([403, 'SignatureDoesNotMatch']);
    const longer = await sendPart(part, Buffer.concat([upload.slice(1), Buffer.from('x')]));
    expect([longer.status, xmlElement(longer.body, 'Code')]).toEqual([403, 'SignatureDoesNotMatch']);
    expect(partNumbersListed(await sendSigned(signed.list))).toEqual([]);
    await abortQuietly(signed);
  });

  maybe('refuses a part URL used with another method than PUT (GET, what Node sends when none is given): 403, nothing kept', async () => {
    const upload = await startUpload('method.mp4');
    const signed = await upload.parts([{ partNumber: 1, md5: md5(upload.slice(1)) }]);
    const part = signed.parts[0] as SignedPart;
    const answer = await sendSigned({ method: 'GET', url: part.url, headers: part.headers }, upload.slice(1));
    expect([answer.status, xmlElement(answer.body, 'Code')]).toEqual([403, 'SignatureDoesNotMatch']);
    expect(partNumbersListed(await sendSigned(signed.list))).toEqual([]);
    await abortQuietly(signed);
  });

  maybe('refuses a part with other bytes than the MD5 it was signed with (400 BadDigest) and keeps nothing', async () => {
    const upload = await startUpload('tampered.mp4');
    const signed = await upload.parts([{ partNumber: 1, md5: md5(upload.slice(1)) }]);
    const part = signed.parts[0] as SignedPart;
    const other = Buffer.from(upload.slice(1));
    other[12345] = (other[12345] ?? 0) ^ 0xff;
    const answer = await sendPart(part, other);
    expect([answer.status, xmlElement(answer.body, 'Code')]).toEqual([400, 'BadDigest']);
    // The signed Content-MD5 swapped for the other bytes' MD5: the signature no longer matches.
    const swapped = await sendPart(part, other, { ...part.headers, 'Content-MD5': md5(other) });
    expect(swapped.status).toBe(403);
    expect(partNumbersListed(await sendSigned(signed.list))).toEqual([]);
    await abortQuietly(signed);
  });

  maybe('refuses part, list and complete URLs once they have expired (403 AccessDenied)', async () => {
    const upload = await startUpload('late.mp4', { partUrlTtlSeconds: 1 });
    const signed = await upload.parts([{ partNumber: 1 }]);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const part = await sendPart(signed.parts[0] as SignedPart, upload.slice(1));
    expect([part.status, xmlElement(part.body, 'Code')]).toEqual([403, 'AccessDenied']);
    const listed = await sendSigned(signed.list);
    expect([listed.status, xmlElement(listed.body, 'Code')]).toEqual([403, 'AccessDenied']);
    // Signed again (fresh URLs from the same ticket): nothing was stored by the late part.
    const fresh = await upload.parts([{ partNumber: 1 }]);
    expect(partNumbersListed(await sendSigned(fresh.list))).toEqual([]);
    await abortQuietly(fresh);
  });

  maybe('abort through its signed URL: 204, the parts are gone and the upload can no longer be listed or completed', async () => {
    const upload = await startUpload('dropped.mp4');
    const signed = await upload.parts([{ partNumber: 1 }]);
    const stored = await sendPart(signed.parts[0] as SignedPart, upload.slice(1));
    expect(stored.status).toBe(200);
    const aborted = await sendSigned(signed.abort);
    expect(aborted.status).toBe(204);
    const listed = await sendSigned(signed.list);
    // AWS: 404 NoSuchUpload; radosgw 16.2: 404 NoSuchKey (infra/local/post-policy-guard/README.md).
    expect([listed.status, xmlElement(listed.body, 'Code')]).toEqual([404, expect.stringMatching(/^(NoSuchUpload|NoSuchKey)$/)]);
    const xml = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${String(stored.headers.etag)}</ETag></Part></CompleteMultipartUpload>`;
    const completed = await sendSigned(signed.complete, Buffer.from(xml));
    expect(completed.status).toBeGreaterThanOrEqual(400);
    await expect(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: upload.start.key }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });
});
