/**
 * edge-functions/upload-rules.yaml and its validator: the shipped file holds
 * the documented defaults; a bad file is refused with every problem at its
 * line; the JSON schema (for editors) agrees with the validator (for the
 * build); and what the file says is what the edge and the site enforce.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { UnsupportedTypeError } from '../../edge-functions/core/errors';
import { validatePresignRequest } from '../../edge-functions/core/presign-request';
import { DEFAULT_UPLOAD_RULES, GiB, MiB, formatBytes } from '../../edge-functions/core/upload-rules';
import { parseSize, parseUploadRules, UploadRulesError } from '../../edge-functions/upload-rules-file';
import { checkFile } from '../../client/core/file-check';
import { FileRejectedError } from '../../client/core/errors';
import { validate } from '../support/json-schema-subset';

const DIR = join(__dirname, '../../edge-functions');
const SHIPPED = readFileSync(join(DIR, 'upload-rules.yaml'), 'utf8');
const schema = JSON.parse(readFileSync(join(DIR, 'upload-rules.schema.json'), 'utf8')) as Record<string, unknown>;

/** The validator's problems for `text`, as `line: message`, or [] when it is valid. */
function problems(text: string): string[] {
  try {
    parseUploadRules(text, 'rules.yaml');
    return [];
  } catch (error) {
    if (!(error instanceof UploadRulesError)) throw error;
    return error.problems.map((p) => `${p.line}: ${p.message}`);
  }
}

/** The shipped file with one line replaced (the line must exist exactly once). */
function edited(from: string, to: string): string {
  expect(SHIPPED.split(from)).toHaveLength(2);
  return SHIPPED.replace(from, to);
}

/** The line where the last occurrence of `fragment` starts in `text`. */
const lineOf = (text: string, fragment: string): number => text.slice(0, text.lastIndexOf(fragment)).split('\n').length;

describe('the shipped upload-rules.yaml', () => {
  it('holds the documented defaults (a deliberate change updates this test in the same review)', () => {
    expect(DEFAULT_UPLOAD_RULES).toEqual({
      types: {
        'image/jpeg': { extensions: ['jpg', 'jpeg'], maxBytes: 10 * MiB },
        'image/png': { extensions: ['png'], maxBytes: 10 * MiB },
        'image/webp': { extensions: ['webp'], maxBytes: 10 * MiB },
        'image/gif': { extensions: ['gif'], maxBytes: 10 * MiB },
        'application/pdf': { extensions: ['pdf'], maxBytes: 50 * MiB },
        'video/mp4': { extensions: ['mp4', 'm4v'], maxBytes: 20 * GiB },
        'video/quicktime': { extensions: ['mov'], maxBytes: 20 * GiB },
        'application/zip': { extensions: ['zip'], maxBytes: 5 * GiB },
      },
      maxFilesPerRequest: 10,
      policyTtlSeconds: 300,
      postMaxBytes: 100 * MiB,
      maxPartsPerRequest: 10,
      partUrlTtlSeconds: 900,
      keyPrefix: 'uploads/',
      maxFileNameBytes: 128,
    });
  });

  it('is what DEFAULT_UPLOAD_RULES is, deeply frozen', () => {
    expect(parseUploadRules(SHIPPED, 'upload-rules.yaml')).toEqual(DEFAULT_UPLOAD_RULES);
    expect(Object.isFrozen(DEFAULT_UPLOAD_RULES)).toBe(true);
    expect(Object.isFrozen(DEFAULT_UPLOAD_RULES.types)).toBe(true);
    expect(Object.isFrozen(DEFAULT_UPLOAD_RULES.types['video/mp4']?.extensions)).toBe(true);
  });

  it('points editors at its schema, and the schema accepts it', () => {
    expect(SHIPPED.split('\n')[0]).toBe('# yaml-language-server: $schema=./upload-rules.schema.json');
    expect(validate(schema, parse(SHIPPED))).toBe(true);
  });
});

describe('sizes', () => {
  it.each<[unknown, number | undefined]>([
    [1024, 1024],
    ['10 MiB', 10 * MiB],
    ['20 GiB', 20 * GiB],
    ['512 KiB', 512 * 1024],
    ['5 TiB', 5 * 1024 * GiB],
    ['10 MB', undefined],
    ['10MiB', undefined],
    ['10  MiB', undefined],
    ['1.5 GiB', undefined],
    ['10 mib', undefined],
    ['010 MiB', undefined],
    ['1024', undefined],
    [10.5, undefined],
  ])('%p is %p bytes', (input, bytes) => {
    expect(parseSize(input)).toBe(bytes);
  });

  it('reads back as people write them', () => {
    expect(formatBytes(20 * GiB, 'limit')).toBe('20 GiB');
    expect(formatBytes(2.5 * GiB)).toBe('2.5 GiB');
    expect(formatBytes(100 * MiB, 'limit')).toBe('100 MiB');
  });
});

describe('a bad file is refused, every problem at its line', () => {
  it.each<[string, string, string, RegExp]>([
    [
      'a decimal unit',
      '    maxBytes: 10 MiB\n  image/png:',
      '    maxBytes: 10 MB\n  image/png:',
      /types\.image\/jpeg\.maxBytes "10 MB" is not a size: .*MB and GB are not accepted/,
    ],
    [
      'a type in capitals',
      '  image/png:',
      '  Image/PNG:',
      /types\.Image\/PNG: "Image\/PNG" is not a Content-Type .*write it in lower case: image\/png/,
    ],
    [
      'an extension with its dot',
      'extensions: [mov]',
      'extensions: [.mov]',
      /types\.video\/quicktime\.extensions\[0\] "\.mov" must be 1 to 16 lower-case letters or digits, without the dot/,
    ],
    ['an extension twice', 'extensions: [jpg, jpeg]', 'extensions: [jpg, jpg]', /extensions\[1\] lists jpg twice/],
    ['a type over 5 TiB', 'maxBytes: 5 GiB', 'maxBytes: 6 TiB', /types\.application\/zip\.maxBytes must be from 1 byte to 5 TiB/],
    [
      "a POST limit over S3's 5 GiB",
      'postMaxBytes: 100 MiB',
      'postMaxBytes: 6 GiB',
      /postMaxBytes must be from 1 byte to 5 GiB \(.*5 GiB in a POST\)/,
    ],
    [
      'too many files per request',
      'maxFilesPerRequest: 10',
      'maxFilesPerRequest: 50',
      /maxFilesPerRequest must be a whole number from 1 to 10 \(.*40 KB/,
    ],
    ['a zero TTL', 'partUrlTtlSeconds: 900', 'partUrlTtlSeconds: 0', /partUrlTtlSeconds must be a whole number from 1 to 604800/],
    ['the quarantine prefix', 'keyPrefix: uploads/', 'keyPrefix: quarantine/', /keyPrefix must not be quarantine\//],
    ['a prefix without its slash', 'keyPrefix: uploads/', 'keyPrefix: uploads', /keyPrefix must be one folder name/],
    [
      'a misspelt field',
      'maxPartsPerRequest: 10',
      'maxPartPerRequest: 10',
      /maxPartPerRequest is not a top-level field \(did you mean maxPartsPerRequest\?\)/,
    ],
    [
      'maxSize instead of maxBytes',
      '    maxBytes: 50 MiB',
      '    maxSize: 50 MiB',
      /types\.application\/pdf\.maxSize is not a field of a type \(the field is called maxBytes/,
    ],
    ['a YAML syntax error', 'maxFileNameBytes: 128', 'maxFileNameBytes: 128: 3', /^YAML: Nested mappings are not allowed/],
    ['a duplicate type', '  image/gif:', '  image/png:', /^YAML: Map keys must be unique/],
  ])('%s', (_label, from, to, message) => {
    const text = edited(from, to);
    const line = lineOf(text, to);
    const found = problems(text);
    expect(found.length).toBeGreaterThan(0);
    expect(found.some((p) => p.startsWith(`${line}: `) && message.test(p.slice(`${line}: `.length)))).toBe(true);
  });

  it('lists every problem in line order, as file:line: message', () => {
    const text = edited('maxFilesPerRequest: 10', 'maxFilesPerRequest: 0').replace('policyTtlSeconds: 300', 'policyTtlSeconds: soon');
    expect(() => parseUploadRules(text, 'edge-functions/upload-rules.yaml')).toThrow(UploadRulesError);
    try {
      parseUploadRules(text, 'edge-functions/upload-rules.yaml');
    } catch (error) {
      const lines = (error as Error).message.split('\n');
      expect(lines).toEqual([
        `edge-functions/upload-rules.yaml:${lineOf(text, 'maxFilesPerRequest: 0')}: maxFilesPerRequest must be a whole number from 1 to 10 (files per /presign call; ten signed forms come close to the 40 KB Lambda@Edge response limit)`,
        `edge-functions/upload-rules.yaml:${lineOf(text, 'policyTtlSeconds: soon')}: policyTtlSeconds must be a whole number from 1 to 604800 (seconds a POST form stays valid; SigV4 allows at most 7 days)`,
      ]);
    }
  });

  it('names a missing field and an empty file', () => {
    // A missing field is reported at the mapping that should hold it: here the top level, which starts at `version: 1`.
    expect(problems(edited('postMaxBytes: 100 MiB\n', ''))).toEqual([
      expect.stringMatching(new RegExp(`^${lineOf(SHIPPED, 'version: 1')}: postMaxBytes is missing`)),
    ]);
    expect(problems('')).toEqual([expect.stringMatching(/^1: the file is empty/)]);
    expect(problems(edited('  application/zip:\n    extensions: [zip]\n', '  application/zip:\n'))).toEqual([
      expect.stringMatching(/types\.application\/zip\.extensions is missing/),
    ]);
  });
});

describe('the schema agrees with the validator', () => {
  const shipped = parse(SHIPPED) as Record<string, unknown>;
  const variants: Array<[string, Record<string, unknown>]> = [
    ['the shipped file', shipped],
    ['bytes as a number', { ...shipped, postMaxBytes: 104857600 }],
    ['MB', { ...shipped, postMaxBytes: '100 MB' }],
    ['zero files', { ...shipped, maxFilesPerRequest: 0 }],
    ['eleven parts', { ...shipped, maxPartsPerRequest: 11 }],
    ['a week and a second', { ...shipped, partUrlTtlSeconds: 604801 }],
    ['an unknown field', { ...shipped, maxSize: 1 }],
    ['a missing field', Object.fromEntries(Object.entries(shipped).filter(([key]) => key !== 'keyPrefix'))],
    ['a bad prefix', { ...shipped, keyPrefix: '/uploads' }],
    ['an extension with a dot', { ...shipped, types: { 'video/mp4': { extensions: ['.mp4'], maxBytes: '1 GiB' } } }],
    ['a type without a size', { ...shipped, types: { 'video/mp4': { extensions: ['mp4'] } } }],
    ['version 2', { ...shipped, version: 2 }],
  ];
  it.each(variants)('%s', (_label, value) => {
    const byValidator = problems(JSON.stringify(value)).length === 0;
    expect(validate(schema, value)).toBe(byValidator);
  });
});

describe('what the file says is what the edge and the site enforce', () => {
  const withoutGif = parseUploadRules(edited('  image/gif:\n    extensions: [gif]\n    maxBytes: 10 MiB\n', ''), 'rules.yaml');
  const gif = { name: 'cat.gif', size: 1000, type: 'image/gif' };

  it('a type removed from the file is refused by /presign and by the site, which accepted it before', () => {
    expect(validatePresignRequest({ files: [gif] }, DEFAULT_UPLOAD_RULES)).toHaveLength(1);
    expect(checkFile(gif, DEFAULT_UPLOAD_RULES).type).toBe('image/gif');

    expect(() => validatePresignRequest({ files: [gif] }, withoutGif)).toThrow(UnsupportedTypeError);
    expect(() => checkFile(gif, withoutGif)).toThrow(FileRejectedError);
    expect(() => checkFile({ ...gif, type: '' }, withoutGif)).toThrow(FileRejectedError);
  });

  it('the site does not refuse a large file for being over postMaxBytes (multipart carries it); the edge says USE_MULTIPART', () => {
    const talk = { name: 'talk.mp4', size: 7 * GiB, type: 'video/mp4' };
    expect(checkFile(talk, DEFAULT_UPLOAD_RULES)).toEqual({ type: 'video/mp4', safeName: 'talk.mp4' });
    expect(() => checkFile({ ...talk, size: 20 * GiB + 1 }, DEFAULT_UPLOAD_RULES)).toThrow(/MP4 videos can be up to 20 GB/);
    expect(() => validatePresignRequest({ files: [talk] }, DEFAULT_UPLOAD_RULES)).toThrow(/upload it as a multipart upload/);
  });
});
