/**
 * The upload rules file (`upload-rules.yaml` beside this module): the
 * boundary between the file a product team edits and the typed, frozen
 * `UploadRules` every part of the system imports. Everything in the file is
 * `unknown` until checked here, and every problem is reported with its line,
 * through the same reader as the firewall rules file.
 *
 * Build time and tests only. The build (scripts/lib/upload-rules.mjs) runs
 * this once and compiles the result into each bundle as plain data, so the
 * `yaml` package never reaches the edge or the browser; under ts-jest,
 * core/upload-rules-source.ts runs it when the rules module is first loaded.
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq } from 'yaml';
import type { Pair, YAMLMap } from 'yaml';
import { deepFreeze, isWholeNumber, openYaml, quote, type YamlProblem, type YamlReader } from '../infra/shared/yaml-reader';
import type { FileTypeRule, UploadRules } from './core/upload-rules';

const KiB = 1024;
const UNITS: Readonly<Record<string, number>> = { KiB, MiB: KiB ** 2, GiB: KiB ** 3, TiB: KiB ** 4 };

/**
 * A size in the file: a whole number of bytes, or a whole number, one space
 * and a binary unit ("10 MiB"). Decimal units (MB, GB) are refused rather than
 * guessed at: 10 MB and 10 MiB differ by 5 %.
 */
export const SIZE_PATTERN = /^(0|[1-9][0-9]*) (KiB|MiB|GiB|TiB)$/;

/** S3's largest object (a multipart upload of 10,000 parts). */
export const MAX_OBJECT_BYTES = 5 * UNITS.TiB!;
/** S3's largest POST form upload. */
export const MAX_POST_BYTES = 5 * UNITS.GiB!;
/**
 * Files per /presign and parts per /presign/multipart/parts. Each signed form
 * or URL carries the ~1 KB session token, and a Lambda@Edge generated
 * response may be at most 40 KB: ten forms come close to it.
 */
export const MAX_ITEMS_PER_REQUEST = 10;
/** SigV4 presigned requests live at most 7 days. */
export const MAX_TTL_SECONDS = 7 * 24 * 3600;
/** An S3 key is at most 1024 bytes; the rest of the key (prefix, sub, date, id) needs about 100. */
export const MAX_FILE_NAME_BYTES = 255;
/** Lower-case type/subtype, no parameters (RFC 6838 restricted names). */
export const CONTENT_TYPE_PATTERN = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$/;
export const EXTENSION_PATTERN = /^[a-z0-9]{1,16}$/;
/** One path segment and its slash; the inspector's quarantine/ prefix is taken. */
export const KEY_PREFIX_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}\/$/;
const QUARANTINE_PREFIX = 'quarantine/';

const TOP_LEVEL_FIELDS = [
  'version',
  'types',
  'maxFilesPerRequest',
  'policyTtlSeconds',
  'postMaxBytes',
  'maxPartsPerRequest',
  'partUrlTtlSeconds',
  'keyPrefix',
  'maxFileNameBytes',
] as const;
const TYPE_FIELDS = ['extensions', 'maxBytes'] as const;

const FIELD_HINTS: Readonly<Record<string, string>> = {
  '.maxBytes': 'sizes belong to each type under `types:`; the POST form limit is postMaxBytes',
  'type.maxSize': 'the field is called maxBytes, e.g. `maxBytes: 10 MiB`',
};

/** The file does not hold valid upload rules; `message` lists every problem as `file:line: message`. */
export class UploadRulesError extends Error {
  readonly code = 'UPLOAD_RULES_INVALID';
  readonly problems: readonly YamlProblem[];

  constructor(
    readonly file: string,
    problems: readonly YamlProblem[],
  ) {
    const sorted = [...problems].sort((a, b) => a.line - b.line);
    super(sorted.map((p) => `${p.file}:${p.line}: ${p.message}`).join('\n'));
    this.name = 'UploadRulesError';
    this.problems = Object.freeze(sorted.map((p) => Object.freeze({ ...p })));
  }
}

/** Reads and validates the rules file's text; throws UploadRulesError listing every problem. */
export function parseUploadRules(text: string, fileName: string): UploadRules {
  const { reader, root } = openYaml(text, fileName, FIELD_HINTS);
  if (root === undefined) throw new UploadRulesError(fileName, reader.problems);
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
    reader.report(1, '', 'the file is empty: it needs `version: 1`, `types:` and the limits');
    throw new UploadRulesError(fileName, reader.problems);
  }
  const top = reader.fields(root, '', 'the file', TOP_LEVEL_FIELDS, 'is not a top-level field');
  if (top === undefined) throw new UploadRulesError(fileName, reader.problems);

  const value = (key: string): unknown => reader.scalar(top.get(key)?.value, key);
  const at = (key: string): unknown => top.get(key)?.value ?? top.get(key)?.key ?? root;
  const missing = (key: string, why: string): void => reader.report(root, key, `${key} is missing: ${why}`);
  const invalid = (key: string, message: string): void => reader.report(at(key), key, `${key} ${message}`);

  if (!top.has('version')) missing('version', 'write `version: 1` at the top');
  else if (value('version') !== 1) invalid('version', 'must be 1');

  const whole = (key: string, min: number, max: number, why: string): number => {
    if (!top.has(key)) {
      missing(key, why);
      return 0;
    }
    const n = value(key);
    if (!isWholeNumber(n, min, max)) invalid(key, `must be a whole number from ${min} to ${max} (${why})`);
    return Number(n);
  };
  const size = (key: string, max: number, why: string): number => {
    if (!top.has(key)) {
      missing(key, why);
      return 0;
    }
    return readSize(reader, top.get(key)?.value, key, max, why);
  };

  const types = readTypes(reader, top.get('types'), root);
  const maxFilesPerRequest = whole(
    'maxFilesPerRequest',
    1,
    MAX_ITEMS_PER_REQUEST,
    'files per /presign call; ten signed forms come close to the 40 KB Lambda@Edge response limit',
  );
  const policyTtlSeconds = whole('policyTtlSeconds', 1, MAX_TTL_SECONDS, 'seconds a POST form stays valid; SigV4 allows at most 7 days');
  const postMaxBytes = size('postMaxBytes', MAX_POST_BYTES, 'the largest POST form upload; S3 takes at most 5 GiB in a POST');
  const maxPartsPerRequest = whole(
    'maxPartsPerRequest',
    1,
    MAX_ITEMS_PER_REQUEST,
    'part URLs per /presign/multipart/parts call, within the 40 KB Lambda@Edge response limit',
  );
  const partUrlTtlSeconds = whole(
    'partUrlTtlSeconds',
    1,
    MAX_TTL_SECONDS,
    'seconds a multipart URL stays valid; SigV4 allows at most 7 days',
  );
  const maxFileNameBytes = whole('maxFileNameBytes', 16, MAX_FILE_NAME_BYTES, 'UTF-8 bytes of a file name kept in the object key');

  let keyPrefix = '';
  if (!top.has('keyPrefix')) missing('keyPrefix', 'the prefix of every object key, e.g. uploads/');
  else {
    const prefix = value('keyPrefix');
    if (typeof prefix !== 'string' || !KEY_PREFIX_PATTERN.test(prefix)) {
      invalid('keyPrefix', 'must be one folder name of lower-case letters, digits or -, ending in /, e.g. uploads/');
    } else if (prefix === QUARANTINE_PREFIX) {
      invalid('keyPrefix', 'must not be quarantine/: the inspector moves refused objects there');
    } else keyPrefix = prefix;
  }

  if (reader.problems.length > 0) throw new UploadRulesError(fileName, reader.problems);
  return deepFreeze({
    types,
    maxFilesPerRequest,
    policyTtlSeconds,
    postMaxBytes,
    maxPartsPerRequest,
    partUrlTtlSeconds,
    keyPrefix,
    maxFileNameBytes,
  });
}

/** Reads the rules file from disk; see parseUploadRules. An unreadable file is one problem at line 1. */
export function loadUploadRules(path: string): UploadRules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error: unknown) {
    // Structural, not instanceof: fs errors can come from another realm (a test runner's VM).
    const code =
      typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : 'unreadable';
    throw new UploadRulesError(path, [{ file: path, line: 1, field: '', message: `cannot read the upload rules file (${code})` }]);
  }
  return parseUploadRules(text, path);
}

/** A size in bytes from whole bytes or "<n> KiB|MiB|GiB|TiB" (SIZE_PATTERN); undefined when it is neither. */
export function parseSize(input: unknown): number | undefined {
  if (typeof input === 'number') return Number.isSafeInteger(input) ? input : undefined;
  if (typeof input !== 'string') return undefined;
  const match = SIZE_PATTERN.exec(input);
  if (match === null) return undefined;
  return Number(match[1]) * (UNITS[match[2] ?? ''] ?? Number.NaN);
}

function readSize(reader: YamlReader, node: unknown, field: string, max: number, why: string): number {
  const raw = reader.scalar(node, field);
  const bytes = parseSize(raw);
  if (bytes === undefined) {
    const hint =
      typeof raw === 'string' && /^\s*\d+(\.\d+)?\s*[kmgt]i?b\s*$/i.test(raw) && !SIZE_PATTERN.test(raw)
        ? ': write a whole number, one space and KiB, MiB, GiB or TiB (binary units; MB and GB are not accepted), e.g. 10 MiB'
        : ': a whole number of bytes, or e.g. 10 MiB (KiB, MiB, GiB, TiB)';
    reader.report(node, field, `${field} ${quote(raw)} is not a size${hint}`);
    return 0;
  }
  if (bytes < 1 || bytes > max) {
    reader.report(
      node,
      field,
      `${field} must be from 1 byte to ${max >= UNITS.TiB! ? `${max / UNITS.TiB!} TiB` : `${max / UNITS.GiB!} GiB`} (${why})`,
    );
    return 0;
  }
  return bytes;
}

function readTypes(reader: YamlReader, pair: Pair<unknown, unknown> | undefined, root: unknown): Record<string, FileTypeRule> {
  const types: Record<string, FileTypeRule> = {};
  if (pair === undefined) {
    reader.report(root, 'types', 'types is missing: list the allowed Content-Types, each with extensions and maxBytes');
    return types;
  }
  const map = pair.value;
  if (!isMap(map) || (map as YAMLMap<unknown, unknown>).items.length === 0) {
    reader.report(
      map ?? pair.key,
      'types',
      'types must map each allowed Content-Type to its extensions and maxBytes, e.g. `image/png: { extensions: [png], maxBytes: 10 MiB }`',
    );
    return types;
  }
  for (const entry of (map as YAMLMap<unknown, unknown>).items) {
    const type = isScalar(entry.key) ? entry.key.value : undefined;
    const field = `types.${typeof type === 'string' ? type : '?'}`;
    if (typeof type !== 'string' || !CONTENT_TYPE_PATTERN.test(type)) {
      const lower =
        typeof type === 'string' && CONTENT_TYPE_PATTERN.test(type.toLowerCase()) ? `; write it in lower case: ${type.toLowerCase()}` : '';
      reader.report(
        entry.key,
        field,
        `${field}: ${quote(type)} is not a Content-Type such as image/png (lower case, no parameters)${lower}`,
      );
      continue;
    }
    const fields = reader.fields(entry.value, field, field, TYPE_FIELDS, 'is not a field of a type', 'type');
    if (fields === undefined) continue;
    const extensions = readExtensions(reader, fields.get('extensions'), entry.value, `${field}.extensions`);
    let maxBytes = 0;
    const size = fields.get('maxBytes');
    if (size === undefined)
      reader.report(entry.value, `${field}.maxBytes`, `${field}.maxBytes is missing: the largest file of this type, e.g. 10 MiB`);
    else maxBytes = readSize(reader, size.value, `${field}.maxBytes`, MAX_OBJECT_BYTES, "S3's largest object is 5 TiB");
    types[type] = { extensions, maxBytes };
  }
  return types;
}

function readExtensions(reader: YamlReader, pair: Pair<unknown, unknown> | undefined, parent: unknown, field: string): string[] {
  if (pair === undefined) {
    reader.report(parent, field, `${field} is missing: list the file extensions of this type, e.g. [jpg, jpeg]`);
    return [];
  }
  if (!isSeq(pair.value) || pair.value.items.length === 0) {
    reader.report(pair.value ?? pair.key, field, `${field} must be a non-empty list of extensions without the dot, e.g. [jpg, jpeg]`);
    return [];
  }
  const extensions: string[] = [];
  pair.value.items.forEach((item, index) => {
    const here = `${field}[${index}]`;
    const extension = reader.scalar(item, here);
    if (typeof extension !== 'string' || !EXTENSION_PATTERN.test(extension)) {
      reader.report(item, here, `${here} ${quote(extension)} must be 1 to 16 lower-case letters or digits, without the dot`);
    } else if (extensions.includes(extension)) {
      reader.report(item, here, `${here} lists ${extension} twice`);
    } else {
      extensions.push(extension);
    }
  });
  return extensions;
}
