/**
 * Magic numbers: each real file is recognized as its own format, and the
 * usual disguises are named for what they are.
 */
import { detectFormat } from '../../../origin/inspector/core/file-signatures';
import { ELF_EXECUTABLE, HTML_PAGE, REAL_FILES, WINDOWS_EXECUTABLE } from './support/sample-files';

const FORMAT_OF_TYPE: Record<string, string> = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'application/pdf': 'pdf',
};

describe('detectFormat', () => {
  it.each(REAL_FILES.map((file) => [file.name, file] as const))('recognizes %s by its first bytes', (_name, file) => {
    expect(detectFormat(file.bytes)).toBe(FORMAT_OF_TYPE[file.type]);
  });

  it('names HTML after a BOM and whitespace, in any case, as browsers sniff it', () => {
    expect(detectFormat(HTML_PAGE)).toBe('html');
    expect(detectFormat(Buffer.from('<HTML>'))).toBe('html');
    expect(detectFormat(Buffer.from('\t<script src=x>'))).toBe('html');
    expect(detectFormat(Buffer.from('<!-- hi -->'))).toBe('html');
    // A tag name must end where WHATWG says it ends: "<bold" is not "<b".
    expect(detectFormat(Buffer.from('<bold>'))).toBeUndefined();
  });

  it('names SVG and other XML', () => {
    expect(detectFormat(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'))).toBe('svg');
    expect(detectFormat(Buffer.from('<?xml version="1.0"?>\n<svg/>'))).toBe('svg');
    expect(detectFormat(Buffer.from('<?xml version="1.0"?><root/>'))).toBe('xml');
  });

  it('names executables, archives and scripts', () => {
    expect(detectFormat(ELF_EXECUTABLE)).toBe('elf-executable');
    expect(detectFormat(WINDOWS_EXECUTABLE)).toBe('windows-executable');
    expect(detectFormat(Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]))).toBe('mach-o-executable');
    expect(detectFormat(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0]))).toBe('zip');
    expect(detectFormat(Buffer.from([0x1f, 0x8b, 0x08, 0]))).toBe('gzip');
    expect(detectFormat(Buffer.from('#!/bin/sh\nrm -rf /\n'))).toBe('script');
  });

  it('needs the whole signature: a prefix of one matches nothing', () => {
    expect(detectFormat(Buffer.from([0x89, 0x50, 0x4e, 0x47]))).toBeUndefined();
    expect(detectFormat(Buffer.from('RIFF\u0010\u0000\u0000\u0000WAVE', 'latin1'))).toBeUndefined();
    expect(detectFormat(new Uint8Array(0))).toBeUndefined();
    expect(detectFormat(Buffer.from('hello, world'))).toBeUndefined();
  });
});
