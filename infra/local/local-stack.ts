/**
 * The whole system on one machine (docs/local-stack.md), as one function:
 *
 *   const stack = await startLocalStack({ ports: { edge: 0, cognito: 0, s3: 0 }, stateDir });
 *   // … stack.url …
 *   await stack.stop();
 *
 * | part                                   | here                                                        |
 * |----------------------------------------|-------------------------------------------------------------|
 * | CloudFront + WAF + functions           | the local edge (edge/local-edge.ts), in this process        |
 * | API Gateway + AuthLambda               | the auth handler behind the proxy-event adapter, in process |
 * | Cognito                                | cognito-local, a child process (stopped by PID)             |
 * | S3 + Transfer Acceleration             | s3rver behind the POST-policy guard, in this process        |
 * | S3 notification + upload inspector     | s3rver's events to the inspector, in process (opt-in)       |
 * | email                                  | the dev mailbox (mailbox.ts)                                |
 *
 * Start order: the edge listens first (its URL is the site origin everyone
 * else needs), then cognito-local and the object store start side by side,
 * then the presign function is cold-started with a config.json holding the
 * pool's issuer and JWKS, and the edge gets its parts.
 *
 * State lives in `stateDir` (default `.local/` in the project): cognito-local's
 * users (`cognito/`), the objects (`s3/`), the mailbox (`mailbox.jsonl`),
 * cognito-local's output (`cognito-local.log`) and the presign function's
 * package (`edge/presign/`) and the inspector's verdict events (`events.jsonl`). Starting again on the same folder keeps users,
 * objects and mail.
 */
import { copyFileSync, createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { createAuthHandler } from '../../origin/auth/handler';
import { DEFAULT_UPLOAD_RULES } from '../../edge-functions/core/upload-rules';
import { DEFAULT_QUARANTINE_PREFIX, VERIFIED_TAG } from '../../origin/inspector/core/config';
import { createCognitoGateway } from '../../origin/cognito/cognito-gateway';
import { parseAuthConfig } from '../../origin/core/config';
import { jsonLineLogger } from '../../origin/core/request-log';
import { createFirewall } from '../firewall/engine';
import { loadFirewallRules } from '../firewall/rules';
import { securityHeaders } from '../shared/security-headers';
import { loadCloudFrontFunctionFile } from './edge/cloudfront-functions-sandbox';
import { LOCAL_APP_CLIENT_ID, startCognitoLocal, type CognitoLocal } from './cognito-local';
import { createEventRecorder } from './edge/event-recorder';
import { loadLambdaEdgeFunction } from './edge/lambda-edge';
import { listenLocalEdge } from './edge/local-edge';
import { createStaticSite } from './edge/static-site';
import { JwksUnavailableError, MissingBuildOutputError, PortInUseError } from './errors';
import { localAuthGateway } from './local-auth-gateway';
import { LocalEventBus } from './local-events';
import { Mailbox } from './mailbox';
import { createMetricsCollector, observedFirewall, type MetricsCollector } from './metrics-collector';
import {
  DEFAULT_PORTS,
  LOCAL_BUCKET,
  LOCAL_KMS_KEY_ID,
  LOCAL_S3_REGION,
  LOCAL_INSPECTOR_CREDENTIALS,
  LOCAL_SIGNING_CREDENTIALS,
  LOCAL_TICKET_KEY,
  PORT_ENV,
  type LocalStackPorts,
} from './local-settings';
import { startPostPolicyGuard, type GuardLogEntry } from './post-policy-guard';
import { startS3rver } from './s3rver';
import { createLocalUploadInspection, type LocalUploadInspection } from './upload-inspection';

export interface LocalStackOptions {
  /** Any port left out takes its default (DEFAULT_PORTS); 0 takes any free port. */
  readonly ports?: Partial<LocalStackPorts>;
  /** @default `.local` in the project */
  readonly stateDir?: string;
  /** @default infra/firewall/firewall-rules.yaml */
  readonly firewallRulesFile?: string;
  /** Write every dispatched event, sanitized, as a fixture under this folder. */
  readonly recordDir?: string;
  /** The built web app. @default dist/site */
  readonly siteDir?: string;
  /** Where `npm run build` wrote the functions. @default dist */
  readonly buildDir?: string;
  /** Every log line of every part (edge access log, function logs, auth API). @default none */
  readonly log?: (line: string) => void;
  /**
   * Inspect every new object under uploads/ (origin/inspector), as the S3
   * notification and the inspector Lambda do on AWS: verified ones are tagged
   * verified=true, the rest moved to quarantine/. `npm start` turns it on.
   * @default false, so callers that store arbitrary bytes keep them where they put them
   */
  readonly inspectUploads?: boolean;
  /**
   * Your app's origins (ALLOWED_ORIGINS): the presign function answers their
   * CORS preflights and the upload bucket's CORS admits them, besides the site's own.
   * @default none
   */
  readonly allowedOrigins?: readonly string[];
}

export interface LocalStack {
  /** The local edge: the site, `/auth/*`, `/presign`, `/_local/mailbox`, `/_local/metrics`. */
  readonly url: string;
  /** Where browsers POST files: the guard, path-style (`<guard>/<bucket>`). */
  readonly uploadUrl: string;
  /** The guard's root, for S3 API calls (path-style). */
  readonly s3Endpoint: string;
  readonly bucket: string;
  readonly region: string;
  /** The keys the edge signs with and the guard and s3rver accept. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** `clientId` is the site's; `appClientId` another app's, which signs in with USER_PASSWORD_AUTH itself. Both are trusted by the edge. */
  readonly cognito: {
    readonly endpoint: string;
    readonly userPoolId: string;
    readonly clientId: string;
    readonly appClientId: string;
    readonly issuer: string;
  };
  readonly stateDir: string;
  /** Child processes, by name. */
  readonly pids: Readonly<Record<string, number>>;
  /** The inspector's verdict events, oldest first (also at GET /_local/events and in `<state>/events.jsonl`). */
  readonly events: LocalEventBus;
  /** Resolves when every upload inspection started so far has finished (at once when inspection is off). */
  inspectionsIdle(): Promise<void>;
  /** Stops every part and every child process (by PID). Safe to call twice. */
  stop(): Promise<void>;
}

/** What a stack running in a process of its own reports once ready (infra/local/stack-process.ts). */
export type LocalStackSummary = Pick<
  LocalStack,
  'url' | 'uploadUrl' | 's3Endpoint' | 'bucket' | 'region' | 'credentials' | 'cognito' | 'pids'
>;

/** The function bundles and scripts the stack runs, as `npm run build` writes them. */
function buildOutputs(buildDir: string) {
  return {
    presign: path.join(buildDir, 'edge-functions', 'presign', 'index.js'),
    siteRouter: path.join(buildDir, 'edge-functions', 'site-router.js'),
    authGuard: path.join(buildDir, 'edge-functions', 'auth-guard.js'),
  };
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const root = projectRoot();
  const ports: LocalStackPorts = { ...DEFAULT_PORTS, ...options.ports };
  const stateDir = path.resolve(options.stateDir ?? path.join(root, '.local'));
  const buildDir = path.resolve(options.buildDir ?? path.join(root, 'dist'));
  const siteDir = path.resolve(options.siteDir ?? path.join(buildDir, 'site'));
  const log = options.log ?? (() => undefined);

  // Everything that can be checked before anything starts.
  const outputs = buildOutputs(buildDir);
  for (const file of Object.values(outputs)) if (!existsSync(file)) throw new MissingBuildOutputError(file);
  const rules = loadFirewallRules(options.firewallRulesFile ?? path.join(root, 'infra', 'firewall', 'firewall-rules.yaml'));
  const siteRouter = loadCloudFrontFunctionFile(outputs.siteRouter);
  const authGuard = loadCloudFrontFunctionFile(outputs.authGuard);
  await assertPortsFree(ports);
  for (const dir of ['cognito', 's3', path.join('edge', 'presign')]) mkdirSync(path.join(stateDir, dir), { recursive: true });

  // Stopped in this order: the edge first (no new requests), then the servers behind it, then the files.
  const stops: Array<() => Promise<void>> = [];
  const finalizers: Array<() => Promise<void>> = [];
  const pids: Record<string, number> = {};
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // One failure does not keep the rest running.
    for (const step of [...stops, ...finalizers]) await step().catch((error: unknown) => log(`[stack] while stopping: ${String(error)}`));
  };

  try {
    const edge = await listenLocalEdge({ port: ports.edge });
    stops.push(() => edge.close());
    const siteOrigin = edge.url;

    const mailbox = new Mailbox(path.join(stateDir, 'mailbox.jsonl'));
    // GET /_local/metrics: counted from the handlers' own EMF lines and the firewall's verdicts.
    const metrics = createMetricsCollector();
    const events = new LocalEventBus(path.join(stateDir, 'events.jsonl'));
    const allowedOrigins = options.allowedOrigins ?? [];
    const cognitoLog = createWriteStream(path.join(stateDir, 'cognito-local.log'), { flags: 'a' });
    finalizers.push(() => closeStream(cognitoLog));

    const credentials = LOCAL_SIGNING_CREDENTIALS;
    const [cognitoStart, storageStart] = await Promise.allSettled([
      startCognitoLocal({
        dir: path.join(stateDir, 'cognito'),
        ...(ports.cognito === 0 ? {} : { port: ports.cognito }),
        onOutput: (chunk) => {
          if (!cognitoLog.writableEnded) cognitoLog.write(chunk);
        },
      }),
      startObjectStore(
        stateDir,
        ports,
        [siteOrigin, ...allowedOrigins.filter((origin) => origin !== siteOrigin)],
        credentials,
        log,
        options.inspectUploads ? events : undefined,
        metrics,
      ),
    ]);
    if (cognitoStart.status === 'fulfilled') {
      stops.push(() => cognitoStart.value.stop());
      pids['cognito-local'] = cognitoStart.value.pid;
    }
    if (storageStart.status === 'fulfilled') stops.push(() => storageStart.value.close());
    if (cognitoStart.status === 'rejected') throw cognitoStart.reason;
    if (storageStart.status === 'rejected') throw storageStart.reason;
    const cognito = cognitoStart.value;
    const storage = storageStart.value;

    // The presign function's package: the built bundle beside the config.json written for this start.
    const issuer = `${cognito.endpoint}/${cognito.userPoolId}`;
    const presignDir = path.join(stateDir, 'edge', 'presign');
    copyFileSync(outputs.presign, path.join(presignDir, 'index.js'));
    writeFileSync(
      path.join(presignDir, 'config.json'),
      `${JSON.stringify(
        {
          issuer,
          // The site's client and a second app's (examples/own-app/), as several apps can share one edge.
          clientIds: [cognito.clientId, LOCAL_APP_CLIENT_ID],
          jwks: await fetchJwks(cognito),
          bucket: LOCAL_BUCKET,
          region: LOCAL_S3_REGION,
          uploadUrl: storage.uploadUrl,
          kmsKeyId: LOCAL_KMS_KEY_ID,
          multipartTicketKeys: [LOCAL_TICKET_KEY],
          allowedOrigins,
          local: true,
        },
        null,
        2,
      )}\n`,
    );
    const presign = loadLambdaEdgeFunction(path.join(presignDir, 'index.js'), {
      name: 'presign',
      environment: {
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_REGION: LOCAL_S3_REGION,
        AWS_LAMBDA_FUNCTION_NAME: 'us-east-1.edge-upload-presign',
        AWS_LAMBDA_FUNCTION_VERSION: '1',
      },
      log: (line) => {
        metrics.observeLine(line);
        log(`[presign] ${line}`);
      },
    });

    const authApi = createAuthApi(cognito, siteOrigin, mailbox, (line) => {
      metrics.observeLine(line);
      log(line);
    });

    edge.attach({
      firewall: observedFirewall(createFirewall(rules), metrics),
      siteRouter,
      authGuard,
      presign,
      authApi,
      site: createStaticSite(siteDir, { siteDir, baseUrl: siteOrigin }),
      mailbox,
      metrics,
      events,
      securityHeaders: securityHeaders(storage.uploadUrl),
      recorder: options.recordDir === undefined ? undefined : createEventRecorder(path.resolve(options.recordDir)),
      log,
    });

    return {
      url: siteOrigin,
      uploadUrl: storage.uploadUrl,
      s3Endpoint: storage.endpoint,
      bucket: LOCAL_BUCKET,
      region: LOCAL_S3_REGION,
      credentials: { ...credentials },
      cognito: {
        endpoint: cognito.endpoint,
        userPoolId: cognito.userPoolId,
        clientId: cognito.clientId,
        appClientId: LOCAL_APP_CLIENT_ID,
        issuer,
      },
      stateDir,
      pids: Object.freeze({ ...pids }),
      events,
      inspectionsIdle: storage.inspectionsIdle,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The auth API as API Gateway would call it: the real handler, its config
 * read from the same variables as on Lambda, its Cognito gateway with the
 * local stack's two adjustments (local-auth-gateway.ts).
 */
function createAuthApi(cognito: CognitoLocal, siteOrigin: string, mailbox: Mailbox, log: (line: string) => void) {
  // The SDK's credential chain needs something to sign with; cognito-local checks nothing.
  // Without this a machine with no AWS setup would wait on the EC2 metadata service.
  if (!process.env.AWS_ACCESS_KEY_ID) {
    process.env.AWS_ACCESS_KEY_ID = LOCAL_SIGNING_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = LOCAL_SIGNING_CREDENTIALS.secretAccessKey;
    delete process.env.AWS_SESSION_TOKEN;
  }
  process.env.AWS_EC2_METADATA_DISABLED ??= 'true';

  const config = parseAuthConfig({
    USER_POOL_ID: cognito.userPoolId,
    USER_POOL_CLIENT_ID: cognito.clientId,
    SITE_ORIGIN: siteOrigin,
    COGNITO_ENDPOINT: cognito.endpoint,
  });
  const gateway = localAuthGateway(createCognitoGateway(config), {
    mailbox,
    storedCode: (email) => cognito.storedCode(email),
    onMissingCode: (what) => log(`[mailbox] ${what}`),
  });
  return createAuthHandler({ config, gateway, logger: jsonLineLogger(log) });
}

interface ObjectStore {
  readonly endpoint: string;
  readonly uploadUrl: string;
  inspectionsIdle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * s3rver with the upload bucket (CORS for the site and the allowed origins),
 * and the POST-policy guard in front of it; with an event bus, s3rver's
 * object-created events go to the upload inspector, whose S3 calls go
 * through the guard and whose verdicts go to the bus.
 */
async function startObjectStore(
  stateDir: string,
  ports: LocalStackPorts,
  corsOrigins: readonly string[],
  credentials: { readonly accessKeyId: string; readonly secretAccessKey: string },
  log: (line: string) => void,
  events: LocalEventBus | undefined,
  metrics: MetricsCollector,
): Promise<ObjectStore> {
  const inspect = events !== undefined;
  let inspection: LocalUploadInspection | undefined;
  const s3rver = await startS3rver({
    port: ports.s3rver,
    directory: path.join(stateDir, 's3'),
    buckets: [{ name: LOCAL_BUCKET, cors: { allowedOrigins: [...corsOrigins] } }],
    accessKeys: [credentials],
    ...(inspect ? { onEvent: (event: unknown) => inspection?.onS3rverEvent(event) } : {}),
  });
  // Uploads in flight live under the state dir, emptied at every start, so a
  // killed stack leaves nothing behind in /tmp and the next start cleans up.
  const inFlight = path.join(stateDir, 'uploads-in-flight');
  rmSync(inFlight, { recursive: true, force: true });
  mkdirSync(inFlight, { recursive: true });
  try {
    const guard = await startPostPolicyGuard({
      port: ports.s3,
      s3rverEndpoint: s3rver.endpoint,
      credentials,
      region: LOCAL_S3_REGION,
      allowedOrigins: [...corsOrigins],
      tempDirectory: inFlight,
      multipartDirectory: path.join(stateDir, 's3-multipart'),
      // With the inspector running, reads follow the AWS bucket policy: only verified uploads, never quarantine/.
      ...(inspect
        ? {
            readRule: {
              uploadPrefix: DEFAULT_UPLOAD_RULES.keyPrefix,
              quarantinePrefix: DEFAULT_QUARANTINE_PREFIX,
              verifiedTag: VERIFIED_TAG,
              exemptCredentials: LOCAL_INSPECTOR_CREDENTIALS,
            },
          }
        : {}),
      log: (entry) => log(describeGuardEntry(entry)),
    });
    if (events !== undefined) {
      inspection = createLocalUploadInspection({
        events,
        s3Endpoint: guard.url,
        bucket: LOCAL_BUCKET,
        region: LOCAL_S3_REGION,
        credentials: LOCAL_INSPECTOR_CREDENTIALS,
        kmsKeyId: LOCAL_KMS_KEY_ID,
        log: (line) => {
          metrics.observeLine(line);
          log(`[inspector] ${line}`);
        },
      });
    }
    return {
      endpoint: guard.url,
      uploadUrl: `${guard.url}/${LOCAL_BUCKET}`,
      inspectionsIdle: async () => inspection?.idle(),
      close: async () => {
        await inspection?.close();
        await guard.close();
        await s3rver.close();
      },
    };
  } catch (error) {
    await s3rver.close();
    throw error;
  }
}

/** One line per upload answered by the guard: status, key, and the refusal's class (never a field value). */
function describeGuardEntry(entry: GuardLogEntry): string {
  const refusal = entry.error instanceof Error ? entry.error.name : entry.error === undefined ? undefined : typeof entry.error;
  return JSON.stringify({
    msg: 'guard request',
    method: entry.method,
    path: entry.path,
    status: entry.status,
    ...(entry.key === undefined ? {} : { key: entry.key }),
    ...(refusal === undefined ? {} : { refusal }),
  });
}

/** The pool's signing keys, read once at start: the presign config bakes them in (docs/edge-config.md). */
async function fetchJwks(cognito: CognitoLocal): Promise<unknown> {
  const url = `${cognito.endpoint}/${cognito.userPoolId}/.well-known/jwks.json`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  } catch (error) {
    throw new JwksUnavailableError(url, error instanceof Error ? error.message : String(error));
  }
  if (!response.ok) throw new JwksUnavailableError(url, `HTTP ${response.status}`);
  const jwks: unknown = await response.json();
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray((jwks as { keys?: unknown }).keys)) {
    throw new JwksUnavailableError(url, 'the answer is not a JWKS');
  }
  return jwks;
}

/** Fails before anything starts when a fixed port is taken, naming the variable that moves it. */
async function assertPortsFree(ports: LocalStackPorts): Promise<void> {
  const names: Record<keyof LocalStackPorts, string> = {
    edge: 'local edge',
    cognito: 'cognito-local',
    s3: 'POST-policy guard',
    s3rver: 's3rver',
  };
  for (const key of Object.keys(ports) as Array<keyof LocalStackPorts>) {
    const port = ports[key];
    if (port !== 0 && !(await isPortFree(port))) throw new PortInUseError(names[key], port, PORT_ENV[key]);
  }
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

function closeStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => stream.end(() => resolve()));
}

/** The folder with the project's package.json, from here or from the bundle in dist/. */
export function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
}
