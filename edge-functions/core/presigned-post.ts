/**
 * The POST policy builder and signer (docs/post-policy-and-keys.md "What the form binds").
 *
 * Every form field the browser will send is bound by an exact-match
 * condition, plus the exact content-length range; S3 refuses any field the
 * policy does not mention. Field and condition order follow
 * `createPresignedPost` from @aws-sdk/s3-presigned-post, so the output is
 * byte-identical to the SDK's for the same inputs and clock (a test holds
 * them side by side); we sign here because the SDK would add ~300 KB to a
 * viewer-request bundle.
 */
import type { SigningCredentials } from './edge-config';
import { amzDate, credentialScope, isoSeconds, signHex, signingKey, SIGV4_ALGORITHM } from './sigv4';

export interface PresignedPostInput {
  readonly bucket: string;
  readonly region: string;
  readonly key: string;
  /** Form fields besides key, bucket and the SigV4 ones; each becomes an exact-match condition. */
  readonly fields: Readonly<Record<string, string>>;
  /** [min, max] bytes for the file. */
  readonly contentLength: readonly [number, number];
  readonly credentials: SigningCredentials;
  readonly now: Date;
  readonly ttlSeconds: number;
}

export interface PresignedPost {
  /** Every form field, in the order the browser should send them (the file goes last). */
  readonly fields: Record<string, string>;
  /** When S3 stops accepting the policy. */
  readonly expiresAt: string;
}

export function createPresignedPost(input: PresignedPostInput): PresignedPost {
  const { bucket, region, key, credentials, now } = input;
  const date = amzDate(now);
  const shortDate = date.slice(0, 8);
  const signed: Record<string, string> = {
    ...input.fields,
    bucket,
    'X-Amz-Algorithm': SIGV4_ALGORITHM,
    'X-Amz-Credential': `${credentials.accessKeyId}/${credentialScope(shortDate, region, 's3')}`,
    'X-Amz-Date': date,
  };
  if (credentials.sessionToken !== undefined) signed['X-Amz-Security-Token'] = credentials.sessionToken;

  const expiresAt = isoSeconds(new Date(now.getTime() + input.ttlSeconds * 1000));
  const conditions: unknown[] = [['content-length-range', input.contentLength[0], input.contentLength[1]]];
  for (const [name, value] of Object.entries(signed)) conditions.push({ [name]: value });
  conditions.push({ key });

  const policy = Buffer.from(JSON.stringify({ expiration: expiresAt, conditions }), 'utf8').toString('base64');
  const signature = signHex(signingKey(credentials.secretAccessKey, shortDate, region, 's3'), policy);
  return {
    fields: { ...signed, key, Policy: policy, 'X-Amz-Signature': signature },
    expiresAt,
  };
}
