/**
 * The reference the differential suites compare the edge against: an
 * S3Client from @aws-sdk/client-s3 that signs offline, for each addressing
 * config.uploadUrl can imply, and the config.uploadUrl that goes with it.
 *
 * Offline: a request handler that refuses to send anything (and counts the
 * attempt, so a suite can end by checking that none was made), static
 * credentials and region so no provider chain runs, and every setting the
 * environment could otherwise change about the URL pinned.
 *
 * Where the browser goes. The deploy writes config.uploadUrl in the first
 * form; the local stack (s3rver, path-style) needs the second. Each is pinned
 * here to what the SDK returns for the equivalent client, found by experiment:
 * - virtual-hosted with endpoint https://s3-accelerate.amazonaws.com, or with
 *   useAccelerateEndpoint: true (the SDK honours it for presigned POST too):
 *   https://<bucket>.s3-accelerate.amazonaws.com/   (trailing slash)
 * - forcePathStyle with endpoint http://127.0.0.1:4569:
 *   http://127.0.0.1:4569/<bucket>                  (no trailing slash)
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { type EdgeConfig, parseEdgeConfig, type RsaJwk, type SigningCredentials } from '../../edge-functions/core/edge-config';
import { DEFAULT_UPLOAD_RULES } from '../../edge-functions/core/upload-rules';
import { TEST_CLIENT_ID, TEST_ISSUER, TEST_TICKET_KEYS } from './tokens';

export const ACCELERATE_ENDPOINT = 'https://s3-accelerate.amazonaws.com';
export const accelerateUploadUrl = (bucket: string): string => `https://${bucket}.s3-accelerate.amazonaws.com/`;
export const LOCAL_S3_ENDPOINT = 'http://127.0.0.1:4569';
export const LOCAL_BUCKET = 'edge-upload-local';
export const localUploadUrl = (bucket: string): string => `${LOCAL_S3_ENDPOINT}/${bucket}`;

/** The SDK spellings of the two endpoints the edge signs for. */
export type Addressing = 'accelerate-endpoint' | 'accelerate-flag' | 'local-path-style';

/** Transfer Acceleration exists only in the aws partition; the SDK refuses the flag in aws-cn and aws-us-gov. */
export const hasTransferAcceleration = (region: string): boolean => !/^(cn|us-gov)-/.test(region);

/**
 * The addressing for a run: path-style when local, else one of the two SDK
 * spellings of "virtual-hosted on s3-accelerate": an explicit endpoint (any
 * region) or the accelerate flag (where the partition has it).
 */
export const addressingFor = (region: string, preferFlag: boolean, local: boolean): Addressing =>
  local ? 'local-path-style' : preferFlag && hasTransferAcceleration(region) ? 'accelerate-flag' : 'accelerate-endpoint';

/** config.uploadUrl for a bucket under an addressing (both accelerate spellings share one). */
export const uploadUrlFor = (addressing: Addressing, bucket: string): string =>
  addressing === 'local-path-style' ? localUploadUrl(bucket) : accelerateUploadUrl(bucket);

let networkAttempts = 0;

/** How many times a reference client tried to send a request (jest loads this module afresh per test file). */
export const referenceNetworkAttempts = (): number => networkAttempts;

/** A request handler that refuses to send anything (and counts the attempt). */
const offlineHandler: NonNullable<S3ClientConfig['requestHandler']> = {
  handle: () => {
    networkAttempts += 1;
    return Promise.reject(new Error('network access is switched off in this test'));
  },
  updateHttpClientConfig: () => undefined,
  httpHandlerConfigs: () => ({}),
};

/** The checksum settings a suite moves off the SDK default (each suite's header says why). */
export type ChecksumSettings = Pick<S3ClientConfig, 'requestChecksumCalculation' | 'responseChecksumValidation'>;

/** An offline S3Client for `addressing`; the caller destroys it. */
export function referenceClient(
  region: string,
  credentials: SigningCredentials,
  addressing: Addressing,
  checksums: ChecksumSettings = {},
): S3Client {
  const base: S3ClientConfig = {
    region,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken === undefined ? {} : { sessionToken: credentials.sessionToken }),
    },
    requestHandler: offlineHandler,
    ...checksums,
    // Pin everything the environment could otherwise change about the URL.
    ignoreConfiguredEndpointUrls: true,
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
  };
  switch (addressing) {
    case 'accelerate-endpoint':
      return new S3Client({ ...base, endpoint: ACCELERATE_ENDPOINT });
    case 'accelerate-flag':
      return new S3Client({ ...base, useAccelerateEndpoint: true });
    case 'local-path-style':
      return new S3Client({ ...base, endpoint: LOCAL_S3_ENDPOINT, forcePathStyle: true });
  }
}

export interface ReferenceSite {
  readonly bucket: string;
  readonly region: string;
  /** The local stack: path-style uploadUrl and `local: true`. */
  readonly local: boolean;
}

/**
 * The edge config for a differential run: the test issuer and key, the
 * site's bucket, region and uploadUrl, and `settings` (kmsKeyId, the TTLs a
 * suite varies) on top.
 */
export function referenceEdgeConfig(jwk: RsaJwk, site: ReferenceSite, settings: Record<string, unknown>): EdgeConfig {
  return parseEdgeConfig(
    {
      issuer: TEST_ISSUER,
      clientId: TEST_CLIENT_ID,
      jwks: { keys: [jwk] },
      bucket: site.bucket,
      region: site.region,
      uploadUrl: site.local ? localUploadUrl(site.bucket) : accelerateUploadUrl(site.bucket),
      ...settings,
      multipartTicketKeys: TEST_TICKET_KEYS,
      ...(site.local ? { local: true } : {}),
    },
    DEFAULT_UPLOAD_RULES.policyTtlSeconds,
  );
}
