/**
 * Multipart uploads in progress, on disk: one folder per upload id under
 * the guard's multipart directory (the local stack keeps it in its state
 * dir, so an upload survives a restart as it does in S3), holding
 * `upload.json` (bucket, key and what the create request asked to store)
 * and each part as `part-<n>` with `part-<n>.json` (its MD5, size, time).
 * A part is spooled into the upload's folder by request-body.ts and renamed
 * into place only once it has been verified; on complete the parts are read
 * back one after the other as one stream, never held in memory.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { NoSuchUploadError } from './errors';
import { isUploadIdShape, newUploadId, type UploadedPart } from './multipart-upload';

export interface MultipartUpload {
  readonly uploadId: string;
  readonly bucket: string;
  readonly key: string;
  /** The headers for the object's PutObject to s3rver (content-type, x-amz-meta-*, reserved SSE entries). */
  readonly headers: Readonly<Record<string, string>>;
  /** The SSE response headers S3 answers every request of this upload with. */
  readonly encryption: Readonly<Record<string, string>>;
  readonly storageClass: string;
  readonly initiated: string;
}

const UPLOAD_FILE = 'upload.json';
const PART_FILE = /^part-([0-9]{1,5})\.json$/;

export class MultipartStore {
  private readonly directory: string;

  constructor(directory: string) {
    this.directory = directory;
  }

  async create(upload: Omit<MultipartUpload, 'uploadId' | 'initiated'>, now: Date): Promise<MultipartUpload> {
    const uploadId = newUploadId();
    const created: MultipartUpload = { ...upload, uploadId, initiated: now.toISOString() };
    await mkdir(this.directory, { recursive: true });
    // The folder is created exclusively: an id is never reused.
    await mkdir(this.folder(uploadId));
    await writeFile(join(this.folder(uploadId), UPLOAD_FILE), JSON.stringify(created), { flag: 'wx' });
    return created;
  }

  /** The upload, if this id names one in progress for this bucket and key; else NoSuchUpload. */
  async get(uploadId: string, bucket: string, key: string): Promise<MultipartUpload> {
    if (!isUploadIdShape(uploadId)) throw new NoSuchUploadError(uploadId);
    let upload: MultipartUpload;
    try {
      upload = JSON.parse(await readFile(join(this.folder(uploadId), UPLOAD_FILE), 'utf8')) as MultipartUpload;
    } catch {
      throw new NoSuchUploadError(uploadId);
    }
    if (upload.bucket !== bucket || upload.key !== key) throw new NoSuchUploadError(uploadId);
    return upload;
  }

  /** Where a part's body may be spooled before it is verified (same folder, so it can be renamed into place). */
  incomingPath(uploadId: string, name: string): string {
    return join(this.folder(uploadId), `incoming-${name}`);
  }

  /** Keeps a verified part (replacing an earlier one of the same number, as S3 does). */
  async putPart(uploadId: string, part: UploadedPart, spooledPath: string): Promise<void> {
    try {
      await rename(spooledPath, join(this.folder(uploadId), `part-${part.partNumber}`));
      await writeFile(join(this.folder(uploadId), `part-${part.partNumber}.json`), JSON.stringify(part));
    } catch {
      // The upload was aborted or completed while the part streamed in.
      await rm(spooledPath, { force: true });
      throw new NoSuchUploadError(uploadId);
    }
  }

  async parts(uploadId: string): Promise<Map<number, UploadedPart>> {
    const parts = new Map<number, UploadedPart>();
    let names: string[];
    try {
      names = await readdir(this.folder(uploadId));
    } catch {
      throw new NoSuchUploadError(uploadId);
    }
    for (const name of names) {
      const match = PART_FILE.exec(name);
      if (match === null) continue;
      try {
        const part = JSON.parse(await readFile(join(this.folder(uploadId), name), 'utf8')) as UploadedPart;
        parts.set(part.partNumber, part);
      } catch {
        // A part being replaced right now; the list shows it once it is written.
      }
    }
    return parts;
  }

  /** The parts' bytes, one file after the other, streamed. */
  concatenated(uploadId: string, parts: readonly UploadedPart[]): Readable {
    const folder = this.folder(uploadId);
    return Readable.from(
      (async function* concat() {
        for (const part of parts) yield* createReadStream(join(folder, `part-${part.partNumber}`));
      })(),
      { objectMode: false },
    );
  }

  /**
   * Aborted or completed: gone at once, whatever is still arriving. Parts may
   * be spooling into the folder right now, so a recursive delete in place can
   * meet a file created behind it (ENOTEMPTY). The folder is first renamed
   * out of the way in one step (a part still streaming then fails, as in S3,
   * with NoSuchUpload), then deleted; a delete that still fails leaves only
   * a hidden tombstone that no upload id can name.
   */
  async remove(uploadId: string): Promise<void> {
    if (!isUploadIdShape(uploadId)) throw new NoSuchUploadError(uploadId);
    const tombstone = join(this.directory, `.removed-${uploadId}-${randomUUID()}`);
    try {
      await rename(this.folder(uploadId), tombstone);
    } catch {
      return; // already gone
    }
    await rm(tombstone, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 }).catch(() => undefined);
  }

  private folder(uploadId: string): string {
    return join(this.directory, uploadId);
  }
}
