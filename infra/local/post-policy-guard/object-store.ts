/**
 * Where an accepted upload goes. The guard only needs two calls, behind a
 * small interface so the request handler can be exercised without s3rver;
 * the real default speaks plain S3 (HeadBucket, PutObject) to s3rver, which
 * takes unsigned requests.
 */
import { createReadStream } from 'node:fs';
import { Agent, request, type IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { ServiceUnavailableError, UpstreamS3Error } from './errors';

export interface StoredFile {
  /** A temporary file holding exactly the uploaded bytes. */
  readonly path: string;
  readonly size: number;
}

/** Bytes that are not one file (a completed multipart upload's parts, one after the other). */
export interface StreamedContent {
  readonly stream: Readable;
  readonly size: number;
}

export interface PutObjectInput {
  readonly bucket: string;
  readonly key: string;
  /** Lower-case header names: content-type, x-amz-meta-*, ... */
  readonly headers: Readonly<Record<string, string>>;
  readonly file: StoredFile;
}

export interface PutStreamInput extends Omit<PutObjectInput, 'file'> {
  readonly content: StreamedContent;
}

export interface ObjectStore {
  bucketExists(bucket: string): Promise<boolean>;
  /** Stores the object; resolves with its quoted ETag. */
  putObject(input: PutObjectInput): Promise<{ etag: string }>;
  /** Stores an object from a stream of known length (a completed multipart upload); stores without it cannot complete one. */
  putObjectStream?(input: PutStreamInput): Promise<{ etag: string }>;
}

/** The URL path of an object, path-style, each key segment percent-encoded. */
export function objectPath(bucket: string, key: string): string {
  return `/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

export class S3rverObjectStore implements ObjectStore {
  private readonly endpoint: URL;
  private readonly agent = new Agent({ keepAlive: true });

  constructor(endpoint: string) {
    this.endpoint = new URL(endpoint);
  }

  async bucketExists(bucket: string): Promise<boolean> {
    const response = await this.send('HEAD', `/${encodeURIComponent(bucket)}`, {});
    response.resume();
    if (response.statusCode === 404) return false;
    if (response.statusCode === 200) return true;
    throw new UpstreamS3Error(response.statusCode ?? 502, 'InternalError', 'The local object store could not look up the bucket.');
  }

  putObject(input: PutObjectInput): Promise<{ etag: string }> {
    return this.putObjectStream({ ...input, content: { stream: createReadStream(input.file.path), size: input.file.size } });
  }

  async putObjectStream(input: PutStreamInput): Promise<{ etag: string }> {
    const headers = { ...input.headers, 'content-length': String(input.content.size) };
    const content = input.content.stream;
    const response = await this.send('PUT', objectPath(input.bucket, input.key), headers, content);
    const body = await readText(response);
    const etag = response.headers.etag;
    if (response.statusCode === 200 && typeof etag === 'string') return { etag };
    throw upstreamError(response.statusCode ?? 502, body);
  }

  close(): void {
    this.agent.destroy();
  }

  private send(method: string, path: string, headers: Record<string, string>, body?: Readable): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          protocol: this.endpoint.protocol,
          hostname: this.endpoint.hostname,
          port: this.endpoint.port,
          method,
          path,
          headers,
          agent: this.agent,
        },
        resolve,
      );
      outgoing.on('error', () => {
        body?.destroy();
        reject(new ServiceUnavailableError());
      });
      if (body === undefined) {
        outgoing.end();
        return;
      }
      body.on('error', (error) => outgoing.destroy(error));
      body.pipe(outgoing);
    });
  }
}

async function readText(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function upstreamError(status: number, body: string): UpstreamS3Error {
  const code = /<Code>([^<]{1,64})<\/Code>/.exec(body)?.[1] ?? 'InternalError';
  const message = /<Message>([^<]{0,512})<\/Message>/.exec(body)?.[1] ?? 'The local object store refused the object.';
  // The message is escaped XML; the mapper escapes it again when it answers.
  return new UpstreamS3Error(status, code, unescapeXml(message));
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos);/g, (_match, name: string) => XML_ENTITIES[name] ?? '');
}
