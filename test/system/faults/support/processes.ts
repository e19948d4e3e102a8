/**
 * Parts of the local stack as processes of their own, so a fault test can
 * kill one by its PID (SIGKILL: no goodbye, no flush) and start it again on
 * the same state and port:
 *
 * - the whole stack (infra/local/stack-process.ts: the edge, the guard and
 *   s3rver in it, cognito-local its own child); its log lines go to a file;
 * - the object store alone (s3rver + the POST-policy guard), from
 *   infra/local/post-policy-guard/main.ts, the process entry point the guard
 *   already has for this.
 *
 * The bundles are written under dist/ (the runner must live inside the
 * project: the stack finds its build output and rules file from there).
 * Only processes started here are ever signalled, and only by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import type { LocalStackSummary } from '../../../../infra/local/local-stack';

const ROOT = path.join(__dirname, '..', '..', '..', '..');
const BUNDLE_DIR = path.join(ROOT, 'dist', 'faults');
const READY_TIMEOUT_MS = 30_000;

/** The stack as a process of its own: infra/local/stack-process.ts, built by `npm run build`. */
const STACK_PROCESS = path.join(ROOT, 'dist', 'infra', 'local', 'stack-process.js');

let guardRunner: Promise<string> | undefined;
const bundles: string[] = [];

/** Removes the bundles this module wrote (call once the processes that run them have stopped). */
export function removeBundles(): void {
  for (const file of bundles.splice(0)) rmSync(file, { force: true });
  guardRunner = undefined;
}

function stackProcessFile(): string {
  if (!existsSync(STACK_PROCESS)) throw new Error(`${STACK_PROCESS} is missing: run npm run build first`);
  return STACK_PROCESS;
}

function bundleGuardRunner(): Promise<string> {
  guardRunner ??= (async () => {
    mkdirSync(BUNDLE_DIR, { recursive: true });
    const outfile = path.join(BUNDLE_DIR, `object-store-${randomUUID()}.js`);
    bundles.push(outfile);
    await build({
      entryPoints: [path.join(ROOT, 'infra', 'local', 'post-policy-guard', 'main.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      packages: 'external',
      keepNames: true,
      logLevel: 'warning',
    });
    return outfile;
  })();
  return guardRunner;
}

export interface ChildHandle {
  readonly pid: number;
  /** Sends `signal` to this PID only; resolves once it has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** SIGTERM, then SIGKILL after 10 s; resolves once it has exited. */
  stop(): Promise<void>;
  readonly exited: Promise<void>;
}

async function spawnReady<T>(file: string, env: Record<string, string>, label: string): Promise<{ handle: ChildHandle; ready: T }> {
  const child = spawn(process.execPath, [file], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${label} did not start`);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const ready = await new Promise<T>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`${label} not ready within ${READY_TIMEOUT_MS} ms: ${stderr}`)), READY_TIMEOUT_MS);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((candidate) => candidate.includes('"event":"ready"'));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as T);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (${code ?? signal}) before it was ready: ${stderr}`));
    });
  });
  // Keep draining output so the child never blocks on a full pipe.
  child.stdout?.resume();
  return { handle: childHandle(child, pid, exited), ready };
}

function childHandle(child: ChildProcess, pid: number, exited: Promise<void>): ChildHandle {
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    pid,
    exited,
    async kill(signal) {
      if (running()) process.kill(pid, signal);
      await exited;
    },
    async stop() {
      if (!running()) return;
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (running()) process.kill(pid, 'SIGKILL');
      }, 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The ready line of infra/local/stack-process.ts. */
export type StackProcessInfo = LocalStackSummary;

export interface StackProcess extends ChildHandle {
  readonly info: StackProcessInfo;
  readonly logFile: string;
  /** The ports it listens on, to start again on the same ones. */
  readonly ports: { edge: number; cognito: number; s3: number };
}

/** The local stack in a child process, on `ports` (0: any free port), with its state in `stateDir`. */
export async function startStackProcess(options: {
  stateDir: string;
  logFile: string;
  ports?: { edge: number; cognito: number; s3: number };
}): Promise<StackProcess> {
  const file = stackProcessFile();
  const ports = options.ports ?? { edge: 0, cognito: 0, s3: 0 };
  const { handle, ready } = await spawnReady<StackProcessInfo>(
    file,
    {
      LOCAL_STACK_PROCESS: JSON.stringify({
        logFile: options.logFile,
        options: { stateDir: options.stateDir, ports: { ...ports, s3rver: 0 } },
      }),
      // The guard's temporary upload files: a killed stack cannot remove them, the test can.
      TMPDIR: ownTemp(path.join(options.stateDir, 'tmp')),
    },
    'the local stack',
  );
  const port = (url: string) => Number(new URL(url).port);
  return {
    ...handle,
    info: ready,
    logFile: options.logFile,
    ports: { edge: port(ready.url), cognito: port(ready.cognito.endpoint), s3: port(ready.s3Endpoint) },
  };
}

export interface ObjectStoreProcess extends ChildHandle {
  /** The guard's root; uploads go to `<url>/<bucket>`. */
  readonly url: string;
  readonly port: number;
}

export interface ObjectStoreOptions {
  readonly directory: string;
  /** Where the guard keeps uploads while they stream in (a killed guard leaves them there). */
  readonly tempDirectory: string;
  /** 0: any free port. */
  readonly port: number;
  readonly bucket: string;
  readonly region: string;
  readonly allowedOrigins: readonly string[];
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** s3rver and the POST-policy guard, one process, objects kept in `directory` across restarts. */
export async function startObjectStoreProcess(options: ObjectStoreOptions): Promise<ObjectStoreProcess> {
  const file = await bundleGuardRunner();
  const config = {
    guardPort: options.port,
    s3rverPort: 0,
    directory: options.directory,
    buckets: [{ name: options.bucket, cors: { allowedOrigins: options.allowedOrigins } }],
    region: options.region,
    allowedOrigins: options.allowedOrigins,
    credentials: options.credentials,
  };
  const { handle, ready } = await spawnReady<{ guardUrl: string }>(
    file,
    { POST_POLICY_GUARD_CONFIG: JSON.stringify(config), TMPDIR: ownTemp(options.tempDirectory) },
    'the object store',
  );
  return { ...handle, url: ready.guardUrl, port: Number(new URL(ready.guardUrl).port) };
}

function ownTemp(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Whether a process with this PID is running: it exists (signal 0 only checks) and is not a zombie awaiting its parent. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !isZombie(pid);
}

/** Waits until `pid` has gone (a process this one did not spawn, such as a grandchild). */
export async function waitUntilGone(pid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} still running after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function isZombie(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}
