/**
 * The presign function's configuration (docs/edge-config.md). Lambda@Edge has no
 * environment variables, so `config.json` travels inside the function
 * package. It is checked once, at module load: a bad config fails the cold
 * start with every problem listed, never a request quietly.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { EdgeConfigError } from './errors';
import { isPlainObject } from './safe-json';

export interface RsaJwk {
  readonly kid: string;
  readonly kty: 'RSA';
  readonly n: string;
  readonly e: string;
  readonly alg?: 'RS256';
  readonly use?: 'sig';
}

export interface EdgeConfig {
  readonly issuer: string;
  /** The app clients whose access tokens the edge trusts (one or more; aws-jwt-verify accepts a list). */
  readonly clientIds: readonly string[];
  readonly jwks: { readonly keys: readonly RsaJwk[] };
  readonly bucket: string;
  readonly region: string;
  readonly uploadUrl: string;
  readonly kmsKeyId: string;
  readonly policyTtlSeconds: number;
  /** Lifetime of the multipart URLs (create, parts, complete, list, abort). */
  readonly partUrlTtlSeconds: number;
  /** The first signs multipart tickets; every one verifies (so tickets survive one key rotation). */
  readonly multipartTicketKeys: readonly TicketKey[];
  /**
   * Browser origins that may call /presign* cross-origin (exact `scheme://host[:port]`);
   * empty: no CORS headers at all (docs/edge-config.md).
   */
  readonly allowedOrigins: readonly string[];
  /** Only the local stack sets this: it allows http: issuer and upload URLs. */
  readonly local: boolean;
}

export interface TicketKey {
  /** Travels in the ticket so the verifier picks the right secret; not secret itself. */
  readonly id: string;
  /** HMAC-SHA256 key; a KeyObject, so the config can be frozen and never prints the secret. */
  readonly secret: KeyObject;
}

/** HMAC-SHA256 wants at least its output size of key material. */
export const MIN_TICKET_SECRET_BYTES = 32;
const MAX_TICKET_KEYS = 4;
const TICKET_KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** SigV4 allows a POST policy to live at most seven days. */
const MAX_POLICY_TTL_SECONDS = 7 * 24 * 3600;
const BUCKET_NAME = /^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function parseEdgeConfig(input: unknown, defaultPolicyTtlSeconds: number, defaultPartUrlTtlSeconds = 900): EdgeConfig {
  const problems: string[] = [];
  if (!isPlainObject(input)) throw new EdgeConfigError('config.json must hold a JSON object.');

  const local = input.local === undefined ? false : input.local;
  if (typeof local !== 'boolean') problems.push('"local" must be true or false when present.');
  const allowHttp = local === true;

  const text = (field: string): string => {
    const value = input[field];
    if (typeof value === 'string' && value.trim() === value && value.length > 0) return value;
    problems.push(`"${field}" must be a non-empty string without surrounding spaces.`);
    return '';
  };
  const url = (field: string): string => {
    const value = text(field);
    if (value === '') return value;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      problems.push(`"${field}" must be an absolute URL.`);
      return value;
    }
    if (parsed.protocol !== 'https:' && !(allowHttp && parsed.protocol === 'http:')) {
      problems.push(`"${field}" must use https: (http: is allowed only with "local": true).`);
    }
    if (parsed.search !== '' || parsed.hash !== '' || parsed.username !== '' || parsed.password !== '') {
      problems.push(`"${field}" must not carry credentials, a query or a fragment.`);
    }
    return value;
  };

  const issuer = url('issuer');
  if (issuer.endsWith('/')) problems.push('"issuer" must not end with "/": it is compared with the token\'s iss claim as is.');
  const clientIds = parseClientIds(input.clientIds, input.clientId, problems);
  const allowedOrigins = parseAllowedOrigins(input.allowedOrigins, allowHttp, problems);
  const bucket = text('bucket');
  if (bucket !== '' && !BUCKET_NAME.test(bucket)) problems.push(`"bucket" is not a valid S3 bucket name.`);
  const region = text('region');
  if (region !== '' && !REGION.test(region)) problems.push('"region" must look like eu-west-1.');
  const uploadUrl = url('uploadUrl');
  const kmsKeyId = text('kmsKeyId');
  const jwks = parseJwks(input.jwks, problems);

  let policyTtlSeconds = defaultPolicyTtlSeconds;
  if (input.policyTtlSeconds !== undefined) {
    const ttl = input.policyTtlSeconds;
    if (typeof ttl === 'number' && Number.isInteger(ttl) && ttl >= 1 && ttl <= MAX_POLICY_TTL_SECONDS) policyTtlSeconds = ttl;
    else problems.push(`"policyTtlSeconds" must be a whole number of seconds from 1 to ${MAX_POLICY_TTL_SECONDS}.`);
  }

  let partUrlTtlSeconds = defaultPartUrlTtlSeconds;
  if (input.partUrlTtlSeconds !== undefined) {
    const ttl = input.partUrlTtlSeconds;
    // A presigned URL lives at most seven days (X-Amz-Expires).
    if (typeof ttl === 'number' && Number.isInteger(ttl) && ttl >= 1 && ttl <= MAX_POLICY_TTL_SECONDS) partUrlTtlSeconds = ttl;
    else problems.push(`"partUrlTtlSeconds" must be a whole number of seconds from 1 to ${MAX_POLICY_TTL_SECONDS}.`);
  }
  const multipartTicketKeys = parseTicketKeys(input.multipartTicketKeys, problems);

  if (problems.length > 0) throw new EdgeConfigError(`Invalid config.json:\n- ${problems.join('\n- ')}`);
  return Object.freeze({
    issuer,
    clientIds,
    jwks,
    bucket,
    region,
    uploadUrl,
    kmsKeyId,
    policyTtlSeconds,
    partUrlTtlSeconds,
    multipartTicketKeys,
    allowedOrigins,
    local: allowHttp,
  });
}

/** Cognito app client ids: letters and digits (it makes 26; `_`/`+` are allowed by its API pattern). */
const CLIENT_ID = /^[\w+]{1,128}$/;
const MAX_CLIENT_IDS = 16;

/**
 * `clientIds` (a list), or the older single `clientId`; never both, so a
 * config cannot say two different things about whom the edge trusts.
 */
function parseClientIds(list: unknown, single: unknown, problems: string[]): readonly string[] {
  if (list !== undefined && single !== undefined) {
    problems.push('"clientIds" and "clientId" are both set: use "clientIds" only.');
    return Object.freeze([]);
  }
  const items = list === undefined && typeof single === 'string' ? [single] : list;
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_CLIENT_IDS) {
    problems.push(`"clientIds" must be a list of 1 to ${MAX_CLIENT_IDS} Cognito app client ids.`);
    return Object.freeze([]);
  }
  const ids: string[] = [];
  items.forEach((id: unknown, index) => {
    if (typeof id !== 'string' || !CLIENT_ID.test(id)) problems.push(`"clientIds[${index}]" must be a Cognito app client id.`);
    else if (!ids.includes(id)) ids.push(id);
  });
  return Object.freeze(ids);
}

const MAX_ALLOWED_ORIGINS = 32;
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Each entry must be exactly what a browser sends in `Origin` (the URL's own
 * serialization), because the edge compares by string equality: a trailing
 * slash, a path, upper case, a wildcard or `null` would either never match or
 * match too much, so they are refused here rather than ignored at request time.
 */
function parseAllowedOrigins(input: unknown, local: boolean, problems: string[]): readonly string[] {
  if (input === undefined) return Object.freeze([]);
  if (!Array.isArray(input) || input.length > MAX_ALLOWED_ORIGINS) {
    problems.push(`"allowedOrigins" must be a list of at most ${MAX_ALLOWED_ORIGINS} origins such as "https://app.example.com".`);
    return Object.freeze([]);
  }
  const origins: string[] = [];
  input.forEach((item: unknown, index) => {
    const where = `"allowedOrigins[${index}]"`;
    if (typeof item !== 'string') {
      problems.push(`${where} must be a string.`);
      return;
    }
    let url: URL | undefined;
    try {
      url = new URL(item);
    } catch {
      url = undefined;
    }
    if (url === undefined || url.origin !== item) {
      problems.push(`${where} must be exactly an origin, scheme://host[:port] in lower case with no path or trailing slash.`);
    } else if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (local || LOOPBACK_HOSTS.has(url.hostname)))) {
      problems.push(`${where} must use https: (http: only for localhost, or with "local": true).`);
    } else if (!origins.includes(item)) {
      origins.push(item);
    }
  });
  return Object.freeze(origins);
}

function parseTicketKeys(input: unknown, problems: string[]): readonly TicketKey[] {
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_TICKET_KEYS) {
    problems.push(`"multipartTicketKeys" must be an array of 1 to ${MAX_TICKET_KEYS} {"id", "secret"} objects.`);
    return Object.freeze([]);
  }
  const keys: TicketKey[] = [];
  const ids = new Set<string>();
  input.forEach((entry: unknown, index) => {
    // Never quote a secret in a problem: the message reaches deploy logs.
    const where = `"multipartTicketKeys[${index}]"`;
    if (!isPlainObject(entry)) {
      problems.push(`${where} must be an object.`);
      return;
    }
    const { id, secret } = entry;
    if (typeof id !== 'string' || !TICKET_KEY_ID.test(id)) problems.push(`${where} needs an "id" of 1 to 64 letters, digits, "_" or "-".`);
    else if (ids.has(id)) problems.push(`${where} repeats the id of an earlier key.`);
    const bytes = typeof secret === 'string' && BASE64.test(secret) ? Buffer.from(secret, 'base64') : undefined;
    if (bytes === undefined || bytes.toString('base64') !== secret || bytes.length < MIN_TICKET_SECRET_BYTES) {
      problems.push(`${where} needs a "secret": base64 of at least ${MIN_TICKET_SECRET_BYTES} random bytes.`);
      return;
    }
    if (typeof id === 'string' && TICKET_KEY_ID.test(id) && !ids.has(id)) {
      ids.add(id);
      keys.push(Object.freeze({ id, secret: createSecretKey(bytes) }));
    }
  });
  return Object.freeze(keys);
}

function parseJwks(input: unknown, problems: string[]): EdgeConfig['jwks'] {
  if (!isPlainObject(input) || !Array.isArray(input.keys) || input.keys.length === 0) {
    problems.push('"jwks" must be a JWKS object with a non-empty "keys" array.');
    return { keys: [] };
  }
  const keys: RsaJwk[] = [];
  input.keys.forEach((key: unknown, index) => {
    const where = `"jwks.keys[${index}]"`;
    if (!isPlainObject(key)) {
      problems.push(`${where} must be an object.`);
      return;
    }
    const { kid, kty, n, e, alg, use } = key;
    if (typeof kid !== 'string' || kid.length === 0) problems.push(`${where} needs a "kid".`);
    if (kty !== 'RSA') problems.push(`${where} must be an RSA key: only RS256 tokens are accepted.`);
    if (alg !== undefined && alg !== 'RS256') problems.push(`${where} has alg ${String(alg)}; only RS256 is accepted.`);
    if (use !== undefined && use !== 'sig') problems.push(`${where} must be a signing key (use "sig").`);
    if (typeof n !== 'string' || !BASE64URL.test(n)) problems.push(`${where} needs a base64url modulus "n".`);
    if (typeof e !== 'string' || !BASE64URL.test(e)) problems.push(`${where} needs a base64url exponent "e".`);
    if (typeof kid === 'string' && typeof n === 'string' && typeof e === 'string') {
      keys.push(Object.freeze({ kid, kty: 'RSA', n, e, alg: 'RS256', use: 'sig' }));
    }
  });
  return Object.freeze({ keys: Object.freeze(keys) });
}

export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string | undefined;
}

/** The function's own credentials, from the variables Lambda sets (docs/edge-config.md). */
export function credentialsFromEnv(env: NodeJS.ProcessEnv): SigningCredentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new EdgeConfigError('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: the function cannot sign.');
  }
  const sessionToken = env.AWS_SESSION_TOKEN;
  return { accessKeyId, secretAccessKey, sessionToken: sessionToken ? sessionToken : undefined };
}
