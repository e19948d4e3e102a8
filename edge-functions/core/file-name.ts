/**
 * Turns a file name chosen by a browser into the last segment of an object key.
 *
 * The result is NFC, has no path separators, no `..`, no control, zero-width
 * or bidi-override characters, no leading dots, only letters, digits, marks,
 * `.`, `_` and `-` (anything else becomes `-`), at most `maxBytes` UTF-8
 * bytes, and keeps its extension, lower-cased.
 */
import { InvalidFilenameError } from './errors';

export interface SafeFileName {
  /** The sanitized name: `<base>.<extension>` or `<base>`. */
  readonly name: string;
  /** Lower-case extension without the dot, or '' when there is none. */
  readonly extension: string;
}

/** Extensions longer than this are treated as part of the base name. */
const MAX_EXTENSION_LENGTH = 10;

/**
 * Longest raw name, in UTF-16 code units, that reaches the patterns below.
 * File systems allow 255 bytes or UTF-16 units per name, so no real file is
 * cut; a longer (hostile) name keeps its first and last characters, which is
 * all that can survive into the at most 128-byte result anyway. Every step
 * below is linear, and the cap bounds the work per name whatever the body
 * holds.
 */
export const MAX_RAW_NAME_LENGTH = 1024;
/** Code units of a capped name kept from its end, so the extension survives the cut. */
const KEPT_TAIL_LENGTH = 64;

// Controls (C0, C1, DEL) and every default-ignorable code point: the
// characters that render as nothing (zero-width space and joiners, BOM, soft
// hyphen, variation selectors, Hangul fillers) or reorder text (bidi marks,
// embeddings, overrides, isolates). A name made of them would look blank.
const INVISIBLE = /[\p{Cc}\p{Default_Ignorable_Code_Point}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
const SEPARATORS = /[\\/]/g;
const OUTSIDE_SAFE_SET = /[^\p{L}\p{M}\p{N}._-]/gu;
const DASH_RUNS = /-{2,}/g;
const DOT_RUNS = /\.{2,}/g;
// Trailing (and, for the base, leading) `.`, `-` and `_` are trimmed with the
// loops at the end of this file, not with `/[-._]+$/`: an unanchored pattern
// like that one retries from every position of a long run and is quadratic.

export function sanitizeFileName(raw: string, maxBytes: number, file?: number): SafeFileName {
  // Strip first, then compose: removing a hidden character can bring a base
  // letter and its combining mark together.
  const cleaned = trimJunkEnd(
    capRawName(raw)
      .replace(INVISIBLE, '')
      .normalize('NFC')
      .replace(SEPARATORS, '-')
      .replace(OUTSIDE_SAFE_SET, '-')
      .replace(DOT_RUNS, '.')
      .replace(DASH_RUNS, '-'),
  );

  const dot = cleaned.lastIndexOf('.');
  const candidate = dot >= 0 ? cleaned.slice(dot + 1) : '';
  const hasExtension = candidate.length > 0 && candidate.length <= MAX_EXTENSION_LENGTH && /^[\p{L}\p{N}]+$/u.test(candidate);
  const extension = hasExtension ? candidate.toLowerCase() : '';
  const suffix = hasExtension ? `.${extension}` : '';
  const base = trimJunk(truncateUtf8(trimJunk(hasExtension ? cleaned.slice(0, dot) : cleaned), maxBytes - utf8Length(suffix)));

  if (base.length === 0 || !/[\p{L}\p{N}]/u.test(base)) {
    throw new InvalidFilenameError(
      `"${describe(raw)}" is not a usable file name: it needs at least one letter or digit before the extension.`,
      file,
    );
  }
  return { name: (base + suffix).normalize('NFC'), extension };
}

/**
 * `raw` itself when it is at most MAX_RAW_NAME_LENGTH code units; otherwise
 * its head and its last KEPT_TAIL_LENGTH units, MAX_RAW_NAME_LENGTH in all,
 * never splitting a surrogate pair. Runs before any pattern.
 */
export function capRawName(raw: string): string {
  if (raw.length <= MAX_RAW_NAME_LENGTH) return raw;
  let headEnd = MAX_RAW_NAME_LENGTH - KEPT_TAIL_LENGTH;
  let tailStart = raw.length - KEPT_TAIL_LENGTH;
  if (isLowSurrogate(raw.charCodeAt(headEnd))) headEnd -= 1;
  if (isLowSurrogate(raw.charCodeAt(tailStart))) tailStart += 1;
  return raw.slice(0, headEnd) + raw.slice(tailStart);
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** `.`, `-` or `_`: what may not start or end a name. */
function isJunk(unit: number): boolean {
  return unit === 0x2e || unit === 0x2d || unit === 0x5f;
}

/**
 * Drops trailing `.`/`-`/`_`, one pass from the end. Windows drops trailing
 * dots; a trailing separator would hide the real extension.
 */
function trimJunkEnd(text: string): string {
  let end = text.length;
  while (end > 0 && isJunk(text.charCodeAt(end - 1))) end -= 1;
  return text.slice(0, end);
}

/** Drops leading and trailing `.`/`-`/`_`. */
function trimJunk(text: string): string {
  let start = 0;
  while (start < text.length && isJunk(text.charCodeAt(start))) start += 1;
  return trimJunkEnd(text.slice(start));
}

/**
 * UTF-8 length counted by code point, without Buffer, so the site can import
 * this module in the browser. A lone surrogate counts 3, as its U+FFFD does.
 */
function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const point = char.codePointAt(0) ?? 0;
    bytes += point < 0x80 ? 1 : point < 0x800 ? 2 : point < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** Cuts at a code point boundary so that the result is at most `maxBytes` UTF-8 bytes. */
function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8Length(text) <= maxBytes) return text;
  let bytes = 0;
  let out = '';
  for (const char of text) {
    const size = utf8Length(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    out += char;
  }
  return out;
}

/** A short, printable rendering of a rejected name for the error message. */
function describe(raw: string): string {
  const printable = capRawName(raw).replace(INVISIBLE, '').replace(/["\\]/g, '');
  return printable.length > 40 ? `${printable.slice(0, 40)}…` : printable;
}
