/**
 * s3rver + the POST-policy guard as a process of their own
 * (infra/local/post-policy-guard/main.ts, bundled with esbuild): started by a
 * suite, measured through /proc by its PID, and stopped by that PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(__dirname, '..', '..');
const ENTRY = join(ROOT, 'infra', 'local', 'post-policy-guard', 'main.ts');

export interface GuardProcessConfig {
  readonly guardPort?: number;
  readonly s3rverPort?: number;
  readonly buckets: ReadonlyArray<{ readonly name: string; readonly cors?: { readonly allowedOrigins: readonly string[] } }>;
  readonly region: string;
  readonly allowedOrigins: readonly string[];
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface GuardProcess {
  readonly pid: number;
  readonly guardUrl: string;
  readonly s3rverUrl: string;
  /** The process's resident set now, and its peak so far (VmRSS / VmHWM), in bytes. */
  memory(): { rss: number; peakRss: number } | undefined;
  /** SIGTERM to this PID, then waits for it to exit. */
  stop(): Promise<void>;
}

export async function startGuardProcess(config: GuardProcessConfig): Promise<GuardProcess> {
  const home = mkdtempSync(join(tmpdir(), 'edge-upload-guard-process-'));
  const bundle = join(home, 'post-policy-guard.js');
  await build({
    entryPoints: [ENTRY],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    logLevel: 'warning',
  });

  const child = spawn(process.execPath, [bundle], {
    env: {
      ...process.env,
      NODE_PATH: join(ROOT, 'node_modules'),
      POST_POLICY_GUARD_CONFIG: JSON.stringify({ guardPort: 0, s3rverPort: 0, directory: join(home, 's3rver'), ...config }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const ready = await new Promise<{ pid: number; guardUrl: string; s3rverUrl: string }>((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((candidate) => candidate.includes('"event":"ready"'));
      if (line !== undefined) resolve(JSON.parse(line) as { pid: number; guardUrl: string; s3rverUrl: string });
    });
    child.once('exit', (code) => reject(new Error(`the guard process exited (${code}) before it was ready: ${stderr}`)));
  });
  const pid = child.pid ?? ready.pid;
  return {
    pid,
    guardUrl: ready.guardUrl,
    s3rverUrl: ready.s3rverUrl,
    memory: () => readMemory(pid),
    stop: async () => {
      await stopByPid(child, pid);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

async function stopByPid(child: ChildProcess, pid: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
  }, 10_000);
  await exited;
  clearTimeout(timer);
}

function readMemory(pid: number): { rss: number; peakRss: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    const rss = kib('VmRSS');
    const peakRss = kib('VmHWM');
    return Number.isFinite(rss) && Number.isFinite(peakRss) ? { rss, peakRss } : undefined;
  } catch {
    return undefined;
  }
}
