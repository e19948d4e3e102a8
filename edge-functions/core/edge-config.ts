/**
 * The presign function's configuration (DESIGN §5). Lambda@Edge has no
 * environment variables, so `config.json` travels inside the function
 * package. It is checked once, at module load: a bad config fails the cold
 * start with every problem listed, never a request quietly.
 */
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
  readonly clientId: string;
  readonly jwks: { readonly keys: readonly RsaJwk[] };
  readonly bucket: string;
  readonly region: string;
  readonly uploadUrl: string;
  readonly kmsKeyId: string;
  readonly policyTtlSeconds: number;
  /** Only the local stack sets this: it allows http: issuer and upload URLs. */
  readonly local: boolean;
}

/** SigV4 allows a POST policy to live at most seven days. */
const MAX_POLICY_TTL_SECONDS = 7 * 24 * 3600;
const BUCKET_NAME = /^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function parseEdgeConfig(input: unknown, defaultPolicyTtlSeconds: number): EdgeConfig {
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
  const clientId = text('clientId');
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

  if (problems.length > 0) throw new EdgeConfigError(`Invalid config.json:\n- ${problems.join('\n- ')}`);
  return Object.freeze({ issuer, clientId, jwks, bucket, region, uploadUrl, kmsKeyId, policyTtlSeconds, local: allowHttp });
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

/** The function's own credentials, from the variables Lambda sets (DESIGN §5). */
export function credentialsFromEnv(env: NodeJS.ProcessEnv): SigningCredentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new EdgeConfigError('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: the function cannot sign.');
  }
  const sessionToken = env.AWS_SESSION_TOKEN;
  return { accessKeyId, secretAccessKey, sessionToken: sessionToken ? sessionToken : undefined };
}
