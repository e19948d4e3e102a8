/**
 * "Your files" through the local S3 stand-in (real s3rver behind the guard):
 * the edge's query-presigned ListObjectsV2 (with continuation),
 * GetObjectTagging, GetObject and DeleteObject URLs are verified and
 * answered; the AWS bucket policy's read rule holds (an unverified upload and
 * a quarantined object are 403 AccessDenied, except for the inspector's own
 * key); and `x-amz-tagging` on PutObject and on CopyObject with
 * `x-amz-tagging-directive: REPLACE` is stored, as S3 stores it.
 */
import {
  CopyObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createUrlSigner, objectEndpoint, presignUrl } from '../../../../edge-functions/core/presigned-url';
import { attachmentDisposition } from '../../../../edge-functions/core/user-files';
import { DEFAULT_QUARANTINE_PREFIX, QUARANTINE_REASON_TAG, VERIFIED_TAG } from '../../../../origin/inspector/core/config';
import { type GuardStack, localReadRule, startGuardStack } from '../../../support/guard-stack';

const BUCKET = 'edge-upload-local';
const REGION = 'us-east-1';
const edge = { accessKeyId: 'AKIDLOCALYOURFILES01', secretAccessKey: 'local-your-files-edge-secret-000000000001', sessionToken: undefined };
const inspector = {
  accessKeyId: 'AKIDLOCALINSPECTOR01',
  secretAccessKey: 'local-your-files-inspector-secret-0000001',
  sessionToken: undefined,
};
const SUB = '0b9a6f2c-1111-4222-8333-444455556666';
const OTHER = '1c9a6f2c-1111-4222-8333-444455556666';
const keyOf = (prefix: string, sub: string, n: number) =>
  `${prefix}${sub}/2026/11/29/0b9a1c2d-3e4f-4a5b-8c6d-${String(n).padStart(12, '0')}/file-${n}.png`;

let stack: GuardStack;
let asEdge: S3Client;
let asInspector: S3Client;

beforeAll(async () => {
  stack = await startGuardStack({
    name: 'your-files',
    s3rver: { buckets: [{ name: BUCKET }] },
    guard: { credentials: edge, region: REGION, allowedOrigins: [], readRule: localReadRule(inspector) },
  });
  const client = (key: typeof edge) =>
    stack.client(key, { maxAttempts: 1, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  asEdge = client(edge);
  asInspector = client(inspector);
  for (let n = 1; n <= 5; n++)
    await asEdge.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: keyOf('uploads/', SUB, n), Body: `mine ${n}`, ContentType: 'image/png' }),
    );
  await asEdge.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: keyOf('uploads/', `${SUB}2`, 1),
      Body: 'a sub that extends mine',
      ContentType: 'image/png',
    }),
  );
  await asEdge.send(new PutObjectCommand({ Bucket: BUCKET, Key: keyOf('uploads/', OTHER, 1), Body: 'theirs', ContentType: 'image/png' }));
});

afterAll(async () => {
  await stack?.stop();
});

const endpoint = () => objectEndpoint(`${stack.guard.url}/${BUCKET}`);
function signer(key: string, now = new Date(), expiresSeconds = 300) {
  return createUrlSigner({ endpoint: endpoint(), key, credentials: edge, region: REGION, now, expiresSeconds });
}
function listUrl(prefix: string, maxKeys: number, continuationToken?: string): string {
  return signer('')({
    method: 'GET',
    query: {
      'list-type': '2',
      'max-keys': String(maxKeys),
      prefix,
      ...(continuationToken === undefined ? {} : { 'continuation-token': continuationToken }),
    },
    headers: {},
  });
}
const all = (xml: string, name: string) => [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((match) => match[1] ?? '');

describe('ListObjectsV2 through an edge-signed URL', () => {
  it('pages with the continuation token S3 returned, within the signed prefix only (sub2 is not sub)', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const response = await fetch(listUrl(`uploads/${SUB}/`, 2, token));
      expect(response.status).toBe(200);
      const xml = await response.text();
      seen.push(...all(xml, 'Key'));
      token = all(xml, 'NextContinuationToken')[0];
      expect(all(xml, 'IsTruncated')[0]).toBe(token === undefined ? 'false' : 'true');
      pages += 1;
    } while (token !== undefined && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([1, 2, 3, 4, 5].map((n) => keyOf('uploads/', SUB, n)));
  });

  it('a token from one listing cannot widen another: the signed prefix still bounds the answer', async () => {
    const first = await (await fetch(listUrl('uploads/', 1))).text();
    const token = all(first, 'NextContinuationToken')[0];
    expect(token).toBeDefined();
    const xml = await (await fetch(listUrl(`uploads/${SUB}/`, 100, token))).text();
    for (const key of all(xml, 'Key')) expect(key.startsWith(`uploads/${SUB}/`)).toBe(true);
  });

  it('refuses the URL with its prefix changed, and once expired', async () => {
    const url = new URL(listUrl(`uploads/${SUB}/`, 100));
    url.searchParams.set('prefix', `uploads/${OTHER}/`);
    const widened = await fetch(url);
    expect(widened.status).toBe(403);
    expect(await widened.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    url.searchParams.set('prefix', 'uploads/');
    expect((await fetch(url)).status).toBe(403);
    const old = signer(
      '',
      new Date(Date.now() - 600_000),
      300,
    )({ method: 'GET', query: { 'list-type': '2', prefix: `uploads/${SUB}/` }, headers: {} });
    const late = await fetch(old);
    expect([late.status, all(await late.text(), 'Code')[0]]).toEqual([403, 'AccessDenied']);
  });
});

describe('the read rule of the AWS bucket policy', () => {
  const key = keyOf('uploads/', SUB, 1);
  const get = (target: string, now?: Date) =>
    signer(
      target,
      now,
    )({
      method: 'GET',
      query: { 'response-content-disposition': attachmentDisposition(target.split('/').pop() ?? ''), 'x-id': 'GetObject' },
      headers: {},
    });

  it('refuses GetObject of an unverified upload, answers once the inspector tagged it verified, as an attachment', async () => {
    const refused = await fetch(get(key));
    expect([refused.status, all(await refused.text(), 'Code')[0]]).toEqual([403, 'AccessDenied']);
    // The inspector reads it anyway (exempt, as its role is on AWS), then tags it.
    const inspected = await asInspector.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await inspected.Body?.transformToString()).toBe('mine 1');
    await asInspector.send(
      new PutObjectTaggingCommand({
        Bucket: BUCKET,
        Key: key,
        Tagging: { TagSet: [{ Key: VERIFIED_TAG.key, Value: VERIFIED_TAG.value }] },
      }),
    );

    const answered = await fetch(get(key));
    expect(answered.status).toBe(200);
    expect(answered.headers.get('content-disposition')).toBe(`attachment; filename="file-1.png"; filename*=UTF-8''file-1.png`);
    expect(await answered.text()).toBe('mine 1');
  });

  it('GetObjectTagging is not GetObject: the edge reads the verdict of any of its objects', async () => {
    const tagging = await fetch(signer(keyOf('uploads/', SUB, 2))({ method: 'GET', query: { tagging: '' }, headers: {} }));
    expect(tagging.status).toBe(200);
    expect(await tagging.text()).toContain('<TagSet');
  });

  it('refuses a quarantined object to the edge whatever its tags; the inspector may read it', async () => {
    const quarantined = keyOf(DEFAULT_QUARANTINE_PREFIX, SUB, 9);
    await asInspector.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: quarantined, Body: '<html>', Tagging: `${VERIFIED_TAG.key}=${VERIFIED_TAG.value}` }),
    );
    const refused = await fetch(get(quarantined));
    expect([refused.status, all(await refused.text(), 'Code')[0]]).toEqual([403, 'AccessDenied']);
    const read = await asInspector.send(new GetObjectCommand({ Bucket: BUCKET, Key: quarantined }));
    expect(await read.Body?.transformToString()).toBe('<html>');
  });

  it('an edge-signed GetObject with another key changed into the URL is refused by the signature', async () => {
    const url = get(keyOf('uploads/', SUB, 1)).replace(`/uploads/${SUB}/`, `/uploads/${OTHER}/`);
    expect((await fetch(url)).status).toBe(403);
  });
});

describe('x-amz-tagging on writes (s3rver ignores it; S3 stores it)', () => {
  const tagsOf = async (key: string) =>
    Object.fromEntries(
      ((await asInspector.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key }))).TagSet ?? []).map((tag) => [tag.Key, tag.Value]),
    );

  // Only the inspector's key may tag (OnlyTheInspectorTags): access-model.integration.test.ts.
  it('PutObject stores the tags of its x-amz-tagging header', async () => {
    const key = keyOf('uploads/', SUB, 20);
    await asInspector.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x', Tagging: 'a=1&b=two%20words' }));
    expect(await tagsOf(key)).toEqual({ a: '1', b: 'two words' });
  });

  it("CopyObject with REPLACE stores the new tags (the inspector's quarantine copy and its reason); COPY does not take them", async () => {
    const source = keyOf('uploads/', SUB, 21);
    await asEdge.send(new PutObjectCommand({ Bucket: BUCKET, Key: source, Body: 'copied' }));
    const destination = keyOf(DEFAULT_QUARANTINE_PREFIX, SUB, 21);
    await asInspector.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: destination,
        CopySource: `${BUCKET}/${source}`,
        TaggingDirective: 'REPLACE',
        Tagging: `${QUARANTINE_REASON_TAG}=TYPE_MISMATCH`,
      }),
    );
    expect(await tagsOf(destination)).toEqual({ [QUARANTINE_REASON_TAG]: 'TYPE_MISMATCH' });

    const plain = keyOf('uploads/', SUB, 22);
    await asInspector.send(
      new CopyObjectCommand({ Bucket: BUCKET, Key: plain, CopySource: `${BUCKET}/${source}`, Tagging: 'ignored=yes' }),
    );
    expect(await tagsOf(plain)).not.toHaveProperty('ignored');
  });

  it('refuses a malformed tag set before anything is written', async () => {
    const key = keyOf('uploads/', SUB, 23);
    const tagging = Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&');
    await expect(asInspector.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x', Tagging: tagging }))).rejects.toMatchObject({
      name: 'InvalidArgument',
    });
    await expect(asInspector.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).rejects.toMatchObject({ name: 'NoSuchKey' });
  });
});

describe('DeleteObject through an edge-signed URL', () => {
  it('deletes with the URL untouched; refuses it changed or expired', async () => {
    const key = keyOf('uploads/', SUB, 5);
    const url = presignUrl({
      endpoint: endpoint(),
      key,
      credentials: edge,
      region: REGION,
      now: new Date(),
      expiresSeconds: 300,
      method: 'DELETE',
      query: { 'x-id': 'DeleteObject' },
      headers: {},
    });
    expect((await fetch(url.replace('file-5.png', 'file-4.png'), { method: 'DELETE' })).status).toBe(403);
    const expired = presignUrl({
      endpoint: endpoint(),
      key,
      credentials: edge,
      region: REGION,
      now: new Date(Date.now() - 600_000),
      expiresSeconds: 300,
      method: 'DELETE',
      query: { 'x-id': 'DeleteObject' },
      headers: {},
    });
    expect((await fetch(expired, { method: 'DELETE' })).status).toBe(403);
    expect((await fetch(url, { method: 'DELETE' })).status).toBe(204);
    await expect(asInspector.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    await expect(asInspector.send(new GetObjectCommand({ Bucket: BUCKET, Key: keyOf('uploads/', SUB, 4) }))).resolves.toBeDefined();
  });
});
