/**
 * The inspector's configuration, read from environment variables once at
 * cold start, validated, and frozen. A bad value fails the cold start with
 * one message listing every problem; it never fails an event later.
 */
import { DEFAULT_UPLOAD_RULES } from '../../../edge-functions/core/upload-rules';
import { InspectorConfigError } from './errors';

export interface InspectorConfig {
  /** The upload bucket; events from any other bucket are skipped. */
  readonly bucket: string;
  /** New uploads: the prefix the S3 notification filters on. */
  readonly uploadPrefix: string;
  /** Where failed uploads go, with the rest of their key. Outside uploadPrefix, or a quarantined copy would be inspected again. */
  readonly quarantinePrefix: string;
  /** The bucket's KMS key: quarantined copies are encrypted with it, as the bucket policy demands of every write. */
  readonly kmsKeyId: string;
}

export const INSPECTOR_ENV = Object.freeze({
  bucket: 'UPLOAD_BUCKET',
  uploadPrefix: 'UPLOAD_PREFIX',
  quarantinePrefix: 'QUARANTINE_PREFIX',
  kmsKeyId: 'UPLOAD_KMS_KEY_ID',
});

export const DEFAULT_QUARANTINE_PREFIX = 'quarantine/';

/** The tag that says an object passed inspection; readers trust nothing else (README). */
export const VERIFIED_TAG = Object.freeze({ key: 'verified', value: 'true' });
/** The tag a quarantined copy carries, with the reason code as its value. */
export const QUARANTINE_REASON_TAG = 'quarantine-reason';

/** S3's rules for a bucket name (dots allowed here: the inspector does not use Transfer Acceleration). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** A prefix: one or more path segments of safe characters, ending in "/". */
const PREFIX = /^(?:[A-Za-z0-9_.-]+\/)+$/;
const KMS_KEY = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

export type Env = Readonly<Record<string, string | undefined>>;

export function parseInspectorConfig(env: Env): InspectorConfig {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  const bucket = get(INSPECTOR_ENV.bucket) ?? '';
  if (bucket === '') problems.push(`${INSPECTOR_ENV.bucket} is required`);
  else if (!BUCKET_NAME.test(bucket))
    problems.push(`${INSPECTOR_ENV.bucket} must be an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens)`);

  const uploadPrefix = get(INSPECTOR_ENV.uploadPrefix) ?? DEFAULT_UPLOAD_RULES.keyPrefix;
  const quarantinePrefix = get(INSPECTOR_ENV.quarantinePrefix) ?? DEFAULT_QUARANTINE_PREFIX;
  for (const [name, value] of [
    [INSPECTOR_ENV.uploadPrefix, uploadPrefix],
    [INSPECTOR_ENV.quarantinePrefix, quarantinePrefix],
  ] as const) {
    if (!PREFIX.test(value) || value.split('/').some((segment) => segment === '.' || segment === '..')) {
      problems.push(`${name} must be a key prefix such as "uploads/" (letters, digits, _ . -, ending in /)`);
    }
  }
  if (uploadPrefix.startsWith(quarantinePrefix) || quarantinePrefix.startsWith(uploadPrefix)) {
    problems.push(
      `${INSPECTOR_ENV.quarantinePrefix} must not overlap ${INSPECTOR_ENV.uploadPrefix}: a quarantined copy would be inspected again`,
    );
  }

  const kmsKeyId = get(INSPECTOR_ENV.kmsKeyId) ?? '';
  if (kmsKeyId === '') problems.push(`${INSPECTOR_ENV.kmsKeyId} is required`);
  else if (!KMS_KEY.test(kmsKeyId))
    problems.push(`${INSPECTOR_ENV.kmsKeyId} must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)`);

  if (problems.length > 0) throw new InspectorConfigError(problems);
  return Object.freeze({ bucket, uploadPrefix, quarantinePrefix, kmsKeyId });
}
