/**
 * The inspector's decision, pure: given what was read of a new object (its
 * key, declared Content-Type, size, first and last bytes), verify it or send
 * it to quarantine with a reason code. Also what to read: two ranged GETs of
 * fixed size, never the whole object; for MP4 and QuickTime, a few more small
 * ones, each asked for by decide() itself (verdict `read-more`).
 *
 * Checks, in order; the first that fails decides:
 *   1. the object has bytes                                      EMPTY_OBJECT
 *   2. its declared type is an upload type the inspector checks  TYPE_NOT_ALLOWED
 *   3. its key's extension belongs to that type                  EXTENSION_MISMATCH
 *   4. its first bytes are a known format                        UNRECOGNIZED_CONTENT
 *   5. ... and that format is the declared one                   TYPE_MISMATCH
 *   6. the format's header and end marker hold (file-structure)  MALFORMED_HEADER, TRUNCATED, TRAILING_DATA
 *   7. MP4/QuickTime: the top-level box chain holds (iso-bmff)   MALFORMED_HEADER, TRUNCATED
 * 2 and 3 repeat what the edge checked before signing the form: they cost
 * nothing, and catch an object written by any other means.
 */
import { DEFAULT_UPLOAD_RULES, ruleForType, type UploadRules } from '../../../edge-functions/core/upload-rules';
import {
  ALSO_ACCEPTED,
  detectFormat,
  FORMAT_BY_TYPE,
  FORMAT_DESCRIPTIONS,
  type DetectedFormat,
  type InspectedFormat,
} from './file-signatures';
import { checkStructure } from './file-structure';
import { walkBoxChain } from './iso-bmff';
import { ZIP_TAIL_BYTES } from './zip-structure';

/**
 * The first bytes read of every object. The longest header checked is
 * PNG's 33 bytes; the rest lets HTML be recognized after leading whitespace
 * and costs nothing (one small ranged GET either way).
 */
export const HEAD_BYTES = 1024;
/** The last bytes read: PDF's %%EOF may be anywhere in the last 1024 bytes; the other end markers are 12 bytes at most. */
export const TAIL_BYTES = 1024;

/**
 * The last bytes to read for a declared type: a ZIP's end record may sit
 * up to 65,557 bytes from its end (a 22-byte record and a comment of up to
 * 65,535); everything else needs TAIL_BYTES. Still one ranged GET of at
 * most 64 KiB, whatever the archive's size.
 */
export function tailBytesFor(declaredType: string | undefined): number {
  return normalizeContentType(declaredType) === 'application/zip' ? ZIP_TAIL_BYTES : TAIL_BYTES;
}

/** Why an object was quarantined: stable codes for logs, alarms and the quarantined object's tag. */
export type QuarantineReason =
  | 'EMPTY_OBJECT'
  | 'TYPE_NOT_ALLOWED'
  | 'EXTENSION_MISMATCH'
  | 'UNRECOGNIZED_CONTENT'
  | 'TYPE_MISMATCH'
  | 'MALFORMED_HEADER'
  | 'TRUNCATED'
  | 'TRAILING_DATA'
  | 'UNREADABLE';

/** Every reason, with what it means: the README's table and the tests read this. */
export const QUARANTINE_REASONS: Readonly<Record<QuarantineReason, string>> = Object.freeze({
  EMPTY_OBJECT: 'the object has no bytes',
  TYPE_NOT_ALLOWED: 'its Content-Type is missing or not an upload type the inspector can check',
  EXTENSION_MISMATCH: "its key's extension does not belong to its Content-Type",
  UNRECOGNIZED_CONTENT: 'its first bytes are not any format the inspector knows',
  TYPE_MISMATCH: 'its first bytes are another format than its Content-Type (HTML, an executable, another image type, ...)',
  MALFORMED_HEADER: 'its magic number is right but the header after it is not valid for the format',
  TRUNCATED: "it is shorter than its header says, or does not end with the format's end marker",
  TRAILING_DATA: "bytes follow the format's end",
  UNREADABLE: 'S3 would not return its bytes (access denied, KMS refused, an answer that does not match the range)',
});

export interface ObjectSample {
  readonly key: string;
  /** The object's Content-Type as stored, any case, parameters allowed. */
  readonly declaredType: string | undefined;
  readonly size: number;
  /** Bytes [0, head.length): at least min(size, HEAD_BYTES) of them. */
  readonly head: Uint8Array;
  /** The last tail.length bytes: at least min(size, tailBytesFor(declaredType)) of them. */
  readonly tail: Uint8Array;
  /** Further ranges read because an earlier decide() asked for them (`read-more`), each at its offset. */
  readonly more?: ReadonlyArray<{ readonly start: number; readonly bytes: Uint8Array }>;
}

export type InspectionDecision =
  | { readonly verdict: 'verified'; readonly declaredType: string; readonly detected: InspectedFormat }
  /** Not decided yet: read this range of the same object, add it to `more`, and decide again (MP4/QuickTime box headers). */
  | { readonly verdict: 'read-more'; readonly range: ByteRange }
  | {
      readonly verdict: 'quarantine';
      readonly reason: QuarantineReason;
      readonly declaredType: string | undefined;
      readonly detected: DetectedFormat | undefined;
      /** For the log: a fixed phrase, the types and numbers; never bytes of the file. */
      readonly detail: string;
    };

export interface ByteRange {
  readonly start: number;
  /** Inclusive, as in an HTTP Range header. */
  readonly end: number;
}

/** The first read: the head, whatever the size (S3 answers with what there is, and the total size). */
export const HEAD_RANGE: ByteRange = Object.freeze({ start: 0, end: HEAD_BYTES - 1 });

/** The second read, once the size is known; undefined when the head already holds the whole object. */
export function tailRange(size: number, tailBytes: number = TAIL_BYTES): ByteRange | undefined {
  if (size <= HEAD_BYTES) return undefined;
  return { start: Math.max(0, size - tailBytes), end: size - 1 };
}

/** `image/PNG; charset=binary` ⇒ `image/png`; nothing usable ⇒ undefined. */
export function normalizeContentType(raw: string | undefined): string | undefined {
  const type = raw?.split(';')[0]?.trim().toLowerCase();
  return type === undefined || type === '' ? undefined : type;
}

export function decide(sample: ObjectSample, rules: UploadRules = DEFAULT_UPLOAD_RULES): InspectionDecision {
  const declaredType = normalizeContentType(sample.declaredType);
  const quarantine = (reason: QuarantineReason, detail: string, detected?: DetectedFormat): InspectionDecision => ({
    verdict: 'quarantine',
    reason,
    declaredType,
    detected,
    detail,
  });

  if (sample.size === 0) return quarantine('EMPTY_OBJECT', 'the object is 0 bytes');
  const rule = declaredType === undefined ? undefined : ruleForType(rules, declaredType);
  const expected = declaredType === undefined ? undefined : FORMAT_BY_TYPE[declaredType];
  if (declaredType === undefined || rule === undefined || expected === undefined) {
    return quarantine(
      'TYPE_NOT_ALLOWED',
      declaredType === undefined ? 'the object has no Content-Type' : `${declaredType} is not an upload type the inspector checks`,
    );
  }
  const extension = extensionOf(sample.key);
  if (!rule.extensions.includes(extension)) {
    return quarantine(
      'EXTENSION_MISMATCH',
      `declared ${declaredType}, but the key ends in ${extension === '' ? 'no extension' : `.${extension}`}`,
    );
  }

  const detected = detectFormat(sample.head);
  if (detected === undefined)
    return quarantine('UNRECOGNIZED_CONTENT', `declared ${declaredType}, but the first bytes are no known format`);
  const format = acceptedFormat(declaredType, expected, detected);
  if (format === undefined) {
    return quarantine('TYPE_MISMATCH', `declared ${declaredType}, but the content is ${FORMAT_DESCRIPTIONS[detected]}`, detected);
  }

  const problem = checkStructure(format, { head: sample.head, tail: sample.tail, size: sample.size });
  if (problem !== undefined) return quarantine(problem.reason, `${FORMAT_DESCRIPTIONS[format]}, but ${problem.detail}`, detected);
  if (format === 'mp4' || format === 'quicktime') {
    const tailStart = sample.size - sample.tail.length;
    const chain = walkBoxChain({
      size: sample.size,
      pieces: [{ start: 0, bytes: sample.head }, { start: tailStart, bytes: sample.tail }, ...(sample.more ?? [])],
      extraReads: sample.more?.length ?? 0,
    });
    if (chain.kind === 'read') return { verdict: 'read-more', range: { start: chain.start, end: chain.end } };
    if (chain.kind === 'problem') return quarantine(chain.reason, `${FORMAT_DESCRIPTIONS[format]}, but ${chain.detail}`, detected);
  }
  return { verdict: 'verified', declaredType, detected: format };
}

/** The detected format when the declared type accepts it (its own, or one of ALSO_ACCEPTED), else undefined. */
function acceptedFormat(declaredType: string, expected: InspectedFormat, detected: DetectedFormat): InspectedFormat | undefined {
  if (detected === expected) return expected;
  return (ALSO_ACCEPTED[declaredType] ?? []).find((format) => format === detected);
}

/** The lower-case extension of the key's last segment, or '' when it has none. */
function extensionOf(key: string): string {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}
