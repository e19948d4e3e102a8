/**
 * The multipart URLs against the reference (BENCHMARKS.md budgets): for the same command,
 * the same signed (and unhoisted) headers and the same clock, the edge's
 * create, part, complete, list and abort URLs are byte-identical to
 * `getSignedUrl` from @aws-sdk/s3-request-presigner with @aws-sdk/client-s3
 * commands, over many random inputs, for both addressings config.uploadUrl
 * can imply (accelerate, virtual-hosted; local, path-style).
 *
 * How the reference is called, and why:
 * - CreateMultipartUpload with `signableHeaders: {content-type}` (the
 *   presigner leaves Content-Type unsigned by default) and
 *   `unhoistableHeaders: {x-amz-meta-userid}` (it hoists x-amz-* headers into
 *   the query by default; the SSE headers it already keeps as headers).
 * - The client has `requestChecksumCalculation: 'WHEN_REQUIRED'`: with the
 *   default, the SDK puts the CRC32 of an empty body into a presigned
 *   UploadPart URL (`x-amz-checksum-crc32=AAAAAA==`), which no real part matches.
 * - `signingDate` pins the clock; a request handler that refuses to send
 *   anything and static credentials keep it offline.
 *
 * One property drives the signer directly, one the whole route pipeline.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import fc from 'fast-check';
import { parseEdgeConfig, type SigningCredentials } from '../../../edge-functions/core/edge-config';
import { sanitizeFileName } from '../../../edge-functions/core/file-name';
import { CREATE_URL_TTL_SECONDS } from '../../../edge-functions/core/multipart';
import { routePresignRequest } from '../../../edge-functions/core/presign-routes';
import { objectEndpoint, presignUrl } from '../../../edge-functions/core/presigned-url';
import { DEFAULT_UPLOAD_RULES, GiB } from '../../../edge-functions/core/upload-rules';
import { callPresignRoute } from '../../support/presign-harness';
import {
  accelerateUploadUrl,
  type Addressing,
  addressingFor,
  LOCAL_BUCKET,
  referenceClient,
  referenceEdgeConfig,
  referenceNetworkAttempts,
  uploadUrlFor,
} from '../../support/sdk-reference';
import { bucketArb, clockArb, credentialsArb, FILE_NAME_CHARS, fromAlphabet, md5Arb, uuidArb } from '../../support/signing-arbitraries';
import { newSigningKey, TEST_CLIENT_ID, TEST_ISSUER, TEST_TICKET_KEYS } from '../../support/tokens';

const RUNS = 300;
const PROPERTY_TIMEOUT_MS = 180_000;

interface Upload {
  readonly bucket: string;
  readonly region: string;
  readonly key: string;
  readonly type: string;
  readonly sub: string;
  readonly kmsKeyId: string;
  readonly uploadId: string;
  readonly credentials: SigningCredentials;
  readonly now: Date;
  readonly ttlSeconds: number;
  /** The create URL's own expiresIn, when the route gives it a shorter life than the others. */
  readonly createTtlSeconds?: number;
  readonly addressing: Addressing;
}

interface ReferenceUrls {
  readonly create: string;
  readonly part: (partNumber: number, length: number, md5: string | undefined) => Promise<string>;
  readonly complete: string;
  readonly list: string;
  readonly abort: string;
}

async function referenceUrls(upload: Upload): Promise<ReferenceUrls & { close: () => void }> {
  const client = referenceClient(upload.region, upload.credentials, upload.addressing, { requestChecksumCalculation: 'WHEN_REQUIRED' });
  const options = { expiresIn: upload.ttlSeconds, signingDate: upload.now };
  const { bucket: Bucket, key: Key, uploadId: UploadId } = upload;
  const create = await getSignedUrl(
    client,
    new CreateMultipartUploadCommand({
      Bucket,
      Key,
      ContentType: upload.type,
      Metadata: { userid: upload.sub },
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: upload.kmsKeyId,
    }),
    {
      ...options,
      expiresIn: upload.createTtlSeconds ?? upload.ttlSeconds,
      signableHeaders: new Set(['content-type']),
      unhoistableHeaders: new Set(['x-amz-meta-userid']),
    },
  );
  return {
    create,
    part: (PartNumber, ContentLength, ContentMD5) =>
      getSignedUrl(
        client,
        new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, ContentLength, ...(ContentMD5 === undefined ? {} : { ContentMD5 }) }),
        options,
      ),
    complete: await getSignedUrl(client, new CompleteMultipartUploadCommand({ Bucket, Key, UploadId }), options),
    list: await getSignedUrl(client, new ListPartsCommand({ Bucket, Key, UploadId }), options),
    abort: await getSignedUrl(client, new AbortMultipartUploadCommand({ Bucket, Key, UploadId }), options),
    close: () => client.destroy(),
  };
}

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------

const REGIONS = [
  'us-east-1',
  'us-west-2',
  'eu-west-1',
  'eu-central-2',
  'ap-southeast-4',
  'sa-east-1',
  'il-central-1',
  'cn-north-1',
  'us-gov-west-1',
] as const;
const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-';
const MULTIPART_TYPES = ['video/mp4', 'video/quicktime', 'application/zip', 'application/pdf', 'image/png'];

const regionArb = fc.constantFrom(...REGIONS);
const kmsKeyIdArb = fc.oneof(
  uuidArb,
  fc.tuple(regionArb, uuidArb).map(([region, id]) => `arn:aws:kms:${region}:111122223333:key/${id}`),
  fromAlphabet('abcdefghijklmnopqrstuvwxyz0123456789/_-', 1, 40).map((alias) => `alias/${alias}`),
);
const uploadIdArb = fromAlphabet(UNRESERVED, 1, 256);

const NAME_CHARS = [...FILE_NAME_CHARS, '/'];
const baseNameArb = fc
  .tuple(fc.constantFrom('a', 'Z', '7', 'é', 'Ж', '日'), fc.array(fc.constantFrom(...NAME_CHARS), { maxLength: 60 }))
  .map(([letter, rest]) => letter + rest.join(''));
/**
 * A key as the edge builds it (sanitized name) or, one time in four, raw
 * valid Unicode with the characters URL escaping cares about: the signer
 * treats the key as opaque and must escape it as the SDK does.
 */
const keyArb = fc.tuple(uuidArb, uuidArb, baseNameArb, fc.boolean(), fc.nat(3)).map(([sub, id, base, raw, pick]) => {
  const name = raw && pick === 0 ? base : sanitizeFileName(`${base}.mp4`, DEFAULT_UPLOAD_RULES.maxFileNameBytes).name;
  return `uploads/${sub}/2026/12/06/${id}/${name}`;
});

beforeAll(() => {
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
});

// ---------------------------------------------------------------------------
// The signer against the SDK
// ---------------------------------------------------------------------------

describe('presignUrl (edge) vs getSignedUrl (@aws-sdk/s3-request-presigner)', () => {
  it(
    `signs create, part, complete, list and abort byte-identically over ${RUNS} random inputs`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            bucket: bucketArb,
            region: regionArb,
            key: keyArb,
            type: fc.constantFrom(...MULTIPART_TYPES),
            sub: uuidArb,
            kmsKeyId: kmsKeyIdArb,
            uploadId: uploadIdArb,
            credentials: credentialsArb,
            now: clockArb,
            ttlSeconds: fc.integer({ min: 1, max: 7 * 24 * 3600 }),
            preferFlag: fc.boolean(),
            local: fc.boolean(),
            partNumber: fc.integer({ min: 1, max: 10_000 }),
            length: fc.integer({ min: 1, max: 5 * GiB }),
            md5: fc.option(md5Arb, { nil: undefined }),
          }),
          async (input) => {
            const addressing = addressingFor(input.region, input.preferFlag, input.local);
            const bucket = input.local ? LOCAL_BUCKET : input.bucket;
            const upload: Upload = { ...input, bucket, addressing };
            const reference = await referenceUrls(upload);
            try {
              const base = {
                endpoint: objectEndpoint(uploadUrlFor(addressing, bucket)),
                key: input.key,
                credentials: input.credentials,
                region: input.region,
                now: input.now,
                expiresSeconds: input.ttlSeconds,
              };
              const { uploadId } = input;
              expect(
                presignUrl({
                  ...base,
                  method: 'POST',
                  query: { uploads: '' },
                  headers: {
                    'Content-Type': input.type,
                    'x-amz-meta-userid': input.sub,
                    'x-amz-server-side-encryption': 'aws:kms',
                    'x-amz-server-side-encryption-aws-kms-key-id': input.kmsKeyId,
                  },
                }),
              ).toBe(reference.create);
              expect(
                presignUrl({
                  ...base,
                  method: 'PUT',
                  query: { partNumber: String(input.partNumber), uploadId, 'x-id': 'UploadPart' },
                  headers: { 'content-length': String(input.length), ...(input.md5 === undefined ? {} : { 'content-md5': input.md5 }) },
                }),
              ).toBe(await reference.part(input.partNumber, input.length, input.md5));
              expect(presignUrl({ ...base, method: 'POST', query: { uploadId }, headers: {} })).toBe(reference.complete);
              expect(presignUrl({ ...base, method: 'GET', query: { uploadId, 'x-id': 'ListParts' }, headers: {} })).toBe(reference.list);
              expect(presignUrl({ ...base, method: 'DELETE', query: { uploadId, 'x-id': 'AbortMultipartUpload' }, headers: {} })).toBe(
                reference.abort,
              );
            } finally {
              reference.close();
            }
          },
        ),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it('keeps every listed header signed and out of the query (the reason for not hoisting)', async () => {
    const url = new URL(
      presignUrl({
        endpoint: objectEndpoint(accelerateUploadUrl('acme-uploads')),
        key: 'uploads/a/b.mp4',
        method: 'POST',
        query: { uploads: '' },
        headers: {
          'Content-Type': 'video/mp4',
          'x-amz-meta-userid': 'sub-1',
          'x-amz-server-side-encryption': 'aws:kms',
          'x-amz-server-side-encryption-aws-kms-key-id': 'k',
        },
        credentials: { accessKeyId: 'AKIAEXAMPLE0000000', secretAccessKey: 'secret', sessionToken: undefined },
        region: 'eu-west-1',
        now: new Date('2026-12-06T10:00:00Z'),
        expiresSeconds: 900,
      }),
    );
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe(
      'content-type;host;x-amz-meta-userid;x-amz-server-side-encryption;x-amz-server-side-encryption-aws-kms-key-id',
    );
    expect([...url.searchParams.keys()].filter((name) => name.startsWith('x-amz-meta') || name.startsWith('x-amz-server'))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// The routes against the SDK
// ---------------------------------------------------------------------------

interface StartBody {
  key: string;
  ticket: string;
  partSize: number;
  partCount: number;
  create: { method: string; url: string; headers: Record<string, string> };
}
interface PartsBody {
  parts: { partNumber: number; size: number; url: string; headers: Record<string, string> }[];
  complete: { url: string };
  list: { url: string };
  abort: { url: string };
}

describe('the multipart routes vs getSignedUrl', () => {
  const jwk = newSigningKey().jwk;

  it(
    'answer with the SDK URLs, the size of each part bound as its content-length',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            bucket: bucketArb,
            region: regionArb,
            sub: uuidArb,
            kmsKeyId: kmsKeyIdArb,
            uploadId: uploadIdArb,
            credentials: credentialsArb,
            now: clockArb,
            ttlSeconds: fc.integer({ min: 1, max: 7 * 24 * 3600 }),
            preferFlag: fc.boolean(),
            local: fc.boolean(),
            name: baseNameArb,
            type: fc.constantFrom('video/mp4', 'video/quicktime', 'application/zip'),
            size: fc.integer({ min: 1, max: 5 * GiB }),
            parts: fc.uniqueArray(fc.nat(), { minLength: 1, maxLength: DEFAULT_UPLOAD_RULES.maxPartsPerRequest }),
            md5s: fc.array(fc.option(md5Arb, { nil: undefined }), { minLength: 10, maxLength: 10 }),
          }),
          async (input) => {
            const addressing = addressingFor(input.region, input.preferFlag, input.local);
            const bucket = input.local ? LOCAL_BUCKET : input.bucket;
            const extension = DEFAULT_UPLOAD_RULES.types[input.type]?.extensions[0] ?? '';
            const config = referenceEdgeConfig(
              jwk,
              { bucket, region: input.region, local: input.local },
              { kmsKeyId: input.kmsKeyId, partUrlTtlSeconds: input.ttlSeconds },
            );
            const call = (uri: string, body: unknown) => callPresignRoute(config, input, uri, body);

            const start = (await call('/presign/multipart', {
              file: { name: `${input.name}.${extension}`, size: input.size, type: input.type },
            })) as StartBody;
            const partNumbers = input.parts.map((n) => (n % start.partCount) + 1).filter((n, i, all) => all.indexOf(n) === i);
            const signed = (await call('/presign/multipart/parts', {
              key: start.key,
              uploadId: input.uploadId,
              ticket: start.ticket,
              parts: partNumbers.map((partNumber, index) => ({ partNumber, md5: input.md5s[index] })),
            })) as PartsBody;

            const reference = await referenceUrls({
              ...input,
              bucket,
              addressing,
              key: start.key,
              type: input.type,
              // The route signs create for at most CREATE_URL_TTL_SECONDS, the rest for partUrlTtlSeconds.
              createTtlSeconds: Math.min(CREATE_URL_TTL_SECONDS, input.ttlSeconds),
            });
            try {
              expect(start.create.url).toBe(reference.create);
              for (const [index, part] of signed.parts.entries()) {
                const expectedSize =
                  part.partNumber < start.partCount ? start.partSize : input.size - (start.partCount - 1) * start.partSize;
                expect(part.size).toBe(expectedSize);
                expect(part.url).toBe(await reference.part(part.partNumber, expectedSize, input.md5s[index]));
              }
              expect(signed.complete.url).toBe(reference.complete);
              expect(signed.list.url).toBe(reference.list);
              expect(signed.abort.url).toBe(reference.abort);
            } finally {
              reference.close();
            }
          },
        ),
        { numRuns: 100 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

// Last in the file, so it runs after every SDK call above.
describe('isolation', () => {
  it('the reference never tried to reach the network', () => {
    expect(referenceNetworkAttempts()).toBe(0);
  });
});

// ---------------------------------------------------------------------------
// The next page of ListParts (listPartNumberMarker) against the SDK
// ---------------------------------------------------------------------------

/**
 * ListParts answers at most 1,000 parts; the next page is the same request
 * with `part-number-marker`, the previous page's NextPartNumberMarker. The
 * edge signs it as a query parameter; the SDK's `PartNumberMarker` is the
 * same parameter, so the URLs must be byte-identical, the marker in the
 * SDK's place (sorted: after `X-Amz-SignedHeaders`, before `uploadId`).
 * This block checks its own isolation (the `isolation` block above runs first).
 */
describe('the list URL of a later ListParts page (listPartNumberMarker) vs getSignedUrl', () => {
  const jwk = newSigningKey().jwk;
  const attemptsBefore = referenceNetworkAttempts();

  const referenceList = async (upload: Upload, marker: number): Promise<string> => {
    const client = referenceClient(upload.region, upload.credentials, upload.addressing);
    try {
      return await getSignedUrl(
        client,
        new ListPartsCommand({ Bucket: upload.bucket, Key: upload.key, UploadId: upload.uploadId, PartNumberMarker: String(marker) }),
        { expiresIn: upload.ttlSeconds, signingDate: upload.now },
      );
    } finally {
      client.destroy();
    }
  };

  it(
    `presignUrl signs the marker byte-identically over ${RUNS} random inputs`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            bucket: bucketArb,
            region: regionArb,
            key: keyArb,
            uploadId: uploadIdArb,
            credentials: credentialsArb,
            now: clockArb,
            ttlSeconds: fc.integer({ min: 1, max: 7 * 24 * 3600 }),
            preferFlag: fc.boolean(),
            local: fc.boolean(),
            marker: fc.integer({ min: 1, max: 9_999 }),
          }),
          async (input) => {
            const addressing = addressingFor(input.region, input.preferFlag, input.local);
            const bucket = input.local ? LOCAL_BUCKET : input.bucket;
            const upload: Upload = { ...input, bucket, addressing, type: 'video/mp4', sub: '', kmsKeyId: '' };
            const url = presignUrl({
              endpoint: objectEndpoint(uploadUrlFor(addressing, bucket)),
              key: input.key,
              credentials: input.credentials,
              region: input.region,
              now: input.now,
              expiresSeconds: input.ttlSeconds,
              method: 'GET',
              query: { uploadId: input.uploadId, 'x-id': 'ListParts', 'part-number-marker': String(input.marker) },
              headers: {},
            });
            expect(url).toBe(await referenceList(upload, input.marker));
            expect(url).toContain(`&part-number-marker=${input.marker}&uploadId=`);
          },
        ),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'the parts route answers with the SDK list URL for any marker from 1 to partCount − 1',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            bucket: bucketArb,
            region: regionArb,
            sub: uuidArb,
            kmsKeyId: kmsKeyIdArb,
            uploadId: uploadIdArb,
            credentials: credentialsArb,
            now: clockArb,
            ttlSeconds: fc.integer({ min: 1, max: 7 * 24 * 3600 }),
            preferFlag: fc.boolean(),
            local: fc.boolean(),
            name: baseNameArb,
            type: fc.constantFrom('video/mp4', 'video/quicktime', 'application/zip'),
            // At least two parts, so that some marker exists.
            size: fc.integer({ min: 8 * 2 ** 20 + 1, max: 20 * GiB }),
            part: fc.nat(),
            marker: fc.nat(),
          }),
          async (input) => {
            const addressing = addressingFor(input.region, input.preferFlag, input.local);
            const bucket = input.local ? LOCAL_BUCKET : input.bucket;
            const extension = DEFAULT_UPLOAD_RULES.types[input.type]?.extensions[0] ?? '';
            const config = parseEdgeConfig(
              {
                issuer: TEST_ISSUER,
                clientId: TEST_CLIENT_ID,
                jwks: { keys: [jwk] },
                bucket,
                region: input.region,
                uploadUrl: uploadUrlFor(addressing, bucket),
                kmsKeyId: input.kmsKeyId,
                partUrlTtlSeconds: input.ttlSeconds,
                multipartTicketKeys: TEST_TICKET_KEYS,
                ...(input.local ? { local: true } : {}),
              },
              DEFAULT_UPLOAD_RULES.policyTtlSeconds,
            );
            const deps = {
              config,
              rules: DEFAULT_UPLOAD_RULES,
              verifier: { verify: () => Promise.resolve({ sub: input.sub }) },
              credentials: () => input.credentials,
              now: () => new Date(input.now.getTime()),
              newId: () => '0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d',
            };
            const call = async (uri: string, body: unknown) => {
              const response = await routePresignRequest(
                {
                  uri,
                  method: 'POST',
                  headers: { authorization: 'Bearer aaaa.bbbb.cccc', 'content-type': 'application/json' },
                  body: JSON.stringify(body),
                  bodyTruncated: false,
                },
                deps,
              );
              return { status: response.status, body: JSON.parse(response.body) as unknown };
            };

            // Within the type's limit (a zip stops at 5 GiB).
            const size = Math.min(input.size, DEFAULT_UPLOAD_RULES.types[input.type]?.maxBytes ?? 0);
            const start = (await call('/presign/multipart', { file: { name: `${input.name}.${extension}`, size, type: input.type } }))
              .body as StartBody;
            const listPartNumberMarker = (input.marker % (start.partCount - 1)) + 1;
            const request = {
              key: start.key,
              uploadId: input.uploadId,
              ticket: start.ticket,
              parts: [{ partNumber: (input.part % start.partCount) + 1 }],
            };
            const paged = await call('/presign/multipart/parts', { ...request, listPartNumberMarker });
            const plain = await call('/presign/multipart/parts', request);
            expect([paged.status, plain.status]).toEqual([200, 200]);
            const upload: Upload = { ...input, bucket, addressing, key: start.key };
            const pagedBody = paged.body as PartsBody;
            const plainBody = plain.body as PartsBody;
            expect(pagedBody.list.url).toBe(await referenceList(upload, listPartNumberMarker));
            // Only the list URL changes; the first page's is still the SDK's without a marker.
            expect({ ...pagedBody, list: plainBody.list }).toEqual(plainBody);
            expect(new URL(plainBody.list.url).searchParams.has('part-number-marker')).toBe(false);

            // The marker's bounds, from the ticket's partCount (the route throws; the handler answers 400 INVALID_REQUEST).
            for (const refused of [0, start.partCount, start.partCount + 1]) {
              await expect(call('/presign/multipart/parts', { ...request, listPartNumberMarker: refused })).rejects.toThrow(
                /^"listPartNumberMarker"/,
              );
            }
          },
        ),
        { numRuns: 100 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it('the reference never tried to reach the network', () => {
    expect(referenceNetworkAttempts()).toBe(attemptsBefore);
  });
});
