/**
 * `npm run upload -- <file>`: one file through the local stack the way the
 * site sends it — log in (or make a throw-away account through the dev
 * mailbox), presign at the edge, POST the signed form to the upload URL —
 * then wait for the inspector's verdict and read the object back.
 *
 * The edge, the auth API and the upload URL are reached over HTTP only; the
 * verdict and the read-back use the local stack's own signing keys, which
 * exist only locally (on AWS, "your files" signs those reads at the edge).
 */
import { GetObjectCommand, GetObjectTaggingCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { openAsBlob, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_UPLOAD_RULES } from '../../../edge-functions/core/upload-rules';
import { isPlainObject, safeJsonParse } from '../../../edge-functions/core/safe-json';
import { DEFAULT_QUARANTINE_PREFIX, QUARANTINE_REASON_TAG, VERIFIED_TAG } from '../../../origin/inspector/core/config';
import { quarantineKeyFor } from '../../../origin/inspector/core/object-keys';
import { LOCAL_S3_REGION, LOCAL_SIGNING_CREDENTIALS } from '../local-settings';

export interface UploadCommandOptions {
  readonly file: string;
  /** The local edge, e.g. http://127.0.0.1:3000. */
  readonly edge: string;
  /** Declared type; by default the one type whose extensions include the file's. */
  readonly type?: string;
  /** An existing account; without it a throw-away one is registered through the dev mailbox. */
  readonly account?: { readonly email: string; readonly password: string };
  /** Where to write the bytes read back, if anywhere. */
  readonly out?: string;
  /** How long to wait for the inspector. @default 20 s */
  readonly verdictTimeoutMs?: number;
  readonly print: (line: string) => void;
}

export type Verdict =
  | { readonly status: 'verified'; readonly key: string; readonly readBackIdentical: boolean }
  | { readonly status: 'quarantined'; readonly key: string; readonly quarantineKey: string; readonly reason: string }
  | { readonly status: 'pending'; readonly key: string };

/** A failure the command explains in one line (no stack trace): an HTTP answer's code, a missing file, a timeout. */
export class UploadCommandError extends Error {
  override readonly name = 'UploadCommandError';
}

interface PresignedForm {
  readonly key: string;
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
}

export async function uploadOneFile(options: UploadCommandOptions): Promise<Verdict> {
  const { print } = options;
  const name = path.basename(options.file);
  const bytes = readFileSync(options.file);
  const type = options.type ?? typeForName(name);
  const account = options.account ?? (await registerThrowAwayAccount(options.edge, print));
  const accessToken = await logIn(options.edge, account.email, account.password);

  const md5 = createHash('md5').update(bytes).digest('base64');
  const presigned = await postJson(options.edge, '/presign', { files: [{ name, size: bytes.length, type, md5 }] }, accessToken);
  const form = firstForm(presigned);
  print(`presigned   ${form.key}`);

  const body = new FormData();
  for (const [field, value] of Object.entries(form.fields)) body.append(field, value);
  body.append('file', await openAsBlob(options.file, { type }), name);
  const posted = await fetch(form.url, { method: 'POST', body });
  if (posted.status !== 201) throw new UploadCommandError(`the upload URL answered ${posted.status}: ${s3ErrorCode(await posted.text())}`);
  print(`uploaded    ${bytes.length} bytes, ${type}, Content-MD5 ${md5}`);

  const s3 = new S3Client({
    endpoint: new URL(form.url).origin,
    region: LOCAL_S3_REGION,
    forcePathStyle: true,
    // A copy: the SDK marks where credentials came from on the object itself, and these are frozen.
    credentials: { ...LOCAL_SIGNING_CREDENTIALS },
  });
  try {
    const bucket = bucketOf(form.url);
    const verdict = await waitForVerdict(s3, bucket, form.key, options.verdictTimeoutMs ?? 20_000);
    if (verdict.status === 'verified') {
      const stored = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: form.key }));
      const back = Buffer.from(await stored.Body!.transformToByteArray());
      const identical = back.equals(bytes);
      if (options.out !== undefined) writeFileSync(options.out, back);
      print(
        `verified    read back ${back.length} bytes: ${identical ? `identical (SHA-256 ${sha256(back)})` : 'DIFFERENT'}${options.out !== undefined ? `, written to ${options.out}` : ''}`,
      );
      return { ...verdict, readBackIdentical: identical };
    }
    if (verdict.status === 'quarantined') print(`quarantined ${verdict.quarantineKey}\n            reason: ${verdict.reason}`);
    else print('pending     the inspector has not decided yet (is the stack running with inspection on?)');
    return verdict.status === 'quarantined' ? verdict : { status: 'pending', key: form.key };
  } finally {
    s3.destroy();
  }
}

/** The one allowed type whose extensions include the file's, from the upload rules. */
export function typeForName(name: string): string {
  const extension = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
  const type = Object.entries(DEFAULT_UPLOAD_RULES.types).find(([, rule]) => rule.extensions.includes(extension))?.[0];
  if (type === undefined) {
    const known = Object.values(DEFAULT_UPLOAD_RULES.types).flatMap((rule) => rule.extensions.map((e) => `.${e}`));
    throw new UploadCommandError(
      `${name}: no upload type allows this extension (allowed: ${known.join(' ')}); pass --type to declare one anyway`,
    );
  }
  return type;
}

async function registerThrowAwayAccount(edge: string, print: (line: string) => void): Promise<{ email: string; password: string }> {
  const email = `demo-${randomBytes(4).toString('hex')}@example.com`;
  // Meets the pool's policy (length, cases, digit, symbol); never printed, and the account is throw-away.
  const password = `Demo-${randomBytes(12).toString('base64url')}-9a`;
  await postJson(edge, '/auth/register', { email, password });
  const mail = await getJson(edge, `/_local/mailbox?email=${encodeURIComponent(email)}`);
  const messages = (mail as { messages?: Array<{ kind?: string; code?: string }> }).messages ?? [];
  const code = messages.filter((m) => m.kind === 'confirm').at(-1)?.code;
  if (code === undefined) throw new UploadCommandError('no confirmation code in the dev mailbox: is this the local stack?');
  await postJson(edge, '/auth/confirm', { email, code });
  print(`account     ${email} (new, confirmed through the dev mailbox)`);
  return { email, password };
}

async function logIn(edge: string, email: string, password: string): Promise<string> {
  const grant = await postJson(edge, '/auth/login', { email, password });
  const token = (grant as { accessToken?: unknown }).accessToken;
  if (typeof token !== 'string') throw new UploadCommandError('the login answer carried no access token');
  return token;
}

async function waitForVerdict(s3: S3Client, bucket: string, key: string, timeoutMs: number): Promise<Verdict> {
  const quarantineKey = quarantineKeyFor(key, DEFAULT_UPLOAD_RULES.keyPrefix, DEFAULT_QUARANTINE_PREFIX) ?? key;
  const deadline = Date.now() + timeoutMs;
  for (let delay = 100; Date.now() < deadline; delay = Math.min(delay * 2, 2_000)) {
    const tags = await tagsOf(s3, bucket, key);
    if (tags?.[VERIFIED_TAG.key] === VERIFIED_TAG.value) return { status: 'verified', key, readBackIdentical: false };
    const reason = (await tagsOf(s3, bucket, quarantineKey))?.[QUARANTINE_REASON_TAG];
    if (reason !== undefined) return { status: 'quarantined', key, quarantineKey, reason };
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  return { status: 'pending', key };
}

/** An object's tags, or undefined when there is no such object. */
async function tagsOf(s3: S3Client, bucket: string, key: string): Promise<Record<string, string> | undefined> {
  try {
    const { TagSet = [] } = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
    return Object.fromEntries(TagSet.map((tag) => [tag.Key ?? '', tag.Value ?? '']));
  } catch (error) {
    if (error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404)) return undefined;
    throw error;
  }
}

async function postJson(edge: string, route: string, body: unknown, token?: string): Promise<unknown> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token !== undefined) headers['Authorization'] = `Bearer ${token}`;
  return answerOf(route, await fetch(new URL(route, edge), { method: 'POST', headers, body: JSON.stringify(body) }));
}

async function getJson(edge: string, route: string): Promise<unknown> {
  return answerOf(route, await fetch(new URL(route, edge)));
}

/** The JSON of a 2xx answer; any other answer becomes one line with its status and stable code. */
async function answerOf(route: string, response: Response): Promise<unknown> {
  const text = await response.text();
  const result = text === '' ? { ok: true as const, value: {} } : safeJsonParse(text);
  if (!result.ok) throw new UploadCommandError(`${route}: HTTP ${response.status}, not JSON`);
  const parsed = result.value;
  if (response.ok) return parsed;
  const error = isPlainObject(parsed) && isPlainObject(parsed.error) ? parsed.error : {};
  throw new UploadCommandError(`${route}: HTTP ${response.status} ${String(error.code ?? '')}: ${String(error.message ?? '')}`.trim());
}

function firstForm(answer: unknown): PresignedForm {
  const upload = (answer as { uploads?: unknown[] }).uploads?.[0] as Partial<PresignedForm> | undefined;
  if (
    upload === undefined ||
    typeof upload.key !== 'string' ||
    typeof upload.url !== 'string' ||
    typeof upload.fields !== 'object' ||
    upload.fields === null
  ) {
    throw new UploadCommandError('/presign answered without a signed form');
  }
  return upload as PresignedForm;
}

/** Path-style upload URL: http://127.0.0.1:4569/<bucket>. */
function bucketOf(url: string): string {
  const bucket = new URL(url).pathname.split('/').filter(Boolean)[0];
  if (bucket === undefined) throw new UploadCommandError(`the upload URL ${url} names no bucket (the local stack uses path-style URLs)`);
  return bucket;
}

function s3ErrorCode(xml: string): string {
  return /<Code>([^<]{1,64})<\/Code>/.exec(xml)?.[1] ?? 'no S3 error code';
}

const sha256 = (bytes: Buffer): string => `${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}…`;
