/**
 * The local POST-policy guard (in front of s3rver) held against a real S3
 * implementation, Ceph radosgw: the same policy cases are sent to both, and
 * each must end the same way — accepted and stored, or refused with nothing
 * stored — with the same status code.
 *
 * Where radosgw departs from what the AWS documentation says S3 does, the
 * guard follows the documentation: the case states the documented outcome
 * (which the guard must give) and, separately, what radosgw does instead, so
 * the difference is pinned down rather than hidden. Those cases are listed in
 * RADOSGW_DIFFERENCES below and in infra/local/post-policy-guard/README.md.
 *
 * Both sides are started and stopped by this suite by PID: the guard as a
 * process of its own, radosgw with the project's scripts/ceph-s3 (PID files).
 */
import { CreateBucketCommand, HeadObjectCommand, PutBucketCorsCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { createPresignedPost } from '../../../edge-functions/core/presigned-post';
import { startGuardProcess, type GuardProcess } from '../../support/post-policy-guard-process';
import {
  field,
  fields,
  file,
  postForm,
  send,
  signPolicy,
  xmlElement,
  type Field,
  type HttpAnswer,
  type Part,
} from '../../support/post-forms';
import { radosgwAvailable, startRadosgw, type Radosgw } from '../../support/radosgw';

const BUCKET = 'edge-upload-post-conformance';
const REGION = 'us-east-1';
const SITE = 'http://127.0.0.1:3000';
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(60, 7)]);
const USER = 'sub-0b9a6f2c';

interface Target {
  readonly name: 'guard' | 'radosgw';
  readonly endpoint: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly kmsKeyId: string;
  readonly s3: S3Client;
}

type Request =
  | { readonly parts: readonly Part[]; readonly headers?: Record<string, string> }
  | { readonly raw: { readonly method: string; readonly headers: Record<string, string>; readonly body?: Buffer } };

interface Outcome {
  readonly status: number;
  /** Keys that must exist afterwards (accepted) — or none of `checkKeys` may (refused). */
  readonly stored: boolean;
}

interface Case {
  readonly name: string;
  readonly request: (target: Target, key: string) => Request;
  /** What S3 does, per the AWS documentation: the guard must do exactly this. */
  readonly expected: Outcome & { readonly code?: string };
  /** Only where radosgw does something else: what it does, and why that is not S3. */
  readonly radosgw?: Outcome & { readonly difference: string };
  /** Where the object would land, when not at `key`. */
  readonly storedAt?: (key: string) => string;
  /** Keys that must not exist after a refusal, besides the case's own. */
  readonly alsoAbsent?: (key: string) => string[];
  readonly check?: (target: Target, key: string, answer: HttpAnswer) => Promise<void>;
}

/** The form the edge hands out (docs/http-api.md), signed by the edge's own signer. */
function edgeForm(target: Target, key: string, options: { now?: Date; ttlSeconds?: number; secret?: string; size?: number } = {}): Field[] {
  const post = createPresignedPost({
    bucket: BUCKET,
    region: REGION,
    key,
    fields: {
      'Content-Type': 'image/png',
      'x-amz-meta-userid': USER,
      success_action_status: '201',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': target.kmsKeyId,
    },
    contentLength: [options.size ?? PNG.length, options.size ?? PNG.length],
    credentials: {
      accessKeyId: target.credentials.accessKeyId,
      secretAccessKey: options.secret ?? target.credentials.secretAccessKey,
      sessionToken: undefined,
    },
    now: options.now ?? new Date(),
    ttlSeconds: options.ttlSeconds ?? 300,
  });
  return Object.entries(post.fields);
}

/** A hand-written policy, for the condition types the edge does not use. */
function policyForm(
  target: Target,
  conditions: unknown[],
  options: { region?: string; fieldPrefix?: string; policyFieldName?: string } = {},
): Field[] {
  return signPolicy({ conditions, credentials: target.credentials, region: options.region ?? REGION, ...options });
}

const replace = (entries: Field[], name: string, value: string): Field[] => entries.map(([n, v]): Field => [n, n === name ? value : v]);
const without = (entries: Field[], name: string): Field[] => entries.filter(([n]) => n !== name);
/** The signed policy with its content-length-range widened after signing. */
const widenSizeRange = (entries: Field[]): Field[] =>
  entries.map(
    ([n, v]): Field => [
      n,
      n === 'Policy'
        ? Buffer.from(Buffer.from(v, 'base64').toString().replace(`,${PNG.length},${PNG.length}]`, ',1,99999999]')).toString('base64')
        : v,
    ],
  );
const form = (...parts: Part[][]): Request => ({ parts: parts.flat() });
const png = (filename = 'holiday.png') => [file(PNG, filename)];

const CASES: Case[] = [
  {
    name: 'valid form from the edge: 201, stored with type, owner and SSE-KMS',
    request: (t, key) => form(fields(edgeForm(t, key)), png()),
    expected: { status: 201, stored: true },
    check: async (t, key, answer) => {
      expect(xmlElement(answer.body, 'Key')).toBe(key);
      expect(xmlElement(answer.body, 'Bucket')).toBe(BUCKET);
      const head = await t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      expect([head.ContentType, head.ContentLength, head.Metadata]).toEqual(['image/png', PNG.length, { userid: USER }]);
      expect([head.ServerSideEncryption, head.SSEKMSKeyId]).toEqual(['aws:kms', t.kmsKeyId]);
    },
  },
  {
    name: 'file larger than content-length-range',
    request: (t, key) => form(fields(edgeForm(t, key)), [file(Buffer.concat([PNG, Buffer.alloc(1)]))]),
    expected: { status: 400, stored: false, code: 'EntityTooLarge' },
  },
  {
    name: 'file smaller than content-length-range',
    request: (t, key) => form(fields(edgeForm(t, key)), [file(PNG.subarray(1))]),
    expected: { status: 400, stored: false, code: 'EntityTooSmall' },
  },
  {
    name: 'another Content-Type than signed',
    request: (t, key) => form(fields(replace(edgeForm(t, key), 'Content-Type', 'text/html')), png()),
    expected: { status: 403, stored: false },
  },
  {
    name: 'another key than signed',
    request: (t, key) => form(fields(replace(edgeForm(t, key), 'key', `${key}.html`)), png()),
    expected: { status: 403, stored: false },
    alsoAbsent: (key) => [`${key}.html`],
  },
  {
    name: 'key outside the starts-with prefix',
    request: (t, key) =>
      form([field('key', `${key}-outside`)], fields(policyForm(t, [{ bucket: BUCKET }, ['starts-with', '$key', `${key}/`]])), png()),
    expected: { status: 403, stored: false },
    alsoAbsent: (key) => [`${key}-outside`],
  },
  {
    name: 'key inside the starts-with prefix',
    request: (t, key) =>
      form([field('key', key)], fields(policyForm(t, [{ bucket: BUCKET }, ['starts-with', '$key', key.slice(0, -3)]])), png()),
    expected: { status: 204, stored: true },
  },
  {
    name: 'starts-with with an empty prefix allows any key and any x-amz-meta-tag',
    request: (t, key) =>
      form(
        [field('key', key), field('x-amz-meta-tag', 'anything')],
        fields(policyForm(t, [{ bucket: BUCKET }, ['starts-with', '$key', ''], ['starts-with', '$x-amz-meta-tag', '']])),
        png(),
      ),
    expected: { status: 204, stored: true },
  },
  {
    name: '["eq", "$Content-Type", ...] met',
    request: (t, key) =>
      form(
        [field('key', key), field('Content-Type', 'image/png')],
        fields(policyForm(t, [{ bucket: BUCKET }, ['eq', '$key', key], ['eq', '$Content-Type', 'image/png']])),
        png(),
      ),
    expected: { status: 204, stored: true },
  },
  {
    name: '["eq", "$Content-Type", ...] not met',
    request: (t, key) =>
      form(
        [field('key', key), field('Content-Type', 'image/gif')],
        fields(policyForm(t, [{ bucket: BUCKET }, ['eq', '$key', key], ['eq', '$Content-Type', 'image/png']])),
        png(),
      ),
    expected: { status: 403, stored: false },
  },
  {
    // S3 answers SignatureDoesNotMatch, radosgw AccessDenied: same status, and the code is not compared.
    name: 'policy changed after signing',
    request: (t, key) => form(fields(widenSizeRange(edgeForm(t, key))), [file(Buffer.concat([PNG, PNG]))]),
    expected: { status: 403, stored: false },
  },
  {
    name: 'signed with another secret',
    request: (t, key) => form(fields(edgeForm(t, key, { secret: `not-${t.credentials.secretAccessKey}` })), png()),
    expected: { status: 403, stored: false },
  },
  {
    name: 'expired policy',
    request: (t, key) => form(fields(edgeForm(t, key, { now: new Date(Date.now() - 600_000), ttlSeconds: 60 })), png()),
    expected: { status: 403, stored: false },
  },
  {
    name: 'x-amz-meta-userid left out',
    request: (t, key) => form(fields(without(edgeForm(t, key), 'x-amz-meta-userid')), png()),
    expected: { status: 403, stored: false },
  },
  {
    name: 'x-amz-meta-userid changed',
    request: (t, key) => form(fields(replace(edgeForm(t, key), 'x-amz-meta-userid', 'someone-else')), png()),
    expected: { status: 403, stored: false },
  },
  {
    name: 'an extra field the policy does not name',
    request: (t, key) => form(fields(edgeForm(t, key)), [field('x-amz-meta-extra', 'yes')], png()),
    expected: { status: 403, stored: false },
  },
  {
    name: 'an extra acl field',
    request: (t, key) => form(fields(edgeForm(t, key)), [field('acl', 'public-read')], png()),
    expected: { status: 403, stored: false },
  },
  {
    name: 'an x-ignore- field is not checked',
    request: (t, key) => form(fields(edgeForm(t, key)), [field('x-ignore-tracking', 'campaign-7')], png()),
    expected: { status: 201, stored: true },
  },
  {
    name: 'the file field first (no key before it)',
    request: (t, key) => form(png(), fields(edgeForm(t, key))),
    expected: { status: 400, stored: false },
  },
  {
    name: 'fields after the file are ignored',
    request: (t, key) => form(fields(edgeForm(t, key)), png(), [field('x-amz-meta-late', 'ignored'), field('acl', 'public-read')]),
    expected: { status: 201, stored: true },
    check: async (t, key) =>
      expect((await t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).Metadata).toEqual({ userid: USER }),
  },
  {
    name: 'no key field at all',
    request: (t) => form(fields(policyForm(t, [{ bucket: BUCKET }, ['starts-with', '$key', '']])), png()),
    expected: { status: 400, stored: false },
  },
  {
    name: 'no success_action_status: 204',
    request: (t, key) => form([field('key', key)], fields(policyForm(t, [{ bucket: BUCKET }, { key }])), png()),
    expected: { status: 204, stored: true },
  },
  {
    name: 'success_action_status 200',
    request: (t, key) =>
      form(
        [field('key', key), field('success_action_status', '200')],
        fields(policyForm(t, [{ bucket: BUCKET }, { key }, { success_action_status: '200' }])),
        png(),
      ),
    expected: { status: 200, stored: true },
  },
  {
    name: 'success_action_status 204 asked for',
    request: (t, key) =>
      form(
        [field('key', key), field('success_action_status', '204')],
        fields(policyForm(t, [{ bucket: BUCKET }, { key }, { success_action_status: '204' }])),
        png(),
      ),
    expected: { status: 204, stored: true },
  },
  {
    name: 'success_action_redirect: 303 with bucket, key and etag',
    request: (t, key) =>
      form(
        [field('key', key), field('success_action_redirect', 'http://127.0.0.1:3000/done')],
        fields(policyForm(t, [{ bucket: BUCKET }, { key }, { success_action_redirect: 'http://127.0.0.1:3000/done' }])),
        png(),
      ),
    expected: { status: 303, stored: true },
    check: async (_t, key, answer) => {
      const location = String(answer.headers.location);
      expect(location.startsWith('http://127.0.0.1:3000/done?')).toBe(true);
      expect(location).toContain(`key=${encodeURIComponent(key)}`);
    },
  },
  {
    name: 'policy for another bucket',
    request: (t, key) => form([field('key', key)], fields(policyForm(t, [{ bucket: 'another-bucket' }, { key }])), png()),
    expected: { status: 403, stored: false },
  },
  {
    name: 'field names in other cases (form and policy)',
    request: (t, key) =>
      form(
        [field('KEY', key), field('content-type', 'image/png')],
        fields(
          policyForm(t, [{ Bucket: BUCKET }, ['EQ', '$Key', key], { 'Content-Type': 'image/png' }], {
            fieldPrefix: 'x-amz-',
            policyFieldName: 'policy',
          }),
        ),
        png(),
      ),
    expected: { status: 204, stored: true },
    check: async (t, key) => expect((await t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).ContentType).toBe('image/png'),
  },
  {
    name: 'the SSE field left out',
    request: (t, key) => form(fields(without(edgeForm(t, key), 'x-amz-server-side-encryption')), png()),
    expected: { status: 403, stored: false },
  },
  {
    name: 'an SSE method S3 does not have',
    request: (t, key) =>
      form(
        [field('key', key), field('x-amz-server-side-encryption', 'rot13')],
        fields(policyForm(t, [{ bucket: BUCKET }, { key }, { 'x-amz-server-side-encryption': 'rot13' }])),
        png(),
      ),
    expected: { status: 400, stored: false, code: 'InvalidArgument' },
  },
  {
    name: '${filename} in the key',
    request: (t, key) =>
      form(
        [field('key', `${key}/\${filename}`)],
        fields(policyForm(t, [{ bucket: BUCKET }, ['starts-with', '$key', `${key}/`]])),
        png('photo.png'),
      ),
    expected: { status: 204, stored: true },
    storedAt: (key) => `${key}/photo.png`,
  },
  {
    name: 'CORS preflight for POST from the site',
    request: () => ({ raw: { method: 'OPTIONS', headers: { Origin: SITE, 'Access-Control-Request-Method': 'POST' } } }),
    expected: { status: 200, stored: false },
    check: async (_t, _key, answer) => expect(answer.headers['access-control-allow-origin']).toBe(SITE),
  },
  {
    name: 'CORS preflight for POST from another origin',
    request: () => ({ raw: { method: 'OPTIONS', headers: { Origin: 'http://evil.test', 'Access-Control-Request-Method': 'POST' } } }),
    expected: { status: 403, stored: false },
  },

  // ---- where radosgw is not S3: the guard follows the AWS documentation ----
  {
    name: 'credential scoped to another region',
    request: (t, key) => form([field('key', key)], fields(policyForm(t, [{ bucket: BUCKET }, { key }], { region: 'eu-west-1' })), png()),
    expected: { status: 400, stored: false, code: 'AuthorizationQueryParametersError' },
    radosgw: {
      status: 204,
      stored: true,
      difference:
        'radosgw ignores the region of X-Amz-Credential; S3 refuses a credential scoped to another region (AuthorizationQueryParametersError).',
    },
  },
  {
    name: 'no file part',
    request: (t, key) => form([field('key', key)], fields(policyForm(t, [{ bucket: BUCKET }, { key }, ['content-length-range', 0, 100]]))),
    expected: { status: 400, stored: false, code: 'IncorrectNumberOfFilesInPostRequest' },
    radosgw: {
      status: 204,
      stored: true,
      difference:
        'radosgw stores an object (of the bytes that close the form) when there is no file part; S3 requires exactly one file (IncorrectNumberOfFilesInPostRequest).',
    },
  },
  {
    name: 'an x-amz-meta-* field name in upper case',
    request: (t, key) =>
      form(
        [field('key', key), field('X-AMZ-META-USERID', USER)],
        fields(policyForm(t, [{ bucket: BUCKET }, { key }, { 'x-amz-meta-userid': USER }])),
        png(),
      ),
    expected: { status: 204, stored: true },
    check: async (t, key) =>
      expect((await t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).Metadata).toEqual({ userid: USER }),
    radosgw: {
      status: 204,
      stored: true,
      difference:
        'radosgw accepts the field (its policy check is case-insensitive) but stores the object without that metadata; S3 field names are case-insensitive and metadata names are stored lower-case.',
    },
  },
  {
    name: 'a body that is not multipart/form-data',
    request: () => ({
      raw: { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: Buffer.from('key=a&file=b') },
    }),
    expected: { status: 412, stored: false, code: 'PreconditionFailed' },
    radosgw: {
      status: 400,
      stored: false,
      difference:
        'radosgw answers 400 InvalidArgument; S3 answers 412 PreconditionFailed ("Bucket POST must be of the enclosure-type multipart/form-data").',
    },
  },
  {
    name: '${filename} from a file name with a Windows path',
    request: (t, key) =>
      form(
        [field('key', `${key}/\${filename}`)],
        fields(policyForm(t, [{ bucket: BUCKET }, ['starts-with', '$key', `${key}/`]])),
        png('C:\\Users\\eric\\photo.png'),
      ),
    expected: { status: 204, stored: true },
    storedAt: (key) => `${key}/photo.png`,
    radosgw: {
      status: 204,
      stored: false,
      difference: 'radosgw puts the whole path into the key; AWS uses only the text after the last slash or backslash.',
    },
  },
  {
    name: 'fields before the file over 20 KB',
    request: (t, key) =>
      form(
        [field('key', key), field('x-amz-meta-big', 'b'.repeat(21 * 1024))],
        fields(policyForm(t, [{ bucket: BUCKET }, { key }, ['starts-with', '$x-amz-meta-big', '']])),
        png(),
      ),
    expected: { status: 400, stored: false, code: 'MaxPostPreDataLengthExceededError' },
    radosgw: {
      status: 204,
      stored: false,
      difference:
        'radosgw answers 204 for fields over 20 KB but stores nothing; S3 refuses them (MaxPostPreDataLengthExceededError, "cannot exceed 20 KB").',
    },
  },
  {
    name: 'a key longer than 1024 bytes',
    request: (t, key) =>
      form(
        [field('key', `${key}/${'k'.repeat(1100)}`)],
        fields(policyForm(t, [{ bucket: BUCKET }, ['starts-with', '$key', `${key}/`]])),
        png(),
      ),
    expected: { status: 400, stored: false, code: 'KeyTooLongError' },
    storedAt: (key) => `${key}/${'k'.repeat(1100)}`,
    radosgw: {
      status: 204,
      stored: false,
      difference: 'radosgw answers 204 for a key over 1024 bytes but stores nothing; S3 refuses it (KeyTooLongError).',
    },
  },
  {
    name: 'policy without a bucket condition',
    request: (t, key) => form([field('key', key)], fields(policyForm(t, [{ key }])), png()),
    expected: { status: 204, stored: true },
    radosgw: {
      status: 403,
      stored: false,
      difference:
        'radosgw requires a bucket condition ("Policy missing condition: bucket"); in S3 only fields the form sends must be named, and this form sends no bucket field.',
    },
  },
];

const RADOSGW_DIFFERENCES = CASES.flatMap((c) => (c.radosgw === undefined ? [] : [`${c.name}: ${c.radosgw.difference}`]));

let guardProcess: GuardProcess | undefined;
let rgw: Radosgw | undefined;
const targets: Target[] = [];
const results: { name: string; guard?: number; radosgw?: number; difference?: string }[] = [];

function s3Client(endpoint: string, credentials: Target['credentials']): S3Client {
  return new S3Client({
    region: REGION,
    endpoint,
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

beforeAll(async () => {
  const kmsKeyIdWithoutRadosgw = 'edge-upload-test-key';
  if (await radosgwAvailable()) {
    rgw = await startRadosgw();
    const s3 = s3Client(rgw.endpoint, rgw);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: BUCKET,
        CORSConfiguration: {
          CORSRules: [
            {
              AllowedOrigins: [SITE],
              AllowedMethods: ['POST'],
              AllowedHeaders: ['*'],
              ExposeHeaders: ['ETag', 'Location'],
              MaxAgeSeconds: 3000,
            },
          ],
        },
      }),
    );
    targets.push({
      name: 'radosgw',
      endpoint: rgw.endpoint,
      credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
      kmsKeyId: rgw.kmsKeyId,
      s3,
    });
  } else if (process.env.CI === 'true') {
    throw new Error('radosgw is not installed; .ci/run installs it with apt-get');
  }
  const credentials = { accessKeyId: 'AKIDLOCALGUARDCONF01', secretAccessKey: randomBytes(30).toString('base64url') };
  guardProcess = await startGuardProcess({ buckets: [{ name: BUCKET }], region: REGION, allowedOrigins: [SITE], credentials });
  targets.unshift({
    name: 'guard',
    endpoint: guardProcess.guardUrl,
    credentials,
    kmsKeyId: rgw?.kmsKeyId ?? kmsKeyIdWithoutRadosgw,
    s3: s3Client(guardProcess.guardUrl, credentials),
  });
});

afterAll(async () => {
  for (const target of targets) target.s3.destroy();
  await guardProcess?.stop();
  await rgw?.stop();
  if (results.length > 0) {
    const rows = results.map(
      (r) => `| ${r.name} | ${r.guard ?? '-'} | ${r.radosgw ?? '-'} |${r.difference === undefined ? '' : ' difference'}`,
    );
    console.log(
      [
        '| case | guard | radosgw |',
        '|---|---|---|',
        ...rows,
        '',
        'radosgw differences (the guard follows the AWS documentation):',
        ...RADOSGW_DIFFERENCES.map((d) => `- ${d}`),
      ].join('\n'),
    );
  }
});

async function exists(target: Target, key: string): Promise<boolean> {
  try {
    await target.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    return true;
  } catch {
    return false;
  }
}

async function perform(target: Target, request: Request): Promise<HttpAnswer> {
  const url = `${target.endpoint}/${BUCKET}`;
  if ('raw' in request) return send(url, request.raw.method, request.raw.body, request.raw.headers);
  return postForm(url, request.parts, request.headers);
}

describe('the POST-policy guard answers like S3 (held against Ceph radosgw)', () => {
  it('has at least 22 policy cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(22);
  });

  CASES.forEach((testCase, index) => {
    it(`${index + 1}. ${testCase.name}`, async () => {
      const key = `conformance/${index + 1}/holiday.png`;
      const row: (typeof results)[number] = {
        name: testCase.name,
        ...(testCase.radosgw === undefined ? {} : { difference: testCase.radosgw.difference }),
      };
      results.push(row);
      for (const target of targets) {
        const answer = await perform(target, testCase.request(target, key));
        row[target.name] = answer.status;
        const expected = target.name === 'radosgw' && testCase.radosgw !== undefined ? testCase.radosgw : testCase.expected;
        const context = `${target.name}: ${answer.status} ${answer.body.slice(0, 300)}`;
        expect({ status: answer.status, context }).toEqual({ status: expected.status, context });
        if (target.name === 'guard' && testCase.expected.code !== undefined)
          expect(xmlElement(answer.body, 'Code')).toBe(testCase.expected.code);
        if (answer.status >= 400 && target.name === 'guard')
          expect(answer.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>/);

        const storedKey = testCase.storedAt?.(key) ?? key;
        expect({ target: target.name, stored: await exists(target, storedKey) }).toEqual({ target: target.name, stored: expected.stored });
        if (!expected.stored) {
          for (const other of [key, ...(testCase.alsoAbsent?.(key) ?? [])])
            expect({ target: target.name, other, stored: await exists(target, other) }).toEqual({
              target: target.name,
              other,
              stored: false,
            });
        }
        if (testCase.check !== undefined && (target.name === 'guard' || testCase.radosgw === undefined))
          await testCase.check(target, storedKey, answer);
      }
    });
  });
});
