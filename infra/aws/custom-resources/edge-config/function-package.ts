/**
 * The Lambda@Edge deployment package (a zip) with config.json put in, or
 * replaced, beside index.js. Every entry is written world-readable (0644):
 * Lambda runs the code as a user other than the file's owner.
 */
import { strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { FunctionPackageError } from './errors';

export const CONFIG_FILE_NAME = 'config.json';

/** Unix regular file, rw-r--r--, in the zip's external attributes. */
const READABLE_FILE = { os: 3, attrs: (0o100644 << 16) >>> 0 } as const;
/** A fixed time keeps the package identical for identical inputs (same CodeSha256). */
const FIXED_MTIME = new Date('2020-01-01T00:00:00Z');

export function withConfigFile(packageZip: Uint8Array, configJson: string): Uint8Array {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(packageZip);
  } catch (error: unknown) {
    throw new FunctionPackageError(
      `The function's package is not a readable zip (${error instanceof Error ? error.message : 'unknown error'}).`,
    );
  }
  const files: Zippable = {};
  for (const [name, data] of Object.entries(entries)) {
    if (name.endsWith('/') || name === CONFIG_FILE_NAME) continue;
    files[name] = [data, { ...READABLE_FILE, mtime: FIXED_MTIME }];
  }
  if (!Object.prototype.hasOwnProperty.call(files, 'index.js')) {
    throw new FunctionPackageError("The function's package has no index.js at its root: is this the presign bundle?");
  }
  files[CONFIG_FILE_NAME] = [strToU8(configJson), { ...READABLE_FILE, mtime: FIXED_MTIME }];
  return zipSync(files, { level: 9 });
}

/** The config.json inside a package, if it has one (the previous deployment's, on an update). */
export function readConfigFile(packageZip: Uint8Array): string | undefined {
  try {
    const entries = unzipSync(packageZip, { filter: (file) => file.name === CONFIG_FILE_NAME });
    const config = entries[CONFIG_FILE_NAME];
    return config === undefined ? undefined : Buffer.from(config).toString('utf8');
  } catch {
    return undefined;
  }
}
