/**
 * The POST policy document: base64 of UTF-8 JSON with an `expiration` and a
 * list of `conditions` (AWS "POST Policy"). Parsed safely and into a closed
 * set of condition types; anything else is InvalidPolicyDocument.
 *
 * Condition forms S3 accepts:
 *   {"acl": "public-read"}                  exact match (one condition per member)
 *   ["eq", "$acl", "public-read"]           exact match
 *   ["starts-with", "$key", "user/eric/"]   prefix; "" matches anything
 *   ["content-length-range", 1, 10485760]   bounds of the file size, inclusive
 * Field names are case-insensitive; values are compared case-sensitively.
 */
import { isPlainObject, safeJsonParse } from '../../../edge-functions/core/safe-json';
import { InvalidPolicyDocumentError } from './errors';

export type PolicyCondition =
  | { readonly kind: 'eq'; readonly field: string; readonly value: string; readonly text: string }
  | { readonly kind: 'starts-with'; readonly field: string; readonly prefix: string; readonly text: string }
  | { readonly kind: 'content-length-range'; readonly min: number; readonly max: number; readonly text: string };

export interface PostPolicy {
  readonly expiration: Date;
  readonly expirationText: string;
  readonly conditions: readonly PolicyCondition[];
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const ISO8601_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;
const DIGITS = /^\d{1,15}$/;

export function decodePolicy(policyBase64: string): PostPolicy {
  if (!BASE64.test(policyBase64)) throw new InvalidPolicyDocumentError('Invalid Policy: Invalid Base64 encoding.');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(policyBase64, 'base64'));
  } catch {
    throw new InvalidPolicyDocumentError('Invalid Policy: Invalid UTF-8.');
  }
  const parsed = safeJsonParse(text);
  if (!parsed.ok || !isPlainObject(parsed.value)) throw new InvalidPolicyDocumentError('Invalid Policy: Invalid JSON.');
  const { expiration, conditions } = parsed.value;

  if (expiration === undefined) throw new InvalidPolicyDocumentError('Invalid Policy: Policy missing expiration.');
  if (typeof expiration !== 'string') throw new InvalidPolicyDocumentError("Invalid Policy: Invalid 'expiration' value.");
  const expirationDate = parseExpiration(expiration);

  if (conditions === undefined) throw new InvalidPolicyDocumentError('Invalid Policy: Policy missing conditions.');
  if (!Array.isArray(conditions)) throw new InvalidPolicyDocumentError("Invalid Policy: Invalid 'conditions' value: must be a List.");
  return { expiration: expirationDate, expirationText: expiration, conditions: conditions.flatMap(parseCondition) };
}

function parseExpiration(text: string): Date {
  const match = ISO8601_UTC.exec(text);
  const date = match === null ? undefined : new Date(text);
  // Date accepts 2026-02-31 (rolls over); S3 does not: the fields must survive a round trip.
  if (match === null || date === undefined || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 19) !== text.slice(0, 19)) {
    throw new InvalidPolicyDocumentError(`Invalid Policy: Invalid 'expiration' value: '${text.slice(0, 64)}'`);
  }
  return date;
}

function parseCondition(condition: unknown): PolicyCondition[] {
  if (isPlainObject(condition)) {
    const entries = Object.entries(condition);
    if (entries.length === 0) throw invalidCondition(condition);
    return entries.map(([name, value]) => {
      if (typeof value !== 'string') throw invalidCondition(condition);
      return { kind: 'eq', field: name.toLowerCase(), value, text: printed('eq', `$${name}`, value) };
    });
  }
  if (!Array.isArray(condition) || condition.length !== 3 || typeof condition[0] !== 'string') throw invalidCondition(condition);
  const [operator, first, second] = condition as [string, unknown, unknown];
  switch (operator.toLowerCase()) {
    case 'eq':
    case 'starts-with': {
      if (typeof first !== 'string' || !first.startsWith('$') || typeof second !== 'string') throw invalidCondition(condition);
      const field = first.slice(1).toLowerCase();
      const text = printed(operator, first, second);
      return [
        operator.toLowerCase() === 'eq' ? { kind: 'eq', field, value: second, text } : { kind: 'starts-with', field, prefix: second, text },
      ];
    }
    case 'content-length-range': {
      const min = byteCount(first);
      const max = byteCount(second);
      if (min === undefined || max === undefined) throw invalidCondition(condition);
      return [{ kind: 'content-length-range', min, max, text: printed(operator, min, max) }];
    }
    default:
      throw new InvalidPolicyDocumentError(`Invalid Policy: Invalid Condition Type: '${operator.slice(0, 64)}'`);
  }
}

/** A non-negative whole number of bytes, as a JSON number or a string of digits. */
function byteCount(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && DIGITS.test(value)) return Number(value);
  return undefined;
}

/** How S3 prints a condition in "Policy Condition failed: [...]". */
function printed(...parts: (string | number)[]): string {
  return `[${parts.map((part) => JSON.stringify(part)).join(', ')}]`;
}

function invalidCondition(condition: unknown): InvalidPolicyDocumentError {
  const shown = JSON.stringify(condition) ?? String(condition);
  return new InvalidPolicyDocumentError(`Invalid Policy: Invalid Condition: ${shown.slice(0, 128)}`);
}
