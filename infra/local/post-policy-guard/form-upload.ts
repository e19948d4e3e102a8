/**
 * Browser uploads: `POST /<bucket>` with a multipart/form-data body, checked
 * as S3 checks a presigned form (docs/local-stack.md). The body is parsed as
 * it arrives (busboy): the fields before the file are checked by the pure
 * core (authorize-post.ts) as soon as the file part starts, before a byte of
 * it is kept; the file then streams to a temporary file while its bytes are
 * counted, and the upload is cut off as soon as it passes the policy's
 * largest allowed size. Only when everything holds is the object handed to
 * s3rver (PutObject, streamed from the temporary file); the temporary file is
 * always removed. Fields after the file are ignored, as S3 ignores them.
 */
import busboy from 'busboy';
import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { authorizePost, checkFileSize, type AuthorizedUpload, type GuardPolicyConfig } from './authorize-post';
import {
  EntityTooLargeError,
  IncorrectNumberOfFilesError,
  MalformedPostRequestError,
  MaxPostPreDataLengthExceededError,
  NoSuchBucketError,
  PostGuardError,
  PreconditionFailedError,
} from './errors';
import { FILE_FIELD, FormFields, MAX_PRE_DATA_BYTES } from './form-fields';
import { objectPath, type ObjectStore } from './object-store';
import { checkEdgeAccess, type ReadRule } from './object-tags';
import { header, publicBaseUrl, sendError, type GuardLogEntry, type RequestContext } from './request-context';
import { postResponseXml } from './s3-xml';
import { whenClosed } from './temp-file';

/** The most parts a form may have; S3's 20 KB pre-data limit stops far fewer. */
const MAX_FORM_PARTS = 1000;
/** Field names are short; a long one counts toward the pre-data limit anyway. */
const MAX_FIELD_NAME_BYTES = 1024;

export interface UploadOptions {
  readonly store: ObjectStore;
  readonly tempDirectory: string;
  readonly readRule?: ReadRule | undefined;
  readonly policyConfig: GuardPolicyConfig;
  readonly clock: () => Date;
}

export async function handleUpload(context: RequestContext, bucket: string, options: UploadOptions): Promise<void> {
  const upload = new FormUpload(context, bucket, options);
  const parser = await upload.open();
  if (parser !== undefined) upload.read(parser);
}

/**
 * One browser upload in flight. Its steps, in order: `open` (the request is
 * a form to an existing bucket), `read` (the fields up to the file), then at
 * the file part `authorize` and `streamFile` (counted, cut off when too
 * large), and when the form ends `store` and `answer`. Any step may `refuse`,
 * once.
 */
class FormUpload {
  private readonly context: RequestContext;
  private readonly bucket: string;
  private readonly options: UploadOptions;
  private settled = false;
  private tempPath: string | undefined;
  private fileWritten: Promise<void> | undefined;
  private sink: WriteStream | undefined;
  private parser: busboy.Busboy | undefined;
  private readonly fields = new FormFields();
  private phase: 'fields' | 'file' = 'fields';
  private upload: AuthorizedUpload | undefined;
  private size = 0;
  // Parts are handled strictly in order, even when one needs to be read asynchronously.
  private queue: Promise<void> = Promise.resolve();

  constructor(context: RequestContext, bucket: string, options: UploadOptions) {
    this.context = context;
    this.bucket = bucket;
    this.options = options;
  }

  /** The form's parser, or undefined when the request is refused before its body is read. */
  async open(): Promise<busboy.Busboy | undefined> {
    const { req } = this.context;
    try {
      if (!isMultipartFormData(header(req, 'content-type'))) {
        throw new PreconditionFailedError('Bucket POST must be of the enclosure-type multipart/form-data');
      }
      if (!(await this.options.store.bucketExists(this.bucket))) throw new NoSuchBucketError(this.bucket);
      this.parser = busboy({
        headers: req.headers,
        preservePath: true,
        defParamCharset: 'utf8',
        // Field values arrive as latin1 so their bytes can be recovered exactly
        // (a text part named "file" is the object's content); they are read as
        // UTF-8 below, as S3 reads forms.
        defCharset: 'latin1',
        limits: { fieldSize: MAX_PRE_DATA_BYTES + 1, fieldNameSize: MAX_FIELD_NAME_BYTES, parts: MAX_FORM_PARTS },
      });
      return this.parser;
    } catch (error) {
      // busboy throws on a content type it cannot read (no boundary, ...).
      this.refuse(error instanceof PostGuardError ? error : new MalformedPostRequestError());
      return undefined;
    }
  }

  /** Reads the form as it arrives: the fields up to the file, then the file, then the end. */
  read(parser: busboy.Busboy): void {
    const { req } = this.context;
    // busboy gives no name (undefined, despite its types) for a part without one; S3 would see "".
    parser.on('field', (rawName: string | undefined, value, info) => {
      const name = rawName ?? '';
      this.inOrder(() => {
        if (this.phase !== 'fields') return; // S3 ignores fields after the file
        if (info.nameTruncated || info.valueTruncated) throw new MaxPostPreDataLengthExceededError(MAX_PRE_DATA_BYTES);
        const bytes = Buffer.from(value, 'latin1');
        // A plain text part named "file" is the file's content.
        if (name.toLowerCase() === FILE_FIELD) this.startFile(undefined, Readable.from([bytes]));
        else this.fields.add(name, bytes.toString('utf8'));
      });
    });
    parser.on('file', (rawName: string | undefined, stream, info) => {
      const name = rawName ?? '';
      // Whoever reads the stream handles its failure; until then (and if the
      // request is refused first) an error on it must not go unheard.
      stream.on('error', () => undefined);
      this.inOrder(async () => {
        if (this.phase !== 'fields') {
          stream.resume();
          return;
        }
        if (name.toLowerCase() === FILE_FIELD) {
          this.startFile(info.filename, stream);
          return;
        }
        // A file part under another name is an ordinary field whose value is its content.
        this.fields.add(name, await readFieldValue(stream, MAX_PRE_DATA_BYTES - this.fields.size));
      });
    });
    parser.on('partsLimit', () => this.refuse(new MaxPostPreDataLengthExceededError(MAX_PRE_DATA_BYTES)));
    parser.on('error', () => this.refuse(new MalformedPostRequestError()));
    parser.on('finish', () => this.inOrder(() => this.finish()));
    req.on('close', () => {
      // The client went away mid-upload: nothing to answer, nothing to keep.
      if (!req.complete && !this.settled) {
        this.settled = true;
        parser.destroy();
        void this.removeTemp();
      }
    });
    req.pipe(parser);
  }

  private inOrder(task: () => void | Promise<void>): void {
    this.queue = this.queue
      .then(async () => {
        if (!this.settled) await task();
      })
      .catch((error: unknown) => this.refuse(error, this.upload === undefined ? {} : { key: this.upload.key }));
  }

  /** The file part has started: the fields so far decide, then its bytes stream to a temporary file. */
  private startFile(filename: string | undefined, stream: Readable): void {
    this.phase = 'file';
    const authorized = this.authorize(filename);
    this.upload = authorized;
    this.streamFile(authorized, stream);
  }

  private authorize(filename: string | undefined): AuthorizedUpload {
    const { fields, options } = this;
    const authorized = authorizePost({ bucket: this.bucket, fields, filename, now: options.clock() }, options.policyConfig);
    // Forms are signed by the edge's key only: held to its role like its other writes.
    if (options.readRule !== undefined)
      checkEdgeAccess(
        { method: 'POST', key: authorized.key, forwardQuery: '', setsTags: (fields.get('tagging') ?? '') !== '' },
        options.readRule,
      );
    return authorized;
  }

  private streamFile(authorized: AuthorizedUpload, stream: Readable): void {
    const tempPath = join(this.options.tempDirectory, randomUUID());
    this.tempPath = tempPath;
    const counter = new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        this.size += chunk.length;
        // Cut the upload off as soon as it is too large; nothing more is kept.
        if (this.size > authorized.maxSize) callback(new EntityTooLargeError(authorized.maxSize));
        else callback(null, chunk);
      },
    });
    const sink = createWriteStream(tempPath, { flags: 'wx' });
    this.sink = sink;
    const fileWritten = pipeline(stream, counter, sink);
    this.fileWritten = fileWritten;
    fileWritten.catch((error: unknown) =>
      this.refuse(error instanceof PostGuardError ? error : new MalformedPostRequestError(), { key: authorized.key }),
    );
  }

  /** The form has ended: store the file, then answer, unless it was refused meanwhile. */
  private async finish(): Promise<void> {
    const stored = await this.store();
    if (stored === undefined || this.settled) return;
    this.settled = true;
    // The temporary file goes before the answer: once a client has its answer,
    // nothing of its form is left on disk.
    // The object is stored: a temp file that cannot be removed must not cost the client its answer.
    await this.removeTemp().catch(() => undefined);
    sendSuccess(this.context, stored.upload, stored.etag);
  }

  /** PutObject from the temporary file, once it is complete and its size within the policy's range. */
  private async store(): Promise<{ readonly upload: AuthorizedUpload; readonly etag: string } | undefined> {
    const { upload, fileWritten } = this;
    if (upload === undefined || fileWritten === undefined) throw new IncorrectNumberOfFilesError();
    await fileWritten;
    if (this.settled) return undefined;
    checkFileSize(upload, this.size);
    const file = { path: this.tempPath as string, size: this.size };
    const { etag } = await this.options.store.putObject({ bucket: this.bucket, key: upload.key, headers: upload.metadata.headers, file });
    return { upload, etag };
  }

  /** Refuses once: stops parsing, drains what the client still sends, forgets the file, then answers. */
  private refuse(error: unknown, extra?: Partial<GuardLogEntry>): void {
    if (this.settled) return;
    this.settled = true;
    const { req } = this.context;
    const { parser } = this;
    if (parser !== undefined) {
      req.unpipe(parser);
      parser.removeAllListeners();
      parser.on('error', () => undefined);
      parser.destroy();
    }
    req.resume();
    // Destroying the parser ends the file's stream, so the removal cannot wait forever.
    void this.removeTemp()
      .catch(() => undefined)
      .then(() => sendError(this.context, error, { bucket: this.bucket, ...extra }));
  }

  private async removeTemp(): Promise<void> {
    await this.fileWritten?.catch(() => undefined);
    if (this.sink !== undefined) await whenClosed(this.sink);
    if (this.tempPath !== undefined) await rm(this.tempPath, { force: true });
  }
}

export function isMultipartFormData(contentType: string | undefined): boolean {
  return contentType !== undefined && /^multipart\/form-data\s*(;|$)/i.test(contentType.trim());
}

async function readFieldValue(stream: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream) {
    bytes += (chunk as Buffer).length;
    if (bytes > limit) {
      stream.resume();
      throw new MaxPostPreDataLengthExceededError(MAX_PRE_DATA_BYTES);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendSuccess(context: RequestContext, upload: AuthorizedUpload, etag: string): void {
  const { req, res, requestId } = context;
  const location = `${publicBaseUrl(req)}${objectPath(upload.bucket, upload.key)}`;
  const headers: Record<string, string> = {
    ...context.cors,
    ...upload.metadata.encryption,
    ETag: etag,
    Location: location,
    'x-amz-request-id': requestId,
  };
  let status: number;
  let body = '';
  if (upload.success.kind === 'redirect') {
    const url = upload.success.url;
    const query = `bucket=${encodeURIComponent(upload.bucket)}&key=${encodeURIComponent(upload.key)}&etag=${encodeURIComponent(etag)}`;
    status = 303;
    headers.Location = `${url}${url.includes('?') ? '&' : '?'}${query}`;
  } else {
    status = upload.success.status;
    if (status === 201) {
      body = postResponseXml({ location, bucket: upload.bucket, key: upload.key, etag });
      headers['Content-Type'] = 'application/xml';
    }
  }
  if (status !== 204) headers['Content-Length'] = String(Buffer.byteLength(body));
  res.writeHead(status, headers);
  res.end(body);
  context.log({ requestId, method: context.method, path: context.path, status, bucket: upload.bucket, key: upload.key });
}
