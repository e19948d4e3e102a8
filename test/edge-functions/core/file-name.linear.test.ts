/**
 * The sanitizer's cost is bounded (hardening, "Day two on AWS"): a raw name is
 * capped before any pattern sees it, the quadratic trim patterns are gone, and
 * below the cap the output is exactly what the old implementation gave. The
 * old implementation lives here as the oracle. Speed itself is measured by
 * `npm run bench`, never here.
 */
import fc from 'fast-check';
import { InvalidFilenameError } from '../../../edge-functions/core/errors';
import { MAX_RAW_NAME_LENGTH, capRawName, sanitizeFileName } from '../../../edge-functions/core/file-name';

const MAX_BYTES = 128;

// ---- the oracle: edge-functions/core/file-name.ts before the cap, verbatim ----
const ORACLE_MAX_EXTENSION_LENGTH = 10;
const INVISIBLE = /[\p{Cc}\p{Default_Ignorable_Code_Point}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
const SEPARATORS = /[\\/]/g;
const OUTSIDE_SAFE_SET = /[^\p{L}\p{M}\p{N}._-]/gu;
const DASH_RUNS = /-{2,}/g;
const DOT_RUNS = /\.{2,}/g;
const TRAILING_JUNK = /[-._]+$/;
const TRIM_BASE = /^[-._]+|[-._]+$/g;

function oracle(raw: string, maxBytes: number): { name: string; extension: string } | 'INVALID_FILENAME' {
  const cleaned = raw
    .replace(INVISIBLE, '')
    .normalize('NFC')
    .replace(SEPARATORS, '-')
    .replace(OUTSIDE_SAFE_SET, '-')
    .replace(DOT_RUNS, '.')
    .replace(DASH_RUNS, '-')
    .replace(TRAILING_JUNK, '');
  const dot = cleaned.lastIndexOf('.');
  const candidate = dot >= 0 ? cleaned.slice(dot + 1) : '';
  const hasExtension = candidate.length > 0 && candidate.length <= ORACLE_MAX_EXTENSION_LENGTH && /^[\p{L}\p{N}]+$/u.test(candidate);
  const extension = hasExtension ? candidate.toLowerCase() : '';
  const suffix = hasExtension ? `.${extension}` : '';
  const base = oracleTruncate(
    (hasExtension ? cleaned.slice(0, dot) : cleaned).replace(TRIM_BASE, ''),
    maxBytes - oracleLength(suffix),
  ).replace(TRIM_BASE, '');
  if (base.length === 0 || !/[\p{L}\p{N}]/u.test(base)) return 'INVALID_FILENAME';
  return { name: (base + suffix).normalize('NFC'), extension };
}

function oracleLength(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const point = char.codePointAt(0) ?? 0;
    bytes += point < 0x80 ? 1 : point < 0x800 ? 2 : point < 0x10000 ? 3 : 4;
  }
  return bytes;
}

function oracleTruncate(text: string, maxBytes: number): string {
  if (oracleLength(text) <= maxBytes) return text;
  let bytes = 0;
  let out = '';
  for (const char of text) {
    const size = oracleLength(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    out += char;
  }
  return out;
}
// ---- end of the oracle ----

function current(raw: string, maxBytes: number): { name: string; extension: string } | 'INVALID_FILENAME' {
  try {
    return sanitizeFileName(raw, maxBytes);
  } catch (error) {
    if (error instanceof InvalidFilenameError) return 'INVALID_FILENAME';
    throw error;
  }
}

/** Characters the sanitizer treats specially, so that random names hit every rule often. */
const INTERESTING = [
  'a',
  'Z',
  '7',
  'é',
  'e\u0301',
  '写',
  '😀',
  '\ud83d',
  '\ude00',
  '.',
  '.',
  '-',
  '-',
  '_',
  '_',
  '/',
  '\\',
  ' ',
  '\u0000',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u00ad',
  '\u200b',
  '\u200e',
  '\u202e',
  '\u2066',
  '\ufeff',
  '\ufe0f',
  '\u3164',
  '\u034f',
  '%',
  '(',
  ')',
  'P',
  'N',
  'G',
  'p',
  'n',
  'g',
];
const interestingName = (maxLength: number) => fc.array(fc.constantFrom(...INTERESTING), { maxLength }).map((parts) => parts.join(''));
const anyName = fc.oneof(
  interestingName(60),
  fc.string({ maxLength: 60, unit: 'binary' }),
  fc.string({ maxLength: 60, unit: 'grapheme' }),
  fc
    .tuple(interestingName(40), fc.constantFrom('.png', '.PNG', '.jpeg', '.pdf', '.tar.gz', '.abcdefghijk', '.', ''))
    .map(([base, ext]) => base + ext),
);

describe('sanitizeFileName below the cap: exactly the old behaviour', () => {
  it('gives the same name, extension or INVALID_FILENAME as the old implementation', () => {
    fc.assert(
      fc.property(anyName, fc.integer({ min: 8, max: 160 }), (raw, maxBytes) => {
        expect(current(raw, maxBytes)).toEqual(oracle(raw, maxBytes));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on long names just under the cap, junk runs included', () => {
    const long = fc
      .tuple(
        fc.array(fc.constantFrom(...INTERESTING), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 400 }),
        fc.constantFrom('.png', '', '.'),
      )
      .map(
        ([parts, times, ext]) =>
          parts
            .join('')
            .repeat(times)
            .slice(0, MAX_RAW_NAME_LENGTH - ext.length) + ext,
      );
    fc.assert(
      fc.property(long, (raw) => {
        expect(raw.length).toBeLessThanOrEqual(MAX_RAW_NAME_LENGTH);
        expect(current(raw, MAX_BYTES)).toEqual(oracle(raw, MAX_BYTES));
      }),
      { numRuns: 300 },
    );
  });

  it.each([[`${'-._'.repeat(300)}x.png`], [`x${'-._'.repeat(300)}.png`], [`a${'.-'.repeat(500)}`], ['-'.repeat(1000)]])(
    'agrees on the hostile shape %#',
    (raw) => {
      expect(current(raw, MAX_BYTES)).toEqual(oracle(raw, MAX_BYTES));
    },
  );
});

describe('the raw-name cap', () => {
  /**
   * Every String.prototype.replace / normalize and RegExp test/exec made while
   * sanitizing, with the length of the text it ran on: proof that no pattern
   * ever sees more than MAX_RAW_NAME_LENGTH units, whatever the input.
   */
  function longestTextAPatternSaw(run: () => void): number {
    const seen: number[] = [];
    const replace = jest.spyOn(String.prototype, 'replace');
    const normalize = jest.spyOn(String.prototype, 'normalize');
    const test = jest.spyOn(RegExp.prototype, 'test');
    const exec = jest.spyOn(RegExp.prototype, 'exec');
    try {
      run();
      for (const spy of [replace, normalize]) for (const self of spy.mock.contexts) seen.push(String(self).length);
      for (const spy of [test, exec]) for (const args of spy.mock.calls) seen.push(String(args[0]).length);
    } finally {
      jest.restoreAllMocks();
    }
    return Math.max(0, ...seen);
  }

  it.each([
    ['plain', `${'a'.repeat(7000)}.png`],
    ['junk runs', `x${'-._'.repeat(2400)}.png`],
    ['invisible padding', `a${'\u200b'.repeat(7000)}.png`],
  ])('cuts a %s name of 7,000+ units to the cap before any pattern runs', (_label, raw) => {
    expect(raw.length).toBeGreaterThan(7000);
    const longest = longestTextAPatternSaw(() => current(raw, MAX_BYTES));
    expect(longest).toBeGreaterThan(0);
    expect(longest).toBeLessThanOrEqual(MAX_RAW_NAME_LENGTH);
  });

  it('leaves a name at the cap untouched and cuts a longer one to exactly the cap', () => {
    const atCap = 'b'.repeat(MAX_RAW_NAME_LENGTH);
    expect(capRawName(atCap)).toBe(atCap);
    expect(capRawName(`${atCap}c`)).toHaveLength(MAX_RAW_NAME_LENGTH);
  });

  it('keeps the head and the extension of a long plain name, so its result does not change', () => {
    const raw = `${'a'.repeat(5000)}.PNG`;
    expect(current(raw, MAX_BYTES)).toEqual(oracle(raw, MAX_BYTES));
    expect(current(raw, MAX_BYTES)).toEqual({ name: `${'a'.repeat(124)}.png`, extension: 'png' });
  });

  it('never splits a surrogate pair at either cut', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), (lead, trail) => {
        const raw = `${'a'.repeat(lead)}${'😀'.repeat(MAX_RAW_NAME_LENGTH)}${'b'.repeat(trail)}`;
        const capped = capRawName(raw);
        expect(capped.length).toBeLessThanOrEqual(MAX_RAW_NAME_LENGTH);
        // A lone surrogate does not survive a UTF-8 round trip.
        expect(Buffer.from(capped, 'utf8').toString('utf8')).toBe(capped);
      }),
    );
  });
});
