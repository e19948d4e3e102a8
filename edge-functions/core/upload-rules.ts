/**
 * The upload rules: what may be uploaded, as every part of the system sees it.
 *
 * The rules themselves are data, in edge-functions/upload-rules.yaml (one
 * file, with a JSON schema beside it). The build validates that file and
 * compiles it into the presign bundle, the site bundle, the inspector, the
 * CDK app and the local stack (scripts/lib/upload-rules.mjs); tests read it
 * through the same validator (upload-rules-source.ts). This module is the
 * typed, frozen face of that file: consumers import DEFAULT_UPLOAD_RULES and
 * never read the YAML themselves. Change the YAML, not this file.
 */
import { UPLOAD_RULES_DATA } from './upload-rules-source';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

export interface FileTypeRule {
  /** Lower-case extensions, without the dot, that a file of this type may carry. */
  readonly extensions: readonly string[];
  /** Largest accepted size in bytes. */
  readonly maxBytes: number;
}

export interface UploadRules {
  /** Allowed Content-Types (lower case, no parameters) and what each admits. */
  readonly types: Readonly<Record<string, FileTypeRule>>;
  /** Files per `/presign` call. */
  readonly maxFilesPerRequest: number;
  /** Default lifetime of a presigned POST policy; `config.json` may override it. */
  readonly policyTtlSeconds: number;
  /** Every object key starts with this prefix (the edge role may only write under it). */
  readonly keyPrefix: string;
  /** Longest sanitized file name, in UTF-8 bytes. */
  readonly maxFileNameBytes: number;
  /** POST forms stop here: a larger file on `/presign` is 413 USE_MULTIPART and goes up as a multipart upload. */
  readonly postMaxBytes: number;
  /** Parts per `/presign/multipart/parts` call. */
  readonly maxPartsPerRequest: number;
  /** Default lifetime of multipart URLs; `config.json` may override it, like policyTtlSeconds. */
  readonly partUrlTtlSeconds: number;
}

/** The rules of edge-functions/upload-rules.yaml, validated (by the build, or at load under tests). */
export const DEFAULT_UPLOAD_RULES: UploadRules = deepFreeze(UPLOAD_RULES_DATA);

/** The rule for a declared type, or undefined when the type is not allowed. */
export function ruleForType(rules: UploadRules, type: string): FileTypeRule | undefined {
  return Object.prototype.hasOwnProperty.call(rules.types, type) ? rules.types[type] : undefined;
}

/**
 * Sizes as people read them in error messages: a file's size keeps one
 * decimal ("12.0 MiB", "480.5 KiB", "2.5 GiB"); a limit drops a trailing ".0"
 * ("10 MiB", "20 GiB").
 */
export function formatBytes(bytes: number, style: 'size' | 'limit' = 'size'): string {
  const [unit, scaled] =
    bytes >= GiB ? ['GiB', bytes / GiB] : bytes >= MiB ? ['MiB', bytes / MiB] : bytes >= 1024 ? ['KiB', bytes / 1024] : ['', bytes];
  if (unit === '') return `${bytes} byte${bytes === 1 ? '' : 's'}`;
  const text = scaled.toFixed(1);
  return `${style === 'limit' ? text.replace(/\.0$/, '') : text} ${unit}`;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
