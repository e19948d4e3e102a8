/**
 * What the start and the end of a file can prove about its structure, per
 * format, beyond the magic number. The inspector never reads a whole file:
 * it reads the first HEAD_BYTES and the last TAIL_BYTES (see inspection.ts),
 * so each check here looks only at a fixed-size header and a fixed-size end
 * marker. Pure: bytes and the object's size in, a problem or nothing out.
 *
 * | format | start                                                          | end                                        |
 * |--------|----------------------------------------------------------------|--------------------------------------------|
 * | PNG    | IHDR is the first chunk: length 13, valid fields, CRC matches  | the file ends with the 12-byte IEND chunk  |
 * | WebP   | a VP8/VP8L/VP8X chunk first; RIFF size + 8 = object size       | (the RIFF size already says where it ends) |
 * | GIF    | logical screen of non-zero width and height                    | the last byte is the trailer 0x3B          |
 * | PDF    | `%PDF-d.d` at offset 0                                         | `%%EOF` within the last 1024 bytes         |
 * | JPEG   | SOI then a valid marker                                        | not checked (see below)                    |
 * | ZIP    | a local file header (or the end record of an empty archive)    | the end-of-central-directory record, zip64 |
 * |        |                                                                |   too, in the last 65,557 (zip-structure)  |
 * | MP4,   | ftyp (or a classic QuickTime box) first; then the top-level    | the last box ends at the object's end      |
 * | MOV    |   box chain, walked with small extra reads (iso-bmff.ts)       |                                            |
 *
 * What this cannot prove: that the bytes between the header and the end
 * marker decode (a PNG whose IDAT data is garbage, a PDF with a broken
 * xref), or that a file is not also something else in its middle. A
 * truncated JPEG is not caught: phones append data after the JPEG's end
 * marker (motion photos, maker trailers), so "ends with FF D9" would
 * quarantine ordinary photos, and a decoder shows a cut JPEG as a partial
 * image rather than failing.
 */
import { crc32 } from './crc32';
import type { InspectedFormat } from './file-signatures';
import { checkZip } from './zip-structure';

export type StructureReason = 'TRUNCATED' | 'MALFORMED_HEADER' | 'TRAILING_DATA';

export interface StructureProblem {
  readonly reason: StructureReason;
  /** A fixed phrase with numbers at most: never bytes of the file. */
  readonly detail: string;
}

/** The bytes the checks get: the start of the file, its last bytes, and its size. */
export interface FileEnds {
  /** Bytes [0, head.length) of the file. */
  readonly head: Uint8Array;
  /** The last tail.length bytes of the file (may overlap head for a small file). */
  readonly tail: Uint8Array;
  readonly size: number;
}

/** Acrobat looks for %%EOF this far from the end; readers accept a PDF on that basis. */
export const PDF_EOF_WINDOW = 1024;

/** Bytes each check needs from the start of the file; a smaller file is truncated. */
export const MIN_HEADER_BYTES: Readonly<Record<InspectedFormat, number>> = Object.freeze({
  // signature 8 + IHDR (length 4, type 4, data 13, CRC 4)
  png: 33,
  // SOI 2 + the next marker 2
  jpeg: 4,
  // "GIF89a" 6 + logical screen descriptor 7
  gif: 13,
  // "RIFF" 4 + size 4 + "WEBP" 4 + first chunk's FourCC 4
  webp: 16,
  // "%PDF-1.7"
  pdf: 8,
  // the end record of an empty archive; a local file header needs 30 (zip-structure.ts)
  zip: 22,
  // a box header: size 4, type 4
  mp4: 8,
  quicktime: 8,
});

export function checkStructure(format: InspectedFormat, file: FileEnds): StructureProblem | undefined {
  const needed = MIN_HEADER_BYTES[format];
  if (file.size < needed) return truncated(`the file is ${file.size} bytes; a ${format.toUpperCase()} header alone needs ${needed}`);
  if (file.head.length < needed) return { reason: 'MALFORMED_HEADER', detail: 'the start of the file could not be read in full' };
  switch (format) {
    case 'png':
      return checkPng(file);
    case 'jpeg':
      return checkJpeg(file);
    case 'gif':
      return checkGif(file);
    case 'webp':
      return checkWebp(file);
    case 'pdf':
      return checkPdf(file);
    case 'zip':
      return checkZip(file);
    case 'mp4':
    case 'quicktime':
      // The box chain needs more than the two ends: decide() walks it (iso-bmff.ts), reading as it goes.
      return undefined;
  }
}

// ---- PNG (ISO/IEC 15948) ------------------------------------------------------

const IHDR = 0x49484452;
/** The IEND chunk is always these 12 bytes: length 0, "IEND", CRC AE 42 60 82. */
const IEND_CHUNK = [0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];
/** Allowed bit depths per colour type (PNG table 11.1). */
const PNG_BIT_DEPTHS: Readonly<Record<number, readonly number[]>> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};
const PNG_MAX_DIMENSION = 2 ** 31 - 1;
/** Signature, IHDR, an IDAT with no data, IEND: nothing smaller can hold an image. */
const PNG_MIN_FILE_BYTES = 8 + 25 + 12 + 12;

function checkPng({ head, tail, size }: FileEnds): StructureProblem | undefined {
  const view = dataView(head);
  if (view.getUint32(8) !== 13 || view.getUint32(12) !== IHDR) return malformed('the first chunk is not a 13-byte IHDR');
  if (view.getUint32(29) !== crc32(head.subarray(12, 29))) return malformed('the IHDR chunk fails its CRC');
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  if (width === 0 || height === 0 || width > PNG_MAX_DIMENSION || height > PNG_MAX_DIMENSION)
    return malformed('the image has no valid width and height');
  const [bitDepth = 0, colourType = 0, compression, filter, interlace] = head.subarray(24, 29);
  if (!(PNG_BIT_DEPTHS[colourType] ?? []).includes(bitDepth)) return malformed('the bit depth and colour type are not a valid pair');
  if (compression !== 0 || filter !== 0 || (interlace !== 0 && interlace !== 1))
    return malformed('unknown compression, filter or interlace method');

  if (size < PNG_MIN_FILE_BYTES)
    return truncated(`the file is ${size} bytes; a PNG with an image and an end needs at least ${PNG_MIN_FILE_BYTES}`);
  if (endsWith(tail, IEND_CHUNK)) return undefined;
  return indexOf(tail, IEND_CHUNK) >= 0
    ? { reason: 'TRAILING_DATA', detail: 'bytes follow the IEND chunk' }
    : truncated('the file does not end with an IEND chunk');
}

// ---- JPEG (ITU-T T.81) ------------------------------------------------------

function checkJpeg({ head }: FileEnds): StructureProblem | undefined {
  // SOI is FF D8; the next segment starts FF xx with xx a marker that may follow SOI
  // (not a restart marker D0–D7, not SOI/EOI again, not FF fill).
  const marker = head[3] ?? 0;
  if (marker < 0xc0 || (marker >= 0xd0 && marker <= 0xd9) || marker === 0xff)
    return malformed('no valid marker follows the start of image');
  return undefined;
}

// ---- GIF (GIF89a specification) -----------------------------------------------

const GIF_TRAILER = 0x3b;

function checkGif({ head, tail }: FileEnds): StructureProblem | undefined {
  const view = dataView(head);
  if (view.getUint16(6, true) === 0 || view.getUint16(8, true) === 0) return malformed('the logical screen has no width or height');
  if (tail[tail.length - 1] !== GIF_TRAILER) return truncated('the file does not end with the GIF trailer');
  return undefined;
}

// ---- WebP (RIFF container, RFC 9649) ------------------------------------------------

const WEBP_FIRST_CHUNKS = new Set(['VP8 ', 'VP8L', 'VP8X']);

function checkWebp({ head, size }: FileEnds): StructureProblem | undefined {
  const fourCC = String.fromCharCode(...head.subarray(12, 16));
  if (!WEBP_FIRST_CHUNKS.has(fourCC)) return malformed('the first chunk is not VP8, VP8L or VP8X');
  const declared = dataView(head).getUint32(4, true) + 8;
  if (declared > size) return truncated(`the RIFF header says ${declared} bytes; the file has ${size}`);
  if (declared < size) return { reason: 'TRAILING_DATA', detail: `the RIFF header says ${declared} bytes; the file has ${size}` };
  return undefined;
}

// ---- PDF (ISO 32000) ------------------------------------------------------

const PDF_EOF = Array.from('%%EOF', (char) => char.charCodeAt(0));

function checkPdf({ head, tail }: FileEnds): StructureProblem | undefined {
  const isDigit = (byte: number | undefined) => byte !== undefined && byte >= 0x30 && byte <= 0x39;
  if (!isDigit(head[5]) || head[6] !== 0x2e || !isDigit(head[7])) return malformed('the header has no version number (%PDF-d.d)');
  if (indexOf(tail.subarray(Math.max(0, tail.length - PDF_EOF_WINDOW)), PDF_EOF) < 0) {
    return truncated(`no %%EOF marker in the last ${PDF_EOF_WINDOW} bytes`);
  }
  return undefined;
}

// ---- helpers ------------------------------------------------------

function truncated(detail: string): StructureProblem {
  return { reason: 'TRUNCATED', detail };
}

function malformed(detail: string): StructureProblem {
  return { reason: 'MALFORMED_HEADER', detail };
}

function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function endsWith(bytes: Uint8Array, suffix: readonly number[]): boolean {
  if (bytes.length < suffix.length) return false;
  const start = bytes.length - suffix.length;
  return suffix.every((byte, i) => bytes[start + i] === byte);
}

function indexOf(bytes: Uint8Array, needle: readonly number[]): number {
  outer: for (let i = 0; i + needle.length <= bytes.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
