/**
 * A multipart upload streams through the guard: measured on the guard
 * running as its own process (s3rver in it too), by PID from /proc, with
 * the load run `npm run load` uses (infra/local/multipart-load-run.ts). After
 * a warm-up upload, a 256 MiB upload in 8 MiB parts may grow the process's
 * resident set by no more than the 64 MiB the issue allows a 1 GiB upload,
 * and comes back SHA-256-intact. Memory only; nothing is timed.
 */
import { randomBytes } from 'node:crypto';
import { multipartLoadRun } from '../../../../infra/local/multipart-load-run';
import { startGuardProcess, type GuardProcess } from '../../../support/post-policy-guard-process';

const BUCKET = 'edge-upload-local';
const REGION = 'us-east-1';
const MIB = 1024 * 1024;
const credentials = { accessKeyId: 'AKIDLOCALGUARDMEMORY', secretAccessKey: randomBytes(30).toString('base64url') };

let guard: GuardProcess;

beforeAll(async () => {
  guard = await startGuardProcess({ buckets: [{ name: BUCKET }], region: REGION, allowedOrigins: [], credentials });
}, 60_000);

afterAll(async () => {
  await guard?.stop();
});

it('a 256 MiB multipart upload grows the guard by less than 64 MiB and reads back intact', async () => {
  const base = { endpoint: guard.guardUrl, bucket: BUCKET, region: REGION, credentials, guardPid: guard.pid };
  const warmUp = await multipartLoadRun({ ...base, sizeBytes: 12 * MIB, partSize: 5 * MIB, concurrency: 2 });
  expect(warmUp.intact).toEqual([true, true]);
  const run = await multipartLoadRun({ ...base, sizeBytes: 256 * MIB, partSize: 8 * MIB, concurrency: 1 });
  expect(run.intact).toEqual([true]);
  expect(run.guardMemory).toBeDefined();
  expect(run.guardMemory?.growth ?? Infinity).toBeLessThan(64 * MIB);
}, 300_000);
