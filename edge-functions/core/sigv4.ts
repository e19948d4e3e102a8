/**
 * The parts of AWS Signature Version 4 a browser POST needs, on node:crypto.
 * A POST policy is signed by HMAC-ing its base64 text with the derived
 * signing key; there is no canonical request.
 */
import { createHmac } from 'node:crypto';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';

/** 20261129T120500Z — the X-Amz-Date form. */
export function amzDate(now: Date): string {
  return isoSeconds(now).replace(/[-:]/g, '');
}

/** 2026-11-29T12:05:00Z — ISO 8601 without milliseconds, as POST policies use. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function credentialScope(shortDate: string, region: string, service: string): string {
  return `${shortDate}/${region}/${service}/aws4_request`;
}

// The signing key depends only on the secret, the day and the region: derive
// it once per day instead of four HMACs per request.
let cached: { secret: string; scope: string; key: Buffer } | undefined;

export function signingKey(secretAccessKey: string, shortDate: string, region: string, service: string): Buffer {
  const scope = credentialScope(shortDate, region, service);
  if (cached !== undefined && cached.secret === secretAccessKey && cached.scope === scope) return cached.key;
  const kDate = hmac(`AWS4${secretAccessKey}`, shortDate);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  const key = hmac(kService, 'aws4_request');
  cached = { secret: secretAccessKey, scope, key };
  return key;
}

export function signHex(key: Buffer, data: string): string {
  return createHmac('sha256', key).update(data, 'utf8').digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
