/**
 * The large-file types through the pure decision: MP4, M4V and QuickTime
 * (ftyp brands, the top-level box chain) and ZIP (local header, end record,
 * zip64), on files built byte by byte (support/media-files.ts), and on
 * truncated, padded and lying ones. decide() is driven as the flow drives it:
 * head, tail, then each range it asks for, from the same bytes.
 */
import fc from 'fast-check';
import {
  decide,
  HEAD_BYTES,
  tailBytesFor,
  tailRange,
  TAIL_BYTES,
  type ByteRange,
  type InspectionDecision,
} from '../../../origin/inspector/core/inspection';
import { detectFormat } from '../../../origin/inspector/core/file-signatures';
import { BOX_READ_BYTES, MAX_BOX_READS } from '../../../origin/inspector/core/iso-bmff';
import { ZIP_TAIL_BYTES } from '../../../origin/inspector/core/zip-structure';
import { fixture, HTML_PAGE } from './support/sample-files';
import {
  box,
  cameraMp4,
  classicMov,
  faststartMp4,
  fragmentedMp4,
  ftyp,
  heicStart,
  iphoneMov,
  largeBox,
  mediaData,
  moov,
  ordinaryZip,
  toEndBox,
  zipArchive,
} from './support/media-files';

const KEY = 'uploads/0f5e8c1a-5b7d-4c2e-9a31-7d2b6e4f8a90/2026/12/06/0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
const NAME: Record<string, string> = { 'video/mp4': 'talk.mp4', 'video/quicktime': 'talk.mov', 'application/zip': 'photos.zip' };

/** decide() over `bytes` as inspect-object.ts reads them; the extra ranges it asked for come back too. */
function inspect(
  bytes: Uint8Array,
  declaredType: string,
  name = NAME[declaredType] ?? 'file.bin',
): { decision: Exclude<InspectionDecision, { verdict: 'read-more' }>; reads: ByteRange[] } {
  const tail = tailRange(bytes.length, tailBytesFor(declaredType));
  const sample = {
    key: `${KEY}/${name}`,
    declaredType,
    size: bytes.length,
    head: bytes.subarray(0, HEAD_BYTES),
    // No tail range: the head already holds the whole object.
    tail: tail === undefined ? bytes.subarray(Math.max(0, bytes.length - tailBytesFor(declaredType))) : bytes.subarray(tail.start),
  };
  const reads: ByteRange[] = [];
  const more: Array<{ start: number; bytes: Uint8Array }> = [];
  for (;;) {
    const decision = decide({ ...sample, more });
    if (decision.verdict !== 'read-more') return { decision, reads };
    reads.push(decision.range);
    more.push({ start: decision.range.start, bytes: bytes.subarray(decision.range.start, decision.range.end + 1) });
    if (reads.length > MAX_BOX_READS) throw new Error('decide() kept asking for more');
  }
}

const verdict = (bytes: Uint8Array, type: string, name?: string) => inspect(bytes, type, name).decision;

describe('MP4 and M4V (video/mp4)', () => {
  it('verifies an MP4 as ffmpeg writes it for the web (ftyp, moov, mdat), as .mp4 and .m4v', () => {
    expect(verdict(faststartMp4(), 'video/mp4')).toEqual({ verdict: 'verified', declaredType: 'video/mp4', detected: 'mp4' });
    expect(verdict(faststartMp4(), 'video/mp4', 'clip.M4V').verdict).toBe('verified');
    expect(
      verdict(Buffer.concat([ftyp('M4V ', ['M4V ', 'M4A ', 'mp42', 'isom']), moov(), box('mdat', mediaData(100))]), 'video/mp4', 'film.m4v')
        .verdict,
    ).toBe('verified');
  });

  it('verifies a camera MP4 whose moov comes last, reading its header with one more small ranged read', () => {
    const mp4 = cameraMp4();
    const { decision, reads } = inspect(mp4, 'video/mp4');
    expect(decision.verdict).toBe('verified');
    const moovAt = mp4.length - moov(box('udta', Buffer.alloc(4000))).length;
    expect(reads).toEqual([{ start: moovAt, end: moovAt + BOX_READ_BYTES - 1 }]);
  });

  it('verifies 64-bit box sizes (size 1) and a last box that runs "to the end" (size 0)', () => {
    expect(verdict(Buffer.concat([ftyp('isom', ['isom']), moov(), largeBox('mdat', mediaData(5000))]), 'video/mp4').verdict).toBe(
      'verified',
    );
    expect(verdict(Buffer.concat([ftyp('isom', ['isom']), moov(), toEndBox('mdat', mediaData(5000))]), 'video/mp4').verdict).toBe(
      'verified',
    );
  });

  it('walks a fragmented MP4 only MAX_BOX_READS reads far, and verifies it on its moov and the chain read', () => {
    const { decision, reads } = inspect(fragmentedMp4(200), 'video/mp4');
    expect(decision.verdict).toBe('verified');
    expect(reads).toHaveLength(MAX_BOX_READS);
    for (const range of reads) expect(range.end - range.start + 1).toBeLessThanOrEqual(BOX_READ_BYTES);
  });

  it('a QuickTime-branded movie declared video/mp4: TYPE_MISMATCH, detected quicktime', () => {
    expect(verdict(iphoneMov(), 'video/mp4', 'IMG_0001.mp4')).toMatchObject({
      verdict: 'quarantine',
      reason: 'TYPE_MISMATCH',
      detected: 'quicktime',
    });
  });

  it('an ISO media file of another kind (a HEIC photo named .mp4): TYPE_MISMATCH, detected iso-media', () => {
    expect(verdict(heicStart(), 'video/mp4')).toMatchObject({ reason: 'TYPE_MISMATCH', detected: 'iso-media' });
    expect(detectFormat(heicStart())).toBe('iso-media');
  });

  it('other formats named .mp4 are named for what they are', () => {
    expect(verdict(fixture('image.png'), 'video/mp4')).toMatchObject({ reason: 'TYPE_MISMATCH', detected: 'png' });
    expect(verdict(HTML_PAGE, 'video/mp4')).toMatchObject({ reason: 'TYPE_MISMATCH', detected: 'html' });
    expect(verdict(ordinaryZip(), 'video/mp4')).toMatchObject({ reason: 'TYPE_MISMATCH', detected: 'zip' });
    expect(verdict(Buffer.from('not a video at all, just some words'), 'video/mp4')).toMatchObject({ reason: 'UNRECOGNIZED_CONTENT' });
  });
});

describe('QuickTime (video/quicktime)', () => {
  it('verifies an iPhone movie (major brand "qt  ") and a classic one with no ftyp', () => {
    expect(verdict(iphoneMov(), 'video/quicktime')).toEqual({
      verdict: 'verified',
      declaredType: 'video/quicktime',
      detected: 'quicktime',
    });
    expect(verdict(classicMov(), 'video/quicktime')).toEqual({
      verdict: 'verified',
      declaredType: 'video/quicktime',
      detected: 'quicktime',
    });
    expect(verdict(Buffer.concat([ftyp('XYZ1', ['qt  ']), moov(), box('mdat', mediaData(10))]), 'video/quicktime').verdict).toBe(
      'verified',
    );
  });

  it('accepts an MP4 named .mov (QuickTime plays MP4), but not a classic movie named .mp4', () => {
    expect(verdict(faststartMp4(), 'video/quicktime')).toEqual({ verdict: 'verified', declaredType: 'video/quicktime', detected: 'mp4' });
    expect(verdict(classicMov(), 'video/mp4')).toMatchObject({ reason: 'TYPE_MISMATCH', detected: 'quicktime' });
  });
});

describe('MP4 and QuickTime that lie or were cut', () => {
  it('cut at any length: never verified; TRUNCATED once the brand is readable', () => {
    const mov = iphoneMov(1200);
    for (let length = 1; length < mov.length; length++) {
      const { decision } = inspect(mov.subarray(0, length), 'video/quicktime');
      expect(decision).toMatchObject({ verdict: 'quarantine', reason: length < 12 ? 'UNRECOGNIZED_CONTENT' : 'TRUNCATED' });
    }
  });

  it('a camera MP4 cut inside its 200 KB mdat, or before its moov: TRUNCATED', () => {
    const mp4 = cameraMp4();
    for (const length of [5000, 100_000, 200_060, mp4.length - moov(box('udta', Buffer.alloc(4000))).length, mp4.length - 1]) {
      expect(verdict(mp4.subarray(0, length), 'video/mp4')).toMatchObject({ reason: 'TRUNCATED' });
    }
  });

  it('a box size larger than the file: TRUNCATED; smaller than its header, or a type that is no type: MALFORMED_HEADER', () => {
    const lying = faststartMp4();
    const moovAt = ftyp('isom', ['isom', 'iso2', 'avc1', 'mp41']).length;
    const bigger = Buffer.from(lying);
    bigger.writeUInt32BE(lying.length, moovAt);
    expect(verdict(bigger, 'video/mp4')).toMatchObject({ reason: 'TRUNCATED' });
    const tiny = Buffer.from(lying);
    tiny.writeUInt32BE(4, moovAt);
    expect(verdict(tiny, 'video/mp4')).toMatchObject({ reason: 'MALFORMED_HEADER' });
    const badType = Buffer.from(lying);
    badType.writeUInt32BE(0x00ff0a0d, moovAt + 4);
    expect(verdict(badType, 'video/mp4')).toMatchObject({ reason: 'MALFORMED_HEADER' });
    const badFtyp = Buffer.from(lying);
    badFtyp.writeUInt32BE(13, 0);
    expect(verdict(badFtyp, 'video/mp4')).toMatchObject({ reason: 'MALFORMED_HEADER' });
  });

  it('no moov box anywhere (a recording cut off, or media data alone): TRUNCATED', () => {
    expect(verdict(Buffer.concat([ftyp('isom', ['isom']), box('mdat', mediaData(3000))]), 'video/mp4')).toMatchObject({
      reason: 'TRUNCATED',
    });
    expect(verdict(Buffer.concat([box('mdat', mediaData(3000)), box('free')]), 'video/quicktime')).toMatchObject({ reason: 'TRUNCATED' });
  });

  it('a long chain of tiny boxes with no moov stops at the read budget: MALFORMED_HEADER', () => {
    const pieces = [ftyp('isom', ['isom'])];
    for (let i = 0; i < 60; i++) pieces.push(box('free', Buffer.alloc(2000)));
    const { decision, reads } = inspect(Buffer.concat(pieces), 'video/mp4');
    expect(decision).toMatchObject({ reason: 'MALFORMED_HEADER' });
    expect(reads).toHaveLength(MAX_BOX_READS);
  });

  it('bytes after the last box (an HTML page, a zip): never verified', () => {
    for (const extra of [HTML_PAGE, ordinaryZip(), Buffer.from('abc')]) {
      const decision = verdict(Buffer.concat([faststartMp4(), extra]), 'video/mp4');
      expect(decision.verdict).toBe('quarantine');
      expect(['TRUNCATED', 'MALFORMED_HEADER']).toContain(decision.verdict === 'quarantine' ? decision.reason : '');
    }
  });

  it('random bytes behind an MP4 or QuickTime start are never verified', () => {
    const starts = [ftyp('isom', ['isom', 'mp42']), ftyp('qt  ', ['qt  ']), box('wide')];
    fc.assert(
      fc.property(fc.constantFrom(...starts), fc.uint8Array({ maxLength: 3000 }), (start, rest) => {
        expect(verdict(Buffer.concat([start, rest]), 'video/quicktime').verdict).toBe('quarantine');
      }),
      { numRuns: 1000 },
    );
  });
});

describe('ZIP (application/zip)', () => {
  it('verifies an ordinary archive, one with a comment, an empty one, and a zip64 one', () => {
    expect(verdict(ordinaryZip(), 'application/zip')).toEqual({ verdict: 'verified', declaredType: 'application/zip', detected: 'zip' });
    expect(verdict(ordinaryZip({ comment: Buffer.from('Scanned 2026-12-06') }), 'application/zip').verdict).toBe('verified');
    expect(verdict(zipArchive([]), 'application/zip').verdict).toBe('verified');
    expect(verdict(ordinaryZip({ zip64: true }), 'application/zip').verdict).toBe('verified');
  });

  it('finds the end record behind the longest comment: it reads the last 65,557 bytes, not 1,024', () => {
    expect(tailBytesFor('application/zip')).toBe(ZIP_TAIL_BYTES);
    expect(tailBytesFor('Application/ZIP; x=y')).toBe(ZIP_TAIL_BYTES);
    expect(tailBytesFor('video/mp4')).toBe(TAIL_BYTES);
    const zip = zipArchive([{ name: 'big.bin', data: mediaData(200_000) }], { comment: Buffer.alloc(65_535, 0x2a) });
    expect(verdict(zip, 'application/zip').verdict).toBe('verified');
    expect(tailRange(zip.length, ZIP_TAIL_BYTES)).toEqual({ start: zip.length - ZIP_TAIL_BYTES, end: zip.length - 1 });
  });

  it('a polyglot whose first bytes are another format (a PNG, an executable, a PDF): TYPE_MISMATCH', () => {
    expect(verdict(Buffer.concat([fixture('image.png'), ordinaryZip()]), 'application/zip')).toMatchObject({
      reason: 'TYPE_MISMATCH',
      detected: 'png',
    });
    expect(verdict(Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200), ordinaryZip()]), 'application/zip')).toMatchObject({
      reason: 'TYPE_MISMATCH',
      detected: 'windows-executable',
    });
    expect(verdict(Buffer.concat([fixture('document.pdf'), ordinaryZip()]), 'application/zip')).toMatchObject({
      reason: 'TYPE_MISMATCH',
      detected: 'pdf',
    });
  });

  it('two archives glued together, or an entry in front of the one the directory names: MALFORMED_HEADER', () => {
    expect(verdict(Buffer.concat([ordinaryZip(), ordinaryZip()]), 'application/zip')).toMatchObject({ reason: 'MALFORMED_HEADER' });
    const hidden = zipArchive([{ name: 'hidden.html', data: HTML_PAGE }]);
    const shown = zipArchive([{ name: 'shown.txt', data: Buffer.from('hello') }]);
    // The hidden archive's local entry first, then the shown archive whose offsets were shifted past it.
    const glued = Buffer.concat([hidden.subarray(0, 30 + 'hidden.html'.length), shown]);
    expect(verdict(glued, 'application/zip')).toMatchObject({ verdict: 'quarantine', reason: 'MALFORMED_HEADER' });
  });

  it('cut at any length: never verified', () => {
    const zip = ordinaryZip();
    for (let length = 1; length < zip.length; length++) {
      const decision = verdict(zip.subarray(0, length), 'application/zip');
      expect(decision.verdict).toBe('quarantine');
      if (length >= 30)
        expect(decision).toMatchObject({
          reason: length > zip.length - 22 ? 'TRUNCATED' : expect.stringMatching(/^(TRUNCATED|MALFORMED_HEADER)$/),
        });
    }
  });

  it('bytes after the end record: TRAILING_DATA; a comment length that lies: TRAILING_DATA or TRUNCATED', () => {
    expect(verdict(Buffer.concat([ordinaryZip(), Buffer.from('<html>')]), 'application/zip')).toMatchObject({ reason: 'TRAILING_DATA' });
    const lying = ordinaryZip({ comment: Buffer.from('twelve bytes') });
    lying.writeUInt16LE(40, lying.length - 12 - 2);
    expect(verdict(lying, 'application/zip')).toMatchObject({ reason: 'TRAILING_DATA' });
    expect(verdict(Buffer.concat([ordinaryZip(), Buffer.alloc(70_000)]), 'application/zip')).toMatchObject({ reason: 'TRUNCATED' });
  });

  it('a split or multi-disk archive, a zip64 end without its record, a directory that does not add up: MALFORMED_HEADER', () => {
    expect(verdict(Buffer.concat([Buffer.from([0x50, 0x4b, 0x07, 0x08]), ordinaryZip()]), 'application/zip')).toMatchObject({
      reason: 'MALFORMED_HEADER',
    });
    const multiDisk = ordinaryZip();
    multiDisk.writeUInt16LE(1, multiDisk.length - 22 + 4);
    expect(verdict(multiDisk, 'application/zip')).toMatchObject({ reason: 'MALFORMED_HEADER' });
    const noRecord = ordinaryZip({ zip64: true });
    noRecord.writeUInt32LE(0, noRecord.length - 22 - 20); // the locator's signature
    expect(verdict(noRecord, 'application/zip')).toMatchObject({ reason: 'MALFORMED_HEADER' });
    const badRecord = ordinaryZip({ zip64: true });
    badRecord.writeUInt32LE(0x01020304, badRecord.length - 22 - 20 - 56); // the zip64 record's signature
    expect(verdict(badRecord, 'application/zip')).toMatchObject({ reason: 'MALFORMED_HEADER' });
    const shifted = ordinaryZip();
    shifted.writeUInt32LE(shifted.readUInt32LE(shifted.length - 22 + 16) + 1, shifted.length - 22 + 16);
    expect(verdict(shifted, 'application/zip')).toMatchObject({ reason: 'MALFORMED_HEADER' });
    const nameless = ordinaryZip();
    nameless.writeUInt16LE(0, 26);
    expect(verdict(nameless, 'application/zip')).toMatchObject({ reason: 'MALFORMED_HEADER' });
  });

  it('an empty archive with anything before its end record: MALFORMED_HEADER; a local header alone: TRUNCATED', () => {
    expect(
      verdict(Buffer.concat([Buffer.from('PK\u0005\u0006', 'latin1'), Buffer.alloc(18), zipArchive([])]), 'application/zip').verdict,
    ).toBe('quarantine');
    expect(verdict(ordinaryZip().subarray(0, 200), 'application/zip')).toMatchObject({ reason: 'TRUNCATED' });
  });

  it('random bytes behind a local file header are never verified', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (rest) => {
        expect(verdict(Buffer.concat([ordinaryZip().subarray(0, 30), rest]), 'application/zip').verdict).toBe('quarantine');
      }),
      { numRuns: 1000 },
    );
  });
});
