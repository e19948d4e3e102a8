/**
 * The one JSON parser for untrusted text (request bodies, tokens, policies,
 * answers of other services), used by every deployable. In the manner of
 * aws-jwt-verify's safe-json-parse.ts: the result is `unknown` until a check
 * has looked at it, a syntax error is the caller's problem (returned, not
 * thrown), and a key that could reach an object's prototype chain
 * (`__proto__`, `constructor`, `prototype`) anywhere in the document makes the
 * whole document unacceptable, so a parsed value can never pollute one.
 */

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type JsonParseResult =
  | { readonly ok: true; readonly value: unknown }
  /** `syntax`: not JSON; `unsafe-key`: JSON holding a forbidden key (named in `key`). */
  | { readonly ok: false; readonly reason: 'syntax' | 'unsafe-key'; readonly key?: string };

/** Thrown inside the reviver to stop at the first forbidden key; never leaves this module. */
class UnsafeKey {
  constructor(readonly key: string) {}
}

export function safeJsonParse(text: string): JsonParseResult {
  try {
    return {
      ok: true,
      value: JSON.parse(text, (key, value: unknown) => {
        if (FORBIDDEN_KEYS.has(key)) throw new UnsafeKey(key);
        return value;
      }),
    };
  } catch (error) {
    return error instanceof UnsafeKey ? { ok: false, reason: 'unsafe-key', key: error.key } : { ok: false, reason: 'syntax' };
  }
}

/** The one object guard: a JSON-style object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
