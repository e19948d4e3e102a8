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
import { DeleteObjectCommand, GetObjectCommand, GetObjectTaggingCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import fc from 'fast-check';
import { sanitizeFileName } from '../../../edge-functions/core/file-name';
import { DEFAULT_UPLOAD_RULES } from '../../../edge-functions/core/upload-rules';
import { attachmentDisposition, LIST_MAX_KEYS, MAX_KEYS_PER_ACCESS } from '../../../edge-functions/core/user-files';
import { callPresignRoute } from '../../support/presign-harness';
import { addressingFor, LOCAL_BUCKET, referenceClient, referenceEdgeConfig, referenceNetworkAttempts } from '../../support/sdk-reference';
import {
  BASE64_ALPHABET,
  bucketArb,
  clockArb,
  credentialsArb,
  FILE_NAME_CHARS,
  fromAlphabet,
  uuidArb,
} from '../../support/signing-arbitraries';
import { newSigningKey } from '../../support/tokens';

const RUNS = 150;
const PROPERTY_TIMEOUT_MS = 180_000;

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
/** Tokens as AWS and s3rver send them (base64), and as radosgw does (a key). */
const continuationTokenArb = fc.option(
  fc.oneof(fromAlphabet(`${BASE64_ALPHABET}=`, 1, 300), fc.constantFrom('uploads/a/2026/11/29/x/Füße-日本.png', 'key.with_dots-and~tilde')),
  { nil: undefined },
);
const nameArb = fc
  .tuple(
    fc.constantFrom('a', 'Z', '7', 'é', 'Ж', '日'),
    fc.array(fc.constantFrom(...FILE_NAME_CHARS), { maxLength: 60 }),
    fc.constantFrom('.png', '.pdf', '.mp4', ''),
  )
  .map(
    ([letter, rest, extension]) => sanitizeFileName(`${letter}${rest.join('')}${extension}`, DEFAULT_UPLOAD_RULES.maxFileNameBytes).name,
  );

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
            const addressing = addressingFor(input.region, input.preferFlag, input.local);
            const bucket = input.local ? LOCAL_BUCKET : input.bucket;
            const config = referenceEdgeConfig(
              jwk,
              { bucket, region: input.region, local: input.local },
              { kmsKeyId: 'alias/uploads', policyTtlSeconds: input.ttlSeconds },
            );
            const call = (uri: string, body: unknown) => callPresignRoute(config, input, uri, body);
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

            const client = referenceClient(input.region, input.credentials, addressing, {
              requestChecksumCalculation: 'WHEN_REQUIRED',
              responseChecksumValidation: 'WHEN_REQUIRED',
            });
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
    expect(referenceNetworkAttempts()).toBe(0);
  });
});
