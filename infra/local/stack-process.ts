/**
 * The local stack as a process of its own, for tools that must measure it or
 * kill it by PID (`npm run load`, the fault tests): `startLocalStack` with the
 * options in LOCAL_STACK_PROCESS (JSON `{ logFile, options }`), its log lines
 * appended to `logFile`, one `{"event":"ready", …}` JSON line on stdout once
 * it serves, and a clean stop on SIGTERM. Built to
 * dist/infra/local/stack-process.js by `npm run build`.
 */
import { createWriteStream } from 'node:fs';
import { startLocalStack, type LocalStackOptions, type LocalStackSummary } from './local-stack';

interface StackProcessConfig {
  readonly logFile: string;
  readonly options?: Omit<LocalStackOptions, 'log'>;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.LOCAL_STACK_PROCESS ?? '{}') as StackProcessConfig;
  if (typeof config.logFile !== 'string') throw new Error('LOCAL_STACK_PROCESS must be JSON with a "logFile" path');
  const logFile = createWriteStream(config.logFile, { flags: 'a' });
  const stack = await startLocalStack({ ...config.options, log: (line: string) => logFile.write(`${line}\n`) });
  process.on('SIGTERM', () => {
    stack.stop().then(
      () => logFile.end(() => process.exit(0)),
      () => process.exit(1),
    );
  });
  const { url, uploadUrl, s3Endpoint, bucket, region, credentials, cognito, pids } = stack;
  const summary: LocalStackSummary = { url, uploadUrl, s3Endpoint, bucket, region, credentials, cognito, pids };
  process.stdout.write(`${JSON.stringify({ event: 'ready', pid: process.pid, ...summary })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
