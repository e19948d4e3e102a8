/**
 * Checks a picked file against the upload rules before any request, with the
 * same rules module and the same file-name sanitizer the edge uses, in the
 * edge's order (name → type → extension → empty → size), so a file that
 * passes here is one the edge accepts (test/site/core/file-check.test.ts holds the
 * two side by side). The messages name the file as the person sees it.
 */
import { InvalidFilenameError } from '../../edge-functions/core/errors';
import { sanitizeFileName } from '../../edge-functions/core/file-name';
import { formatBytes, ruleForType, type UploadRules } from '../../edge-functions/core/upload-rules';
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
  let safe;
  try {
    safe = sanitizeFileName(file.name, rules.maxFileNameBytes);
  } catch (error) {
    if (error instanceof InvalidFilenameError) throw new FileRejectedError('INVALID_FILENAME', error.message);
    throw error;
  }

  const type = declaredType(file, safe.extension, rules);
  const rule = type === undefined ? undefined : ruleForType(rules, type);
  if (type === undefined || rule === undefined) {
    const kind = file.type.length > 0 ? `files of type ${file.type}` : 'files of this kind';
    throw new FileRejectedError('UNSUPPORTED_TYPE', `${shown}: ${kind} cannot be uploaded. Allowed: ${allowedSummary(rules)}.`);
  }
  if (!rule.extensions.includes(safe.extension)) {
    const expected = rule.extensions.map((e) => `.${e}`).join(' or ');
    throw new FileRejectedError('UNSUPPORTED_TYPE', `${shown}: a file of type ${type} must end in ${expected}.`);
  }
  if (file.size === 0) throw new FileRejectedError('EMPTY_FILE', `${shown} is empty.`);
  if (file.size > rule.maxBytes) {
    throw new FileRejectedError('FILE_TOO_LARGE', `${shown} is ${formatBytes(file.size)}; the limit for ${type} is ${formatBytes(rule.maxBytes, 'limit')}.`);
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

/** "JPEG (.jpg, .jpeg), PNG (.png) … up to 10 MiB; PDF (.pdf) up to 50 MiB", from the rules. */
export function allowedSummary(rules: UploadRules): string {
  const byLimit = new Map<number, string[]>();
  for (const [type, rule] of Object.entries(rules.types)) {
    const label = `${typeLabel(type)} (${rule.extensions.map((e) => `.${e}`).join(', ')})`;
    byLimit.set(rule.maxBytes, [...(byLimit.get(rule.maxBytes) ?? []), label]);
  }
  // A no-break space keeps "10 MiB" on one line.
  return [...byLimit.entries()].map(([limit, labels]) => `${labels.join(', ')} up to ${formatBytes(limit, 'limit').replace(' ', '\u00a0')}`).join('; ');
}

/** The value of an `<input type=file accept>`: every allowed type and extension. */
export function acceptAttribute(rules: UploadRules): string {
  return Object.entries(rules.types)
    .flatMap(([type, rule]) => [type, ...rule.extensions.map((e) => `.${e}`)])
    .join(',');
}

function typeLabel(type: string): string {
  const subtype = type.slice(type.indexOf('/') + 1);
  return subtype.toUpperCase();
}
