/**
 * s3rver and the POST-policy guard in front of it, both in this process on
 * free ports, in a temporary home that stop() removes: what the guard's
 * integration suites (and the local side of the conformance suites) start
 * before all their tests. post-policy-guard-process.ts runs the same pair as
 * a process of its own, for measuring it.
 */
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostPolicyGuard, type PostPolicyGuard, type PostPolicyGuardOptions } from '../../infra/local/post-policy-guard';
import { startS3rver, type RunningS3rver, type S3rverOptions } from '../../infra/local/s3rver';
import { DEFAULT_QUARANTINE_PREFIX, VERIFIED_TAG } from '../../origin/inspector/core/config';
import { type AccessKey, pathStyleClient } from './local-s3';

/**
 * The local stack's read rule (the AWS bucket policy and the edge role, as
 * far as the guard models them), with `inspector`'s key exempt as the
 * inspector's role is on AWS.
 */
export function localReadRule(inspector: AccessKey): NonNullable<PostPolicyGuardOptions['readRule']> {
  return { uploadPrefix: 'uploads/', quarantinePrefix: DEFAULT_QUARANTINE_PREFIX, verifiedTag: VERIFIED_TAG, exemptCredentials: inspector };
}

export interface GuardStackOptions {
  /** Names the temporary home: edge-upload-<name>-XXXXXX. */
  readonly name: string;
  /** The buckets s3rver creates, and the access keys it knows besides its own. */
  readonly s3rver: Pick<S3rverOptions, 'buckets' | 'accessKeys'>;
  /** The guard's options but for what the stack decides: port, s3rver, folders. */
  readonly guard: Omit<PostPolicyGuardOptions, 'port' | 's3rverEndpoint' | 'tempDirectory' | 'multipartDirectory'>;
  /** The folder under home where forms wait while they stream in. @default 'in-flight' */
  readonly tempFolder?: string;
  /** A folder under home for multipart uploads in progress. @default the guard's own (`multipart` under the temp folder) */
  readonly multipartFolder?: string;
}

export interface GuardStack {
  readonly home: string;
  readonly tempDirectory: string;
  readonly multipartDirectory: string;
  /** The running pair; restart() replaces both. */
  readonly s3rver: RunningS3rver;
  readonly guard: PostPolicyGuard;
  /** pathStyleClient for the guard, in the guard's region; stop() destroys it. */
  client(key: AccessKey, settings?: Partial<S3ClientConfig>): S3Client;
  /** Both closed, then started again on the same directory, the guard on the same port. */
  restart(): Promise<void>;
  /** Clients destroyed, guard and s3rver closed, home removed. */
  stop(): Promise<void>;
}

export async function startGuardStack(options: GuardStackOptions): Promise<GuardStack> {
  const home = mkdtempSync(join(tmpdir(), `edge-upload-${options.name}-`));
  const tempDirectory = join(home, options.tempFolder ?? 'in-flight');
  mkdirSync(tempDirectory);
  const multipartDirectory = options.multipartFolder === undefined ? join(tempDirectory, 'multipart') : join(home, options.multipartFolder);
  const clients: S3Client[] = [];
  let s3rver: RunningS3rver | undefined;
  let guard: PostPolicyGuard | undefined;

  const start = async (port: number) => {
    s3rver = await startS3rver({ port: 0, directory: join(home, 's3rver'), ...options.s3rver });
    guard = await startPostPolicyGuard({
      port,
      s3rverEndpoint: s3rver.endpoint,
      ...options.guard,
      tempDirectory,
      ...(options.multipartFolder === undefined ? {} : { multipartDirectory }),
    });
  };
  const close = async () => {
    await guard?.close();
    await s3rver?.close();
  };
  const stop = async () => {
    for (const client of clients.splice(0)) client.destroy();
    await close();
    rmSync(home, { recursive: true, force: true });
  };
  const running = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the guard stack is not running');
    return value;
  };

  try {
    await start(0);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    home,
    tempDirectory,
    multipartDirectory,
    get s3rver() {
      return running(s3rver);
    },
    get guard() {
      return running(guard);
    },
    client: (key, settings) => {
      const client = pathStyleClient(running(guard).url, options.guard.region, key, settings);
      clients.push(client);
      return client;
    },
    restart: async () => {
      const { port } = running(guard);
      await close();
      await start(port);
    },
    stop,
  };
}
