/**
 * Email addresses as the auth API accepts them: a pragmatic subset of RFC 5321
 * (dot-atom local part, LDH domain with at least two labels), at most 254
 * characters, compared case-insensitively.
 */

/** RFC 5321: a forward path is at most 256 octets including the angle brackets. */
export const MAX_EMAIL_LENGTH = 254;
/** RFC 5321 §4.5.3.1.1. */
const MAX_LOCAL_PART_LENGTH = 64;
/** RFC 1035 §2.3.4. */
const MAX_LABEL_LENGTH = 63;

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const TOP_LEVEL_LABEL = /^(?:[A-Za-z]{2,}|xn--[A-Za-z0-9-]+)$/;

/**
 * The canonical form used as the Cognito user name: trimmed and lower-cased,
 * so `Ann@Example.com` and `ann@example.com` are one account (as in a user
 * pool with case-insensitive user names; cognito-local is case-sensitive).
 */
export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}

/** Whether an already-normalized address has an acceptable syntax and length. */
export function isValidEmail(email: string): boolean {
  if (email.length === 0 || email.length > MAX_EMAIL_LENGTH) return false;
  const at = email.lastIndexOf('@');
  if (at <= 0 || at !== email.indexOf('@')) return false;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length > MAX_LOCAL_PART_LENGTH || !LOCAL_PART.test(local)) return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  if (!labels.every((label) => label.length <= MAX_LABEL_LENGTH && DOMAIN_LABEL.test(label))) return false;
  return TOP_LEVEL_LABEL.test(labels[labels.length - 1] ?? '');
}

/**
 * Hides most of an address the way Cognito does (`a***@e***`), for the
 * `destination` of a sign-up. A value that is already masked is kept.
 */
export function maskEmail(address: string): string {
  if (address.includes('*')) return address;
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${address.slice(0, 1)}***@${address.slice(at + 1, at + 2)}***`;
}
