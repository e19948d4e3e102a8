/**
 * The inspector in the local stack, end to end over HTTP: sign up, presign,
 * POST the file to the upload URL as a browser would; s3rver's
 * object-created event reaches the inspector in process, which tags the
 * object verified=true or moves it to quarantine/.
 */
import { GetObjectTaggingCommand } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  get,
  headObject,
  json,
  presignOne,
  s3Client,
  signUpAndLogIn,
  startTestStack,
  uploadFile,
  type Session,
  type TestStack,
} from '../../system/local-stack/support/stack-harness';
import { LOCAL_INSPECTOR_CREDENTIALS } from '../../../infra/local/local-settings';
import { fixture, HTML_PAGE } from './support/sample-files';

jest.setTimeout(60_000);

let harness: TestStack;
let session: Session;

beforeAll(async () => {
  harness = await startTestStack({ inspectUploads: true });
  session = await signUpAndLogIn(harness.stack, 'inspector@example.com');
});

afterAll(async () => {
  await harness?.stop();
});

async function tagsOf(key: string): Promise<Record<string, string>> {
  const client = s3Client(harness.stack);
  try {
    const { TagSet = [] } = await client.send(new GetObjectTaggingCommand({ Bucket: harness.stack.bucket, Key: key }));
    return Object.fromEntries(TagSet.map((tag) => [tag.Key, tag.Value]));
  } finally {
    client.destroy();
  }
}

function inspectorLines(): Array<Record<string, unknown>> {
  return harness.logs
    .filter((line) => line.startsWith('[inspector] '))
    .map((line) => JSON.parse(line.slice('[inspector] '.length)) as Record<string, unknown>);
}

it('a real PNG uploaded through presign ends up tagged verified=true, where it was put', async () => {
  const { stack } = harness;
  const content = fixture('image-large.png');
  const upload = await presignOne(stack, session.accessToken, { name: 'Holiday.png', size: content.length, type: 'image/png' });
  expect((await uploadFile(stack, upload, content, { filename: 'Holiday.png', type: 'image/png' })).status).toBe(201);

  await stack.inspectionsIdle();
  expect(await tagsOf(upload.key)).toEqual({ verified: 'true' });
  expect((await headObject(stack, upload.key))?.ContentLength).toBe(content.length);
  expect(inspectorLines()).toContainEqual(expect.objectContaining({ outcome: 'VERIFIED', key: upload.key, declaredType: 'image/png' }));
});

it('an HTML page declared as image/png is moved to quarantine/ with the same rest of its key', async () => {
  const { stack } = harness;
  const upload = await presignOne(stack, session.accessToken, { name: 'cat.png', size: HTML_PAGE.length, type: 'image/png' });
  expect((await uploadFile(stack, upload, HTML_PAGE, { filename: 'cat.png', type: 'image/png' })).status).toBe(201);

  await stack.inspectionsIdle();
  const quarantineKey = `quarantine/${upload.key.slice('uploads/'.length)}`;
  expect(await headObject(stack, upload.key, LOCAL_INSPECTOR_CREDENTIALS)).toBeUndefined();
  // Quarantine is never readable by the edge's key (HeadObject is s3:GetObject): ask as the inspector.
  await expect(headObject(stack, quarantineKey)).rejects.toMatchObject({ $metadata: expect.objectContaining({ httpStatusCode: 403 }) });
  const moved = await headObject(stack, quarantineKey, LOCAL_INSPECTOR_CREDENTIALS);
  expect(moved?.ContentType).toBe('image/png');
  expect(moved?.Metadata).toEqual({ userid: session.sub });
  // The guard keeps the SSE headers through s3rver's copy, as S3 reports them.
  expect(moved?.ServerSideEncryption).toBe('aws:kms');
  expect(inspectorLines()).toContainEqual(
    expect.objectContaining({
      level: 'warn',
      outcome: 'QUARANTINED',
      reason: 'TYPE_MISMATCH',
      detected: 'html',
      key: upload.key,
      quarantineKey,
    }),
  );
});

it('is off unless asked for: a stack started without it leaves uploads where they were put', async () => {
  // The other local-stack suites store arbitrary bytes under uploads/ and read them back.
  const plain = await startTestStack();
  try {
    const user = await signUpAndLogIn(plain.stack, 'plain@example.com');
    const upload = await presignOne(plain.stack, user.accessToken, { name: 'cat.png', size: HTML_PAGE.length, type: 'image/png' });
    expect((await uploadFile(plain.stack, upload, HTML_PAGE, { filename: 'cat.png', type: 'image/png' })).status).toBe(201);
    await plain.stack.inspectionsIdle();
    expect(await headObject(plain.stack, upload.key)).toBeDefined();
    expect(plain.logs.some((line) => line.startsWith('[inspector]'))).toBe(false);
  } finally {
    await plain.stop();
  }
});

describe('verdict events, as EventBridge would carry them', () => {
  it('each verdict is appended to <state>/events.jsonl and served at GET /_local/events', async () => {
    const { stack } = harness;
    const content = fixture('image-large.png');
    const good = await presignOne(stack, session.accessToken, { name: 'event.png', size: content.length, type: 'image/png' });
    expect((await uploadFile(stack, good, content, { filename: 'event.png', type: 'image/png' })).status).toBe(201);
    const bad = await presignOne(stack, session.accessToken, { name: 'event-cat.png', size: HTML_PAGE.length, type: 'image/png' });
    expect((await uploadFile(stack, bad, HTML_PAGE, { filename: 'event-cat.png', type: 'image/png' })).status).toBe(201);
    await stack.inspectionsIdle();

    const answer = await get(stack, '/_local/events');
    expect(answer.status).toBe(200);
    const { events } = json<{ events: Array<Record<string, unknown>> }>(answer);
    const about = (key: string) => events.filter((event) => (event.detail as { key?: string }).key === key);
    expect(about(good.key)).toEqual([
      expect.objectContaining({
        source: 'edge-upload',
        'detail-type': 'Upload Verified',
        detail: expect.objectContaining({ key: good.key, userId: session.sub, size: content.length, type: 'image/png' }),
      }),
    ]);
    expect(about(bad.key)).toEqual([
      expect.objectContaining({
        'detail-type': 'Upload Rejected',
        detail: expect.objectContaining({
          key: bad.key,
          userId: session.sub,
          size: HTML_PAGE.length,
          type: 'image/png',
          reason: 'TYPE_MISMATCH',
        }),
      }),
    ]);
    const file = readFileSync(path.join(harness.stateDir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    expect(file).toEqual(events);
  });
});
