import { InvalidFilenameError } from '../../../edge-functions/core/errors';
import { sanitizeFileName } from '../../../edge-functions/core/file-name';

const safe = (raw: string, maxBytes = 128) => sanitizeFileName(raw, maxBytes);

describe('sanitizeFileName', () => {
  it.each([
    ['holiday.png', 'holiday.png', 'png'],
    ['Holiday Photo (1).JPG', 'Holiday-Photo-1.jpg', 'jpg'],
    ['../../etc/passwd.png', 'etc-passwd.png', 'png'],
    ['..\\..\\windows\\win.ini.pdf', 'windows-win.ini.pdf', 'pdf'],
    ['a..b....c.png', 'a.b.c.png', 'png'],
    ['...hidden.png', 'hidden.png', 'png'],
    ['report.pdf.', 'report.pdf', 'pdf'],
    ['archive.tar.gz', 'archive.tar.gz', 'gz'],
    ['noextension', 'noextension', ''],
    ['photo.php.png', 'photo.php.png', 'png'],
    ['über straße.png', 'über-straße.png', 'png'],
    ['写真.jpeg', '写真.jpeg', 'jpeg'],
    ['name\u0000with\u001fcontrols.png', 'namewithcontrols.png', 'png'],
    ['evil\u202egnp.exe', 'evilgnp.exe', 'exe'],
    ['zero\u200bwidth\ufeff.png', 'zerowidth.png', 'png'],
    ['semi;colon&amp<tag>.png', 'semi-colon-amp-tag.png', 'png'],
    ['soft\u00adhyphen\ufe0f.png', 'softhyphen.png', 'png'],
  ])('%j → %j', (raw, name, extension) => {
    expect(safe(raw)).toEqual({ name, extension });
  });

  it('normalizes to NFC, so composed and decomposed spellings give one key', () => {
    const decomposed = 'cafe\u0301.png';
    expect(safe(decomposed).name).toBe('caf\u00e9.png');
    expect(safe(decomposed).name).toBe(safe('caf\u00e9.png').name);
  });

  it('keeps the extension and cuts the base so the whole name fits in the byte limit', () => {
    const result = safe(`${'a'.repeat(300)}.PNG`);
    expect(result.name.endsWith('.png')).toBe(true);
    expect(Buffer.byteLength(result.name)).toBe(128);
  });

  it('never cuts a multi-byte character in half', () => {
    const result = safe(`${'é'.repeat(100)}.png`);
    expect(Buffer.byteLength(result.name)).toBeLessThanOrEqual(128);
    expect(result.name).toMatch(/^é+\.png$/u);
  });

  it('treats a very long suffix as part of the name, not as an extension', () => {
    expect(safe('file.abcdefghijklmnop').extension).toBe('');
  });

  it('is NFC even when a hidden character stood between a letter and its accent', () => {
    const result = safe('e\u200b\u0301x.png');
    expect(result.name).toBe('\u00e9x.png');
    expect(result.name).toBe(result.name.normalize('NFC'));
  });

  it.each([
    '',
    '...',
    '.png',
    '/',
    '\u202e\u200b',
    '---.pdf',
    '()[]{}',
    '../..',
    '\u3164.png',
    '\u115f\u1160.png',
    '\uffa0.jpg',
    '\u034f\ufe00.gif',
  ])('refuses %j as INVALID_FILENAME', (raw) => {
    expect(() => safe(raw)).toThrow(InvalidFilenameError);
  });

  it('carries the file index on the error', () => {
    try {
      sanitizeFileName('...', 128, 3);
      throw new Error('expected a throw');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidFilenameError);
      expect((error as InvalidFilenameError).file).toBe(3);
    }
  });

  it('only ever produces characters from the safe set', () => {
    const hostile = ['a/b\\c:d*e?f"g<h>i|j.png', '%2e%2e%2fetc.png', 'tab\tnew\nline.png', 'x\u0085y\u2028z.png'];
    for (const raw of hostile) expect(safe(raw).name).toMatch(/^[\p{L}\p{M}\p{N}._-]+$/u);
  });
});
