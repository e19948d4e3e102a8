/**
 * The edges of sanitizeFileName that decide a key segment: where the
 * extension starts, exact UTF-8 byte budgets for 2-, 3- and 4-byte
 * characters, what a cut may end on, and names with no letter or digit.
 */
import { InvalidFilenameError } from '../../../edge-functions/core/errors';
import { capRawName, MAX_RAW_NAME_LENGTH, sanitizeFileName } from '../../../edge-functions/core/file-name';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

function refusal(raw: string, maxBytes = 128, file?: number): InvalidFilenameError {
  try {
    sanitizeFileName(raw, maxBytes, file);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidFilenameError);
    return error as InvalidFilenameError;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
}

describe('sanitizeFileName: the extension', () => {
  it('gives a name without a dot no extension and keeps every character', () => {
    expect(sanitizeFileName('png', 128)).toEqual({ name: 'png', extension: '' });
  });

  it('keeps an extension of exactly ten characters and folds an eleventh into the base', () => {
    expect(sanitizeFileName('a.abcdefghij', 128)).toEqual({ name: 'a.abcdefghij', extension: 'abcdefghij' });
    expect(sanitizeFileName('a.abcdefghijk', 128)).toEqual({ name: 'a.abcdefghijk', extension: '' });
  });

  it('takes an extension only when all of it is letters and digits', () => {
    expect(sanitizeFileName('report.tar-gz', 128)).toEqual({ name: 'report.tar-gz', extension: '' });
    expect(sanitizeFileName('report.mp4', 128)).toEqual({ name: 'report.mp4', extension: 'mp4' });
  });

  it('lower-cases the extension but not the base', () => {
    expect(sanitizeFileName('Photo.PNG', 128)).toEqual({ name: 'Photo.png', extension: 'png' });
  });
});

describe('sanitizeFileName: byte budget', () => {
  it.each([
    ['2-byte', '\u00df', 2],
    ['2-byte, the last one (U+07CA)', '\u07ca', 2],
    ['3-byte, the first one (U+0800)', '\u0800', 3],
    ['3-byte', '\u4e00', 3],
    ['4-byte, the first one (U+10000)', '\u{10000}', 4],
    ['4-byte', '\u{20000}', 4],
  ])('counts a %s letter exactly, so the name fills the budget and no more', (_label, char, size) => {
    const suffix = '.txt';
    const maxBytes = 3 * size + suffix.length;
    const full = sanitizeFileName(`${char.repeat(5)}${suffix}`, maxBytes);
    expect(full.name).toBe(`${char.repeat(3)}${suffix}`);
    expect(bytes(full.name)).toBe(maxBytes);
    // One byte less and the third character no longer fits: it is dropped whole.
    expect(sanitizeFileName(`${char.repeat(5)}${suffix}`, maxBytes - 1).name).toBe(`${char.repeat(2)}${suffix}`);
  });

  it('keeps a name that is exactly the budget untouched', () => {
    expect(sanitizeFileName('abcdef.txt', 10).name).toBe('abcdef.txt');
    expect(sanitizeFileName('abcdefg', 7).name).toBe('abcdefg');
    expect(sanitizeFileName('abcdefgh', 7).name).toBe('abcdefg');
  });

  it('trims a separator that a cut leaves at the end of the base', () => {
    expect(sanitizeFileName('abcd-efgh.txt', 9)).toEqual({ name: 'abcd.txt', extension: 'txt' });
    expect(sanitizeFileName('abcd_efgh.txt', 9)).toEqual({ name: 'abcd.txt', extension: 'txt' });
    expect(sanitizeFileName('abcd.efgh.txt', 9)).toEqual({ name: 'abcd.txt', extension: 'txt' });
  });

  it('trims leading and trailing separators of the base, of every kind', () => {
    expect(sanitizeFileName('_-_a_-_.txt', 128).name).toBe('a.txt');
    expect(sanitizeFileName('--a--', 128).name).toBe('a');
    expect(sanitizeFileName('a_', 128).name).toBe('a');
  });
});

describe('sanitizeFileName: names that are not usable', () => {
  it('refuses a name made only of combining marks', () => {
    refusal('\u0301\u0302\u0303.txt');
    refusal('\u0301\u0302');
  });

  it('accepts a digit from any script as the one character that makes a name usable', () => {
    expect(sanitizeFileName('\u0663.txt', 128).name).toBe('\u0663.txt');
    expect(sanitizeFileName('-7-.txt', 128).name).toBe('7.txt');
  });

  it('refuses when the budget leaves no room for the base', () => {
    refusal('abc.txt', 4);
  });

  it('names the rejected input in the message: printable, without quotes or backslashes, cut at 40 characters', () => {
    const short = refusal('"\\---"');
    expect(short.message).toBe('"---" is not a usable file name: it needs at least one letter or digit before the extension.');
    expect(refusal('-'.repeat(40)).message.startsWith(`"${'-'.repeat(40)}" `)).toBe(true);
    expect(refusal('-'.repeat(41)).message.startsWith(`"${'-'.repeat(40)}…" `)).toBe(true);
    expect(refusal('\u200b-\u202e').message.startsWith('"-" ')).toBe(true);
  });

  it('carries the file index, or none', () => {
    expect(refusal('...', 128, 0).file).toBe(0);
    expect(refusal('...').file).toBeUndefined();
  });
});

describe('capRawName', () => {
  it('keeps a name of exactly the limit', () => {
    const name = 'a'.repeat(MAX_RAW_NAME_LENGTH);
    expect(capRawName(name)).toBe(name);
  });

  it('keeps the head and the last 64 units of a longer name, the limit in all', () => {
    const name = `${'h'.repeat(MAX_RAW_NAME_LENGTH)}${'t'.repeat(63)}.png`;
    const capped = capRawName(name);
    expect(capped).toBe(`${'h'.repeat(MAX_RAW_NAME_LENGTH - 64)}${'t'.repeat(60)}.png`);
    expect(capped.length).toBe(MAX_RAW_NAME_LENGTH);
  });

  it('never splits a surrogate pair at either cut', () => {
    // The head cut falls between the halves of a pair: the whole pair goes.
    const head = `${'a'.repeat(MAX_RAW_NAME_LENGTH - 64 - 1)}\u{20000}${'b'.repeat(200)}`;
    const cappedHead = capRawName(head);
    expect(cappedHead).toBe(`${'a'.repeat(MAX_RAW_NAME_LENGTH - 64 - 1)}${'b'.repeat(64)}`);
    // The tail cut falls between the halves of a pair: the low half is dropped too.
    const tail = `${'a'.repeat(2000)}\u{20000}${'b'.repeat(63)}`;
    const cappedTail = capRawName(tail);
    expect(cappedTail).toBe(`${'a'.repeat(MAX_RAW_NAME_LENGTH - 64)}${'b'.repeat(63)}`);
    for (const capped of [cappedHead, cappedTail]) expect(capped).toBe(Buffer.from(capped, 'utf8').toString('utf8'));
  });

  it('cuts next to a BMP character above the surrogates, or the last low surrogate, exactly where it should', () => {
    const above = `${'a'.repeat(MAX_RAW_NAME_LENGTH - 64)}\uff41${'b'.repeat(200)}\uff41${'c'.repeat(63)}`;
    expect(capRawName(above)).toBe(`${'a'.repeat(MAX_RAW_NAME_LENGTH - 64)}\uff41${'c'.repeat(63)}`);
    const last = `${'a'.repeat(MAX_RAW_NAME_LENGTH - 64 - 1)}\u{10ffff}${'b'.repeat(200)}`;
    expect(capRawName(last)).toBe(`${'a'.repeat(MAX_RAW_NAME_LENGTH - 64 - 1)}${'b'.repeat(64)}`);
  });

  it('is what sanitizeFileName sees: the extension at the far end of a long name survives', () => {
    expect(sanitizeFileName(`${'a'.repeat(5000)}.PNG`, 128).extension).toBe('png');
  });
});
