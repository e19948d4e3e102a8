/**
 * The local stack as the integration tests use it: each suite starts its own
 * stack on free ports in a temp state folder, talks to it over HTTP only
 * (through the local edge, and to the upload URL it hands out), and stops it
 * by PID. Requests are sent with node:http (test/support/post-forms.ts), so
 * a test controls every header, including the ones a browser would add.
 */
import type { PresignedUpload } from '../../../../edge-functions/core/presign-routes';
import { HeadObjectCommand, S3Client, type HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { crc32 } from '../../../../origin/inspector/core/crc32';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../../../infra/local/local-stack';
import { fields, file, postForm, send, type HttpAnswer } from '../../../support/post-forms';

export const PASSWORD = 'Correct-Horse-9-Battery';

export interface TestStack {
  readonly stack: LocalStack;
  readonly stateDir: string;
  /** Every log line the stack wrote. */
  readonly logs: string[];
  /** Stops the stack; removes the state folder unless `keepState`. */
  stop(options?: { keepState?: boolean }): Promise<void>;
}

export async function startTestStack(options: Omit<LocalStackOptions, 'ports' | 'log'> = {}): Promise<TestStack> {
  const stateDir = options.stateDir ?? mkdtempSync(path.join(tmpdir(), 'edge-upload-stack-'));
  const logs: string[] = [];
  const stack = await startLocalStack({
    ...options,
    stateDir,
    ports: { edge: 0, cognito: 0, s3: 0, s3rver: 0 },
    log: (line) => logs.push(line),
  });
  return {
    stack,
    stateDir,
    logs,
    async stop({ keepState = false } = {}) {
      await stack.stop();
      if (!keepState) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** A small rules file for a test, in the format of infra/firewall/firewall-rules.yaml. */
export function writeRulesFile(dir: string, yaml: string): string {
  const file = path.join(dir, 'firewall-rules.yaml');
  writeFileSync(file, yaml);
  return file;
}

export type Headers = Record<string, string>;

/** A JSON POST as the site's own page would send it (same Origin, same-origin fetch). */
export function postJson(stack: LocalStack, route: string, body: unknown, headers: Headers = {}): Promise<HttpAnswer> {
  const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  return send(`${stack.url}${route}`, 'POST', bytes, {
    'Content-Type': 'application/json',
    'Content-Length': String(bytes.length),
    Origin: stack.url,
    'Sec-Fetch-Site': 'same-origin',
    ...headers,
  });
}

export function get(stack: LocalStack, route: string, headers: Headers = {}): Promise<HttpAnswer> {
  return send(`${stack.url}${route}`, 'GET', undefined, headers);
}

export function json<T = Record<string, unknown>>(answer: HttpAnswer): T {
  try {
    return JSON.parse(answer.body) as T;
  } catch {
    throw new Error(`not JSON (HTTP ${answer.status}): ${answer.body.slice(0, 300)}`);
  }
}

export function errorCode(answer: HttpAnswer): string {
  return json<{ error: { code: string } }>(answer).error.code;
}

export interface MailboxMessage {
  readonly to: string;
  readonly kind: 'confirm' | 'reset';
  readonly code: string;
  readonly sentAt: string;
}

export async function mailbox(stack: LocalStack, email: string): Promise<MailboxMessage[]> {
  const answer = await get(stack, `/_local/mailbox?email=${encodeURIComponent(email)}`);
  if (answer.status !== 200) throw new Error(`mailbox: HTTP ${answer.status} ${answer.body}`);
  return json<{ messages: MailboxMessage[] }>(answer).messages;
}

export interface Session {
  readonly email: string;
  readonly accessToken: string;
  readonly idToken: string;
  /** `name=value` of the refresh cookie. */
  readonly refreshCookie: string;
  /** The user's id: the access token's `sub`. */
  readonly sub: string;
}

/** register → the newest confirm code from the mailbox → confirm → login. */
export async function signUpAndLogIn(stack: LocalStack, email: string, password = PASSWORD): Promise<Session> {
  const registered = await postJson(stack, '/auth/register', { email, password });
  if (registered.status !== 201) throw new Error(`register: HTTP ${registered.status} ${registered.body}`);
  const messages = await mailbox(stack, email);
  const code = messages.filter((m) => m.kind === 'confirm').at(-1)?.code;
  if (code === undefined) throw new Error(`no confirm code for ${email}`);
  const confirmed = await postJson(stack, '/auth/confirm', { email, code });
  if (confirmed.status !== 200) throw new Error(`confirm: HTTP ${confirmed.status} ${confirmed.body}`);
  return logIn(stack, email, password);
}

export async function logIn(stack: LocalStack, email: string, password = PASSWORD): Promise<Session> {
  const answer = await postJson(stack, '/auth/login', { email, password });
  if (answer.status !== 200) throw new Error(`login: HTTP ${answer.status} ${answer.body}`);
  const body = json<{ accessToken: string; idToken: string }>(answer);
  const setCookie = answer.headers['set-cookie'];
  const refreshCookie = (Array.isArray(setCookie) ? setCookie[0] : setCookie)?.split(';')[0] ?? '';
  return { email, accessToken: body.accessToken, idToken: body.idToken, refreshCookie, sub: claims(body.accessToken)['sub'] as string };
}

/** A JWT's payload, read (not verified). */
export function claims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export type { PresignedUpload } from '../../../../edge-functions/core/presign-routes';

export function presign(stack: LocalStack, accessToken: string, files: unknown, headers: Headers = {}): Promise<HttpAnswer> {
  return postJson(stack, '/presign', { files }, { Authorization: `Bearer ${accessToken}`, ...headers });
}

export async function presignOne(
  stack: LocalStack,
  accessToken: string,
  file: { name: string; size: number; type: string; id?: string },
): Promise<PresignedUpload> {
  const answer = await presign(stack, accessToken, [file]);
  if (answer.status !== 200) throw new Error(`presign: HTTP ${answer.status} ${answer.body}`);
  const upload = json<{ uploads: PresignedUpload[] }>(answer).uploads[0];
  if (upload === undefined) throw new Error('presign: no upload');
  return upload;
}

/** The browser's POST: every returned field in order, the file last, from the site's origin. */
export function uploadFile(
  stack: LocalStack,
  upload: PresignedUpload,
  content: Buffer,
  options: { filename?: string; type?: string; extraFields?: Array<[string, string]>; fieldOverrides?: Record<string, string> } = {},
): Promise<HttpAnswer> {
  const entries = Object.entries({ ...upload.fields, ...options.fieldOverrides });
  return postForm(
    upload.url,
    [
      ...fields([...entries, ...(options.extraFields ?? [])]),
      file(content, options.filename ?? 'holiday.png', options.type ?? 'image/png'),
    ],
    {
      Origin: stack.url,
    },
  );
}

/** An S3 client of the edge's key, or of another (the inspector's, which the read rule exempts). */
export function s3Client(
  stack: LocalStack,
  credentials: { readonly accessKeyId: string; readonly secretAccessKey: string } = stack.credentials,
): S3Client {
  return new S3Client({
    endpoint: stack.s3Endpoint,
    forcePathStyle: true,
    region: stack.region,
    credentials: { ...credentials },
    maxAttempts: 1,
  });
}

/**
 * HeadObject through the guard (which passes S3 API calls through to s3rver); undefined when there is no such object.
 * With the inspector running, HeadObject of an unverified upload or a quarantined object is refused to the edge's key, as on AWS.
 */
export async function headObject(
  stack: LocalStack,
  key: string,
  credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string },
): Promise<HeadObjectCommandOutput | undefined> {
  const client = s3Client(stack, credentials);
  try {
    return await client.send(new HeadObjectCommand({ Bucket: stack.bucket, Key: key }));
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
    throw error;
  } finally {
    client.destroy();
  }
}

/** Whether a process with this PID is still running. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One PNG chunk: length, type, data, CRC-32 of type and data. */
function pngChunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/**
 * A real PNG of exactly `size` bytes: one grey 1×1 pixel (IHDR, IDAT, IEND,
 * every CRC right), padded with a tEXt comment. The inspector checks the
 * structure (origin/inspector/core/file-structure.ts), so with it running
 * this is verified, not quarantined. Below the smallest such file (87
 * bytes) it is the signature and filler only, for tests of sizes alone.
 */
export function pngBytes(size: number): Buffer {
  const ihdrData = Buffer.alloc(13);
  ihdrData.writeUInt32BE(1, 0); // width
  ihdrData.writeUInt32BE(1, 4); // height
  ihdrData.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale, deflate, adaptive filters, no interlace
  const head = Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdrData)]);
  const tail = Buffer.concat([pngChunk('IDAT', deflateSync(Buffer.from([0, 0x80]))), pngChunk('IEND', Buffer.alloc(0))]);
  const keyword = Buffer.from('Comment\0', 'latin1');
  const padding = size - head.length - tail.length - 12 - keyword.length;
  if (padding < 0) return Buffer.concat([PNG_SIGNATURE, Buffer.alloc(Math.max(0, size - PNG_SIGNATURE.length), 0x42)]).subarray(0, size);
  return Buffer.concat([head, pngChunk('tEXt', Buffer.concat([keyword, Buffer.alloc(padding, 0x42)])), tail]);
}
