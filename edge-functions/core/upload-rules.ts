/**
 * The upload rules: the one definition of what may be uploaded.
 *
 * The presign handler compiles these into its bundle, the site checks files
 * against them before any request, and the CDK app reads the policy lifetime
 * and size limits from here. Change them here and nowhere else.
 */

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
  /** Largest file a presigned POST form may carry; above it, multipart (docs/http-api.md). */
  readonly postMaxBytes: number;
  /** Part URLs per `/presign/multipart/parts` call (bounded by the 40 KB edge response). */
  readonly maxPartsPerRequest: number;
  /** Default lifetime of the multipart URLs; `config.json` may override it. */
  readonly partUrlTtlSeconds: number;
}

export const DEFAULT_UPLOAD_RULES: UploadRules = deepFreeze({
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
  keyPrefix: 'uploads/',
  maxFileNameBytes: 128,
  postMaxBytes: 100 * MiB,
  maxPartsPerRequest: 10,
  partUrlTtlSeconds: 900,
});

/** The rule for a declared type, or undefined when the type is not allowed. */
export function ruleForType(rules: UploadRules, type: string): FileTypeRule | undefined {
  return Object.prototype.hasOwnProperty.call(rules.types, type) ? rules.types[type] : undefined;
}

/**
 * Sizes as people read them in error messages: a file's size keeps one
 * decimal ("12.0 MiB", "480.5 KiB"); a limit drops a trailing ".0" ("10 MiB").
 */
export function formatBytes(bytes: number, style: 'size' | 'limit' = 'size'): string {
  const [unit, scaled] = bytes >= MiB ? ['MiB', bytes / MiB] : bytes >= 1024 ? ['KiB', bytes / 1024] : ['', bytes];
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
