/**
 * MP4, M4V and QuickTime (.mov): the ISO base media file format (ISO/IEC
 * 14496-12) and the QuickTime file format it grew from. Both are a chain of
 * top-level boxes ("atoms"), each starting with a 4-byte big-endian size and
 * a 4-character type; size 1 means a 64-bit size follows the type, size 0
 * means "to the end of the file". Pure: bytes in, a format or a problem out.
 *
 * Which brands map to which declared type (the `ftyp` box's major brand
 * decides; its compatible brands only when the major brand is unknown):
 *
 * | ftyp                                                             | detected    | verified as                          |
 * |------------------------------------------------------------------|-------------|--------------------------------------|
 * | major brand an MP4 brand (MP4_BRANDS: isom, iso2–iso9, mp41,     | `mp4`       | video/mp4, and video/quicktime       |
 * |   mp42, avc1, M4V , dash, …)                                     |             |   (QuickTime plays MP4; .mov is a    |
 * |                                                                  |             |   common name for one)               |
 * | major brand `qt  ` (Apple devices, QuickTime, ffmpeg's mov)      | `quicktime` | video/quicktime only                 |
 * | no ftyp; the first box a classic QuickTime one (moov, mdat,      | `quicktime` | video/quicktime only                 |
 * |   wide, free, skip, pnot): files from before 2001                |             |                                      |
 * | other major brand, an MP4 brand among the compatible ones        | `mp4`       | as MP4                               |
 * | other major brand, `qt  ` among the compatible ones              | `quicktime` | as QuickTime                         |
 * | anything else (HEIC/AVIF images, M4A audio only branded M4A, …)  | `iso-media` | never (TYPE_MISMATCH)                |
 *
 * A QuickTime-branded file declared video/mp4 is refused: an MP4 player may
 * not play QuickTime-only features, and the browser named it .mov for a reason.
 *
 * The structure check walks the top-level chain from offset 0: every box has
 * a printable type and a size no smaller than its header, no box runs past
 * the object's end, the last box ends exactly at the object's end (or says
 * "to the end"), and there is a `moov` box (without it nothing can play the
 * media: the usual shape of a recording that was cut off). The walk reads
 * only box headers: the ones in the first and last bytes already read, then
 * one small ranged read per further box, at most MAX_BOX_READS of them. A
 * fragmented MP4 (moof/mdat pairs, thousands of them in a long video) is
 * walked that far and accepted when its moov came first, as it always does
 * in a fragmented file; the rest of its chain is not proven.
 */

/** Brands of MP4 files (ISO/IEC 14496-12 and -14, Apple's M4V, DASH, CMAF, Sony, AV1). */
export const MP4_BRANDS: ReadonlySet<string> = new Set([
  'isom',
  'iso2',
  'iso3',
  'iso4',
  'iso5',
  'iso6',
  'iso7',
  'iso8',
  'iso9',
  'mp41',
  'mp42',
  'mp71',
  'avc1',
  'av01',
  'M4V ',
  'M4VH',
  'M4VP',
  'dash',
  'cmfc',
  'cmf2',
  'msnv',
  'MSNV',
  'XAVC',
]);
export const QUICKTIME_BRAND = 'qt  ';
/** First boxes of classic QuickTime files, written before ftyp existed. */
export const CLASSIC_QUICKTIME_FIRST_BOXES: ReadonlySet<string> = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

/** An ftyp box this long would be absurd (real ones are 20–40 bytes); it must lie in the first read. */
export const MAX_FTYP_BYTES = 1024;
/** Ranged reads the walk may add, one per top-level box header not already read. */
export const MAX_BOX_READS = 32;
/** Bytes each of those reads asks for: a box header is 8 or 16; more costs nothing and often holds the next small box too. */
export const BOX_READ_BYTES = 1024;

export type IsoMediaKind = 'mp4' | 'quicktime' | 'iso-media';

/**
 * What an ISO BMFF / QuickTime file is, from its first bytes, or undefined
 * when it does not start like one. Needs the ftyp's major brand (12 bytes).
 */
export function detectIsoMedia(head: Uint8Array): IsoMediaKind | undefined {
  if (head.length < 12) return undefined;
  const size = u32(head, 0);
  const type = fourCC(head, 4);
  if (type === 'ftyp') {
    const major = fourCC(head, 8);
    if (MP4_BRANDS.has(major)) return 'mp4';
    if (major === QUICKTIME_BRAND) return 'quicktime';
    const compatible = compatibleBrands(head);
    if (compatible.some((brand) => MP4_BRANDS.has(brand))) return 'mp4';
    if (compatible.includes(QUICKTIME_BRAND)) return 'quicktime';
    return 'iso-media';
  }
  // A classic QuickTime box type is a weak magic number on its own: the size must be possible too.
  if (CLASSIC_QUICKTIME_FIRST_BOXES.has(type) && (size === 0 || size === 1 || size >= 8)) return 'quicktime';
  return undefined;
}

/** The compatible brands of an ftyp box at offset 0, as far as the bytes go. */
function compatibleBrands(head: Uint8Array): string[] {
  const end = Math.min(u32(head, 0), head.length);
  const brands: string[] = [];
  for (let at = 16; at + 4 <= end; at += 4) brands.push(fourCC(head, at));
  return brands;
}

/** The bytes the walk may use: what was read, each piece at its offset in the object. */
export interface ReadBytes {
  readonly size: number;
  /** Every piece read so far (head, tail, extra box reads); the walk finds a header in any of them. */
  readonly pieces: ReadonlyArray<{ readonly start: number; readonly bytes: Uint8Array }>;
  /** How many extra box reads were made already. */
  readonly extraReads: number;
}

export type BoxChainResult =
  | { readonly kind: 'ok' }
  | { readonly kind: 'problem'; readonly reason: 'TRUNCATED' | 'MALFORMED_HEADER' | 'TRAILING_DATA'; readonly detail: string }
  /** The header of the box at `start` has not been read yet: read [start, end] and walk again. */
  | { readonly kind: 'read'; readonly start: number; readonly end: number };

/** Walks the top-level boxes from offset 0 over the bytes read; see the module comment for what it proves. */
export function walkBoxChain(file: ReadBytes): BoxChainResult {
  const problem = (reason: 'TRUNCATED' | 'MALFORMED_HEADER' | 'TRAILING_DATA', detail: string): BoxChainResult => ({
    kind: 'problem',
    reason,
    detail,
  });
  const first = bytesAt(file, 0, 8);
  if (first === undefined) return problem('MALFORMED_HEADER', 'the start of the file could not be read in full');
  if (fourCC(first, 4) === 'ftyp') {
    const ftypSize = u32(first, 0);
    if (ftypSize < 16 || ftypSize % 4 !== 0 || ftypSize > MAX_FTYP_BYTES)
      return problem('MALFORMED_HEADER', 'the ftyp box has an impossible size');
  }

  let offset = 0;
  let boxes = 0;
  let sawMoov = false;
  // The header at `offset` is not in the bytes read: ask for it, or stop where the budget ends.
  // Every `read` answer is bounded by MAX_BOX_READS, so a caller looping on it ends.
  const readMore = (): BoxChainResult => {
    if (file.extraReads >= MAX_BOX_READS) {
      // Walked as far as the budget goes (a fragmented MP4): what was read holds.
      return sawMoov ? { kind: 'ok' } : problem('MALFORMED_HEADER', `no moov box among the first ${boxes} top-level boxes`);
    }
    return { kind: 'read', start: offset, end: Math.min(file.size, offset + BOX_READ_BYTES) - 1 };
  };
  while (offset < file.size) {
    const left = file.size - offset;
    if (left < 8) return problem('TRUNCATED', `the file ends ${left} bytes into a box header`);
    const header = bytesAt(file, offset, Math.min(16, left)) ?? bytesAt(file, offset, 8);
    if (header === undefined) return readMore();
    const type = fourCC(header, 4);
    if (!/^[\x20-\x7e]{4}$/.test(type)) return problem('MALFORMED_HEADER', `top-level box ${boxes + 1} has no valid type`);
    let boxSize = u32(header, 0);
    if (boxSize === 1) {
      if (left < 16) return problem('TRUNCATED', 'the file ends inside a 64-bit box header');
      if (header.length < 16) return readMore();
      const high = u32(header, 8);
      // 2^53 bytes is far beyond any object S3 can hold.
      if (high >= 2 ** 21) return problem('MALFORMED_HEADER', `top-level box ${boxes + 1} has an impossible size`);
      boxSize = high * 2 ** 32 + u32(header, 12);
      if (boxSize < 16) return problem('MALFORMED_HEADER', `top-level box ${boxes + 1} is smaller than its header`);
    } else if (boxSize === 0) {
      boxSize = left;
    } else if (boxSize < 8) {
      return problem('MALFORMED_HEADER', `top-level box ${boxes + 1} is smaller than its header`);
    }
    if (boxSize > left)
      return problem('TRUNCATED', `top-level box ${boxes + 1} needs ${boxSize} bytes from offset ${offset}; the file has ${file.size}`);
    if (type === 'moov') sawMoov = true;
    boxes += 1;
    offset += boxSize;
  }
  // The last box ended exactly at the end of the object (a box running past it is TRUNCATED above).
  return sawMoov ? { kind: 'ok' } : problem('TRUNCATED', 'the file has no moov box (a recording cut off before it was finished)');
}

/** `length` bytes at `offset` from any one piece read, or undefined when no piece holds them all. */
function bytesAt(file: ReadBytes, offset: number, length: number): Uint8Array | undefined {
  for (const piece of file.pieces) {
    const at = offset - piece.start;
    if (at >= 0 && at + length <= piece.bytes.length) return piece.bytes.subarray(at, at + length);
  }
  return undefined;
}

function u32(bytes: Uint8Array, at: number): number {
  return (((bytes[at] ?? 0) << 24) >>> 0) + ((bytes[at + 1] ?? 0) << 16) + ((bytes[at + 2] ?? 0) << 8) + (bytes[at + 3] ?? 0);
}

function fourCC(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}
