/**
 * A throw-away Ceph radosgw (a real S3 implementation) for conformance
 * suites: started with the project's copy of scripts/ceph-s3/start.sh and
 * stopped by the PIDs that script recorded, never by name. Where it is not
 * installed a suite runs without it, except on CI, which installs it.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './local-s3';

const run = promisify(execFile);
const SCRIPTS = join(__dirname, '..', '..', 'scripts', 'ceph-s3');

export interface Radosgw {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The key id radosgw's "testing" KMS backend knows, for SSE-KMS uploads. */
  readonly kmsKeyId: string;
  stop(): Promise<void>;
}

export async function radosgwAvailable(): Promise<boolean> {
  try {
    await run('sh', ['-c', 'command -v radosgw && command -v ceph-mon && command -v ceph-osd']);
    return true;
  } catch {
    return false;
  }
}

/**
 * radosgw on `port`, its monitor on two more ports; each one free unless
 * given, so that suites (and checkouts) can run side by side.
 */
export async function startRadosgw(port?: number): Promise<Radosgw> {
  const [s3Port, monPort, monV1Port] = [port ?? (await freePort()), await freePort(), await freePort()];
  const home = mkdtempSync(join(tmpdir(), 'edge-upload-rgw-'));
  const kmsKeyId = 'edge-upload-test-key';
  const accessKeyId = 'EDGEUPLOADTESTKEY001';
  const secretAccessKey = randomBytes(30).toString('base64url');
  const env = {
    ...process.env,
    RGW_HOME: home,
    RGW_PORT: String(s3Port),
    RGW_MON_PORT: String(monPort),
    RGW_MON_V1_PORT: String(monV1Port),
    S3_ACCESS_KEY: accessKeyId,
    S3_SECRET_KEY: secretAccessKey,
    // SSE-KMS over plain HTTP with radosgw's built-in test key store.
    RGW_EXTRA_CONF: [
      'rgw crypt require ssl = false',
      'rgw crypt s3 kms backend = testing',
      `rgw crypt s3 kms encryption keys = ${kmsKeyId}=${randomBytes(32).toString('base64')}`,
    ].join('\n'),
  };
  const stop = async () => {
    await run(join(SCRIPTS, 'stop.sh'), [], { env });
    rmSync(home, { recursive: true, force: true });
  };
  try {
    await run(join(SCRIPTS, 'start.sh'), [], { env, timeout: 120_000 });
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint: `http://127.0.0.1:${s3Port}`, accessKeyId, secretAccessKey, kmsKeyId, stop };
}

/** radosgw on `port` (default: a free one), or undefined where it is not installed; on CI its absence is an error. */
export async function startRadosgwIfInstalled(port?: number): Promise<Radosgw | undefined> {
  if (await radosgwAvailable()) return startRadosgw(port);
  if (process.env.CI === 'true') throw new Error('radosgw is not installed; .ci/run installs it with apt-get');
  return undefined;
}

/** `it` for a case that needs radosgw: where `started()` is false it warns and passes instead. */
export function itWithRadosgw(started: () => boolean): (name: string, fn: () => Promise<void>) => void {
  return (name, fn) =>
    it(name, async () => {
      if (!started()) {
        console.warn(`skipped (no radosgw here): ${name}`);
        return;
      }
      await fn();
    });
}
