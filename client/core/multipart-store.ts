/**
 * What the site remembers about each unfinished multipart upload, so that a
 * reload (or a crash) can resume it: enough to ask the edge for fresh URLs
 * and S3 for the parts it already holds, and to recognise the file when the
 * person picks it again. Nothing secret: the ticket only works with the
 * person's own access token (docs/large-files.md, "The ticket").
 * The browser keeps these in IndexedDB (client/net/multipart-store-idb.ts).
 */

export interface UnfinishedFile {
  readonly name: string;
  readonly size: number;
  readonly type: string;
  /** File.lastModified (ms); with the name and size, how a file picked again is recognised. */
  readonly lastModified: number;
}

export interface MultipartRecord {
  /** The upload's client id (the `id` sent to /presign/multipart); the storage key. */
  readonly id: string;
  readonly key: string;
  readonly uploadId: string;
  readonly ticket: string;
  /** ms since the epoch, by the signer's clock. */
  readonly ticketExpiresAt: number;
  readonly partSize: number;
  readonly partCount: number;
  readonly file: UnfinishedFile;
  /** When the upload started (ms, this device's clock): for the list of unfinished uploads. */
  readonly startedAt: number;
}

/** Storage for unfinished uploads. Every method may reject (private browsing, quota): callers carry on without it. */
export interface MultipartStore {
  list(): Promise<MultipartRecord[]>;
  put(record: MultipartRecord): Promise<void>;
  delete(id: string): Promise<void>;
}

/** A store in memory: for tests, and for browsers without IndexedDB (resume then lasts until the page goes). */
export class MemoryMultipartStore implements MultipartStore {
  private readonly records = new Map<string, MultipartRecord>();

  list(): Promise<MultipartRecord[]> {
    return Promise.resolve([...this.records.values()]);
  }

  put(record: MultipartRecord): Promise<void> {
    this.records.set(record.id, record);
    return Promise.resolve();
  }

  delete(id: string): Promise<void> {
    this.records.delete(id);
    return Promise.resolve();
  }
}

/** Whether `file` is the file an unfinished upload was sending: same name, size and modification time. */
export function isSameFile(
  record: MultipartRecord,
  file: { readonly name: string; readonly size: number; readonly lastModified?: number },
): boolean {
  return record.file.name === file.name && record.file.size === file.size && record.file.lastModified === (file.lastModified ?? 0);
}

/** Whether the record is a well-formed MultipartRecord (storage is read back from `unknown`: an old or tampered entry is skipped). */
export function isMultipartRecord(value: unknown): value is MultipartRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  const f = r.file as Record<string, unknown> | null | undefined;
  return (
    typeof r.id === 'string' &&
    typeof r.key === 'string' &&
    typeof r.uploadId === 'string' &&
    typeof r.ticket === 'string' &&
    typeof r.ticketExpiresAt === 'number' &&
    typeof r.partSize === 'number' &&
    typeof r.partCount === 'number' &&
    typeof r.startedAt === 'number' &&
    typeof f === 'object' &&
    f !== null &&
    typeof f.name === 'string' &&
    typeof f.size === 'number' &&
    typeof f.type === 'string' &&
    typeof f.lastModified === 'number'
  );
}
