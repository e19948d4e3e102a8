/**
 * What the first bytes of a file say it is. Magic numbers at offset 0 for
 * the five upload types and for the formats a disguised upload most often
 * really is (HTML, SVG, executables, archives, scripts), so that a log line
 * can say "declared image/png, but the content is an HTML document" instead
 * of "unknown". Pure: bytes in, a format id out.
 *
 * Signatures (all at offset 0):
 *   JPEG  FF D8 FF                     (SOI, then the first marker)
 *   PNG   89 50 4E 47 0D 0A 1A 0A      (the 8-byte PNG signature)
 *   GIF   "GIF87a" | "GIF89a"
 *   WebP  "RIFF" <u32 size> "WEBP"
 *   PDF   "%PDF-"
 *   ZIP   "PK" 03 04 (a local file header), "PK" 05 06 (an empty archive), "PK" 07 08 (a split one)
 *   MP4, QuickTime: <u32 size> "ftyp" <brand> at offset 0, or a classic QuickTime first box
 *         (moov, mdat, wide, free, skip, pnot); the brands decide which (iso-bmff.ts)
 * HTML and XML are recognized the way browsers sniff them (WHATWG MIME
 * Sniffing §7.1): after an optional UTF-8 BOM and whitespace, a tag such as
 * `<!DOCTYPE HTML`, `<html`, `<script` followed by a space or `>`, case-insensitively.
 */

import { detectIsoMedia } from './iso-bmff';

/** The formats the inspector can verify: the upload types of docs/ (upload rules), the large-file ones included. */
export type InspectedFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'pdf' | 'mp4' | 'quicktime' | 'zip';

/** Formats recognized only to name what a disguised upload is. */
export type OtherFormat =
  | 'html'
  | 'svg'
  | 'xml'
  | 'elf-executable'
  | 'windows-executable'
  | 'mach-o-executable'
  | 'iso-media'
  | 'gzip'
  | 'script';

export type DetectedFormat = InspectedFormat | OtherFormat;

/** The Content-Type each inspectable format must be declared as. */
export const FORMAT_BY_TYPE: Readonly<Record<string, InspectedFormat>> = Object.freeze({
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'application/pdf': 'pdf',
  'video/mp4': 'mp4',
  'video/quicktime': 'quicktime',
  'application/zip': 'zip',
});

/**
 * Formats a type also accepts besides its own: QuickTime reads MP4, and
 * `.mov` is a common name for an MP4 file (iso-bmff.ts has the brand table).
 */
export const ALSO_ACCEPTED: Readonly<Record<string, readonly InspectedFormat[]>> = Object.freeze({
  'video/quicktime': Object.freeze(['mp4'] as const),
});

/** For log details and messages. */
export const FORMAT_DESCRIPTIONS: Readonly<Record<DetectedFormat, string>> = Object.freeze({
  jpeg: 'a JPEG image',
  png: 'a PNG image',
  webp: 'a WebP image',
  gif: 'a GIF image',
  pdf: 'a PDF document',
  mp4: 'an MP4 video',
  quicktime: 'a QuickTime movie',
  'iso-media': 'an ISO media file of another kind (HEIF/AVIF image, audio, 3GPP, ...)',
  html: 'an HTML document',
  svg: 'an SVG image (XML that can carry script)',
  xml: 'an XML document',
  'elf-executable': 'an ELF executable (Linux, Unix)',
  'windows-executable': 'a Windows executable (MZ/PE)',
  'mach-o-executable': 'a Mach-O executable (macOS)',
  zip: 'a ZIP archive (or a format built on ZIP)',
  gzip: 'a gzip archive',
  script: 'a script (#! line)',
});

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const BINARY_SIGNATURES: ReadonlyArray<readonly [DetectedFormat, ReadonlyArray<number | undefined>]> = [
  ['png', PNG_SIGNATURE],
  ['jpeg', [0xff, 0xd8, 0xff]],
  ['gif', ascii('GIF87a')],
  ['gif', ascii('GIF89a')],
  // "RIFF", four bytes of size (any), "WEBP".
  ['webp', [...ascii('RIFF'), undefined, undefined, undefined, undefined, ...ascii('WEBP')]],
  ['pdf', ascii('%PDF-')],
  ['elf-executable', [0x7f, ...ascii('ELF')]],
  ['windows-executable', ascii('MZ')],
  ['mach-o-executable', [0xfe, 0xed, 0xfa, 0xce]],
  ['mach-o-executable', [0xfe, 0xed, 0xfa, 0xcf]],
  ['mach-o-executable', [0xce, 0xfa, 0xed, 0xfe]],
  ['mach-o-executable', [0xcf, 0xfa, 0xed, 0xfe]],
  // Universal binaries; Java class files share this number, and are no upload type either.
  ['mach-o-executable', [0xca, 0xfe, 0xba, 0xbe]],
  ['zip', [...ascii('PK'), 0x03, 0x04]],
  ['zip', [...ascii('PK'), 0x05, 0x06]],
  ['zip', [...ascii('PK'), 0x07, 0x08]],
  ['gzip', [0x1f, 0x8b]],
  ['script', ascii('#!')],
];

/** WHATWG's "identify an unknown MIME type" HTML patterns (each followed by a space or `>`). */
const HTML_TAGS = [
  '<!doctype html',
  '<html',
  '<head',
  '<script',
  '<iframe',
  '<h1',
  '<div',
  '<font',
  '<table',
  '<a',
  '<style',
  '<title',
  '<b',
  '<body',
  '<br',
  '<p',
  '<!--',
];
const WHITESPACE = new Set([0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * The format the bytes start with, or undefined when none is recognized.
 * `head` is the start of the file (the inspector reads its first
 * HEAD_BYTES); fewer bytes than a signature's length match nothing.
 */
export function detectFormat(head: Uint8Array): DetectedFormat | undefined {
  for (const [format, signature] of BINARY_SIGNATURES) {
    if (startsWith(head, signature, 0)) return format;
  }
  return detectIsoMedia(head) ?? detectMarkup(head);
}

function detectMarkup(head: Uint8Array): DetectedFormat | undefined {
  let at = startsWith(head, UTF8_BOM, 0) ? UTF8_BOM.length : 0;
  while (at < head.length && WHITESPACE.has(head[at] ?? 0)) at++;
  const text = latin1Lower(head.subarray(at, at + 512));
  for (const tag of HTML_TAGS) {
    const next = text.charCodeAt(tag.length);
    if (text.startsWith(tag) && (next === 0x20 || next === 0x3e)) return 'html';
  }
  if (text.startsWith('<svg')) return 'svg';
  if (text.startsWith('<?xml')) return text.includes('<svg') ? 'svg' : 'xml';
  return undefined;
}

function startsWith(bytes: Uint8Array, signature: ReadonlyArray<number | undefined>, offset: number): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((expected, i) => expected === undefined || bytes[offset + i] === expected);
}

function ascii(text: string): number[] {
  return Array.from(text, (char) => char.charCodeAt(0));
}

function latin1Lower(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text.toLowerCase();
}
