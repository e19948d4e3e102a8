/**
 * `npm start`: the local stack in the foreground (docs/local-stack.md).
 *
 *   npm start                       # build, then run on :3000 (edge), :9229 (Cognito), :4569 (uploads)
 *   npm start -- --record fixtures  # also write every dispatched event, sanitized, under fixtures/
 *
 * Ports and folders come from the environment (local-settings.ts): EDGE_PORT,
 * COGNITO_PORT, S3_PORT, S3RVER_PORT, LOCAL_STATE_DIR, FIREWALL_RULES, ALLOWED_ORIGINS,
 * EXAMPLE_APP_PORT (the example app of examples/own-app/ on a second origin,
 * allowed besides ALLOWED_ORIGINS; default EDGE_PORT + 1, `off` for none).
 * Ctrl-C (SIGINT), SIGTERM or SIGHUP stops every part and every child process
 * by PID; so does the end of the process that started it (npm). A second
 * signal gives up waiting and kills the children at once.
 *
 * `npm run build` bundles this file into dist/infra/local/start.js (scripts/build/local.mjs).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { FirewallError } from '../firewall/errors';
import { LocalSettingsError, LocalStackError } from './errors';
import { EXAMPLE_APP_PORT_ENV, listenExampleApp, type ExampleApp } from './example-app';
import { projectRoot, startLocalStack, type LocalStack } from './local-stack';
import { settingsFromEnv } from './local-settings';

const USAGE = `Usage: npm start [-- --record <dir>]

Runs edge-upload on this machine: the local edge (site, /auth/*, /presign),
cognito-local, and s3rver behind the POST-policy guard.

  --record <dir>   write every event the edge dispatches (Lambda@Edge,
                   CloudFront Functions, API Gateway), sanitized, as fixtures
  --help           this text

Environment: EDGE_PORT (3000), COGNITO_PORT (9229), S3_PORT (4569),
S3RVER_PORT (0 = any free port), LOCAL_STATE_DIR (.local),
FIREWALL_RULES (infra/firewall/firewall-rules.yaml), ALLOWED_ORIGINS (none),
EXAMPLE_APP_PORT (EDGE_PORT + 1; off: no example app).`;

interface Arguments {
  readonly recordDir: string | undefined;
  readonly help: boolean;
}

function parseArguments(argv: readonly string[]): Arguments {
  let recordDir: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--record') {
      recordDir = argv[i + 1];
      if (recordDir === undefined || recordDir.startsWith('--')) throw new UsageError('--record needs a folder: --record <dir>');
      i += 1;
    } else if (arg?.startsWith('--record=')) recordDir = arg.slice('--record='.length);
    else throw new UsageError(`Unknown argument: ${arg}`);
  }
  return { recordDir, help };
}

class UsageError extends Error {}

/** EXAMPLE_APP_PORT: a port, `off`, or unset for the port after the edge's (any free port when the edge's is 0). */
function exampleAppPort(raw: string | undefined, edgePort: number): number | undefined {
  const value = raw?.trim();
  if (value === undefined || value === '') return edgePort === 0 ? 0 : edgePort + 1;
  if (value === 'off') return undefined;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535)
    throw new LocalSettingsError([`${EXAMPLE_APP_PORT_ENV} must be a port number from 0 to 65535, or off, not "${value}"`]);
  return Number(value);
}

function banner(stack: LocalStack, recordDir: string | undefined, example: ExampleApp | undefined): string {
  const lines = [
    '',
    `  edge-upload is running at ${stack.url}`,
    '',
    `  site and API      ${stack.url}   (/, /auth/*, /presign)`,
    `  uploads (S3)      ${stack.uploadUrl}   (POST-policy guard in front of s3rver)`,
    `  Cognito           ${stack.cognito.endpoint}   (pool ${stack.cognito.userPoolId}, client ${stack.cognito.clientId})`,
    ...(example === undefined
      ? []
      : [`  example app       ${example.url}   (another origin: examples/own-app/, client ${stack.cognito.appClientId})`]),
    `  state             ${stack.stateDir}`,
    '',
    '  Mailbox: confirmation and reset codes are not emailed; read them with',
    `    curl '${stack.url}/_local/mailbox?email=you@example.com'`,
    ...(recordDir === undefined ? [] : ['', `  Recording every dispatched event, sanitized, under ${recordDir}`]),
    '',
    '  Press Ctrl-C to stop.',
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const settings = settingsFromEnv(process.env);
  const started = performance.now();
  // The example app listens first: its origin goes into the edge's allowedOrigins. Only once it is built.
  const examplePort = exampleAppPort(process.env[EXAMPLE_APP_PORT_ENV], settings.ports.edge);
  const exampleDir = path.join(projectRoot(), 'dist', 'examples', 'own-app');
  const example =
    examplePort === undefined || !existsSync(path.join(exampleDir, 'index.html'))
      ? undefined
      : await listenExampleApp({ dir: exampleDir, port: examplePort });
  const stack = await startLocalStack({
    ports: settings.ports,
    ...(settings.stateDir === undefined ? {} : { stateDir: settings.stateDir }),
    ...(settings.firewallRulesFile === undefined ? {} : { firewallRulesFile: settings.firewallRulesFile }),
    ...(args.recordDir === undefined ? {} : { recordDir: args.recordDir }),
    allowedOrigins: example === undefined ? settings.allowedOrigins : [...settings.allowedOrigins, example.url],
    log: (line) => process.stdout.write(`${line}\n`),
    // As on AWS: every new upload is inspected, then tagged verified or moved to quarantine/.
    inspectUploads: true,
  }).catch(async (error: unknown) => {
    await example?.close();
    throw error;
  });
  example?.configure({
    edgeUrl: stack.url,
    uploadUrl: stack.uploadUrl,
    cognitoEndpoint: stack.cognito.endpoint,
    clientId: stack.cognito.appClientId,
  });
  process.stdout.write(banner(stack, args.recordDir, example));
  process.stdout.write(`  (ready in ${((performance.now() - started) / 1000).toFixed(1)} s)\n\n`);

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // Second Ctrl-C: stop waiting. Children are ended by their PID, nothing else.
      for (const pid of Object.values(stack.pids)) killQuietly(pid);
      process.exit(130);
    }
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the local stack…\n`);
    Promise.all([stack.stop(), example?.close()]).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`could not stop cleanly: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  // `npm start` runs this under `sh -c`; a SIGTERM sent to npm ends npm and the
  // shell but is not passed on. Once the parent is gone, stop as if signalled.
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    onSignal('SIGHUP');
  }, PARENT_CHECK_MS);
  watch.unref();
}

/** How often to check that whoever started the stack is still there. */
const PARENT_CHECK_MS = 1000;

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) process.stderr.write(`${error.message}\n\n${USAGE}\n`);
  else if (error instanceof LocalStackError || error instanceof FirewallError) process.stderr.write(`npm start: ${error.message}\n`);
  else
    process.stderr.write(
      `npm start: the local stack could not start:\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  process.exit(1);
});
