/**
 * Whatever a client POSTs, the guard's request handler answers with a
 * well-formed S3 document: an <Error> with a code and a message for a 4xx,
 * a <PostResponse> for a 201, nothing for a 200/204, a Location for a 303.
 * Never a throw, never a 5xx, never an object stored on a refusal, never a
 * temporary file left behind. Bodies range from random bytes to really
 * signed forms with random fields, conditions, sizes and cuts, so every
 * check of the core is reached.
 */
import fc from 'fast-check';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostPolicyGuardHandler, PostGuardError, type GuardLogEntry, type ObjectStore, type PutObjectInput } from '../../../infra/local/post-policy-guard';
import { multipartBytes, send, signPolicy, type Part } from '../../support/post-forms';

const BUCKET = 'edge-upload-local';
const REGION = 'us-east-1';
const credentials = { accessKeyId: 'AKIDLOCALGUARDFUZZ01', secretAccessKey: 'local-guard-fuzz-secret-0000000000000001' };
const NUM_RUNS = 1000;

/** An object store that keeps what it is given in memory, to see exactly what was stored. */
class MemoryStore implements ObjectStore {
  readonly puts: { input: PutObjectInput; bytes: number }[] = [];
  async bucketExists(bucket: string): Promise<boolean> {
    return bucket === BUCKET;
  }
  async putObject(input: PutObjectInput): Promise<{ etag: string }> {
    this.puts.push({ input, bytes: input.file.size });
    return { etag: '"0123456789abcdef0123456789abcdef"' };
  }
}

let server: Server;
let base: string;
let tempDirectory: string;
const store = new MemoryStore();
const unexpected: GuardLogEntry[] = [];

beforeAll(async () => {
  tempDirectory = mkdtempSync(join(tmpdir(), 'edge-upload-guard-fuzz-'));
  const handler = createPostPolicyGuardHandler({
    port: 0,
    s3rverEndpoint: 'http://127.0.0.1:9', // never reached: every call of this suite is a POST upload or a preflight
    credentials,
    region: REGION,
    allowedOrigins: ['http://127.0.0.1:3000'],
    store,
    tempDirectory,
    log: (entry) => {
      if (entry.error !== undefined && !(entry.error instanceof PostGuardError)) unexpected.push(entry);
    },
  });
  server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  rmSync(tempDirectory, { recursive: true, force: true });
});

const NAMES = ['key', 'Key', 'policy', 'Policy', 'X-Amz-Signature', 'x-amz-date', 'X-Amz-Credential', 'x-amz-algorithm', 'Content-Type', 'x-amz-meta-userid',
  'success_action_status', 'success_action_redirect', 'x-ignore-a', 'file', 'File', 'bucket', 'acl', 'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id', 'x-amz-security-token', 'x-amz-storage-class', 'Cache-Control', 'x-amz-meta-edge-upload-local-sse'];
const nameArb = fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 12 }));
const valueArb = fc.oneof(
  fc.constantFrom('201', '200', '204', 'aws:kms', 'AES256', 'image/png', 'https://site.test/ok', 'uploads/${filename}', '../x', '', 'STANDARD', 'x'.repeat(21_000)),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const bytesArb = (maxLength: number) => fc.uint8Array({ maxLength }).map((bytes) => Buffer.from(bytes));
const partArb: fc.Arbitrary<Part> = fc.oneof(
  fc.record({ kind: fc.constant('field' as const), name: nameArb, value: valueArb }),
  fc.record({
    kind: fc.constant('file' as const),
    name: fc.constantFrom('file', 'FILE', 'other'),
    filename: fc.option(fc.oneof(fc.constantFrom('a.png', 'C:\\x\\b.pdf', '', '../../etc/passwd'), fc.string({ maxLength: 20 })), { nil: undefined }),
    contentType: fc.option(fc.constantFrom('image/png', 'application/octet-stream', 'text/plain'), { nil: undefined }),
    content: bytesArb(300),
  }),
);
const conditionArb = fc.oneof(
  fc.tuple(fc.constantFrom('eq', 'starts-with', 'EQ', 'in'), fc.oneof(nameArb.map((n) => `$${n}`), nameArb), valueArb).map((c) => [...c] as unknown),
  fc.tuple(fc.constant('content-length-range'), fc.oneof(fc.nat(400), fc.string({ maxLength: 4 })), fc.oneof(fc.nat(400), fc.integer())).map((c) => [...c] as unknown),
  fc.dictionary(nameArb, valueArb, { maxKeys: 2 }),
  fc.anything(),
);

interface FormCase {
  readonly parts: Part[];
  readonly signing: 'none' | 'covering' | 'random';
  readonly extraConditions: unknown[];
  readonly withKey: string | undefined;
  readonly fileFirst: boolean;
  readonly expired: boolean;
  readonly secret: 'right' | 'wrong';
  readonly bucket: string;
  readonly contentType: 'multipart' | 'no-boundary' | 'other';
  readonly cut: number | undefined;
  readonly origin: string | undefined;
  readonly fileSize: number;
}

const formArb: fc.Arbitrary<FormCase> = fc.record({
  parts: fc.array(partArb, { maxLength: 8 }),
  signing: fc.constantFrom('none', 'covering', 'covering', 'covering', 'random'),
  extraConditions: fc.array(conditionArb, { maxLength: 3 }),
  withKey: fc.option(fc.oneof(fc.constantFrom('uploads/a.png', 'uploads/${filename}', '', '../x', 'é'.repeat(600)), fc.string({ maxLength: 30 })), { nil: undefined }),
  fileFirst: fc.boolean(),
  expired: fc.boolean(),
  secret: fc.constantFrom('right', 'right', 'right', 'wrong'),
  bucket: fc.constantFrom(BUCKET, BUCKET, BUCKET, 'other-bucket'),
  contentType: fc.constantFrom('multipart', 'multipart', 'multipart', 'multipart', 'no-boundary', 'other'),
  cut: fc.option(fc.nat(4000), { freq: 5, nil: undefined }),
  origin: fc.option(fc.constantFrom('http://127.0.0.1:3000', 'http://evil.test'), { nil: undefined }),
  fileSize: fc.nat(200),
});

/** Forms a browser could send: well-formed, signed, with only small departures, so acceptances and size refusals are common too. */
const tameFieldArb: fc.Arbitrary<Part> = fc.record({
  kind: fc.constant('field' as const),
  name: fc.oneof(
    fc.constantFrom('Content-Type', 'success_action_status', 'success_action_redirect', 'Cache-Control', 'x-amz-server-side-encryption', 'x-amz-storage-class'),
    fc.stringMatching(/^[a-z]{1,8}$/).map((word) => `x-amz-meta-${word}`),
    fc.stringMatching(/^[a-z]{1,8}$/).map((word) => `x-ignore-${word}`),
  ),
  value: fc.oneof(fc.constantFrom('201', '200', '204', 'https://site.test/done', 'image/png', 'aws:kms', 'AES256', 'STANDARD'), fc.string({ maxLength: 20 })),
});
const tameFormArb: fc.Arbitrary<FormCase> = fc.record({
  parts: fc.uniqueArray(tameFieldArb, { maxLength: 4, selector: (part) => (part.kind === 'field' ? part.name.toLowerCase() : '') }),
  signing: fc.constant('covering' as const),
  extraConditions: fc.array(fc.tuple(fc.constant('content-length-range'), fc.nat(200), fc.nat(200)).map((c) => [...c] as unknown), { maxLength: 1 }),
  withKey: fc.constantFrom('uploads/a.png', 'uploads/${filename}'),
  fileFirst: fc.constant(false),
  expired: fc.constant(false),
  secret: fc.constant('right' as const),
  bucket: fc.constant(BUCKET),
  contentType: fc.constant('multipart' as const),
  cut: fc.constant(undefined),
  origin: fc.option(fc.constantFrom('http://127.0.0.1:3000', 'http://evil.test'), { nil: undefined }),
  fileSize: fc.nat(200),
});
const anyFormArb = fc.oneof(formArb, tameFormArb);

/** Builds the body: the case's parts, a key and a really signed policy (unless not), a file somewhere. */
function build(form: FormCase): { body: Buffer; contentType: string; fileSize: number } {
  const fieldsBefore: Part[] = form.withKey === undefined ? [] : [{ kind: 'field', name: 'key', value: form.withKey }];
  const textFields = [...fieldsBefore, ...form.parts].flatMap((part) => (part.kind === 'field' ? [part] : []));
  if (form.signing !== 'none') {
    const covering =
      form.signing === 'covering'
        ? [{ bucket: BUCKET }, ...textFields.filter((f) => f.name.toLowerCase() !== 'key').map((f) => ['starts-with', `$${f.name}`, f.value.slice(0, 3)]), ['starts-with', '$key', '']]
        : [];
    const signed = signPolicy({
      conditions: [...covering, ...form.extraConditions],
      credentials: form.secret === 'right' ? credentials : { ...credentials, secretAccessKey: 'wrong-secret' },
      region: REGION,
      ...(form.expired ? { expiration: new Date(Date.now() - 1000) } : {}),
    });
    fieldsBefore.push(...signed.map(([name, value]): Part => ({ kind: 'field', name, value })));
  }
  const theFile: Part = { kind: 'file', name: 'file', filename: 'photo.png', contentType: 'image/png', content: Buffer.alloc(form.fileSize, 1) };
  const parts = form.fileFirst ? [theFile, ...fieldsBefore, ...form.parts] : [...fieldsBefore, ...form.parts, theFile];
  const boundary = 'fuzzboundary42';
  const body = multipartBytes(parts, boundary);
  const contentType = form.contentType === 'multipart' ? `multipart/form-data; boundary=${boundary}` : form.contentType === 'no-boundary' ? 'multipart/form-data' : 'text/plain';
  // S3 stores the first part named "file" (any case), a file or a text part; later ones are ignored.
  const first = parts.find((part) => (part.kind === 'file' ? part.name ?? 'file' : part.name).toLowerCase() === 'file');
  const fileSize = first === undefined ? -1 : first.kind === 'file' ? (Buffer.isBuffer(first.content) ? first.content.length : first.content.size) : Buffer.byteLength(first.value);
  return { body: form.cut === undefined ? body : body.subarray(0, form.cut), contentType, fileSize };
}

const ERROR_DOCUMENT = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error><Code>[A-Za-z]+<\/Code><Message>[^<]*<\/Message>(?:<([A-Za-z]+)>[^<]*<\/\1>)*<\/Error>$/;
const POST_RESPONSE = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<PostResponse><Location>[^<]+<\/Location><Bucket>[^<]+<\/Bucket><Key>[^<]*<\/Key><ETag>[^<]+<\/ETag><\/PostResponse>$/;

describe('the guard\'s request handler, fed random forms', () => {
  it(`answers every one with a well-formed S3 document, never a 5xx, and stores only what it accepts (${NUM_RUNS} runs)`, async () => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(anyFormArb, async (form) => {
        const { body, contentType, fileSize } = build(form);
        const putsBefore = store.puts.length;
        const answer = await send(`${base}/${encodeURIComponent(form.bucket)}`, 'POST', body, {
          'Content-Type': contentType,
          ...(form.origin === undefined ? {} : { Origin: form.origin }),
        });
        const code = /<Code>([^<]*)<\/Code>/.exec(answer.body)?.[1];
        outcomes.set(code ?? String(answer.status), (outcomes.get(code ?? String(answer.status)) ?? 0) + 1);

        expect(answer.status).toBeLessThan(500);
        const stored = store.puts.length - putsBefore;
        if (answer.status >= 400) {
          expect(answer.body).toMatch(ERROR_DOCUMENT);
          expect(answer.headers['content-type']).toBe('application/xml');
          expect(stored).toBe(0);
        } else {
          expect([200, 201, 204, 303]).toContain(answer.status);
          expect(stored).toBe(1);
          expect(store.puts.at(-1)?.bytes).toBe(fileSize);
          if (answer.status === 201) expect(answer.body).toMatch(POST_RESPONSE);
          else expect(answer.body).toBe('');
          if (answer.status === 303) expect(() => new URL(String(answer.headers.location))).not.toThrow();
        }
        if (form.origin === 'http://evil.test') expect(answer.headers['access-control-allow-origin']).toBeUndefined();
      }),
      { numRuns: NUM_RUNS },
    );
    expect(unexpected).toEqual([]);
    // Every branch was reached: acceptances and many kinds of refusal.
    console.log(`outcomes over ${NUM_RUNS} random forms: ${JSON.stringify(Object.fromEntries([...outcomes].sort((a, b) => b[1] - a[1])))}`);
    expect(store.puts.length).toBeGreaterThan(0);
    expect(outcomes.size).toBeGreaterThan(10);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(readdirSync(tempDirectory)).toEqual([]);
  }, 120_000); // a limit, not a measurement: 1,000 forms each spooled to disk take seconds on a busy machine
});
