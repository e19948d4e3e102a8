/**
 * s3rver and the POST-policy guard in front of it, as one process of its
 * own, so a test (or a script) can start it, measure it and stop it by PID.
 *
 * Configuration is one JSON object in POST_POLICY_GUARD_CONFIG:
 *   { "guardPort": 0, "s3rverPort": 0, "directory": "/path/for/objects",
 *     "buckets": [{ "name": "edge-upload-local", "cors": { "allowedOrigins": ["http://127.0.0.1:3000"] } }],
 *     "region": "us-east-1", "allowedOrigins": ["http://127.0.0.1:3000"],
 *     "credentials": { "accessKeyId": "...", "secretAccessKey": "..." } }
 * When both servers listen it prints one JSON line:
 *   {"event":"ready","pid":123,"guardUrl":"http://127.0.0.1:4569","s3rverUrl":"http://127.0.0.1:4568"}
 * SIGTERM or SIGINT closes both and exits 0.
 */
import { isPlainObject, safeJsonParse } from '../../../edge-functions/core/safe-json';
import { startS3rver, type S3rverBucket } from '../s3rver';
import { startPostPolicyGuard } from './post-policy-guard';

interface GuardProcessConfig {
  readonly guardPort: number;
  readonly s3rverPort: number;
  readonly directory: string;
  readonly buckets: readonly S3rverBucket[];
  readonly region: string;
  readonly allowedOrigins: readonly string[];
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
}

function readConfig(text: string | undefined): GuardProcessConfig {
  const parsed = safeJsonParse(text ?? '');
  if (!parsed.ok || !isPlainObject(parsed.value)) throw new Error('POST_POLICY_GUARD_CONFIG must hold a JSON object');
  const config = parsed.value;
  const port = (name: string): number => {
    const value = config[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535)
      throw new Error(`${name} must be a port number`);
    return value;
  };
  const requiredText = (value: unknown, name: string): string => {
    if (typeof value !== 'string' || value === '') throw new Error(`${name} must be a non-empty string`);
    return value;
  };
  const strings = (value: unknown, name: string): string[] => {
    if (!Array.isArray(value)) throw new Error(`${name} must be a list of strings`);
    return value.map((item, index) => requiredText(item, `${name}[${index}]`));
  };
  const buckets = config.buckets;
  if (!Array.isArray(buckets)) throw new Error('buckets must be a list');
  const credentials = config.credentials;
  if (!isPlainObject(credentials)) throw new Error('credentials must be an object');
  return {
    guardPort: port('guardPort'),
    s3rverPort: port('s3rverPort'),
    directory: requiredText(config.directory, 'directory'),
    region: requiredText(config.region, 'region'),
    allowedOrigins: strings(config.allowedOrigins, 'allowedOrigins'),
    buckets: buckets.map((bucket: unknown, index) => {
      if (!isPlainObject(bucket)) throw new Error(`buckets[${index}] must be an object`);
      const cors = bucket.cors;
      if (cors !== undefined && !isPlainObject(cors)) throw new Error(`buckets[${index}].cors must be an object`);
      return {
        name: requiredText(bucket.name, `buckets[${index}].name`),
        ...(cors === undefined ? {} : { cors: { allowedOrigins: strings(cors.allowedOrigins, `buckets[${index}].cors.allowedOrigins`) } }),
      };
    }),
    credentials: {
      accessKeyId: requiredText(credentials.accessKeyId, 'credentials.accessKeyId'),
      secretAccessKey: requiredText(credentials.secretAccessKey, 'credentials.secretAccessKey'),
      ...(credentials.sessionToken === undefined
        ? {}
        : { sessionToken: requiredText(credentials.sessionToken, 'credentials.sessionToken') }),
    },
  };
}

async function main(): Promise<void> {
  const config = readConfig(process.env.POST_POLICY_GUARD_CONFIG);
  const s3rver = await startS3rver({
    port: config.s3rverPort,
    directory: config.directory,
    buckets: config.buckets,
    accessKeys: [config.credentials],
  });
  const guard = await startPostPolicyGuard({
    port: config.guardPort,
    s3rverEndpoint: s3rver.endpoint,
    credentials: config.credentials,
    region: config.region,
    allowedOrigins: config.allowedOrigins,
    // Next to s3rver's folder, not in it (s3rver takes every folder there for a bucket).
    multipartDirectory: `${config.directory.replace(/[\\/]+$/, '')}-multipart`,
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void Promise.allSettled([guard.close()])
      .then(() => s3rver.close())
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`${JSON.stringify({ event: 'ready', pid: process.pid, guardUrl: guard.url, s3rverUrl: s3rver.endpoint })}\n`);
}

main().catch((error: unknown) => {
  console.error('[post-policy-guard] could not start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
