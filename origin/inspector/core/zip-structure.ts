/**
 * ZIP archives (PKWARE APPNOTE 6.3.10), from their first bytes and their
 * last ZIP_TAIL_BYTES. Pure: bytes in, a problem or nothing out.
 *
 * Start: a local file header `PK\x03\x04` with a file name, its fixed part
 * inside the file; or, for an archive with no entries, the end record
 * `PK\x05\x06` itself at offset 0.
 *
 * End: the end-of-central-directory record (EOCD, 22 bytes plus a comment
 * of up to 65,535) must be the last thing in the file, so it lies within the
 * last 65,557 bytes; readers find it by searching backwards, and so does this
 * check. For zip64 (archives over 4 GiB or 65,535 entries) the EOCD's fields
 * are 0xFFFF/0xFFFFFFFF and the real values are in the zip64 end record,
 * found through the zip64 locator just before the EOCD; the record must
 * directly precede the locator (as every zip64 writer puts it). Then:
 * - one disk only (a split archive's part is not an archive);
 * - the central directory ends exactly where the (zip64) end record begins;
 * - entries ⇒ the file starts with a local header; no entries ⇒ the file is
 *   the end record alone;
 * - when the central directory's start lies in the bytes read, it starts
 *   with `PK\x01\x02` and its first entry's local header is at offset 0:
 *   nothing sits in front of the first entry (the usual shape of a polyglot
 *   or a self-extracting archive).
 *
 * What it cannot prove: that entries decompress, that the central directory
 * beyond the bytes read matches the local headers, or what a comment holds.
 */
import type { FileEnds, StructureProblem } from './file-structure';

/** The EOCD's fixed 22 bytes and the longest comment it may carry. */
export const ZIP_TAIL_BYTES = 22 + 65_535;

const LOCAL_FILE_HEADER = 0x04034b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_END_RECORD = 0x06064b50;
const ZIP64_END_LOCATOR = 0x07064b50;
const LOCAL_HEADER_BYTES = 30;
const CENTRAL_HEADER_BYTES = 46;
const EOCD_BYTES = 22;
const ZIP64_LOCATOR_BYTES = 20;
const ZIP64_RECORD_BYTES = 56;

export function checkZip({ head, tail, size }: FileEnds): StructureProblem | undefined {
  const signature = u32(head, 0);
  if (signature === LOCAL_FILE_HEADER) {
    if (size < LOCAL_HEADER_BYTES) return truncated(`the file is ${size} bytes; a local file header alone needs ${LOCAL_HEADER_BYTES}`);
    if (head.length < LOCAL_HEADER_BYTES) return malformed('the start of the file could not be read in full');
    const nameLength = u16(head, 26);
    if (nameLength === 0) return malformed('the first entry has no file name');
    if (LOCAL_HEADER_BYTES + nameLength + u16(head, 28) > size) return truncated('the file ends inside its first local file header');
  } else if (signature !== END_OF_CENTRAL_DIRECTORY) {
    return malformed('the file starts with neither a local file header nor an end record (a split or spanned archive?)');
  }

  // ---- the end record, searched backwards as readers do ----
  const tailStart = size - tail.length;
  let eocd = -1;
  let sawSignature = false;
  for (let at = tail.length - EOCD_BYTES; at >= 0 && at >= tail.length - ZIP_TAIL_BYTES; at--) {
    if (u32(tail, at) !== END_OF_CENTRAL_DIRECTORY) continue;
    sawSignature = true;
    if (at + EOCD_BYTES + u16(tail, at + 20) === tail.length) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) {
    return sawSignature
      ? { reason: 'TRAILING_DATA', detail: 'bytes follow the end-of-central-directory record' }
      : truncated(`no end-of-central-directory record in the last ${ZIP_TAIL_BYTES} bytes`);
  }

  let disk = u16(tail, eocd + 4);
  let directoryDisk = u16(tail, eocd + 6);
  let entriesOnDisk = u16(tail, eocd + 8);
  let entries = u16(tail, eocd + 10);
  let directorySize = u32(tail, eocd + 12);
  let directoryOffset = u32(tail, eocd + 16);
  // Where the central directory must end: the end record, or the zip64 end record before it.
  let directoryEnd = tailStart + eocd;

  const zip64 =
    [disk, directoryDisk, entriesOnDisk, entries].includes(0xffff) || directorySize === 0xffffffff || directoryOffset === 0xffffffff;
  if (zip64) {
    const locator = eocd - ZIP64_LOCATOR_BYTES;
    if (locator < 0 || u32(tail, locator) !== ZIP64_END_LOCATOR)
      return malformed('zip64 values in the end record, but no zip64 locator before it');
    const recordOffset = u64(tail, locator + 8);
    if (recordOffset === undefined || u32(tail, locator + 4) !== 0 || u32(tail, locator + 16) !== 1)
      return malformed('the zip64 locator names another disk');
    const record = recordOffset - tailStart;
    if (record < 0 || record + ZIP64_RECORD_BYTES > locator || u32(tail, record) !== ZIP64_END_RECORD) {
      return malformed('the zip64 locator does not point at a zip64 end record just before it');
    }
    const recordSize = u64(tail, record + 4);
    if (recordSize === undefined || record + 12 + recordSize !== locator)
      return malformed('the zip64 end record does not end at its locator');
    const fields = [u64(tail, record + 24), u64(tail, record + 32), u64(tail, record + 40), u64(tail, record + 48)];
    if (fields.some((value) => value === undefined)) return malformed('the zip64 end record has impossible sizes');
    [entriesOnDisk, entries, directorySize, directoryOffset] = fields as [number, number, number, number];
    disk = u32(tail, record + 16);
    directoryDisk = u32(tail, record + 20);
    directoryEnd = recordOffset;
  }

  if (disk !== 0 || directoryDisk !== 0 || entriesOnDisk !== entries) return malformed('the archive spans several disks (a split archive)');
  if (directoryOffset + directorySize !== directoryEnd) return malformed('the central directory does not end where the end record begins');
  if (entries === 0) {
    if (directorySize !== 0 || directoryEnd !== 0 || signature !== END_OF_CENTRAL_DIRECTORY)
      return malformed('an archive with no entries holds more than its end record');
    return undefined;
  }
  if (signature !== LOCAL_FILE_HEADER) return malformed('an archive with entries does not start with a local file header');
  if (directorySize < entries * CENTRAL_HEADER_BYTES) return malformed('the central directory is too small for its entries');

  const directory = directoryOffset - tailStart;
  if (directory >= 0 && directory + CENTRAL_HEADER_BYTES <= tail.length) {
    if (u32(tail, directory) !== CENTRAL_FILE_HEADER) return malformed('the central directory does not start with a file header');
    const firstLocal = u32(tail, directory + 42);
    // 0xFFFFFFFF: the offset is in the entry's zip64 extra field; not followed here.
    if (firstLocal !== 0 && firstLocal !== 0xffffffff) return malformed('bytes sit in front of the first entry');
  }
  return undefined;
}

function truncated(detail: string): StructureProblem {
  return { reason: 'TRUNCATED', detail };
}

function malformed(detail: string): StructureProblem {
  return { reason: 'MALFORMED_HEADER', detail };
}

function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8);
}

function u32(bytes: Uint8Array, at: number): number {
  return (u16(bytes, at) + u16(bytes, at + 2) * 0x10000) >>> 0;
}

/** A little-endian 64-bit value, or undefined beyond 2^53 (no real archive is that big). */
function u64(bytes: Uint8Array, at: number): number | undefined {
  const high = u32(bytes, at + 4);
  return high >= 2 ** 21 ? undefined : high * 2 ** 32 + u32(bytes, at);
}
