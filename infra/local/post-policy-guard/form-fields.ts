/**
 * The text fields of a browser POST that come before the file, as S3 reads
 * them: names are case-insensitive, a name may appear once, and together the
 * fields may not exceed S3's 20 KB pre-data limit.
 */
import { InvalidArgumentError, MaxPostPreDataLengthExceededError } from './errors';

/**
 * S3: "The form data and boundaries (excluding the contents of the file)
 * cannot exceed 20 KB." The guard counts the bytes of names and values only
 * (not boundaries and part headers), so it is a little more lenient.
 */
export const MAX_PRE_DATA_BYTES = 20 * 1024;

/** The name of the field that carries the object's bytes. */
export const FILE_FIELD = 'file';

export interface FormField {
  /** As the client sent it. */
  readonly name: string;
  readonly value: string;
}

export class FormFields {
  private readonly byName = new Map<string, FormField>();
  private bytes = 0;

  /** Adds a field; throws when the name repeats or the fields grow past the pre-data limit. */
  add(name: string, value: string): void {
    this.bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value, 'utf8');
    if (this.bytes > MAX_PRE_DATA_BYTES) throw new MaxPostPreDataLengthExceededError(MAX_PRE_DATA_BYTES);
    const lower = name.toLowerCase();
    // S3 does not document repeated fields; radosgw keeps the last one. The
    // guard refuses them so the value it checks is always the value it stores.
    if (this.byName.has(lower)) throw new InvalidArgumentError(`Form field ${name} is specified more than once.`, name);
    this.byName.set(lower, { name, value });
  }

  /** The value of a field, whatever the case of its name. */
  get(name: string): string | undefined {
    return this.byName.get(name.toLowerCase())?.value;
  }

  has(name: string): boolean {
    return this.byName.has(name.toLowerCase());
  }

  /** Every field, in the order they were sent. */
  all(): readonly FormField[] {
    return [...this.byName.values()];
  }

  /** Names and values bytes counted so far, for the pre-data limit. */
  get size(): number {
    return this.bytes;
  }

  static of(entries: Iterable<readonly [string, string]>): FormFields {
    const fields = new FormFields();
    for (const [name, value] of entries) fields.add(name, value);
    return fields;
  }
}

/** S3 checks every form field against the policy except these. */
export function isExemptFromPolicy(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === 'policy' || lower === 'x-amz-signature' || lower === FILE_FIELD || lower.startsWith('x-ignore-');
}
