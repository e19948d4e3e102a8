/**
 * JSON parsing for untrusted input: the result is `unknown` until an assertion
 * has checked it, and a key that could reach an object prototype anywhere in
 * the document makes the whole document unacceptable.
 */
import { UnsafeJsonKeyError } from './errors';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Parses JSON; throws SyntaxError on bad JSON and UnsafeJsonKeyError on `__proto__`, `constructor` or `prototype` keys. */
export function safeJsonParse(text: string): unknown {
  return JSON.parse(text, (key, value: unknown) => {
    if (FORBIDDEN_KEYS.has(key)) throw new UnsafeJsonKeyError(key);
    return value;
  });
}

export type JsonObject = { readonly [key: string]: unknown };

/** A plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
