/**
 * The files the inspector's tests upload: the real small files under
 * test/fixtures/files/ (see its README), and disguised ones made from them
 * here, each saying what it is.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { S3Event } from 'aws-lambda';
import { encodeEventKey } from '../../../../origin/inspector/s3-event';

const FILES = path.join(__dirname, '..', '..', '..', 'fixtures', 'files');
const EVENTS = path.join(__dirname, '..', '..', '..', 'fixtures', 's3');

export function fixture(name: string): Buffer {
  return readFileSync(path.join(FILES, name));
}

export interface SampleFile {
  readonly name: string;
  readonly type: string;
  readonly bytes: Buffer;
}

/** One real file per upload type, and the larger ones (read in two ranged GETs). */
export const REAL_FILES: readonly SampleFile[] = [
  { name: 'photo.jpg', type: 'image/jpeg', bytes: fixture('photo.jpg') },
  { name: 'photo-large.jpg', type: 'image/jpeg', bytes: fixture('photo-large.jpg') },
  { name: 'image.png', type: 'image/png', bytes: fixture('image.png') },
  { name: 'image-large.png', type: 'image/png', bytes: fixture('image-large.png') },
  { name: 'image.webp', type: 'image/webp', bytes: fixture('image.webp') },
  { name: 'pixel.gif', type: 'image/gif', bytes: fixture('pixel.gif') },
  { name: 'document.pdf', type: 'application/pdf', bytes: fixture('document.pdf') },
];

/** A small web page with a script: what a stored-XSS attempt uploads as "image/png". */
export const HTML_PAGE = Buffer.from(
  '\ufeff\n  <!DOCTYPE html>\n<html><head><title>x</title></head><body><script>document.title = "owned"</script></body></html>\n',
  'utf8',
);

/** The start of a 64-bit Linux executable (ELF header, then zeros): "invoice.pdf". */
export const ELF_EXECUTABLE = Buffer.concat([
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]),
  Buffer.alloc(8),
  Buffer.from([0x02, 0x00, 0x3e, 0x00, 0x01, 0x00, 0x00, 0x00]),
  Buffer.alloc(2000),
]);

/** A DOS/Windows executable: "MZ", then the DOS stub's famous line. */
export const WINDOWS_EXECUTABLE = Buffer.concat([
  Buffer.from('MZ', 'latin1'),
  Buffer.alloc(62),
  Buffer.from('This program cannot be run in DOS mode.\r\r\n$', 'latin1'),
  Buffer.alloc(400),
]);

/** The larger real PNG cut at `length` bytes: an upload that stopped part-way. */
export function truncatedPng(length: number): Buffer {
  return Buffer.from(fixture('image-large.png').subarray(0, length));
}

/** A real file with `extra` appended: a polyglot's usual shape. */
export function withTrailingData(name: string, extra: Buffer): Buffer {
  return Buffer.concat([fixture(name), extra]);
}

/** The S3 ObjectCreated:Post notification fixture, cloned, with the bucket and the (unencoded) key set. */
export function objectCreatedEvent(bucket: string, key: string, eventName = 'ObjectCreated:Post'): S3Event {
  const event = JSON.parse(readFileSync(path.join(EVENTS, 'object-created-post.json'), 'utf8')) as S3Event;
  const record = event.Records[0]!;
  record.eventName = eventName;
  record.s3.bucket.name = bucket;
  record.s3.bucket.arn = `arn:aws:s3:::${bucket}`;
  record.s3.object.key = encodeEventKey(key);
  return event;
}
