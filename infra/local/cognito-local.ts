/**
 * cognito-local (npm) for the local stack and as a test fixture: started on a
 * free (or given) port in its own directory, seeded with a fixed user pool and
 * app client, stopped by PID. It "sends" codes by printing a box to stdout;
 * this module reads that output line by line as it arrives (`readCodes`,
 * `waitForCode`). Its log stream is asynchronous and a box can stay unwritten
 * until cognito-local next logs something, so the local stack's mailbox reads
 * the code from cognito-local's user store instead (`storedCode`), which is
 * written before the API call answers.
 *
 *   const cognito = await startCognitoLocal();
 *   // … point the auth handler at cognito.endpoint, cognito.userPoolId, cognito.clientId …
 *   const code = await cognito.waitForCode('ann@example.com', { kind: 'confirm' });
 *   await cognito.stop();
 *
 * Nothing here touches the network beyond the loopback interface.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PASSWORD_POLICY } from '../../origin/core/password-policy';
import { isPlainObject } from '../../edge-functions/core/safe-json';

/** The fixed pool and client every seeded cognito-local gets (cognito-local's region is always `local`). */
export const LOCAL_USER_POOL_ID = 'local_edgeUpl0d';
export const LOCAL_CLIENT_ID = 'edgeuploadlocal0000client1';
/**
 * A second app client in the same pool, as another app with its own client
 * would have: its pages sign in directly with InitiateAuth USER_PASSWORD_AUTH
 * (examples/own-app/), and the local edge trusts it besides the site's
 * (config.json `clientIds`). The site's client keeps only the admin flow its
 * auth API uses.
 */
export const LOCAL_APP_CLIENT_ID = 'edgeuploadlocal0000client2';
export const LOCAL_REGION = 'local';

/** Enough of cognito-local's output to explain a failed start; the rest goes to `onOutput`. */
const OUTPUT_KEPT_CHARS = 256 * 1024;

/** Token lifetimes of the seeded client, the same as the CDK app's defaults would be. */
const ACCESS_TOKEN_MINUTES = 60;
const REFRESH_TOKEN_DAYS = 30;

export interface CognitoLocalOptions {
  /** Working directory; cognito-local keeps its state in `<dir>/.cognito/`. @default a new temp dir, removed by stop() */
  readonly dir?: string;
  /** @default a free port */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Extra environment for the cognito-local process (for example `CODE` for a fixed code). */
  readonly env?: Readonly<Record<string, string>>;
  /** @default 20000 */
  readonly startTimeoutMs?: number;
  /** Everything cognito-local prints, as it arrives (the local stack writes it to a log file). */
  readonly onOutput?: (chunk: string) => void;
}

export type CodeKind = 'confirm' | 'reset' | 'other';

export interface CodeDelivery {
  readonly email: string;
  readonly kind: CodeKind;
  readonly code: string;
  /** The Cognito operation that sent it (SignUp, ForgotPassword, …). */
  readonly operation: string;
  /** When cognito-local printed it (ISO 8601). */
  readonly sentAt: string;
}

export interface StoredCode {
  readonly code: string;
  /** UNCONFIRMED, CONFIRMED, … as cognito-local records it. */
  readonly userStatus: string;
}

export interface CognitoLocal {
  readonly endpoint: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly pid: number;
  readonly port: number;
  readonly dir: string;
  /** Every code delivered to `email` so far, oldest first. */
  readCodes(email: string): CodeDelivery[];
  /**
   * Waits until more than `after` codes of `kind` have been delivered to
   * `email` (the output reaches us a little after the HTTP answer) and
   * returns the newest.
   */
  waitForCode(email: string, options?: { kind?: CodeKind; after?: number; timeoutMs?: number }): Promise<string>;
  /** The last OUTPUT_KEPT_CHARS characters cognito-local printed (for failure messages). */
  output(): string;
  /**
   * The code cognito-local last issued to `email` (sign-up or forgot
   * password; they share one field) and the user's status, read from its
   * user store; undefined for an unknown user or one with no code pending
   * (a confirmed user who has not asked for a reset).
   */
  storedCode(email: string): StoredCode | undefined;
  stop(): Promise<void>;
}

export async function startCognitoLocal(options: CognitoLocalOptions = {}): Promise<CognitoLocal> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort(host));
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'cognito-local-'));
  const endpoint = `http://${host}:${port}`;
  seed(dir, endpoint);

  const child = spawn(process.execPath, [cognitoLocalBin()], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: host,
      NO_COLOR: '1',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('cognito-local did not start (no PID)');

  let output = '';
  const deliveries: CodeDelivery[] = [];
  const reader = new CodeDeliveryReader((delivery) => deliveries.push(delivery));
  let partialLine = '';
  const onChunk = (chunk: string): void => {
    output = (output + chunk).slice(-OUTPUT_KEPT_CHARS);
    options.onOutput?.(chunk);
    const lines = (partialLine + chunk).split('\n');
    partialLine = lines.pop() ?? '';
    for (const line of lines) reader.push(line);
  };
  child.stdout?.setEncoding('utf8').on('data', onChunk);
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output = (output + chunk).slice(-OUTPUT_KEPT_CHARS);
    options.onOutput?.(chunk);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    await stopProcess(child, exited);
    if (ownsDir) rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitUntilHealthy(endpoint, child, options.startTimeoutMs ?? 20_000);
  } catch (error) {
    await stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- cognito-local output ---\n${output}`);
  }

  const readCodes = (email: string): CodeDelivery[] =>
    deliveries.filter((delivery) => delivery.email.toLowerCase() === email.toLowerCase());

  return {
    endpoint,
    region: LOCAL_REGION,
    userPoolId: LOCAL_USER_POOL_ID,
    clientId: LOCAL_CLIENT_ID,
    pid,
    port,
    dir,
    readCodes,
    async waitForCode(email, { kind, after = 0, timeoutMs = 5000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const codes = readCodes(email).filter((delivery) => kind === undefined || delivery.kind === kind);
        const newest = codes[codes.length - 1];
        if (codes.length > after && newest !== undefined) return newest.code;
        if (Date.now() > deadline) throw new Error(`no ${kind ?? ''} code for ${email} within ${timeoutMs} ms`);
        await delay(20);
      }
    },
    output: () => output,
    storedCode: (email) => readStoredCode(dir, email),
    stop,
  };
}

/**
 * Reads the "Confirmation Code Delivery" boxes cognito-local prints:
 *
 *   [1795933489126] INFO: 49f17ccd SignUp ╭──────╮
 *   │   Confirmation Code Delivery   │
 *   │   Username:    <sub>           │
 *   │   Destination: ann@example.com │
 *   │   Code:        018827          │
 *   ╰──────╯
 */
export function parseCodeDeliveries(text: string): CodeDelivery[] {
  const deliveries: CodeDelivery[] = [];
  const reader = new CodeDeliveryReader((delivery) => deliveries.push(delivery));
  for (const line of text.split('\n')) reader.push(line);
  return deliveries;
}

/**
 * The parser behind parseCodeDeliveries, fed one line at a time, so a
 * long-running cognito-local's output is read once, as it arrives, and
 * never kept whole.
 */
export class CodeDeliveryReader {
  private operation: string | undefined;
  private sentAt = '';
  private fields: Map<string, string> | undefined;

  constructor(private readonly onDelivery: (delivery: CodeDelivery) => void) {}

  push(rawLine: string): void {
    const line = stripAnsi(rawLine).trimEnd();
    const opening = /^\[(\d+)\].*\s(\w+)\s+╭─+╮$/.exec(line);
    if (opening !== null) {
      this.sentAt = new Date(Number(opening[1])).toISOString();
      this.operation = opening[2];
      this.fields = new Map();
      return;
    }
    if (this.fields === undefined) return;
    if (line.startsWith('╰')) {
      const email = this.fields.get('Destination');
      const code = this.fields.get('Code');
      const operation = this.operation;
      if (email !== undefined && code !== undefined && operation !== undefined) {
        this.onDelivery({ email, code, operation, kind: kindOf(operation), sentAt: this.sentAt });
      }
      this.fields = undefined;
      return;
    }
    const field = /^│\s+([A-Za-z ]+):\s+(\S+)\s*│$/.exec(line);
    if (field?.[1] !== undefined && field[2] !== undefined) this.fields.set(field[1], field[2]);
  }
}

/**
 * cognito-local keeps each pool in `.cognito/db/<pool id>.json` (saved before
 * it answers) as `{"Users": {<username>: {Attributes, UserStatus,
 * ConfirmationCode, …}}}`; the code is cleared once it has been used.
 */
function readStoredCode(dir: string, email: string): StoredCode | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path.join(dir, '.cognito', 'db', `${LOCAL_USER_POOL_ID}.json`), 'utf8'));
  } catch {
    return undefined;
  }
  const users = isPlainObject(parsed) && isPlainObject(parsed['Users']) ? Object.values(parsed['Users']) : [];
  const wanted = email.trim().toLowerCase();
  for (const user of users) {
    if (!isPlainObject(user) || typeof user['ConfirmationCode'] !== 'string') continue;
    const attributes = Array.isArray(user['Attributes']) ? user['Attributes'] : [];
    const address = attributes.find((attribute: unknown) => isPlainObject(attribute) && attribute['Name'] === 'email');
    if (isPlainObject(address) && typeof address['Value'] === 'string' && address['Value'].toLowerCase() === wanted) {
      return { code: user['ConfirmationCode'], userStatus: typeof user['UserStatus'] === 'string' ? user['UserStatus'] : 'UNKNOWN' };
    }
  }
  return undefined;
}

function kindOf(operation: string): CodeKind {
  if (operation === 'SignUp' || operation === 'ResendConfirmationCode') return 'confirm';
  if (operation === 'ForgotPassword') return 'reset';
  return 'other';
}

/** Writes the fixed pool and client (and leaves existing state alone, so a persistent dir keeps its users). */
function seed(dir: string, endpoint: string): void {
  const cognitoDir = path.join(dir, '.cognito');
  const dbDir = path.join(cognitoDir, 'db');
  mkdirSync(dbDir, { recursive: true });
  const created = new Date(0).toISOString();

  writeFileSync(path.join(cognitoDir, 'config.json'), JSON.stringify({ TokenConfig: { IssuerDomain: endpoint } }, null, 2));

  const poolFile = path.join(dbDir, `${LOCAL_USER_POOL_ID}.json`);
  if (!existsSync(poolFile)) {
    const pool = {
      Users: {},
      Options: {
        Id: LOCAL_USER_POOL_ID,
        Name: 'edge-upload-local',
        Arn: `arn:aws:cognito-idp:${LOCAL_REGION}:local:userpool/${LOCAL_USER_POOL_ID}`,
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        MfaConfiguration: 'OFF',
        // Recorded for completeness: cognito-local does not enforce it (the auth handler does).
        Policies: {
          PasswordPolicy: {
            MinimumLength: PASSWORD_POLICY.minLength,
            RequireUppercase: PASSWORD_POLICY.requireUppercase,
            RequireLowercase: PASSWORD_POLICY.requireLowercase,
            RequireNumbers: PASSWORD_POLICY.requireDigits,
            RequireSymbols: PASSWORD_POLICY.requireSymbols,
          },
        },
        CreationDate: created,
        LastModifiedDate: created,
      },
    };
    writeFileSync(poolFile, JSON.stringify(pool, null, 2));
  }

  const clientsFile = path.join(dbDir, 'clients.json');
  const clients: { Clients: Record<string, unknown> } = existsSync(clientsFile)
    ? parseClients(readFileSync(clientsFile, 'utf8'))
    : { Clients: {} };
  clients.Clients[LOCAL_CLIENT_ID] = {
    ClientId: LOCAL_CLIENT_ID,
    ClientName: 'edge-upload-local',
    UserPoolId: LOCAL_USER_POOL_ID,
    ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    EnableTokenRevocation: true,
    PreventUserExistenceErrors: 'ENABLED',
    AccessTokenValidity: ACCESS_TOKEN_MINUTES,
    IdTokenValidity: ACCESS_TOKEN_MINUTES,
    RefreshTokenValidity: REFRESH_TOKEN_DAYS,
    TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
    CreationDate: created,
    LastModifiedDate: created,
  };
  clients.Clients[LOCAL_APP_CLIENT_ID] = {
    ClientId: LOCAL_APP_CLIENT_ID,
    ClientName: 'edge-upload-local-own-app',
    UserPoolId: LOCAL_USER_POOL_ID,
    ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    EnableTokenRevocation: true,
    PreventUserExistenceErrors: 'ENABLED',
    AccessTokenValidity: ACCESS_TOKEN_MINUTES,
    IdTokenValidity: ACCESS_TOKEN_MINUTES,
    RefreshTokenValidity: REFRESH_TOKEN_DAYS,
    TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
    CreationDate: created,
    LastModifiedDate: created,
  };
  writeFileSync(clientsFile, JSON.stringify(clients, null, 2));
}

function parseClients(text: string): { Clients: Record<string, unknown> } {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed === 'object' && parsed !== null && 'Clients' in parsed) {
    const { Clients } = parsed;
    if (typeof Clients === 'object' && Clients !== null) return { Clients: { ...Clients } };
  }
  return { Clients: {} };
}

/** The package's own bin script, run with this Node (no shell, no PATH lookup). */
function cognitoLocalBin(): string {
  const packageJson = require.resolve('cognito-local/package.json');
  const parsed: unknown = JSON.parse(readFileSync(packageJson, 'utf8'));
  const bin = typeof parsed === 'object' && parsed !== null && 'bin' in parsed ? parsed.bin : undefined;
  if (typeof bin !== 'string') throw new Error('cognito-local: unexpected "bin" in package.json');
  return path.join(path.dirname(packageJson), bin);
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

async function waitUntilHealthy(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`cognito-local exited during start (code ${child.exitCode}, signal ${child.signalCode})`);
    }
    try {
      const response = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await delay(50);
  }
  throw new Error(`cognito-local did not answer ${endpoint}/health within ${timeoutMs} ms`);
}

/** SIGTERM by PID, then SIGKILL if it has not exited after a grace period. */
async function stopProcess(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const graceful = await Promise.race([
    exited.then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), 5000);
    }),
  ]);
  clearTimeout(timer);
  if (!graceful) {
    child.kill('SIGKILL');
    await exited;
  }
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
