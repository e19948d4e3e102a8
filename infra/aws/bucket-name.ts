/**
 * Bucket names, checked at synth. S3's own naming rules, plus the one this
 * system adds: no dots. Transfer Acceleration refuses bucket names with dots,
 * and even where S3 would take one, `<a.b>.s3-accelerate.amazonaws.com` is
 * not covered by S3's wildcard TLS certificate, so the browser's upload would
 * fail its TLS handshake.
 */
import { BucketNameError } from './errors';

const ALLOWED_CHARACTERS = /^[a-z0-9.-]+$/;
const IPV4_LIKE = /^\d{1,3}(\.\d{1,3}){3}$/;
/** Prefixes and suffixes S3 reserves for its own features (access points, Object Lambda, directory and table buckets, docs). */
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/** Why `name` cannot be the upload bucket's name, or undefined when it can. */
export function uploadBucketNameProblem(name: string): string | undefined {
  if (name.includes('.')) {
    return (
      'it contains dots. S3 Transfer Acceleration does not accept bucket names with dots, and the TLS ' +
      'certificate of <bucket>.s3-accelerate.amazonaws.com would not match them. Use hyphens instead.'
    );
  }
  if (name.length < 3 || name.length > 63) return `it is ${name.length} characters long; S3 bucket names have 3 to 63.`;
  if (!ALLOWED_CHARACTERS.test(name)) return 'S3 bucket names use only lower-case letters, digits and hyphens here.';
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return 'it must begin and end with a letter or a digit.';
  if (IPV4_LIKE.test(name)) return 'it looks like an IP address.';
  const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix !== undefined) return `the prefix "${prefix}" is reserved by S3.`;
  const suffix = RESERVED_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix !== undefined) return `the suffix "${suffix}" is reserved by S3.`;
  return undefined;
}

/** Throws BucketNameError when `name` cannot be the upload bucket's name. */
export function assertUploadBucketName(name: string): void {
  const problem = uploadBucketNameProblem(name);
  if (problem !== undefined) throw new BucketNameError(name, problem);
}

/** The origin of the Transfer Acceleration endpoint (for CSP connect-src). */
export function accelerateUploadOrigin(bucketName: string): string {
  return `https://${bucketName}.s3-accelerate.amazonaws.com`;
}

/** The URL the browser POSTs to (docs/http-api.md "Who answers which path"; the SDK ignores accelerate for presigned POST, so the edge is told). */
export function accelerateUploadUrl(bucketName: string): string {
  return `${accelerateUploadOrigin(bucketName)}/`;
}
