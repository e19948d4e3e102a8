/**
 * The edge signer against the reference (BENCHMARKS.md budgets): for the same inputs and
 * the same clock, our `createPresignedPost` and the one in
 * @aws-sdk/s3-presigned-post must produce byte-identical `fields` (same keys,
 * same order, same values) and the edge's `url` must be the SDK's `url` for
 * the equivalent client configuration.
 *
 * Two properties over random inputs: one drives the signer directly, one the
 * whole `presign()` pipeline (body parsing, validation, key naming, signing),
 * so what is compared is what the edge actually answers. A known-answer test
 * from the AWS documentation pins the SigV4 primitives independently of the SDK.
 *
 * The SDK reads the clock through Date.now(), which is pinned per run; its
 * client gets a request handler that refuses to send anything, and static
 * credentials and region so no provider chain runs: nothing touches the network.
 */
import { createPresignedPost as sdkCreatePresignedPost } from '@aws-sdk/s3-presigned-post';
import fc from 'fast-check';
import type { SigningCredentials } from '../../../edge-functions/core/edge-config';
import { sanitizeFileName } from '../../../edge-functions/core/file-name';
import { buildObjectKey } from '../../../edge-functions/core/object-key';
import { presign, type PresignedUpload } from '../../../edge-functions/core/presign-routes';
import { createPresignedPost } from '../../../edge-functions/core/presigned-post';
import { signHex, signingKey } from '../../../edge-functions/core/sigv4';
import { DEFAULT_UPLOAD_RULES, MiB } from '../../../edge-functions/core/upload-rules';
import {
  accelerateUploadUrl,
  type Addressing,
  addressingFor,
  LOCAL_BUCKET,
  referenceClient,
  referenceEdgeConfig,
  referenceNetworkAttempts,
} from '../../support/sdk-reference';
import { bucketArb, clockArb, credentialsArb, fromAlphabet, md5Arb, uuidArb } from '../../support/signing-arbitraries';
import { newSigningKey } from '../../support/tokens';

const RUNS = 1000;
/** Hundreds of SDK clients per property; generous, but the runs are CPU-bound and local. */
const PROPERTY_TIMEOUT_MS = 120_000;

// ---------------------------------------------------------------------------
// The reference (test/support/sdk-reference.ts: the offline client, and the
// config.uploadUrl that matches each of its addressings)
// ---------------------------------------------------------------------------

interface ReferenceInput {
  readonly bucket: string;
  readonly region: string;
  readonly key: string;
  readonly contentType: string;
  readonly sub: string;
  readonly kmsKeyId: string;
  readonly size: number;
  readonly ttlSeconds: number;
  readonly credentials: SigningCredentials;
  readonly now: Date;
  readonly addressing: Addressing;
  /** The file's MD5 (docs/post-policy-and-keys.md "Integrity"): a field and an exact condition, as the edge binds it. */
  readonly md5?: string;
}

/** `createPresignedPost` from the SDK, called exactly as docs/http-api.md describes the policy, at `now`. */
async function referencePost(input: ReferenceInput): Promise<{ url: string; fields: Record<string, string> }> {
  const client = referenceClient(input.region, input.credentials, input.addressing);
  const clock = jest.spyOn(Date, 'now').mockReturnValue(input.now.getTime());
  try {
    return await sdkCreatePresignedPost(client, {
      Bucket: input.bucket,
      Key: input.key,
      Conditions: [['content-length-range', input.size, input.size]],
      Fields: {
        'Content-Type': input.contentType,
        'x-amz-meta-userid': input.sub,
        success_action_status: '201',
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': input.kmsKeyId,
        ...(input.md5 === undefined ? {} : { 'Content-MD5': input.md5 }),
      },
      Expires: input.ttlSeconds,
    });
  } finally {
    clock.mockRestore();
    client.destroy();
  }
}

function expectSameFields(ours: Record<string, string>, reference: Record<string, string>): void {
  expect(Object.keys(ours)).toEqual(Object.keys(reference));
  expect(JSON.stringify(ours)).toBe(JSON.stringify(reference));
}

function policyExpiration(fields: Record<string, string>): unknown {
  const policy: unknown = JSON.parse(Buffer.from(fields.Policy ?? '', 'base64').toString('utf8'));
  return typeof policy === 'object' && policy !== null && 'expiration' in policy ? policy.expiration : undefined;
}

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------

const REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'ca-west-1',
  'mx-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'af-south-1',
  'il-central-1',
  'me-south-1',
  'me-central-1',
  'ap-east-1',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'cn-north-1',
  'cn-northwest-1',
  'us-gov-west-1',
  'us-gov-east-1',
] as const;

const TYPES = Object.keys(DEFAULT_UPLOAD_RULES.types);
const MAX_POLICY_TTL_SECONDS = 7 * 24 * 3600;

const regionArb = fc.constantFrom(...REGIONS);
const accountArb = fromAlphabet('0123456789', 12, 12);
const aliasArb = fromAlphabet('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_-', 1, 40);

const kmsKeyIdArb = fc.oneof(
  uuidArb,
  fc.tuple(regionArb, accountArb, uuidArb).map(([region, account, id]) => `arn:aws:kms:${region}:${account}:key/${id}`),
  fc
    .tuple(regionArb, accountArb, uuidArb)
    .map(([region, account, id]) => `arn:aws:kms:${region}:${account}:key/mrk-${id.replace(/-/g, '')}`),
  aliasArb.map((alias) => `alias/${alias}`),
  fc.tuple(regionArb, accountArb, aliasArb).map(([region, account, alias]) => `arn:aws:kms:${region}:${account}:alias/${alias}`),
);

/** Letters and digits from several scripts (NFC and decomposed), marks, spaces and punctuation the sanitizer rewrites. */
const NAME_CHARS = [
  ...'abcxyzABCXYZ0189',
  'é',
  'e\u0301',
  'ü',
  'ß',
  'ø',
  'Ж',
  'я',
  'λ',
  'Ω',
  'ש',
  'ع',
  '٣',
  'अ',
  'ก',
  '日',
  '本',
  '語',
  '한',
  'グ',
  '😀',
  '👩‍💻',
  ' ',
  '-',
  '_',
  '.',
  '..',
  '(',
  ')',
  '[',
  '&',
  '%',
  '#',
  '+',
  ',',
  ';',
  "'",
  '"',
  '/',
  '\\',
  '\u202e',
  '\u200b',
  '\u0007',
];
const nameCharArb = fc.constantFrom(...NAME_CHARS);
/** A base name with at least one letter or digit, so the sanitizer keeps something. */
const baseNameArb = fc
  .tuple(
    fc.constantFrom('a', 'Z', '7', 'é', 'Ж', '日', 'ก'),
    fc.array(nameCharArb, { maxLength: 60 }),
    fc.array(nameCharArb, { maxLength: 20 }),
  )
  .map(([letter, before, after]) => before.join('') + letter + after.join(''));

/** An extension that belongs to the type, in any letter case (the sanitizer lower-cases it). */
function extensionArb(type: string): fc.Arbitrary<string> {
  const extensions = DEFAULT_UPLOAD_RULES.types[type]?.extensions ?? [];
  return fc.tuple(fc.constantFrom(...extensions), fc.boolean()).map(([extension, upper]) => (upper ? extension.toUpperCase() : extension));
}

/**
 * An object key built the way the edge builds it. Usually from a sanitized
 * name; sometimes from an arbitrary Unicode string (lone surrogates, controls,
 * U+2028 …), since to the signer the key is opaque and both sides must agree
 * on its JSON escaping too.
 */
const keyArb = fc
  .record({
    sub: uuidArb,
    id: uuidArb,
    type: fc.constantFrom(...TYPES),
    base: baseNameArb,
    // One key in five: a raw string instead of a sanitized name.
    raw: fc.oneof(
      { arbitrary: fc.constant(null), weight: 4 },
      { arbitrary: fc.string({ unit: fc.constantFrom('grapheme', 'binary'), minLength: 1, maxLength: 60 }), weight: 1 },
    ),
  })
  .chain((parts) => extensionArb(parts.type).map((extension) => ({ ...parts, extension })));

function keyFor(parts: { sub: string; id: string; base: string; extension: string; raw: string | null }, now: Date): string {
  const safeName = parts.raw ?? sanitizeFileName(`${parts.base}.${parts.extension}`, DEFAULT_UPLOAD_RULES.maxFileNameBytes).name;
  return buildObjectKey({ prefix: DEFAULT_UPLOAD_RULES.keyPrefix, sub: parts.sub, now, id: parts.id, safeName });
}

beforeAll(() => {
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
});

// ---------------------------------------------------------------------------
// The signer against the SDK
// ---------------------------------------------------------------------------

describe('createPresignedPost (edge) vs @aws-sdk/s3-presigned-post', () => {
  it(
    `produces byte-identical fields over ${RUNS} random inputs`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            bucket: bucketArb,
            region: regionArb,
            key: keyArb,
            size: fc.integer({ min: 1, max: 50 * MiB }),
            kmsKeyId: kmsKeyIdArb,
            credentials: credentialsArb,
            ttlSeconds: fc.integer({ min: 1, max: MAX_POLICY_TTL_SECONDS }),
            now: clockArb,
            preferFlag: fc.boolean(),
          }),
          async (input) => {
            const key = keyFor(input.key, input.now);
            const ours = createPresignedPost({
              bucket: input.bucket,
              region: input.region,
              key,
              fields: {
                'Content-Type': input.key.type,
                'x-amz-meta-userid': input.key.sub,
                success_action_status: '201',
                'x-amz-server-side-encryption': 'aws:kms',
                'x-amz-server-side-encryption-aws-kms-key-id': input.kmsKeyId,
              },
              contentLength: [input.size, input.size],
              credentials: input.credentials,
              now: input.now,
              ttlSeconds: input.ttlSeconds,
            });
            const reference = await referencePost({
              ...input,
              key,
              contentType: input.key.type,
              sub: input.key.sub,
              addressing: addressingFor(input.region, input.preferFlag, false),
            });

            expectSameFields(ours.fields, reference.fields);
            expect(ours.expiresAt).toBe(policyExpiration(reference.fields));
            // The URL the deploy writes into config.json for this bucket is the SDK's.
            expect(accelerateUploadUrl(input.bucket)).toBe(reference.url);
          },
        ),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

// ---------------------------------------------------------------------------
// The whole pipeline against the SDK
// ---------------------------------------------------------------------------

interface RequestedFile {
  readonly name: string;
  readonly size: number;
  readonly type: string;
  readonly id?: string;
  readonly md5?: string;
}

/** A valid file for the default rules: a name whose extension matches its type, a size within the type's limit and the POST limit. */
const requestedFileArb: fc.Arbitrary<RequestedFile> = fc.constantFrom(...TYPES).chain((type) =>
  fc.record(
    {
      name: fc.tuple(baseNameArb, extensionArb(type)).map(([base, extension]) => `${base}.${extension}`),
      size: fc.integer({ min: 1, max: Math.min(DEFAULT_UPLOAD_RULES.types[type]?.maxBytes ?? 1, DEFAULT_UPLOAD_RULES.postMaxBytes) }),
      type: fc.constant(type),
      md5: fc.option(md5Arb, { nil: undefined }),
    },
    { requiredKeys: ['name', 'size', 'type'] },
  ),
);

/** 1–3 files; some carry a client id (distinct, in any letter case), the rest get one from the edge. */
const filesArb: fc.Arbitrary<RequestedFile[]> = fc
  .uniqueArray(uuidArb, { minLength: 3, maxLength: 3 })
  .chain((ids) =>
    fc.array(
      fc.tuple(requestedFileArb, fc.constantFrom('none', 'lower', 'upper'), fc.nat(2)).map(([file, idCase, slot]) => {
        const id = ids[slot] ?? ids[0] ?? '';
        if (idCase === 'none') return file;
        return { ...file, id: idCase === 'upper' ? id.toUpperCase() : id };
      }),
      { minLength: 1, maxLength: 3 },
    ),
  )
  .filter((files) => {
    const ids = files.flatMap((file) => (file.id === undefined ? [] : [file.id.toLowerCase()]));
    return new Set(ids).size === ids.length;
  });

interface PipelineRun {
  readonly bucket: string;
  readonly region: string;
  readonly kmsKeyId: string;
  readonly ttlSeconds: number;
  readonly sub: string;
  readonly credentials: SigningCredentials;
  readonly now: Date;
  readonly files: RequestedFile[];
  readonly edgeIds: string[];
  readonly local: boolean;
}

async function runPipeline(run: PipelineRun, jwk: ReturnType<typeof newSigningKey>['jwk']): Promise<PresignedUpload[]> {
  const config = referenceEdgeConfig(jwk, run, { kmsKeyId: run.kmsKeyId, policyTtlSeconds: run.ttlSeconds });
  const edgeIds = [...run.edgeIds];
  const response = await presign(
    {
      method: 'POST',
      headers: { authorization: 'Bearer aaaa.bbbb.cccc', 'content-type': 'application/json' },
      body: JSON.stringify({ files: run.files }),
      bodyTruncated: false,
    },
    {
      config,
      rules: DEFAULT_UPLOAD_RULES,
      // The token path has its own tests; here only its outcome, the sub, matters.
      verifier: { verify: () => Promise.resolve({ sub: run.sub }) },
      credentials: () => run.credentials,
      now: () => new Date(run.now.getTime()),
      newId: () => edgeIds.shift() ?? 'edge-ran-out-of-ids',
    },
  );
  expect(response.status).toBe(200);
  const body: unknown = JSON.parse(response.body);
  if (typeof body !== 'object' || body === null || !('uploads' in body) || !Array.isArray(body.uploads)) {
    throw new Error(`unexpected presign body: ${response.body.slice(0, 200)}`);
  }
  return body.uploads as PresignedUpload[];
}

describe('presign() pipeline vs @aws-sdk/s3-presigned-post', () => {
  let jwk: ReturnType<typeof newSigningKey>['jwk'];
  beforeAll(() => {
    jwk = newSigningKey().jwk;
  });

  async function checkRun(run: PipelineRun, addressing: Addressing): Promise<void> {
    const uploads = await runPipeline(run, jwk);
    expect(uploads).toHaveLength(run.files.length);
    const edgeIds = [...run.edgeIds];
    for (const [index, file] of run.files.entries()) {
      const upload = uploads[index]!;
      const id = file.id?.toLowerCase() ?? edgeIds.shift();
      const safeName = sanitizeFileName(file.name, DEFAULT_UPLOAD_RULES.maxFileNameBytes).name;
      const key = buildObjectKey({ prefix: DEFAULT_UPLOAD_RULES.keyPrefix, sub: run.sub, now: run.now, id: id ?? '', safeName });
      expect(upload.id).toBe(id);
      expect(upload.key).toBe(key);

      const reference = await referencePost({
        bucket: run.bucket,
        region: run.region,
        key,
        contentType: file.type,
        sub: run.sub,
        kmsKeyId: run.kmsKeyId,
        size: file.size,
        ttlSeconds: run.ttlSeconds,
        credentials: run.credentials,
        now: run.now,
        addressing,
        ...(file.md5 === undefined ? {} : { md5: file.md5 }),
      });
      expectSameFields(upload.fields, reference.fields);
      expect(upload.url).toBe(reference.url);
      expect(upload.expiresAt).toBe(policyExpiration(reference.fields));
    }
  }

  const runArb = fc.record({
    bucket: bucketArb,
    region: regionArb,
    kmsKeyId: kmsKeyIdArb,
    ttlSeconds: fc.integer({ min: 1, max: MAX_POLICY_TTL_SECONDS }),
    sub: uuidArb,
    credentials: credentialsArb,
    now: clockArb,
    files: filesArb,
    edgeIds: fc.array(uuidArb, { minLength: 3, maxLength: 3 }),
  });

  it(
    `answers with the SDK's url and fields for the accelerate endpoint over ${RUNS} random requests`,
    async () => {
      await fc.assert(
        fc.asyncProperty(runArb, fc.boolean(), async (run, preferFlag) =>
          checkRun({ ...run, local: false }, addressingFor(run.region, preferFlag, false)),
        ),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "answers with the SDK's path-style url and fields for the local stack's S3",
    async () => {
      await fc.assert(
        fc.asyncProperty(runArb, async (run) => checkRun({ ...run, bucket: LOCAL_BUCKET, local: true }, 'local-path-style')),
        { numRuns: 100 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

// ---------------------------------------------------------------------------
// Known answer: AWS documentation, "Example: Browser-Based Upload using HTTP
// POST (Using AWS Signature Version 4)",
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-post-example.html
// ---------------------------------------------------------------------------

describe('SigV4 POST signature: the AWS documentation example', () => {
  // The example's policy, Base64-encoded as printed in the documentation (CRLF line ends).
  const DOC_POLICY_BASE64 =
    'eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9';
  const DOC_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const DOC_SIGNATURE = '8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e';

  it('the documented policy is the one the example describes', () => {
    const policy = Buffer.from(DOC_POLICY_BASE64, 'base64').toString('utf8');
    expect(policy).toContain('"x-amz-credential": "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"');
    expect(policy).toContain('"x-amz-date": "20151229T000000Z"');
    expect(policy).toContain('\r\n');
  });

  it('signingKey + signHex reproduce the documented signature', () => {
    expect(signHex(signingKey(DOC_SECRET, '20151229', 'us-east-1', 's3'), DOC_POLICY_BASE64)).toBe(DOC_SIGNATURE);
  });

  it('a wrong day, region or secret does not', () => {
    expect(signHex(signingKey(DOC_SECRET, '20151230', 'us-east-1', 's3'), DOC_POLICY_BASE64)).not.toBe(DOC_SIGNATURE);
    expect(signHex(signingKey(DOC_SECRET, '20151229', 'us-east-2', 's3'), DOC_POLICY_BASE64)).not.toBe(DOC_SIGNATURE);
    expect(signHex(signingKey(`${DOC_SECRET}x`, '20151229', 'us-east-1', 's3'), DOC_POLICY_BASE64)).not.toBe(DOC_SIGNATURE);
    // …and the cached key for the documented scope is still the right one afterwards.
    expect(signHex(signingKey(DOC_SECRET, '20151229', 'us-east-1', 's3'), DOC_POLICY_BASE64)).toBe(DOC_SIGNATURE);
  });
});

// Last in the file, so it runs after every SDK call above.
describe('isolation', () => {
  it('the reference never tried to reach the network', () => {
    expect(referenceNetworkAttempts()).toBe(0);
  });
});
