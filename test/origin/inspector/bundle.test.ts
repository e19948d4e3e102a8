/**
 * The deployable inspector: scripts/build/inspector.mjs bundles it into one
 * self-contained CommonJS file. Loaded in a fresh `node` process from a
 * folder with no node_modules (as Lambda lays it out), it fails its cold
 * start loudly on a bad environment, and with a good one its `handler`
 * inspects a real object in s3rver (reached through AWS_ENDPOINT_URL_S3, the
 * SDK's standard endpoint override).
 */
import { GetObjectTaggingCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startS3rver, type RunningS3rver } from '../../../infra/local/s3rver';
import { objectCreatedEvent, REAL_FILES } from './support/sample-files';

jest.setTimeout(60_000);

const ROOT = path.join(__dirname, '..', '..', '..');
const BUCKET = 'edge-upload-bundle-test';
const KMS = 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-00000000c0de';

let dir: string;
let s3rver: RunningS3rver;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'edge-upload-inspector-bundle-'));
  const script =
    'const { build } = await import(process.argv[1]); await build({ outfile: process.argv[2] }); (await import("esbuild")).stop();';
  execFileSync(
    process.execPath,
    ['--input-type=module', '-e', script, path.join(ROOT, 'scripts', 'build', 'inspector.mjs'), path.join(dir, 'fn', 'index.js')],
    { cwd: ROOT },
  );
  s3rver = await startS3rver({ port: 0, directory: path.join(dir, 's3'), buckets: [{ name: BUCKET }] });
});

afterAll(async () => {
  await s3rver?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs `script` in a fresh node process in the function's folder, with only
 * `env` (none of the machine's AWS settings). Asynchronously: s3rver answers
 * from this process, so blocking it would deadlock the function.
 */
function runInFunctionFolder(
  script: string,
  env: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], {
      cwd: path.join(dir, 'fn'),
      env: { PATH: process.env.PATH ?? '', AWS_EC2_METADATA_DISABLED: 'true', ...env },
      timeout: 30_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

it('fails its cold start, naming every bad variable', async () => {
  const result = await runInFunctionFolder("require('./index.js')", { UPLOAD_KMS_KEY_ID: 'nope' });
  expect(result.status).not.toBe(0);
  expect(result.stderr).toContain('InspectorConfigError');
  expect(result.stderr).toContain('UPLOAD_BUCKET is required');
  expect(result.stderr).toContain('UPLOAD_KMS_KEY_ID must be a KMS key ARN');
});

/** EventBridge's PutEvents, as far as the bundle needs it: every entry accepted and kept. */
async function startEventBridgeStandIn(): Promise<{ server: Server; url: string; entries: Array<Record<string, unknown>> }> {
  const entries: Array<Record<string, unknown>> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const sent = JSON.parse(body) as { Entries: Array<Record<string, unknown>> };
      entries.push(...sent.Entries);
      res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ FailedEntryCount: 0, Entries: sent.Entries.map((_, i) => ({ EventId: `event-${i}` })) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, entries };
}

it('needs nothing outside its own file, and its handler verifies a real upload and announces it', async () => {
  const eventBridge = await startEventBridgeStandIn();
  const key = 'uploads/0f5e8c1a-5b7d-4c2e-9a31-7d2b6e4f8a90/2026/11/29/0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d/bundle.png';
  const client = new S3Client({
    endpoint: s3rver.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  try {
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: REAL_FILES.find((f) => f.name === 'image-large.png')!.bytes,
        ContentType: 'image/png',
      }),
    );
    writeFileSync(path.join(dir, 'event.json'), JSON.stringify(objectCreatedEvent(BUCKET, key)));
    const result = await runInFunctionFolder(
      "require('./index.js').handler(require('../event.json'), { awsRequestId: 'bundle-1' }).then(() => process.exit(0), (e) => { console.error(e); process.exit(1); })",
      {
        UPLOAD_BUCKET: BUCKET,
        UPLOAD_KMS_KEY_ID: KMS,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        AWS_ENDPOINT_URL_S3: s3rver.endpoint,
        AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.url,
      },
    );
    expect(result.stderr).not.toMatch(/Cannot find module/);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}')).toMatchObject({ outcome: 'VERIFIED', key, requestId: 'bundle-1' });
    const { TagSet } = await client.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key }));
    expect(TagSet).toEqual([{ Key: 'verified', Value: 'true' }]);
    expect(eventBridge.entries).toEqual([
      expect.objectContaining({ Source: 'edge-upload', DetailType: 'Upload Verified', EventBusName: 'default' }),
    ]);
  } finally {
    client.destroy();
    await new Promise((resolve) => eventBridge.server.close(resolve));
  }
});
