/**
 * What the built edge bundle signs, held against a real S3 implementation
 * (Ceph radosgw): the form is accepted as is and stored with the right key,
 * type, owner metadata and SSE-KMS; every tampering is refused with nothing
 * stored.
 */
import { CreateBucketCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { viewerRequest, withBody, withToken } from '../../support/lambda-edge-events';
import { pathStyleClient } from '../../support/local-s3';
import { type BundleHandler as Handler, bundleLoader, bundleSignsWith, localBundleConfig } from '../../support/presign-bundle';
import { itWithRadosgw, startRadosgwIfInstalled, type Radosgw } from '../../support/radosgw';
import { accessToken, newSigningKey, TEST_SUB } from '../../support/tokens';

const BUCKET = 'edge-upload-conformance';
const REGION = 'us-east-1';

interface Upload {
  key: string;
  url: string;
  fields: Record<string, string>;
}

let rgw: Radosgw;
let s3: S3Client;
const bundles = bundleLoader('presign');
const key = newSigningKey();

/** Loads a fresh copy of the built bundle beside its own config.json, as Lambda@Edge would. */
function loadBundle(overrides: Record<string, unknown> = {}): Handler {
  return bundles.load(localBundleConfig(key, rgw, BUCKET, REGION, overrides));
}

async function presignOne(handler: Handler, file = { name: 'holiday.png', size: 68, type: 'image/png' }): Promise<Upload> {
  const event = withBody(withToken(viewerRequest('presign-one-file'), accessToken(key)), { files: [file] });
  const response = await handler(event);
  expect(response.status).toBe('200');
  return (JSON.parse(response.body ?? '') as { uploads: Upload[] }).uploads[0]!;
}

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(60, 7)]);

async function post(upload: Upload, fields: [string, string][], file: Buffer = PNG, type = 'image/png') {
  const form = new FormData();
  for (const [name, value] of fields) form.append(name, value);
  form.append('file', new Blob([file], { type }), 'holiday.png');
  const response = await fetch(upload.url, { method: 'POST', body: form });
  return { status: response.status, body: await response.text() };
}

async function stored(objectKey: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: objectKey }));
    return true;
  } catch {
    return false;
  }
}

const entries = (upload: Upload) => Object.entries(upload.fields);

let available = false;
beforeAll(async () => {
  const started = await startRadosgwIfInstalled();
  if (started === undefined) return;
  rgw = started;
  available = true;
  bundleSignsWith(rgw);
  s3 = pathStyleClient(rgw.endpoint, REGION, rgw);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  s3?.destroy();
  bundles.cleanup();
  if (rgw !== undefined) await rgw.stop();
});

const maybe = itWithRadosgw(() => available);

describe('the built presign bundle against Ceph radosgw', () => {
  maybe('a signed form is accepted as is and stored with key, type, owner and SSE-KMS', async () => {
    const upload = await presignOne(loadBundle());
    const result = await post(upload, entries(upload));
    expect(result.status).toBe(201);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: upload.key }));
    expect(head.ContentType).toBe('image/png');
    expect(head.ContentLength).toBe(PNG.length);
    expect(head.Metadata).toEqual({ userid: TEST_SUB });
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect(head.SSEKMSKeyId).toBe(rgw.kmsKeyId);
  });

  const tamperings: [
    string,
    (fields: [string, string][], upload: Upload) => { fields: [string, string][]; file?: Buffer; type?: string },
  ][] = [
    ['another key', (f) => ({ fields: f.map(([n, v]) => [n, n === 'key' ? v.replace('holiday', 'other') : v]) })],
    ['another Content-Type', (f) => ({ fields: f.map(([n, v]) => [n, n === 'Content-Type' ? 'text/html' : v]), type: 'text/html' })],
    ['a larger file', (f) => ({ fields: f, file: Buffer.concat([PNG, Buffer.alloc(1)]) })],
    ['a smaller file', (f) => ({ fields: f, file: PNG.subarray(1) })],
    [
      'a tampered policy',
      (f) => ({
        fields: f.map(([n, v]) => [
          n,
          n === 'Policy'
            ? Buffer.from(
                Buffer.from(v, 'base64').toString().replace('"content-length-range",68,68', '"content-length-range",1,99999999'),
              ).toString('base64')
            : v,
        ]),
      }),
    ],
    [
      'a changed signature',
      (f) => ({ fields: f.map(([n, v]) => [n, n === 'X-Amz-Signature' ? v.replace(/^./, (c) => (c === '0' ? '1' : '0')) : v]) }),
    ],
    ['another owner in x-amz-meta-userid', (f) => ({ fields: f.map(([n, v]) => [n, n === 'x-amz-meta-userid' ? 'someone-else' : v]) })],
    ['x-amz-meta-userid left out', (f) => ({ fields: f.filter(([n]) => n !== 'x-amz-meta-userid') })],
    ['an extra field', (f) => ({ fields: [...f, ['x-amz-meta-extra', 'yes']] })],
    ['an extra ACL field', (f) => ({ fields: [...f, ['acl', 'public-read']] })],
    ['the encryption field left out', (f) => ({ fields: f.filter(([n]) => n !== 'x-amz-server-side-encryption') })],
  ];

  for (const [label, tamper] of tamperings) {
    maybe(`refuses ${label} and stores nothing`, async () => {
      const upload = await presignOne(loadBundle());
      const changed = tamper(entries(upload), upload);
      const result = await post(upload, changed.fields, changed.file, changed.type);
      expect(result.status).toBeGreaterThanOrEqual(400);
      expect(result.status).toBeLessThan(500);
      expect(await stored(upload.key)).toBe(false);
      expect(await stored(upload.key.replace('holiday', 'other'))).toBe(false);
    });
  }

  maybe('refuses an expired policy and stores nothing', async () => {
    const upload = await presignOne(loadBundle({ policyTtlSeconds: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const result = await post(upload, entries(upload));
    expect(result.status).toBe(403);
    expect(result.body).toMatch(/expired/i);
    expect(await stored(upload.key)).toBe(false);
  });

  maybe('refuses a form signed with another secret', async () => {
    const saved = process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_SECRET_ACCESS_KEY = 'not-the-secret-radosgw-knows-000000000000';
    try {
      const upload = await presignOne(loadBundle());
      expect((await post(upload, entries(upload))).status).toBe(403);
      expect(await stored(upload.key)).toBe(false);
    } finally {
      process.env.AWS_SECRET_ACCESS_KEY = saved;
    }
  });

  maybe('a PDF of the declared size is accepted', async () => {
    const pdf = Buffer.from('%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n', 'latin1');
    const upload = await presignOne(loadBundle(), { name: 'scan.pdf', size: pdf.length, type: 'application/pdf' });
    expect((await post(upload, entries(upload), pdf, 'application/pdf')).status).toBe(201);
    expect(await stored(upload.key)).toBe(true);
  });
});
