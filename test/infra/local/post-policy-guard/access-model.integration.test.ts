/**
 * The local S3 stand-in refuses what S3 refuses (real s3rver behind the
 * guard, with the local stack's read rule):
 *
 * - a write starts the object with its own tags only: a re-upload (PutObject,
 *   form, CompleteMultipartUpload) to a key the inspector tagged
 *   verified=true is no longer verified, a delete takes the tags with it, a
 *   copy takes the source's (or, with REPLACE, the request's);
 * - the read rule holds HEAD and any GET of a key that is not a subresource
 *   (unknown query parameters, versionId, x-id hints included);
 * - the edge's key may not tag (OnlyTheInspectorTags) and may not write
 *   outside uploads/ (its IAM policy; deletes: uploads/ and quarantine/).
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '../../../../edge-functions/core/presigned-post';
import { createUrlSigner, objectEndpoint } from '../../../../edge-functions/core/presigned-url';
import { DEFAULT_QUARANTINE_PREFIX, VERIFIED_TAG } from '../../../../origin/inspector/core/config';
import { type GuardStack, localReadRule, startGuardStack } from '../../../support/guard-stack';
import { fields, file, postForm, xmlElement, type Field } from '../../../support/post-forms';

const BUCKET = 'edge-upload-local';
const REGION = 'us-east-1';
const edge = { accessKeyId: 'AKIDLOCALACCESSMODL1', secretAccessKey: 'local-access-model-edge-secret-00000001', sessionToken: undefined };
const inspector = {
  accessKeyId: 'AKIDLOCALACCESSINSP1',
  secretAccessKey: 'local-access-model-inspector-secret-001',
  sessionToken: undefined,
};

let stack: GuardStack;
let asEdge: S3Client;
let asInspector: S3Client;

beforeAll(async () => {
  stack = await startGuardStack({
    name: 'access-model',
    s3rver: { buckets: [{ name: BUCKET }] },
    guard: { credentials: edge, region: REGION, allowedOrigins: [], readRule: localReadRule(inspector) },
  });
  const client = (key: typeof edge) =>
    stack.client(key, { maxAttempts: 1, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  asEdge = client(edge);
  asInspector = client(inspector);
});

afterAll(async () => {
  await stack?.stop();
});

let counter = 0;
const newKey = (prefix = 'uploads/') => `${prefix}sub-1/2026/11/29/${++counter}/file.png`;
const verifiedTags = { [VERIFIED_TAG.key]: VERIFIED_TAG.value };

async function tagsOf(key: string): Promise<Record<string, string | undefined>> {
  const { TagSet = [] } = await asInspector.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key }));
  return Object.fromEntries(TagSet.map((tag) => [tag.Key, tag.Value]));
}
async function markVerified(key: string): Promise<void> {
  await asInspector.send(
    new PutObjectTaggingCommand({ Bucket: BUCKET, Key: key, Tagging: { TagSet: [{ Key: VERIFIED_TAG.key, Value: VERIFIED_TAG.value }] } }),
  );
}
async function exists(key: string): Promise<boolean> {
  try {
    await asInspector.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    return true;
  } catch {
    return false;
  }
}
/** An edge-signed URL for one request on `key`, any query. */
function edgeUrl(key: string, method: 'GET' | 'DELETE', query: Record<string, string> = {}): string {
  return createUrlSigner({
    endpoint: objectEndpoint(`${stack.guard.url}/${BUCKET}`),
    key,
    credentials: edge,
    region: REGION,
    now: new Date(),
    expiresSeconds: 300,
  })({ method, query, headers: {} });
}
async function edgeGet(
  key: string,
  query: Record<string, string> = {},
): Promise<{ status: number; code: string | undefined; body: string }> {
  const answer = await fetch(edgeUrl(key, 'GET', query));
  const body = await answer.text();
  return { status: answer.status, code: xmlElement(body, 'Code'), body };
}
const denied = { name: 'AccessDenied', $metadata: expect.objectContaining({ httpStatusCode: 403 }) };
const statusOf = (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/** A form as the edge signs it, for `key`, with extra signed fields. */
function form(key: string, content: Buffer, extra: Record<string, string> = {}) {
  const post = createPresignedPost({
    bucket: BUCKET,
    region: REGION,
    key,
    fields: { 'Content-Type': 'image/png', success_action_status: '201', ...extra },
    contentLength: [content.length, content.length],
    credentials: edge,
    now: new Date(),
    ttlSeconds: 300,
  });
  return postForm(`${stack.guard.url}/${BUCKET}`, [...fields(Object.entries(post.fields) as Field[]), file(content)]);
}

describe('a write starts the object with its own tags only, as in S3', () => {
  it('PutObject over a verified upload: the new bytes are not verified, the edge cannot read them', async () => {
    const key = newKey();
    await asEdge.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'inspected' }));
    await markVerified(key);
    expect((await edgeGet(key)).status).toBe(200);

    await asEdge.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'not inspected' }));
    expect(await tagsOf(key)).toEqual({});
    expect(await edgeGet(key)).toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it('a form POST over a verified upload drops its tags', async () => {
    const key = newKey();
    expect((await form(key, Buffer.from('first'))).status).toBe(201);
    await markVerified(key);
    expect((await form(key, Buffer.from('second, same key'))).status).toBe(201);
    expect(await tagsOf(key)).toEqual({});
    expect((await edgeGet(key)).status).toBe(403);
  });

  it('CompleteMultipartUpload over a verified upload drops its tags', async () => {
    const key = newKey();
    await asEdge.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'inspected' }));
    await markVerified(key);
    const { UploadId } = await asEdge.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ContentType: 'image/png' }));
    const { ETag } = await asEdge.send(
      new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: 1, Body: 'one part, the last' }),
    );
    await asEdge.send(
      new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] } }),
    );
    expect(await tagsOf(key)).toEqual({});
    expect((await edgeGet(key)).status).toBe(403);
  });

  it("PutObject with x-amz-tagging over a tagged object keeps only the request's tags", async () => {
    const key = newKey(DEFAULT_QUARANTINE_PREFIX);
    await asInspector.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'a', Tagging: 'old=1&verified=true' }));
    await asInspector.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'b', Tagging: 'new=2' }));
    expect(await tagsOf(key)).toEqual({ new: '2' });
  });

  it("a deleted object's tags go with it: a new object under the key starts untagged", async () => {
    const key = newKey();
    await asEdge.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'inspected' }));
    await markVerified(key);
    await asEdge.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    await asEdge.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'new' }));
    expect(await tagsOf(key)).toEqual({});
  });

  it("CopyObject takes the source's tags (COPY) or the request's (REPLACE), never the destination's old ones", async () => {
    const source = newKey();
    await asEdge.send(new PutObjectCommand({ Bucket: BUCKET, Key: source, Body: 'source' }));
    await markVerified(source);
    const destination = newKey(DEFAULT_QUARANTINE_PREFIX);
    await asInspector.send(new PutObjectCommand({ Bucket: BUCKET, Key: destination, Body: 'old', Tagging: 'stale=yes' }));

    await asInspector.send(new CopyObjectCommand({ Bucket: BUCKET, Key: destination, CopySource: `${BUCKET}/${source}` }));
    expect(await tagsOf(destination)).toEqual(verifiedTags);
    await asInspector.send(
      new CopyObjectCommand({ Bucket: BUCKET, Key: destination, CopySource: `${BUCKET}/${source}`, TaggingDirective: 'REPLACE' }),
    );
    expect(await tagsOf(destination)).toEqual({});
    await asInspector.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: destination,
        CopySource: `${BUCKET}/${source}`,
        TaggingDirective: 'REPLACE',
        Tagging: 'reason=x',
      }),
    );
    expect(await tagsOf(destination)).toEqual({ reason: 'x' });
    expect(await tagsOf(source)).toEqual(verifiedTags);
  });
});

describe('the read rule holds every GetObject and HeadObject', () => {
  let unverified: string;
  let quarantined: string;
  beforeAll(async () => {
    unverified = newKey();
    await asEdge.send(new PutObjectCommand({ Bucket: BUCKET, Key: unverified, Body: 'not inspected' }));
    quarantined = newKey(DEFAULT_QUARANTINE_PREFIX);
    await asInspector.send(new PutObjectCommand({ Bucket: BUCKET, Key: quarantined, Body: '<html>', Tagging: 'verified=true' }));
  });

  it('refuses HeadObject of an unverified upload and of a quarantined object to the edge; the inspector may', async () => {
    for (const key of [unverified, quarantined]) {
      const error = await asEdge.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).catch((caught: unknown) => caught);
      expect(statusOf(error)).toBe(403);
      await expect(asInspector.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).resolves.toBeDefined();
    }
  });

  it.each([
    ['an unknown parameter', { foo: '1' }],
    ['versionId', { versionId: 'null' }],
    ['an x-id hint naming another operation', { 'x-id': 'GetObjectTagging' }],
    ['partNumber', { partNumber: '1' }],
  ])('refuses a GET with %s: it is still GetObject', async (_what, query) => {
    expect(await edgeGet(unverified, query)).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(await edgeGet(quarantined, query)).toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it('lets GetObjectTagging through (a subresource), and HeadObject once verified', async () => {
    expect((await edgeGet(unverified, { tagging: '' })).status).toBe(200);
    const key = newKey();
    await asEdge.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'inspected' }));
    await markVerified(key);
    expect((await asEdge.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).ContentLength).toBe(9);
    expect(await edgeGet(key, { foo: '1' })).toMatchObject({ status: 200, body: 'inspected' });
  });
});

describe('the edge role: no tagging, writes under uploads/ only', () => {
  it('refuses PutObjectTagging and DeleteObjectTagging signed by the edge; the tags stay', async () => {
    const key = newKey();
    await asEdge.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x' }));
    await expect(
      asEdge.send(
        new PutObjectTaggingCommand({
          Bucket: BUCKET,
          Key: key,
          Tagging: { TagSet: [{ Key: VERIFIED_TAG.key, Value: VERIFIED_TAG.value }] },
        }),
      ),
    ).rejects.toMatchObject(denied);
    expect(await tagsOf(key)).toEqual({});
    await markVerified(key);
    await expect(asEdge.send(new DeleteObjectTaggingCommand({ Bucket: BUCKET, Key: key }))).rejects.toMatchObject(denied);
    expect(await tagsOf(key)).toEqual(verifiedTags);
  });

  it('refuses tags on an edge-signed PutObject, CopyObject or form (s3:PutObjectTagging), storing nothing', async () => {
    const key = newKey();
    await expect(
      asEdge.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x', Tagging: 'verified=true' })),
    ).rejects.toMatchObject(denied);
    expect(await exists(key)).toBe(false);
    const source = newKey();
    await asEdge.send(new PutObjectCommand({ Bucket: BUCKET, Key: source, Body: 'x' }));
    await expect(
      asEdge.send(
        new CopyObjectCommand({
          Bucket: BUCKET,
          Key: key,
          CopySource: `${BUCKET}/${source}`,
          TaggingDirective: 'REPLACE',
          Tagging: 'verified=true',
        }),
      ),
    ).rejects.toMatchObject(denied);
    expect(await exists(key)).toBe(false);
    const tagging = '<Tagging><TagSet><Tag><Key>verified</Key><Value>true</Value></Tag></TagSet></Tagging>';
    const answer = await form(key, Buffer.from('x'), { tagging });
    expect([answer.status, xmlElement(answer.body, 'Code')]).toEqual([403, 'AccessDenied']);
    expect(await exists(key)).toBe(false);
  });

  it('refuses edge-signed writes outside uploads/: PutObject, CopyObject, a form, a multipart upload', async () => {
    for (const key of [newKey(DEFAULT_QUARANTINE_PREFIX), newKey('site/'), 'top-level.png']) {
      await expect(asEdge.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x' }))).rejects.toMatchObject(denied);
      const source = newKey();
      await asEdge.send(new PutObjectCommand({ Bucket: BUCKET, Key: source, Body: 'x' }));
      await expect(
        asEdge.send(new CopyObjectCommand({ Bucket: BUCKET, Key: key, CopySource: `${BUCKET}/${source}` })),
      ).rejects.toMatchObject(denied);
      const answer = await form(key, Buffer.from('x'));
      expect([answer.status, xmlElement(answer.body, 'Code')]).toEqual([403, 'AccessDenied']);
      await expect(asEdge.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }))).rejects.toMatchObject(denied);
      expect(await exists(key)).toBe(false);
    }
  });

  it('lets the edge delete under uploads/ and quarantine/ only (its "your files" delete URLs)', async () => {
    const quarantined = newKey(DEFAULT_QUARANTINE_PREFIX);
    const elsewhere = newKey('site/');
    for (const key of [quarantined, elsewhere]) await asInspector.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x' }));
    expect((await fetch(edgeUrl(elsewhere, 'DELETE', { 'x-id': 'DeleteObject' }), { method: 'DELETE' })).status).toBe(403);
    expect(await exists(elsewhere)).toBe(true);
    expect((await fetch(edgeUrl(quarantined, 'DELETE', { 'x-id': 'DeleteObject' }), { method: 'DELETE' })).status).toBe(204);
    expect(await exists(quarantined)).toBe(false);
  });

  it("the inspector's key writes and tags where its role may (its quarantine copy with a reason)", async () => {
    const source = newKey();
    await asEdge.send(new PutObjectCommand({ Bucket: BUCKET, Key: source, Body: 'x' }));
    const destination = newKey(DEFAULT_QUARANTINE_PREFIX);
    await asInspector.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: destination,
        CopySource: `${BUCKET}/${source}`,
        TaggingDirective: 'REPLACE',
        Tagging: 'quarantine-reason=TYPE_MISMATCH',
      }),
    );
    expect(await tagsOf(destination)).toEqual({ 'quarantine-reason': 'TYPE_MISMATCH' });
  });
});
