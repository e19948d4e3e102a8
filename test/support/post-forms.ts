/**
 * Browser POST forms for tests, built byte by byte so a test controls what a
 * browser would not let it: part order, repeated or misplaced fields, a file
 * first, a text part named "file", bodies of any size streamed without
 * holding them in memory.
 *
 * Policies are signed with the project's own sigv4.ts (the code the edge
 * signs with), so a test can write any condition S3 supports, not only the
 * exact-match ones createPresignedPost produces.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { amzDate, credentialScope, signHex, signingKey, SIGV4_ALGORITHM } from '../../edge-functions/core/sigv4';

export interface TestCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export type Field = readonly [name: string, value: string];

export interface SignPolicyInput {
  readonly conditions: readonly unknown[];
  readonly credentials: TestCredentials;
  readonly region: string;
  readonly now?: Date;
  /** @default now + 5 minutes */
  readonly expiration?: Date | string;
  /** Adds the x-amz-algorithm/credential/date conditions the form needs. @default true */
  readonly bindSigV4Fields?: boolean;
  /** How the SigV4 field names are spelled in the form. @default 'X-Amz-' */
  readonly fieldPrefix?: string;
  readonly policyFieldName?: string;
}

/** The Policy and SigV4 fields of a form for a policy with these conditions. */
export function signPolicy(input: SignPolicyInput): Field[] {
  const now = input.now ?? new Date();
  const date = amzDate(now);
  const shortDate = date.slice(0, 8);
  const credential = `${input.credentials.accessKeyId}/${credentialScope(shortDate, input.region, 's3')}`;
  const expiration = input.expiration ?? new Date(now.getTime() + 5 * 60_000);
  const conditions = [...input.conditions];
  if (input.bindSigV4Fields !== false) {
    conditions.push({ 'x-amz-algorithm': SIGV4_ALGORITHM }, { 'x-amz-credential': credential }, { 'x-amz-date': date });
  }
  const document = { expiration: typeof expiration === 'string' ? expiration : expiration.toISOString(), conditions };
  const policy = Buffer.from(JSON.stringify(document), 'utf8').toString('base64');
  const signature = signHex(signingKey(input.credentials.secretAccessKey, shortDate, input.region, 's3'), policy);
  const prefix = input.fieldPrefix ?? 'X-Amz-';
  return [
    [input.policyFieldName ?? 'Policy', policy],
    [`${prefix}Algorithm`, SIGV4_ALGORITHM],
    [`${prefix}Credential`, credential],
    [`${prefix}Date`, date],
    [`${prefix}Signature`, signature],
  ];
}

export type Part =
  | { readonly kind: 'field'; readonly name: string; readonly value: string }
  | {
      readonly kind: 'file';
      readonly name?: string;
      readonly filename?: string;
      readonly contentType?: string;
      /** The bytes, or a size to generate (in chunks, never held whole). */
      readonly content: Buffer | { readonly size: number };
    };

export const field = (name: string, value: string): Part => ({ kind: 'field', name, value });
export const fields = (entries: Iterable<Field>): Part[] => [...entries].map(([name, value]) => field(name, value));
export const file = (content: Buffer | { size: number }, filename = 'holiday.png', contentType = 'image/png'): Part => ({
  kind: 'file',
  content,
  filename,
  contentType,
});

/** 64 KiB: large enough to stream fast, small enough that a 50 MiB body never sits in memory. */
const GENERATED_CHUNK_BYTES = 64 * 1024;

export function multipartBody(parts: readonly Part[], boundary: string): Readable {
  return Readable.from(generateMultipart(parts, boundary), { objectMode: false });
}

/** The whole body at once, for small forms a test wants to cut or corrupt. */
export function multipartBytes(parts: readonly Part[], boundary: string): Buffer {
  return Buffer.concat([...generateMultipart(parts, boundary)]);
}

export function multipartLength(parts: readonly Part[], boundary: string): number {
  let total = 0;
  for (const part of parts) {
    total += Buffer.byteLength(partHeader(part, boundary));
    total +=
      part.kind === 'field' ? Buffer.byteLength(part.value) : Buffer.isBuffer(part.content) ? part.content.length : part.content.size;
    total += 2;
  }
  return total + Buffer.byteLength(`--${boundary}--\r\n`);
}

function partHeader(part: Part, boundary: string): string {
  if (part.kind === 'field') return `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n`;
  const filename = part.filename === undefined ? '' : `; filename="${part.filename}"`;
  const type = part.contentType === undefined ? '' : `Content-Type: ${part.contentType}\r\n`;
  return `--${boundary}\r\nContent-Disposition: form-data; name="${part.name ?? 'file'}"${filename}\r\n${type}\r\n`;
}

function* generateMultipart(parts: readonly Part[], boundary: string): Generator<Buffer> {
  for (const part of parts) {
    yield Buffer.from(partHeader(part, boundary));
    if (part.kind === 'field') yield Buffer.from(part.value);
    else if (Buffer.isBuffer(part.content)) yield part.content;
    else {
      const chunk = Buffer.alloc(GENERATED_CHUNK_BYTES, 0x5a);
      let left = part.content.size;
      while (left > 0) {
        const size = Math.min(left, chunk.length);
        yield size === chunk.length ? chunk : chunk.subarray(0, size);
        left -= size;
      }
    }
    yield Buffer.from('\r\n');
  }
  yield Buffer.from(`--${boundary}--\r\n`);
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** POSTs a multipart form, streamed, to `url`. */
export function postForm(url: string, parts: readonly Part[], headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const boundary = `----edgeupload${randomBytes(8).toString('hex')}`;
  return send(url, 'POST', multipartBody(parts, boundary), {
    'Content-Type': `multipart/form-data; boundary=${boundary}`,
    'Content-Length': String(multipartLength(parts, boundary)),
    ...headers,
  });
}

/** Any request; the body is streamed and the answer read whole. */
export function send(
  url: string,
  method: string,
  body: Readable | Buffer | undefined,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    // The path is sent exactly as written (new URL would resolve "." and ".." segments).
    const parsed = /^http:\/\/([^/?#]+)([^#]*)$/.exec(url);
    if (parsed === null) throw new Error(`not an http URL: ${url}`);
    const target = new URL(`http://${parsed[1]}`);
    const outgoing = request({ hostname: target.hostname, port: target.port, path: parsed[2] || '/', method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    // A server may answer before it has read the whole body (an early refusal); that is not a failure here.
    outgoing.on('error', reject);
    if (body === undefined) outgoing.end();
    else if (Buffer.isBuffer(body)) outgoing.end(body);
    else {
      body.on('error', (error) => outgoing.destroy(error));
      body.pipe(outgoing);
    }
  });
}

/** The text of one element of an XML answer. */
export function xmlElement(body: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];
}
