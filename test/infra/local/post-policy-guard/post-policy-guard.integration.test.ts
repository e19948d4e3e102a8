/**
 * The guard over HTTP in front of a real s3rver (both on free ports, in this
 * process), with forms signed by the edge's own createPresignedPost: what is
 * accepted is stored with its type, metadata and SSE; what is refused leaves
 * nothing behind, not even a temporary file; everything else passes through
 * to s3rver. A 50 MiB upload runs against the guard in a process of its own
 * so its peak resident memory can be read by PID.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { readdirSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { createPresignedPost } from '../../../../edge-functions/core/presigned-post';
import { objectEndpoint, presignUrl } from '../../../../edge-functions/core/presigned-url';
import { type GuardStack, startGuardStack } from '../../../support/guard-stack';
import { pathStyleClient } from '../../../support/local-s3';
import { startGuardProcess } from '../../../support/post-policy-guard-process';
import {
  field,
  fields,
  file,
  multipartBody,
  multipartLength,
  postForm,
  send,
  signPolicy,
  xmlElement,
  type Field,
  type Part,
} from '../../../support/post-forms';

const BUCKET = 'edge-upload-local';
const REGION = 'us-east-1';
const SITE = 'http://127.0.0.1:3000';
const credentials = { accessKeyId: 'AKIDLOCALGUARDINTEG1', secretAccessKey: 'local-guard-integration-secret-000000001' };
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(60, 7)]);
const MiB = 1024 * 1024;

let stack: GuardStack;
let home: string;
let tempDirectory: string;
let s3: S3Client;

beforeAll(async () => {
  stack = await startGuardStack({
    name: 'guard-it',
    s3rver: { buckets: [{ name: BUCKET, cors: { allowedOrigins: [SITE] } }], accessKeys: [credentials] },
    guard: { credentials, region: REGION, allowedOrigins: [SITE] },
    tempFolder: 'uploads-in-flight',
  });
  ({ home, tempDirectory } = stack);
  s3 = stack.client(credentials, { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
});

afterAll(async () => {
  await stack?.stop();
});

let counter = 0;
/** A form as the edge signs it (docs/http-api.md): exact key, type, owner, 201, SSE-KMS, exact size. */
function presign(options: { size?: number; type?: string; now?: Date; ttlSeconds?: number; secret?: string } = {}) {
  const key = `uploads/sub-1/2026/11/29/${++counter}/holiday.png`;
  const post = createPresignedPost({
    bucket: BUCKET,
    region: REGION,
    key,
    fields: {
      'Content-Type': options.type ?? 'image/png',
      'x-amz-meta-userid': 'sub-1',
      success_action_status: '201',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': 'local-kms-key',
    },
    contentLength: [options.size ?? PNG.length, options.size ?? PNG.length],
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: options.secret ?? credentials.secretAccessKey,
      sessionToken: undefined,
    },
    now: options.now ?? new Date(),
    ttlSeconds: options.ttlSeconds ?? 300,
  });
  return { key, entries: Object.entries(post.fields) as Field[] };
}

const url = () => `${stack.guard.url}/${BUCKET}`;

async function stored(key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    return true;
  } catch {
    return false;
  }
}

const inFlight = () => readdirSync(tempDirectory);

describe('an accepted upload', () => {
  it("answers 201 with S3's PostResponse and stores the object with its type, metadata and SSE", async () => {
    const { key, entries } = presign();
    const answer = await postForm(url(), [...fields(entries), file(PNG)]);
    expect(answer.status).toBe(201);
    expect(xmlElement(answer.body, 'Key')).toBe(key);
    expect(xmlElement(answer.body, 'Bucket')).toBe(BUCKET);
    expect(xmlElement(answer.body, 'Location')).toBe(`${stack.guard.url}/${BUCKET}/${key}`);
    expect(answer.headers.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(xmlElement(answer.body, 'ETag')).toBe(answer.headers.etag?.toString().replace(/"/g, '&quot;'));
    expect(answer.headers['x-amz-server-side-encryption']).toBe('aws:kms');

    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.ContentType).toBe('image/png');
    expect(head.ContentLength).toBe(PNG.length);
    expect(head.Metadata).toEqual({ userid: 'sub-1' });
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect(head.SSEKMSKeyId).toBe('local-kms-key');
    const body = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body?.transformToByteArray();
    expect(Buffer.from(body ?? [])).toEqual(PNG);
    expect(inFlight()).toEqual([]);
  });

  it('answers 204 without success_action_status and 303 to success_action_redirect', async () => {
    const policy = (extra: unknown[]) =>
      signPolicy({ conditions: [{ bucket: BUCKET }, ['starts-with', '$key', 'plain/'], ...extra], credentials, region: REGION });
    const plain = await postForm(url(), [field('key', 'plain/a.bin'), ...fields(policy([])), file(PNG)]);
    expect(plain.status).toBe(204);
    expect(plain.body).toBe('');
    expect(await stored('plain/a.bin')).toBe(true);

    const redirect = 'https://site.test/done?upload=1';
    const redirected = await postForm(url(), [
      field('key', 'plain/b.bin'),
      field('success_action_redirect', redirect),
      ...fields(policy([{ success_action_redirect: redirect }])),
      file(PNG),
    ]);
    expect(redirected.status).toBe(303);
    const location = new URL(String(redirected.headers.location));
    expect(location.searchParams.get('upload')).toBe('1');
    expect(location.searchParams.get('key')).toBe('plain/b.bin');
    expect(location.searchParams.get('bucket')).toBe(BUCKET);
    expect(location.searchParams.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it('ignores fields after the file, and a text part named "file" is the content', async () => {
    const signed = signPolicy({ conditions: [{ bucket: BUCKET }, ['starts-with', '$key', 'late/']], credentials, region: REGION });
    const answer = await postForm(url(), [
      field('key', 'late/a.txt'),
      ...fields(signed),
      field('file', 'hello'),
      field('x-amz-meta-late', 'ignored'),
      field('key', 'late/other.txt'),
    ]);
    expect(answer.status).toBe(204);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'late/a.txt' }));
    expect(head.ContentLength).toBe(5);
    expect(head.Metadata).toEqual({});
    expect(await stored('late/other.txt')).toBe(false);
  });

  it('fills ${filename} from the file part, path stripped', async () => {
    const signed = signPolicy({ conditions: [{ bucket: BUCKET }, ['starts-with', '$key', 'named/']], credentials, region: REGION });
    const answer = await postForm(url(), [
      field('key', 'named/${filename}'),
      ...fields(signed),
      file(PNG, 'C:\\Users\\me\\Pictures\\cat.png'),
    ]);
    expect(answer.status).toBe(204);
    expect(await stored('named/cat.png')).toBe(true);
  });
});

describe('a refused upload stores nothing', () => {
  const refusals: [string, (form: { key: string; entries: Field[] }) => Part[], number, string][] = [
    ['a larger file', ({ entries }) => [...fields(entries), file(Buffer.concat([PNG, Buffer.alloc(1)]))], 400, 'EntityTooLarge'],
    ['a smaller file', ({ entries }) => [...fields(entries), file(PNG.subarray(1))], 400, 'EntityTooSmall'],
    [
      'another key',
      ({ entries }) => [...fields(entries.map(([n, v]): Field => [n, n === 'key' ? `${v}.html` : v])), file(PNG)],
      403,
      'AccessDenied',
    ],
    [
      'another type',
      ({ entries }) => [...fields(entries.map(([n, v]): Field => [n, n === 'Content-Type' ? 'text/html' : v])), file(PNG)],
      403,
      'AccessDenied',
    ],
    ['an extra field', ({ entries }) => [...fields(entries), field('acl', 'public-read'), file(PNG)], 403, 'AccessDenied'],
    [
      'a tampered policy',
      ({ entries }) => [
        ...fields(
          entries.map(
            ([n, v]): Field => [
              n,
              n === 'Policy' ? Buffer.from(Buffer.from(v, 'base64').toString().replace(',68,68]', ',1,99999]')).toString('base64') : v,
            ],
          ),
        ),
        file(PNG),
      ],
      403,
      'SignatureDoesNotMatch',
    ],
    ['the file first', ({ entries }) => [file(PNG), ...fields(entries)], 400, 'InvalidArgument'],
    ['no file', ({ entries }) => fields(entries), 400, 'IncorrectNumberOfFilesInPostRequest'],
  ];

  it.each(refusals)('%s', async (_label, build, status, code) => {
    const form = presign();
    const answer = await postForm(url(), build(form));
    expect(answer.status).toBe(status);
    expect(xmlElement(answer.body, 'Code')).toBe(code);
    expect(answer.headers['content-type']).toBe('application/xml');
    expect(await stored(form.key)).toBe(false);
    expect(await stored(`${form.key}.html`)).toBe(false);
    await waitFor(() => inFlight().length === 0);
  });

  it('an expired policy and one signed with another secret', async () => {
    const expired = presign({ now: new Date(Date.now() - 600_000), ttlSeconds: 60 });
    const answer = await postForm(url(), [...fields(expired.entries), file(PNG)]);
    expect([answer.status, xmlElement(answer.body, 'Message')]).toEqual([403, 'Invalid according to Policy: Policy expired.']);
    const forged = presign({ secret: 'not-the-secret-the-guard-knows-00000000' });
    expect((await postForm(url(), [...fields(forged.entries), file(PNG)])).status).toBe(403);
    expect(await stored(expired.key)).toBe(false);
    expect(await stored(forged.key)).toBe(false);
  });

  it('a body that is not multipart is 412; one that is not well-formed is 400 MalformedPOSTRequest; an unknown bucket 404', async () => {
    const urlencoded = await send(url(), 'POST', Buffer.from('key=a'), { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect([urlencoded.status, xmlElement(urlencoded.body, 'Code')]).toEqual([412, 'PreconditionFailed']);
    const noBoundary = await send(url(), 'POST', Buffer.from('x'), { 'Content-Type': 'multipart/form-data' });
    expect([noBoundary.status, xmlElement(noBoundary.body, 'Code')]).toEqual([400, 'MalformedPOSTRequest']);
    const cut = await send(url(), 'POST', Buffer.from('--zz\r\nContent-Disposition: form-data; name="key"\r\n\r\nv'), {
      'Content-Type': 'multipart/form-data; boundary=zz',
    });
    expect([cut.status, xmlElement(cut.body, 'Code')]).toEqual([400, 'MalformedPOSTRequest']);
    const { entries } = presign();
    const unknown = await postForm(`${stack.guard.url}/no-such-bucket`, [...fields(entries), file(PNG)]);
    expect([unknown.status, xmlElement(unknown.body, 'Code')]).toEqual([404, 'NoSuchBucket']);
  });

  it('a file far over the limit is cut off as soon as it passes it, before the client has finished sending', async () => {
    const { key, entries } = presign({ size: MiB });
    const total = 64 * MiB;
    let sent = 0;
    const parts = [...fields(entries), file({ size: total }, 'big.pdf', 'application/pdf')];
    const boundary = 'cutoffboundary0001';
    const body = multipartBody(parts, boundary);
    const counted = Readable.from(
      (async function* () {
        for await (const chunk of body) {
          sent += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
      })(),
    );
    let sentWhenAnswered = -1;
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(
        url(),
        {
          method: 'POST',
          headers: {
            'Content-Type': `multipart/form-data; boundary=${boundary}`,
            'Content-Length': String(multipartLength(parts, boundary)),
          },
        },
        (response: IncomingMessage) => {
          sentWhenAnswered = sent;
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        },
      );
      request.on('error', reject);
      counted.pipe(request);
    });
    expect([answer.status, xmlElement(answer.body, 'Code'), xmlElement(answer.body, 'MaxSizeAllowed')]).toEqual([
      400,
      'EntityTooLarge',
      String(MiB),
    ]);
    expect(sentWhenAnswered).toBeLessThan(total);
    expect(await stored(key)).toBe(false);
    await waitFor(() => inFlight().length === 0);
  });
});

describe('CORS', () => {
  it('answers a POST preflight from the site and refuses another origin', async () => {
    const ok = await send(url(), 'OPTIONS', undefined, { Origin: SITE, 'Access-Control-Request-Method': 'POST' });
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe(SITE);
    const refused = await send(url(), 'OPTIONS', undefined, { Origin: 'http://evil.test', 'Access-Control-Request-Method': 'POST' });
    expect([refused.status, xmlElement(refused.body, 'Code')]).toEqual([403, 'AccessForbidden']);
  });

  it('lets the site read the answer to its POST (ETag, Location exposed), success or refusal; another origin gets no CORS headers', async () => {
    const form = presign();
    const answer = await postForm(url(), [...fields(form.entries), file(PNG)], { Origin: SITE });
    expect(answer.status).toBe(201);
    expect(answer.headers['access-control-allow-origin']).toBe(SITE);
    expect(answer.headers['access-control-expose-headers']).toMatch(/ETag.*Location/);
    const refused = await postForm(url(), [...fields(presign().entries), field('acl', 'x'), file(PNG)], { Origin: SITE });
    expect([refused.status, refused.headers['access-control-allow-origin']]).toEqual([403, SITE]);
    const other = await postForm(url(), [...fields(presign().entries), file(PNG)], { Origin: 'http://evil.test' });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('lets the site read the answer of each method its preflight allows, proxied to s3rver too ("Your files": GetObjectTagging, DeleteObject)', async () => {
    const key = 'uploads/cors/photo.png';
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: PNG, ContentType: 'image/png' }));
    const signed = (method: 'GET' | 'DELETE', query: Record<string, string>) =>
      presignUrl({
        endpoint: objectEndpoint(url()),
        key,
        credentials: { ...credentials, sessionToken: undefined },
        region: REGION,
        now: new Date(),
        expiresSeconds: 300,
        method,
        query,
        headers: {},
      });
    for (const [method, query, status] of [
      ['GET', { tagging: '' }, 200],
      ['DELETE', { 'x-id': 'DeleteObject' }, 204],
    ] as const) {
      const preflight = await send(signed(method, query), 'OPTIONS', undefined, { Origin: SITE, 'Access-Control-Request-Method': method });
      expect([preflight.status, preflight.headers['access-control-allow-origin']]).toEqual([200, SITE]);
      const answer = await send(signed(method, query), method, undefined, { Origin: SITE });
      expect([method, answer.status, answer.headers['access-control-allow-origin']]).toEqual([method, status, SITE]);
    }
  });
});

describe('every other S3 call passes through to s3rver', () => {
  it('PutObject (SSE kept), HeadObject, GetObject, ListObjectsV2, DeleteObject', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'direct/a.txt',
        Body: Buffer.from('direct'),
        ContentType: 'text/plain',
        ServerSideEncryption: 'AES256',
        Metadata: { note: 'n' },
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'direct/a.txt' }));
    expect([head.ContentType, head.ServerSideEncryption, head.Metadata]).toEqual(['text/plain', 'AES256', { note: 'n' }]);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'direct/' }));
    expect(listed.Contents?.map((object) => object.Key)).toEqual(['direct/a.txt']);
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'direct/a.txt' }));
    expect(await stored('direct/a.txt')).toBe(false);
  });

  it('answers only the local keys: another key id is refused, reads included (request-signature.integration.test.ts has the rest)', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'anyone/a.txt', Body: Buffer.from('x'), ContentType: 'text/plain' }));
    const stranger = pathStyleClient(stack.guard.url, REGION, {
      accessKeyId: 'SOMEONEELSE000000000',
      secretAccessKey: 'not-a-key-s3rver-knows',
    });
    try {
      await expect(stranger.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'anyone/a.txt' }))).rejects.toMatchObject({
        name: 'InvalidAccessKeyId',
        $metadata: { httpStatusCode: 403 },
      });
    } finally {
      stranger.destroy();
    }
  });

  it('checks a form POST whatever the query string: an unsigned form to ?anything stores nothing', async () => {
    const key = 'uploads/victim/2026/11/29/1/planted.png';
    const forged = [field('key', key), field('Content-Type', 'image/png'), field('x-amz-meta-userid', 'victim'), file(PNG)];
    const answer = await postForm(`${url()}?anything`, forged);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(await stored(key)).toBe(false);

    const { key: signedKey, entries } = presign();
    const retyped = entries.map(([name, value]): Field => [name, name === 'Content-Type' ? 'text/html' : value]);
    expect((await postForm(`${url()}?a`, [...fields(retyped), file(PNG, 'x.html', 'text/html')])).status).toBe(403);
    expect(await stored(signedKey)).toBe(false);
  });

  it('refuses an unsigned write (s3rver would take it; S3 would not)', async () => {
    const answer = await send(`${url()}/anonymous/a.txt`, 'PUT', Buffer.from('x'), { 'Content-Type': 'text/plain' });
    expect(answer.status).toBe(403);
    expect(await stored('anonymous/a.txt')).toBe(false);
    const deleted = await send(`${url()}/anonymous/a.txt`, 'DELETE', undefined);
    expect(deleted.status).toBe(403);
  });

  it('refuses an encoded slash that would climb out of the store', async () => {
    for (const path of ['..%2F..%2Fescaped.txt', '..%5C..%5Cescaped.txt', 'a%2F..%2F..%2F..%2Fescaped.txt']) {
      const answer = await send(`${url()}/${path}`, 'GET', undefined);
      expect(answer.status).toBe(400);
    }
    expect(readdirSync(home).filter((name) => name.startsWith('escaped'))).toEqual([]);
  });

  it('refuses paths with dot segments instead of passing them to a file-backed store', async () => {
    const answer = await send(`${stack.guard.url}/${BUCKET}/a/%2e%2e/%2e%2e/escape`, 'PUT', Buffer.from('x'));
    expect([answer.status, xmlElement(answer.body, 'Code')]).toEqual([400, 'InvalidArgument']);
  });

  it('s3rver restarted on the same directory still has the objects', async () => {
    const { key, entries } = presign();
    expect((await postForm(url(), [...fields(entries), file(PNG)])).status).toBe(201);
    await stack.restart();
    expect(await stored(key)).toBe(true);
  });
});

describe('a 50 MiB upload through a guard process of its own', () => {
  it("is stored, and the process's peak resident memory stays flat (logged)", async () => {
    const child = await startGuardProcess({ buckets: [{ name: BUCKET }], region: REGION, allowedOrigins: [SITE], credentials });
    const childS3 = pathStyleClient(child.guardUrl, REGION, credentials);
    try {
      const upload = async (size: number) => {
        const key = `big/${size}.pdf`;
        const signed = signPolicy({
          conditions: [{ bucket: BUCKET }, { key }, { 'Content-Type': 'application/pdf' }, ['content-length-range', size, size]],
          credentials,
          region: REGION,
        });
        const answer = await postForm(`${child.guardUrl}/${BUCKET}`, [
          field('key', key),
          field('Content-Type', 'application/pdf'),
          ...fields(signed),
          file({ size }, 'big.pdf', 'application/pdf'),
        ]);
        expect(answer.status).toBe(204);
        const head = await childS3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
        expect(head.ContentLength).toBe(size);
      };
      await upload(MiB); // warm up: modules, buffers, first connections
      const before = child.memory();
      await upload(50 * MiB);
      const after50 = child.memory();
      await upload(100 * MiB);
      const after100 = child.memory();
      if (before === undefined || after50 === undefined || after100 === undefined) {
        console.warn('no /proc here: peak RSS not measured');
        return;
      }
      const growth50 = after50.peakRss - before.peakRss;
      const growth100 = after100.peakRss - after50.peakRss;
      console.log(
        `guard process (pid ${child.pid}, s3rver in it too): peak RSS ${mib(before.peakRss)} MiB after warm-up, ` +
          `${mib(after50.peakRss)} MiB after 50 MiB (+${mib(growth50)}), ${mib(after100.peakRss)} MiB after a further 100 MiB (+${mib(growth100)})`,
      );
      // Loose on purpose. Holding the file would cost at least its size; a
      // streaming guard pays a fixed amount once (stream buffers, the GC's
      // young generation) and nothing more for a file twice as large.
      expect(growth50).toBeLessThan(50 * MiB);
      expect(growth100).toBeLessThan(16 * MiB);
    } finally {
      childS3.destroy();
      await child.stop();
    }
  });
});

const mib = (bytes: number) => (bytes / MiB).toFixed(1);

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
