/**
 * The pure decision: real files are verified; disguised, truncated and
 * padded ones are quarantined with the right reason code; and what is read
 * is two bounded ranges, never the whole file.
 */
import fc from 'fast-check';
import {
  decide,
  HEAD_BYTES,
  HEAD_RANGE,
  normalizeContentType,
  QUARANTINE_REASONS,
  TAIL_BYTES,
  tailRange,
  type ObjectSample,
} from '../../../origin/inspector/core/inspection';
import { crc32 } from '../../../origin/inspector/core/crc32';
import { FORMAT_BY_TYPE } from '../../../origin/inspector/core/file-signatures';
import { DEFAULT_UPLOAD_RULES } from '../../../edge-functions/core/upload-rules';
import { ELF_EXECUTABLE, fixture, HTML_PAGE, REAL_FILES, truncatedPng, WINDOWS_EXECUTABLE, withTrailingData } from './support/sample-files';

const KEY = 'uploads/0f5e8c1a-5b7d-4c2e-9a31-7d2b6e4f8a90/2026/11/29/0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
const EXTENSION: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'application/pdf': 'pdf',
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
  'application/zip': 'zip',
};

/** What the adapter gives the core: the first HEAD_BYTES and the last TAIL_BYTES, as two ranged GETs would. */
function sample(
  bytes: Uint8Array,
  declaredType: string | undefined,
  name = `file.${EXTENSION[declaredType ?? ''] ?? 'bin'}`,
): ObjectSample {
  return {
    key: `${KEY}/${name}`,
    declaredType,
    size: bytes.length,
    head: bytes.subarray(0, HEAD_BYTES),
    tail: bytes.subarray(Math.max(0, bytes.length - TAIL_BYTES)),
  };
}

describe('real files', () => {
  it.each(REAL_FILES.map((file) => [file.name, file] as const))('verifies %s declared as its own type', (_name, file) => {
    expect(decide(sample(file.bytes, file.type, file.name))).toEqual({
      verdict: 'verified',
      declaredType: file.type,
      detected: expect.any(String),
    });
  });

  it('reads the declared type as S3 stores it: any case, with parameters', () => {
    expect(decide(sample(fixture('image.png'), 'Image/PNG; charset=binary', 'image.png')).verdict).toBe('verified');
    expect(normalizeContentType('  application/PDF ;x=y')).toBe('application/pdf');
    expect(normalizeContentType('')).toBeUndefined();
  });

  it('quarantines every real file declared as any other upload type it checks: TYPE_MISMATCH, naming what it is', () => {
    for (const file of REAL_FILES) {
      for (const type of Object.keys(DEFAULT_UPLOAD_RULES.types).filter((t) => t !== file.type && t in FORMAT_BY_TYPE)) {
        const decision = decide(sample(file.bytes, type));
        expect(decision).toMatchObject({
          verdict: 'quarantine',
          reason: 'TYPE_MISMATCH',
          declaredType: type,
          detected: EXTENSION[file.type] === 'jpg' ? 'jpeg' : EXTENSION[file.type],
        });
      }
    }
  });
});

describe('disguised files', () => {
  it('HTML declared as image/png: TYPE_MISMATCH, detected html', () => {
    expect(decide(sample(HTML_PAGE, 'image/png', 'cat.png'))).toEqual({
      verdict: 'quarantine',
      reason: 'TYPE_MISMATCH',
      declaredType: 'image/png',
      detected: 'html',
      detail: 'declared image/png, but the content is an HTML document',
    });
  });

  it('an executable named .pdf: TYPE_MISMATCH, detected as the executable it is', () => {
    expect(decide(sample(ELF_EXECUTABLE, 'application/pdf', 'invoice.pdf'))).toMatchObject({
      reason: 'TYPE_MISMATCH',
      detected: 'elf-executable',
    });
    expect(decide(sample(WINDOWS_EXECUTABLE, 'application/pdf', 'invoice.pdf'))).toMatchObject({
      reason: 'TYPE_MISMATCH',
      detected: 'windows-executable',
    });
  });

  it('bytes of no known format: UNRECOGNIZED_CONTENT', () => {
    expect(decide(sample(Buffer.from('just some text, honestly a PNG'), 'image/png'))).toMatchObject({
      reason: 'UNRECOGNIZED_CONTENT',
      detected: undefined,
    });
  });

  it('every allowed upload type is one it checks (the large-file types too: large-file-types.test.ts); none is verified blindly', () => {
    expect(Object.keys(DEFAULT_UPLOAD_RULES.types).filter((type) => !(type in FORMAT_BY_TYPE))).toEqual([]);
    // A bare ftyp box and a bare local file header: the right magic numbers, nothing behind them.
    const mp4 = new Uint8Array([
      0,
      0,
      0,
      0x18,
      ...new TextEncoder().encode('ftypisom'),
      0,
      0,
      2,
      0,
      ...new TextEncoder().encode('isomiso2mp41'),
    ]);
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...new Array<number>(40).fill(0)]);
    expect(decide(sample(mp4, 'video/mp4', 'talk.mp4'))).toMatchObject({
      verdict: 'quarantine',
      reason: 'TRUNCATED',
      declaredType: 'video/mp4',
      detected: 'mp4',
    });
    expect(decide(sample(mp4, 'video/quicktime', 'talk.mov'))).toMatchObject({
      verdict: 'quarantine',
      reason: 'TRUNCATED',
      detected: 'mp4',
    });
    expect(decide(sample(zip, 'application/zip', 'photos.zip'))).toMatchObject({
      verdict: 'quarantine',
      reason: 'MALFORMED_HEADER',
      detected: 'zip',
    });
  });

  it('a type that is not an upload type, or none: TYPE_NOT_ALLOWED', () => {
    expect(decide(sample(HTML_PAGE, 'text/html', 'page.html'))).toMatchObject({ reason: 'TYPE_NOT_ALLOWED', declaredType: 'text/html' });
    expect(decide(sample(fixture('image.png'), undefined, 'image.png'))).toMatchObject({
      reason: 'TYPE_NOT_ALLOWED',
      declaredType: undefined,
    });
    expect(decide(sample(fixture('image.png'), 'image/svg+xml', 'image.png'))).toMatchObject({ reason: 'TYPE_NOT_ALLOWED' });
  });

  it("a key whose extension is not the type's: EXTENSION_MISMATCH", () => {
    expect(decide(sample(fixture('image.png'), 'image/png', 'image.html'))).toMatchObject({ reason: 'EXTENSION_MISMATCH' });
    expect(decide(sample(fixture('image.png'), 'image/png', 'image'))).toMatchObject({ reason: 'EXTENSION_MISMATCH' });
    expect(decide(sample(fixture('photo.jpg'), 'image/jpeg', 'photo.JPEG')).verdict).toBe('verified');
  });

  it('an empty object: EMPTY_OBJECT', () => {
    expect(decide(sample(new Uint8Array(0), 'image/png'))).toMatchObject({ reason: 'EMPTY_OBJECT' });
  });
});

describe('truncated and padded files', () => {
  it('a PNG cut inside its header: TRUNCATED, from the first bytes alone', () => {
    for (const length of [1, 8, 20, 32])
      expect(decide(sample(truncatedPng(length), 'image/png'))).toMatchObject({
        reason: length < 8 ? 'UNRECOGNIZED_CONTENT' : 'TRUNCATED',
      });
  });

  it('a PNG cut anywhere after its header, however short the cut: TRUNCATED (no IEND at the end)', () => {
    const full = fixture('image-large.png').length;
    for (let length = 33; length < full; length++) {
      expect(decide(sample(truncatedPng(length), 'image/png'))).toMatchObject({ verdict: 'quarantine', reason: 'TRUNCATED' });
    }
  });

  it('a PNG whose IHDR is damaged: MALFORMED_HEADER (the CRC catches any one flipped byte)', () => {
    const png = fixture('image.png');
    for (let at = 16; at < 33; at++) {
      const damaged = Buffer.from(png);
      damaged[at] = (damaged[at] ?? 0) ^ 0x01;
      expect(decide(sample(damaged, 'image/png'))).toMatchObject({ reason: 'MALFORMED_HEADER' });
    }
  });

  it('the IHDR check is PNG\'s own CRC-32 (check value of "123456789" is CBF43926)', () => {
    expect(crc32(Buffer.from('123456789')).toString(16)).toBe('cbf43926');
  });

  it('bytes after the end: TRAILING_DATA for PNG and WebP', () => {
    expect(decide(sample(withTrailingData('image.png', Buffer.from('PK\u0003\u0004zip')), 'image/png'))).toMatchObject({
      reason: 'TRAILING_DATA',
    });
    expect(decide(sample(withTrailingData('image.webp', Buffer.from('<html>')), 'image/webp'))).toMatchObject({ reason: 'TRAILING_DATA' });
  });

  it('a WebP shorter than its RIFF header says: TRUNCATED, at every cut', () => {
    const webp = fixture('image.webp');
    for (let length = 16; length < webp.length; length++) {
      expect(decide(sample(webp.subarray(0, length), 'image/webp'))).toMatchObject({ reason: 'TRUNCATED' });
    }
  });

  it('a GIF without its trailer, and a PDF without %%EOF near its end: TRUNCATED', () => {
    const gif = fixture('pixel.gif');
    expect(decide(sample(gif.subarray(0, gif.length - 1), 'image/gif'))).toMatchObject({ reason: 'TRUNCATED' });
    expect(decide(sample(gif.subarray(0, 10), 'image/gif'))).toMatchObject({ reason: 'TRUNCATED' });
    const pdf = fixture('document.pdf');
    const eof = pdf.lastIndexOf('%%EOF');
    for (const length of [eof, eof + 3, Math.floor(pdf.length / 2), 9]) {
      expect(decide(sample(pdf.subarray(0, length), 'application/pdf'))).toMatchObject({ reason: 'TRUNCATED' });
    }
    // Acrobat's rule: %%EOF anywhere in the last 1024 bytes will do.
    expect(decide(sample(withTrailingData('document.pdf', Buffer.alloc(100, 0x20)), 'application/pdf')).verdict).toBe('verified');
    expect(decide(sample(withTrailingData('document.pdf', Buffer.alloc(1100, 0x20)), 'application/pdf')).verdict).toBe('quarantine');
  });

  it('a JPEG is checked at its start only (what follows its end marker is allowed: motion photos)', () => {
    expect(decide(sample(withTrailingData('photo.jpg', Buffer.from('ftypmp42')), 'image/jpeg')).verdict).toBe('verified');
    const bad = Buffer.from(fixture('photo.jpg'));
    bad[3] = 0xd9; // SOI followed by EOI: no image
    expect(decide(sample(bad, 'image/jpeg'))).toMatchObject({ reason: 'MALFORMED_HEADER' });
  });

  it('headers with impossible fields: MALFORMED_HEADER', () => {
    const gif = Buffer.from(fixture('pixel.gif'));
    gif.writeUInt16LE(0, 6);
    expect(decide(sample(gif, 'image/gif'))).toMatchObject({ reason: 'MALFORMED_HEADER' });
    const webp = Buffer.from(fixture('image.webp'));
    webp.write('XXXX', 12, 'latin1');
    expect(decide(sample(webp, 'image/webp'))).toMatchObject({ reason: 'MALFORMED_HEADER' });
    expect(decide(sample(Buffer.from('%PDF-x.y\n%%EOF'), 'application/pdf'))).toMatchObject({ reason: 'MALFORMED_HEADER' });
  });
});

describe('what is read', () => {
  it('the head is one range of HEAD_BYTES from 0; the tail a second one only when the file is longer', () => {
    expect(HEAD_RANGE).toEqual({ start: 0, end: HEAD_BYTES - 1 });
    expect(tailRange(1)).toBeUndefined();
    expect(tailRange(HEAD_BYTES)).toBeUndefined();
    expect(tailRange(HEAD_BYTES + 1)).toEqual({ start: HEAD_BYTES + 1 - TAIL_BYTES, end: HEAD_BYTES });
    expect(tailRange(50 * 1024 * 1024)).toEqual({ start: 50 * 1024 * 1024 - TAIL_BYTES, end: 50 * 1024 * 1024 - 1 });
  });

  it('every reason code has a description', () => {
    expect(Object.keys(QUARANTINE_REASONS).sort()).toEqual(
      [
        'EMPTY_OBJECT',
        'EXTENSION_MISMATCH',
        'MALFORMED_HEADER',
        'TRAILING_DATA',
        'TRUNCATED',
        'TYPE_MISMATCH',
        'TYPE_NOT_ALLOWED',
        'UNREADABLE',
        'UNRECOGNIZED_CONTENT',
      ].sort(),
    );
  });
});

describe('properties', () => {
  const types = [...Object.keys(DEFAULT_UPLOAD_RULES.types), 'text/html', '', 'IMAGE/PNG; q=1'];

  it('any bytes, any declared type, any key: a well-formed decision, never a throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.constantFrom(...types), fc.string({ maxLength: 40 }), (bytes, type, name) => {
        const decision = decide(sample(bytes, type === '' ? undefined : type, name));
        if (decision.verdict === 'quarantine') {
          expect(Object.keys(QUARANTINE_REASONS)).toContain(decision.reason);
          expect(typeof decision.detail).toBe('string');
        } else {
          expect(decision.verdict).toBe('verified');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('random bytes behind a right magic number are never verified as PNG, WebP or GIF', () => {
    const magic: Array<[string, Buffer]> = [
      ['image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
      ['image/webp', Buffer.from('RIFF\u0000\u0000\u0000\u0000WEBPVP8 ', 'latin1')],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...magic), fc.uint8Array({ minLength: 0, maxLength: 2000 }), ([type, prefix], rest) => {
        expect(decide(sample(Buffer.concat([prefix, rest]), type)).verdict).toBe('quarantine');
      }),
      { numRuns: 2000 },
    );
  });

  it('a detail never carries bytes of the file', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 12, maxLength: 200 }), (text) => {
        const marker = `MARKER${text}`;
        const decision = decide(sample(Buffer.from(`<html>${marker}`), 'image/png'));
        expect(decision.verdict === 'quarantine' && decision.detail.includes(marker)).toBe(false);
      }),
    );
  });
});
