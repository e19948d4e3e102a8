/**
 * Minimal MP4, QuickTime and ZIP files built in code, byte by byte, for the
 * inspector's tests: a tiny ISO BMFF box writer and a tiny ZIP writer
 * (deflate from node:zlib, CRC-32 from the inspector's own PNG CRC, which is
 * the same ISO 3309 polynomial ZIP uses). Each builder says what it makes;
 * the lying and truncated variants are made from these in the tests.
 */
import { deflateRawSync } from 'node:zlib';
import { crc32 } from '../../../../origin/inspector/core/crc32';

// ---- ISO BMFF / QuickTime boxes ------------------------------------------------

/** A box with a 32-bit size: size, type, payload. */
export function box(type: string, ...payload: Uint8Array[]): Buffer {
  const body = Buffer.concat(payload);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

/** A box with size 1 and a 64-bit size after the type (as MP4 writers do for an mdat over 4 GiB). */
export function largeBox(type: string, ...payload: Uint8Array[]): Buffer {
  const body = Buffer.concat(payload);
  const header = Buffer.alloc(16);
  header.writeUInt32BE(1, 0);
  header.write(type, 4, 'latin1');
  header.writeBigUInt64BE(BigInt(16 + body.length), 8);
  return Buffer.concat([header, body]);
}

/** A box with size 0: "to the end of the file" (allowed for the last box only). */
export function toEndBox(type: string, ...payload: Uint8Array[]): Buffer {
  const header = Buffer.alloc(8);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, ...payload]);
}

export function ftyp(major: string, compatible: readonly string[], minor = 0x200): Buffer {
  const minorBytes = Buffer.alloc(4);
  minorBytes.writeUInt32BE(minor, 0);
  return box('ftyp', Buffer.from(major, 'latin1'), minorBytes, ...compatible.map((brand) => Buffer.from(brand, 'latin1')));
}

/** A movie header (mvhd, version 0): timescale 1000, duration 1 s, rate 1.0, volume 1.0, identity matrix. */
export function moov(extra: Buffer = Buffer.alloc(0)): Buffer {
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(1000, 12); // timescale
  mvhd.writeUInt32BE(1000, 16); // duration
  mvhd.writeUInt32BE(0x00010000, 20); // rate 1.0
  mvhd.writeUInt16BE(0x0100, 24); // volume 1.0
  for (const [at, value] of [
    [36, 0x00010000],
    [52, 0x00010000],
    [68, 0x40000000],
  ] as const)
    mvhd.writeUInt32BE(value, at);
  mvhd.writeUInt32BE(2, 96); // next track id
  return box('moov', box('mvhd', mvhd), extra);
}

/** Media data: deterministic bytes standing in for encoded frames. */
export function mediaData(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + 7) & 0xff;
  return bytes;
}

export const MP4_BRANDS_OF_A_CAMERA = ['isom', 'iso2', 'avc1', 'mp41'];

/** An MP4 as `ffmpeg -movflags +faststart` writes it: ftyp, moov, mdat. */
export function faststartMp4(mdatBytes = 2000): Buffer {
  return Buffer.concat([ftyp('isom', MP4_BRANDS_OF_A_CAMERA), moov(), box('mdat', mediaData(mdatBytes))]);
}

/** An MP4 as a camera writes it: ftyp, free, mdat, then moov at the end (its header neither in the first nor the last KiB). */
export function cameraMp4(mdatBytes = 200_000, moovPadding = 4000): Buffer {
  return Buffer.concat([
    ftyp('mp42', ['isom', 'mp42']),
    box('free'),
    box('mdat', mediaData(mdatBytes)),
    moov(box('udta', Buffer.alloc(moovPadding))),
  ]);
}

/** A QuickTime movie from an iPhone: ftyp with major brand "qt  ", wide, mdat, moov. */
export function iphoneMov(mdatBytes = 3000): Buffer {
  return Buffer.concat([ftyp('qt  ', ['qt  '], 0), box('wide'), box('mdat', mediaData(mdatBytes)), moov()]);
}

/** A classic QuickTime movie (before ftyp existed): wide, mdat, moov. */
export function classicMov(): Buffer {
  return Buffer.concat([box('wide'), box('mdat', mediaData(1500)), moov()]);
}

/** A fragmented MP4: ftyp, moov, then `fragments` moof/mdat pairs (how DASH/HLS and screen recorders write). */
export function fragmentedMp4(fragments: number): Buffer {
  const pieces = [ftyp('iso5', ['iso5', 'iso6', 'mp41']), moov(box('mvex'))];
  for (let i = 0; i < fragments; i++) pieces.push(box('moof', box('mfhd', Buffer.alloc(8))), box('mdat', mediaData(1500)));
  return Buffer.concat(pieces);
}

/** A HEIC photo's start: an ISO media file, but an image. */
export function heicStart(): Buffer {
  return Buffer.concat([ftyp('heic', ['mif1', 'heic'], 0), box('meta', Buffer.alloc(40))]);
}

// ---- ZIP ------------------------------------------------------------------

export interface ZipEntry {
  readonly name: string;
  readonly data: Buffer;
}

export interface ZipOptions {
  readonly comment?: Buffer;
  /** Write a zip64 end record and locator, with 0xFFFF/0xFFFFFFFF in the classic end record (as `zip -fz` does). */
  readonly zip64?: boolean;
}

/** A ZIP archive: local headers with deflated data, the central directory, the end record. */
export function zipArchive(entries: readonly ZipEntry[], options: ZipOptions = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const compressed = deflateRawSync(entry.data);
    const crc = crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(0x6000, 10); // 12:00
    local.writeUInt16LE(0x5b9d, 12); // 2025-12-29
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, compressed);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x031e, 4); // made by: Unix, 3.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(0x6000, 12);
    central.writeUInt16LE(0x5b9d, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(0o100644 * 0x10000, 38); // external attributes: a regular file, rw-r--r--
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const comment = options.comment ?? Buffer.alloc(0);
  const end: Buffer[] = [];
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(comment.length, 20);
  if (options.zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4); // size of the rest of the record
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(entries.length), 24);
    record.writeBigUInt64LE(BigInt(entries.length), 32);
    record.writeBigUInt64LE(BigInt(directory.length), 40);
    record.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
    locator.writeUInt32LE(1, 16);
    eocd.writeUInt16LE(0xffff, 8);
    eocd.writeUInt16LE(0xffff, 10);
    eocd.writeUInt32LE(0xffffffff, 12);
    eocd.writeUInt32LE(0xffffffff, 16);
    end.push(record, locator);
  } else {
    eocd.writeUInt16LE(entries.length, 8);
    eocd.writeUInt16LE(entries.length, 10);
    eocd.writeUInt32LE(directory.length, 12);
    eocd.writeUInt32LE(offset, 16);
  }
  return Buffer.concat([...locals, directory, ...end, eocd, comment]);
}

/** Two small text files and a picture's worth of bytes: an ordinary archive. */
export function ordinaryZip(options: ZipOptions = {}): Buffer {
  return zipArchive(
    [
      { name: 'notes/readme.txt', data: Buffer.from('Holiday photos, December.\n'.repeat(20)) },
      { name: 'notes/été.txt', data: Buffer.from('accents in a file name\n') },
      { name: 'data.bin', data: mediaData(3000) },
    ],
    options,
  );
}
