/**
 * Checks a picked file against the upload rules before any request, with the
 * same rules module and the same file-name sanitizer the edge uses, in the
 * edge's order (name → type → extension → empty → size), so a file that
 * passes here is one the edge accepts (test/client/core/file-check.test.ts holds the
 * two side by side). The messages name the file as the person sees it.
 */
import { EMPTY_FILE, FILE_TOO_LARGE, INVALID_FILENAME, UNSUPPORTED_TYPE } from '../../edge-functions/contract/http-errors';
import { InvalidFilenameError } from '../../edge-functions/core/errors';
import { sanitizeFileName } from '../../edge-functions/core/file-name';
import { ruleForType, type UploadRules } from '../../edge-functions/core/upload-rules';
import { formatBytes } from './format';
import { FileRejectedError } from './errors';

/** What the check needs from a File. */
export interface FileFacts {
  readonly name: string;
  readonly size: number;
  /** As the browser reports it: may be '' when the system does not know the extension. */
  readonly type: string;
}

export interface AcceptedFile {
  /** The Content-Type to declare to /presign: the browser's, or the one the extension implies. */
  readonly type: string;
  /** The name the object key will end with. */
  readonly safeName: string;
}

export function checkFile(file: FileFacts, rules: UploadRules): AcceptedFile {
  const shown = file.name.length > 0 ? file.name : 'This file';
  let safe: ReturnType<typeof sanitizeFileName>;
  try {
    safe = sanitizeFileName(file.name, rules.maxFileNameBytes);
  } catch (error) {
    if (error instanceof InvalidFilenameError) throw new FileRejectedError(INVALID_FILENAME.code, error.message);
    throw error;
  }

  const type = declaredType(file, safe.extension, rules);
  const rule = type === undefined ? undefined : ruleForType(rules, type);
  if (type === undefined || rule === undefined) {
    // The list of what is allowed is shown once, by the drop zone, not repeated for every refused file.
    throw new FileRejectedError(
      UNSUPPORTED_TYPE.code,
      `${shown}: this kind of file cannot be uploaded. Pick one of the kinds listed under "Choose files".`,
    );
  }
  if (!rule.extensions.includes(safe.extension)) {
    const expected = rule.extensions.map((e) => `.${e}`).join(' or ');
    throw new FileRejectedError(
      UNSUPPORTED_TYPE.code,
      `${shown}: ${kindOf(type)} must have a name ending in ${expected}. Rename it and add it again.`,
    );
  }
  if (file.size === 0) throw new FileRejectedError(EMPTY_FILE.code, `${shown} is empty. Check that you picked the right file.`);
  if (file.size > rule.maxBytes) {
    throw new FileRejectedError(
      FILE_TOO_LARGE.code,
      `${shown} is ${formatBytes(file.size)}; ${kindsOf(type)} can be up to ${formatBytes(rule.maxBytes)}. Make it smaller, or pick another file.`,
    );
  }
  return { type, safeName: safe.name };
}

/**
 * The type to declare. Browsers report '' (or a generic binary type) when the
 * operating system has no mapping for an extension; then the extension decides,
 * if exactly one allowed type claims it. A specific type is taken as it is, so
 * `notes.png` reported as text/plain stays refused.
 */
function declaredType(file: FileFacts, extension: string, rules: UploadRules): string | undefined {
  const reported = file.type.trim().toLowerCase();
  if (reported !== '' && reported !== 'application/octet-stream') return reported;
  const claims = Object.keys(rules.types).filter((type) => ruleForType(rules, type)?.extensions.includes(extension));
  return claims.length === 1 ? claims[0] : undefined;
}

/** "JPEG, PNG, WEBP and GIF images up to 10 MB; PDF documents up to 50 MB; …", from the rules, in plain words. */
export function allowedSummary(rules: UploadRules): string {
  const byLimit = new Map<number, Map<string, string[]>>();
  for (const type of Object.keys(rules.types)) {
    const rule = ruleForType(rules, type);
    if (rule === undefined) continue;
    const groups = byLimit.get(rule.maxBytes) ?? new Map<string, string[]>();
    const noun = nounOf(type);
    groups.set(noun, [...(groups.get(noun) ?? []), typeLabel(type)]);
    byLimit.set(rule.maxBytes, groups);
  }
  // A no-break space keeps "10 MB" on one line.
  return [...byLimit.entries()]
    .map(
      ([limit, groups]) =>
        `${[...groups].map(([noun, labels]) => `${listOf(labels)} ${noun}`).join(', ')} up to ${formatBytes(limit).replace(' ', '\u00a0')}`,
    )
    .join('; ');
}

/** The value of an `<input type=file accept>`: every allowed type and extension. */
export function acceptAttribute(rules: UploadRules): string {
  return Object.entries(rules.types)
    .flatMap(([type, rule]) => [type, ...rule.extensions.map((e) => `.${e}`)])
    .join(',');
}

const LABELS: Readonly<Record<string, string>> = {
  'image/jpeg': 'JPEG',
  'video/quicktime': 'QuickTime',
  'application/zip': 'ZIP',
  'application/pdf': 'PDF',
};

function typeLabel(type: string): string {
  return LABELS[type] ?? type.slice(type.indexOf('/') + 1).toUpperCase();
}

function nounOf(type: string): string {
  if (type.startsWith('image/')) return 'images';
  if (type.startsWith('video/')) return 'videos';
  if (type === 'application/zip') return 'archives';
  return 'documents';
}

/** "a PNG image", "a PDF document". */
function kindOf(type: string): string {
  return `a ${typeLabel(type)} ${nounOf(type).slice(0, -1)}`;
}

/** "PNG images". */
function kindsOf(type: string): string {
  return `${typeLabel(type)} ${nounOf(type)}`;
}

function listOf(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
