/**
 * JSON parsing for untrusted bodies: a syntax error is the caller's problem
 * (returned, not thrown), and keys that could reach an object's prototype
 * chain are dropped so a parsed value can never pollute one.
 */

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type JsonParseResult = { ok: true; value: unknown } | { ok: false };

export function safeJsonParse(text: string): JsonParseResult {
  try {
    return { ok: true, value: JSON.parse(text, (key, value: unknown) => (FORBIDDEN_KEYS.has(key) ? undefined : value)) };
  } catch {
    return { ok: false };
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
