/**
 * The local stack's fixed names and its settings from the environment
 * (`npm start`): ports, the state folder, the firewall rules file. Read once,
 * checked, and every problem reported at once.
 */
import { LocalSettingsError } from './errors';

/** The upload bucket, path-style on the POST-policy guard (docs/local-stack.md). */
export const LOCAL_BUCKET = 'edge-upload-local';
/** The region the edge signs for and the guard checks; cognito-local's own region is `local`. */
export const LOCAL_S3_REGION = 'us-east-1';
/** Stands in for the bucket's KMS key: the guard stores it with the object, as S3 would report it. */
export const LOCAL_KMS_KEY_ID = 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-00000000c0de';
/**
 * The keys the local presign function signs with (its AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY) and the guard checks forms against. Fixed and fake:
 * the local stack never uses a developer's own AWS credentials to sign.
 */
export const LOCAL_SIGNING_CREDENTIALS = Object.freeze({
  accessKeyId: 'AKIAEDGEUPLOADLOCAL0',
  secretAccessKey: 'edge-upload-local-secret-access-key-0000',
});

/**
 * The upload inspector's own keys. On AWS the bucket policy exempts the
 * inspector's role from "only verified uploads are readable"; locally the
 * guard tells the inspector apart by this key (post-policy-guard `readRule`).
 * Fixed and fake, like the edge's.
 */
export const LOCAL_INSPECTOR_CREDENTIALS = Object.freeze({
  accessKeyId: 'AKIAEDGEUPLOADINSPEC',
  secretAccessKey: 'edge-upload-local-inspector-secret-00000',
});

/**
 * The local presign function's multipart ticket key (config.json
 * `multipartTicketKeys`). Fixed, so tickets survive a restart of `npm start`,
 * and fake: 32 bytes spelled out in the open, used nowhere else. On AWS each
 * deploy writes a fresh random key.
 */
export const LOCAL_TICKET_KEY = Object.freeze({
  id: 'local-1',
  secret: Buffer.from('edge-upload local ticket key 0001', 'utf8').toString('base64'),
});

export interface LocalStackPorts {
  /** The local edge (the site's origin). */
  readonly edge: number;
  readonly cognito: number;
  /** The POST-policy guard: the upload endpoint. */
  readonly s3: number;
  /** s3rver behind the guard; nobody calls it directly. 0: any free port. */
  readonly s3rver: number;
}

export const DEFAULT_PORTS: LocalStackPorts = Object.freeze({ edge: 3000, cognito: 9229, s3: 4569, s3rver: 0 });

export const PORT_ENV: Readonly<Record<keyof LocalStackPorts, string>> = Object.freeze({
  edge: 'EDGE_PORT',
  cognito: 'COGNITO_PORT',
  s3: 'S3_PORT',
  s3rver: 'S3RVER_PORT',
});

export const STATE_DIR_ENV = 'LOCAL_STATE_DIR';
export const FIREWALL_RULES_ENV = 'FIREWALL_RULES';
/** `ALLOWED_ORIGINS=<origin>,<origin>`: your app's origins, as `-c allowedOrigins=` on AWS. */
export const ALLOWED_ORIGINS_ENV = 'ALLOWED_ORIGINS';

export interface LocalSettings {
  readonly ports: LocalStackPorts;
  readonly stateDir: string | undefined;
  readonly firewallRulesFile: string | undefined;
  /** Origins besides the local site that may call /presign* and POST to the bucket cross-origin. */
  readonly allowedOrigins: readonly string[];
}

export function settingsFromEnv(env: Readonly<Record<string, string | undefined>>): LocalSettings {
  const problems: string[] = [];
  const port = (key: keyof LocalStackPorts): number => {
    const name = PORT_ENV[key];
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return DEFAULT_PORTS[key];
    if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
      problems.push(`${name} must be a port number from 0 to 65535 (0: any free port), not "${raw}"`);
      return DEFAULT_PORTS[key];
    }
    return Number(raw);
  };
  const ports: LocalStackPorts = { edge: port('edge'), cognito: port('cognito'), s3: port('s3'), s3rver: port('s3rver') };
  const fixed = Object.entries(ports).filter(([, value]) => value !== 0);
  const taken = new Set<number>();
  for (const [key, value] of fixed) {
    if (taken.has(value)) problems.push(`${PORT_ENV[key as keyof LocalStackPorts]}=${value} is also used by another part of the stack`);
    taken.add(value);
  }
  const allowedOrigins = parseAllowedOrigins(env[ALLOWED_ORIGINS_ENV], problems);
  if (problems.length > 0) throw new LocalSettingsError(problems);
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  return { ports, stateDir: text(STATE_DIR_ENV), firewallRulesFile: text(FIREWALL_RULES_ENV), allowedOrigins };
}

/**
 * A comma-separated list of exact origins (scheme://host[:port], as a browser
 * sends them in `Origin`); the edge compares by string equality, so anything
 * else would silently never match and is refused here instead.
 */
export function parseAllowedOrigins(raw: string | undefined, problems: string[]): readonly string[] {
  const origins: string[] = [];
  for (const item of (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    let origin: string | undefined;
    try {
      origin = new URL(item).origin;
    } catch {
      origin = undefined;
    }
    if (origin !== item || !/^https?:$/.test(new URL(item).protocol)) {
      problems.push(
        `${ALLOWED_ORIGINS_ENV}: "${item}" is not an origin such as https://app.example.com or http://localhost:5173 (no path, no trailing slash, lower case)`,
      );
    } else if (!origins.includes(item)) {
      origins.push(item);
    }
  }
  return Object.freeze(origins);
}
