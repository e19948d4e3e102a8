/**
 * What `scripts/bench/hostile-input.mjs` times: every function that runs a
 * pattern over untrusted input, plus the file-name sanitizer as it was before
 * the raw-name cap (its trailing-junk patterns were quadratic), for contrast.
 */
export { sanitizeFileName } from '../../edge-functions/core/file-name';
export { presign } from '../../edge-functions/core/presign-routes';
export { redact } from '../../origin/core/error-response';
export { isJsonMediaType } from '../../origin/core/request-guard';
export { isPlausibleRefreshToken } from '../../origin/core/cookies';
export { isValidEmail } from '../../origin/core/email';

/** The sanitizer's old trailing-junk step, verbatim: `/[-._]+$/` on the cleaned name. */
export function oldTrailingJunkTrim(cleaned: string): string {
  return cleaned.replace(/[-._]+$/, '');
}
