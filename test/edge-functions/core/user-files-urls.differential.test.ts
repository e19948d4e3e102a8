/**
 * The "your files" URLs against the reference: for the same command and
 * clock, every URL `/presign/files` and `/presign/files/access` answer with
 * — ListObjectsV2 with and without a continuation token, GetObject with
 * `response-content-disposition`, GetObjectTagging, DeleteObject — is
 * byte-identical to `getSignedUrl` from @aws-sdk/s3-request-presigner over
 * random inputs, for accelerate (virtual-hosted) and local (path-style)
 * endpoints. The whole route pipeline is driven, so the query each route
 * chooses is checked too, not only the signer.
 *
 * The reference client has `requestChecksumCalculation` and
 * `responseChecksumValidation` set to `WHEN_REQUIRED`: by default the SDK
 * adds `x-amz-checksum-mode=ENABLED` to a presigned GetObject (asking S3 for
 * checksum headers a browser download has no use for).
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import fc from 'fast-check';
import { parseEdgeConfig, type SigningCredentials } from '../../../edge-functions/core/edge-config';
import { sanitizeFileName } from '../../../edge-functions/core/file-name';
import { routePresignRequest } from '../../../edge-functions/core/presign-routes';
import { DEFAULT_UPLOAD_RULES } from '../../../edge-functions/core/upload-rules';
import { attachmentDisposition, LIST_MAX_KEYS, MAX_KEYS_PER_ACCESS } from '../../../edge-functions/core/user-files';
import { newSigningKey, TEST_CLIENT_ID, TEST_ISSUER, TEST_TICKET_KEYS } from '../../support/tokens';

const RUNS = 150;
const PROPERTY_TIMEOUT_MS = 180_000;
const LOCAL_S3_ENDPOINT = 'http://127.0.0.1:4569';
const LOCAL_BUCKET = 'edge-upload-local';

type Addressing = 'accelerate-endpoint' | 'accelerate-flag' | 'local-path-style';

let networkAttempts = 0;
const offlineHandler: NonNullable<S3ClientConfig['requestHandler']> = {
  handle: () => {
    networkAttempts += 1;
    return Promise.reject(new Error('network access is switched off in this test'));
  },
  updateHttpClientConfig: () => undefined,
  httpHandlerConfigs: () => ({}),
};

function referenceClient(region: string, credentials: SigningCredentials, addressing: Addressing): S3Client {
  const base: S3ClientConfig = {
    region,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken === undefined ? {} : { sessionToken: credentials.sessionToken }),
    },
    requestHandler: offlineHandler,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ignoreConfiguredEndpointUrls: true,
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
  };
  switch (addressing) {
    case 'accelerate-endpoint':
      return new S3Client({ ...base, endpoint: 'https://s3-accelerate.amazonaws.com' });
    case 'accelerate-flag':
      return new S3Client({ ...base, useAccelerateEndpoint: true });
    case 'local-path-style':
      return new S3Client({ ...base, endpoint: LOCAL_S3_ENDPOINT, forcePathStyle: true });
  }
}

const REGIONS = [
  'us-east-1',
  'us-west-2',
  'eu-west-1',
  'eu-central-2',
  'ap-southeast-4',
  'sa-east-1',
  'cn-north-1',
  'us-gov-west-1',
] as const;
const UPPER_BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const fromAlphabet = (alphabet: string, minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });

const bucketArb = fc
  .stringMatching(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/)
  .filter((name) => !name.startsWith('xn--') && !name.startsWith('sthree-') && !name.endsWith('-s3alias') && !name.endsWith('--ol-s3'));
const uuidArb = fc.uuid({ version: 4 });
const credentialsArb: fc.Arbitrary<SigningCredentials> = fc.record({
  accessKeyId: fc.tuple(fc.constantFrom('AKIA', 'ASIA'), fromAlphabet(UPPER_BASE32, 16, 16)).map(([prefix, rest]) => prefix + rest),
  secretAccessKey: fromAlphabet(BASE64_ALPHABET, 40, 40),
  sessionToken: fc.option(fromAlphabet(`${BASE64_ALPHABET}=`, 16, 1400), { nil: undefined }),
});
const clockArb = fc.date({ min: new Date('2000-01-01T00:00:00.000Z'), max: new Date('2099-12-31T23:59:59.999Z'), noInvalidDate: true });
/** Tokens as AWS and s3rver send them (base64), and as radosgw does (a key). */
const continuationTokenArb = fc.option(
  fc.oneof(fromAlphabet(`${BASE64_ALPHABET}=`, 1, 300), fc.constantFrom('uploads/a/2026/11/29/x/Füße-日本.png', 'key.with_dots-and~tilde')),
  { nil: undefined },
);
const NAME_CHARS = [
  ...'abcXYZ0189',
  'é',
  'e\u0301',
  'ß',
  'Ж',
  'λ',
  'ש',
  '日',
  '한',
  '😀',
  ' ',
  '-',
  '_',
  '.',
  '(',
  ')',
  '&',
  '%',
  '#',
  '+',
  "'",
  '!',
  '*',
  '~',
];
const nameArb = fc
  .tuple(
    fc.constantFrom('a', 'Z', '7', 'é', 'Ж', '日'),
    fc.array(fc.constantFrom(...NAME_CHARS), { maxLength: 60 }),
    fc.constantFrom('.png', '.pdf', '.mp4', ''),
  )
  .map(
    ([letter, rest, extension]) => sanitizeFileName(`${letter}${rest.join('')}${extension}`, DEFAULT_UPLOAD_RULES.maxFileNameBytes).name,
  );
const hasTransferAcceleration = (region: string): boolean => !/^(cn|us-gov)-/.test(region);

beforeAll(() => {
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
});

describe('the "your files" routes vs getSignedUrl', () => {
  const jwk = newSigningKey().jwk;

  it(
    `answer with the SDK's ListObjectsV2, GetObject, GetObjectTagging and DeleteObject URLs over ${RUNS} random inputs`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            bucket: bucketArb,
            region: fc.constantFrom(...REGIONS),
            sub: uuidArb,
            credentials: credentialsArb,
            now: clockArb,
            ttlSeconds: fc.integer({ min: 1, max: 7 * 24 * 3600 }),
            preferFlag: fc.boolean(),
            local: fc.boolean(),
            continuationToken: continuationTokenArb,
            files: fc.array(fc.record({ quarantined: fc.boolean(), date: clockArb, id: uuidArb, name: nameArb }), {
              minLength: 1,
              maxLength: MAX_KEYS_PER_ACCESS,
            }),
          }),
          async (input) => {
            const addressing: Addressing = input.local
              ? 'local-path-style'
              : input.preferFlag && hasTransferAcceleration(input.region)
                ? 'accelerate-flag'
                : 'accelerate-endpoint';
            const bucket = input.local ? LOCAL_BUCKET : input.bucket;
            const config = parseEdgeConfig(
              {
                issuer: TEST_ISSUER,
                clientId: TEST_CLIENT_ID,
                jwks: { keys: [jwk] },
                bucket,
                region: input.region,
                uploadUrl: input.local ? `${LOCAL_S3_ENDPOINT}/${bucket}` : `https://${bucket}.s3-accelerate.amazonaws.com/`,
                kmsKeyId: 'alias/uploads',
                policyTtlSeconds: input.ttlSeconds,
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
              expect(response.status).toBe(200);
              return JSON.parse(response.body) as Record<string, unknown>;
            };
            const keys = [
              ...new Set(
                input.files.map((file) => {
                  const day = file.date.toISOString().slice(0, 10).replace(/-/g, '/');
                  return `${file.quarantined ? 'quarantine' : 'uploads'}/${input.sub}/${day}/${file.id}/${file.name}`;
                }),
              ),
            ];
            const listed = (await call(
              '/presign/files',
              input.continuationToken === undefined ? {} : { continuationToken: input.continuationToken },
            )) as {
              list: { url: string };
              quarantined: { url: string };
            };
            const accessed = (await call('/presign/files/access', { keys })) as {
              files: { key: string; get: { url: string }; tagging: { url: string }; delete: { url: string } }[];
            };

            const client = referenceClient(input.region, input.credentials, addressing);
            const options = { expiresIn: input.ttlSeconds, signingDate: input.now };
            try {
              for (const [prefix, answer] of [
                [`uploads/${input.sub}/`, listed.list],
                [`quarantine/${input.sub}/`, listed.quarantined],
              ] as const) {
                const command = new ListObjectsV2Command({
                  Bucket: bucket,
                  Prefix: prefix,
                  MaxKeys: LIST_MAX_KEYS,
                  ...(input.continuationToken === undefined ? {} : { ContinuationToken: input.continuationToken }),
                });
                expect(answer.url).toBe(await getSignedUrl(client, command, options));
              }
              expect(accessed.files.map((file) => file.key)).toEqual(keys);
              for (const file of accessed.files) {
                const name = file.key.split('/').pop() ?? '';
                const get = new GetObjectCommand({
                  Bucket: bucket,
                  Key: file.key,
                  ResponseContentDisposition: attachmentDisposition(name),
                });
                expect(file.get.url).toBe(await getSignedUrl(client, get, options));
                expect(file.tagging.url).toBe(
                  await getSignedUrl(client, new GetObjectTaggingCommand({ Bucket: bucket, Key: file.key }), options),
                );
                expect(file.delete.url).toBe(
                  await getSignedUrl(client, new DeleteObjectCommand({ Bucket: bucket, Key: file.key }), options),
                );
              }
            } finally {
              client.destroy();
            }
          },
        ),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

// Last in the file, so it runs after every SDK call above.
describe('isolation', () => {
  it('the reference never tried to reach the network', () => {
    expect(networkAttempts).toBe(0);
  });
});
