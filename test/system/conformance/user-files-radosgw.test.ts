/**
 * The "your files" URLs the edge hands out (POST /presign/files and
 * /presign/files/access, through the real route code) held against a real
 * S3 implementation (Ceph radosgw) AND the local stand-in (s3rver behind the
 * guard): each list, get, tagging and delete URL is accepted untouched and
 * refused when changed or expired; a list URL cannot be widened to another
 * prefix; radosgw's own continuation token is accepted by the edge and pages
 * within the signed prefix. Without radosgw installed only the guard runs
 * (CI installs it).
 */
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseEdgeConfig } from '../../../edge-functions/core/edge-config';
import { createUrlSigner, objectEndpoint } from '../../../edge-functions/core/presigned-url';
import { DEFAULT_UPLOAD_RULES } from '../../../edge-functions/core/upload-rules';
import { type GuardStack, startGuardStack } from '../../support/guard-stack';
import { freePort, pathStyleClient } from '../../support/local-s3';
import { callPresignRoute } from '../../support/presign-harness';
import { startRadosgwIfInstalled, type Radosgw } from '../../support/radosgw';
import { newSigningKey, TEST_CLIENT_ID, TEST_ISSUER, TEST_TICKET_KEYS } from '../../support/tokens';

const BUCKET = 'edge-upload-your-files-conformance';
const REGION = 'us-east-1';
const SUB = '0b9a6f2c-1111-4222-8333-444455556666';
const OTHER = '1c9a6f2c-1111-4222-8333-444455556666';
const keyOf = (prefix: string, sub: string, n: number) =>
  `${prefix}${sub}/2026/11/29/0b9a1c2d-3e4f-4a5b-8c6d-${String(n).padStart(12, '0')}/Füße ${n}.png`.replace(' ', '-');

interface Target {
  readonly name: 'guard' | 'radosgw';
  readonly endpoint: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly s3: S3Client;
}

let rgw: Radosgw | undefined;
let stack: GuardStack | undefined;
const targets: Target[] = [];
const jwk = newSigningKey().jwk;

function target(name: Target['name'], endpoint: string, credentials: Target['credentials']): Target {
  const s3 = pathStyleClient(endpoint, REGION, credentials, { maxAttempts: 1, requestChecksumCalculation: 'WHEN_REQUIRED' });
  return { name, endpoint, credentials, s3 };
}

beforeAll(async () => {
  rgw = await startRadosgwIfInstalled(await freePort());
  if (rgw !== undefined) targets.push(target('radosgw', rgw.endpoint, rgw));
  const credentials = { accessKeyId: 'AKIDLOCALYOURFILESC1', secretAccessKey: 'local-your-files-conformance-secret-00001' };
  stack = await startGuardStack({
    name: 'your-files-conformance',
    s3rver: { buckets: [] },
    guard: { credentials, region: REGION, allowedOrigins: [] },
  });
  targets.unshift(target('guard', stack.guard.url, credentials));
  for (const t of targets) {
    await t.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    for (let n = 1; n <= 3; n++)
      await t.s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: keyOf('uploads/', SUB, n), Body: `mine ${n}`, ContentType: 'image/png' }),
      );
    await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: keyOf('uploads/', OTHER, 1), Body: 'theirs' }));
    await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: keyOf('uploads/', `${SUB}2`, 1), Body: 'sub2' }));
    await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: keyOf('quarantine/', SUB, 1), Body: 'rejected' }));
  }
}, 180_000);

afterAll(async () => {
  for (const t of targets) t.s3.destroy();
  await stack?.stop();
  await rgw?.stop();
});

/** The edge's answer for a route, signed for the target at `now`. */
async function edgeAnswer<T>(t: Target, uri: string, body: unknown, now = new Date()): Promise<T> {
  const config = parseEdgeConfig(
    {
      issuer: TEST_ISSUER,
      clientId: TEST_CLIENT_ID,
      jwks: { keys: [jwk] },
      bucket: BUCKET,
      region: REGION,
      uploadUrl: `${t.endpoint}/${BUCKET}`,
      kmsKeyId: 'unused',
      multipartTicketKeys: TEST_TICKET_KEYS,
      local: true,
    },
    DEFAULT_UPLOAD_RULES.policyTtlSeconds,
  );
  return (await callPresignRoute(config, { sub: SUB, credentials: { ...t.credentials, sessionToken: undefined }, now }, uri, body)) as T;
}
interface ListAnswer {
  list: { url: string };
  quarantined: { url: string };
}
interface AccessAnswer {
  files: { key: string; get: { url: string }; tagging: { url: string }; delete: { url: string } }[];
}

const elements = (xml: string, name: string) =>
  [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((match) => match[1] ?? '');
const codeOf = async (response: Response) => elements(await response.text(), 'Code')[0];
const TEN_MINUTES_AGO = () => new Date(Date.now() - 600_000);

describe.each(['guard', 'radosgw'] as const)('%s', (name) => {
  const t = () => targets.find((candidate) => candidate.name === name);
  const maybe = (title: string, fn: (t: Target) => Promise<void>) =>
    it(title, async () => {
      const found = t();
      if (found === undefined) return; // radosgw not installed here (CI installs it)
      await fn(found);
    });

  maybe("the list URLs answer untouched, only the caller's keys (not sub2's), and its quarantined ones", async (t) => {
    const answer = await edgeAnswer<ListAnswer>(t, '/presign/files', {});
    const listed = await fetch(answer.list.url);
    expect(listed.status).toBe(200);
    expect(elements(await listed.text(), 'Key').sort()).toEqual([1, 2, 3].map((n) => keyOf('uploads/', SUB, n)).sort());
    const quarantined = await fetch(answer.quarantined.url);
    expect(elements(await quarantined.text(), 'Key')).toEqual([keyOf('quarantine/', SUB, 1)]);
  });

  maybe('a list URL cannot be widened: prefix changed (to another user, to uploads/, removed) is refused', async (t) => {
    const answer = await edgeAnswer<ListAnswer>(t, '/presign/files', {});
    for (const prefix of [`uploads/${OTHER}/`, 'uploads/', `uploads/${SUB}`, undefined]) {
      const url = new URL(answer.list.url);
      if (prefix === undefined) url.searchParams.delete('prefix');
      else url.searchParams.set('prefix', prefix);
      const refused = await fetch(url);
      expect([prefix, refused.status, await codeOf(refused)]).toEqual([prefix, 403, 'SignatureDoesNotMatch']);
    }
    const bigger = new URL(answer.list.url);
    bigger.searchParams.set('max-keys', '1000');
    expect((await fetch(bigger)).status).toBe(403);
  });

  maybe('an expired list URL is refused', async (t) => {
    const answer = await edgeAnswer<ListAnswer>(t, '/presign/files', {}, TEN_MINUTES_AGO());
    const expired = await fetch(answer.list.url);
    expect([expired.status, await codeOf(expired)]).toEqual([403, 'AccessDenied']);
  });

  maybe("the store's own continuation token is accepted by the edge and pages within the signed prefix", async (t) => {
    // A page of one, signed directly (the edge's pages are 100 keys): its NextContinuationToken is what a client would send.
    const sign = createUrlSigner({
      endpoint: objectEndpoint(`${t.endpoint}/${BUCKET}`),
      key: '',
      credentials: { ...t.credentials, sessionToken: undefined },
      region: REGION,
      now: new Date(),
      expiresSeconds: 60,
    });
    const first = await (
      await fetch(sign({ method: 'GET', query: { 'list-type': '2', 'max-keys': '1', prefix: `uploads/${SUB}/` }, headers: {} }))
    ).text();
    const continuationToken = elements(first, 'NextContinuationToken')[0];
    expect(continuationToken).toBeDefined();
    const answer = await edgeAnswer<ListAnswer>(t, '/presign/files', { continuationToken });
    const next = await fetch(answer.list.url);
    expect(next.status).toBe(200);
    const keys = elements(await next.text(), 'Key');
    expect(keys).toEqual([2, 3].map((n) => keyOf('uploads/', SUB, n)));
  });

  maybe('get (as an attachment), tagging and delete answer untouched; changed or expired they are refused', async (t) => {
    const key = keyOf('uploads/', SUB, 1);
    const [file] = (await edgeAnswer<AccessAnswer>(t, '/presign/files/access', { keys: [key, keyOf('quarantine/', SUB, 1)] })).files;
    const [stale] = (await edgeAnswer<AccessAnswer>(t, '/presign/files/access', { keys: [key] }, TEN_MINUTES_AGO())).files;
    const other = encodeURIComponent(OTHER);

    for (const [what, url, method] of [
      ['get', file!.get.url, 'GET'],
      ['tagging', file!.tagging.url, 'GET'],
      ['delete', file!.delete.url, 'DELETE'],
    ] as const) {
      const changed = await fetch(url.replace(`/uploads/${SUB}/`, `/uploads/${other}/`), { method });
      expect([what, 'changed', changed.status]).toEqual([what, 'changed', 403]);
      const expired = await fetch(stale![what].url, { method });
      expect([what, 'expired', expired.status]).toEqual([what, 'expired', 403]);
    }
    const disposition = new URL(file!.get.url);
    disposition.searchParams.set('response-content-disposition', 'inline');
    expect((await fetch(disposition)).status).toBe(403);

    const got = await fetch(file!.get.url);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-disposition')).toBe(`attachment; filename="F__e-1.png"; filename*=UTF-8''F%C3%BC%C3%9Fe-1.png`);
    expect(await got.text()).toBe('mine 1');
    const tagging = await fetch(file!.tagging.url);
    expect(tagging.status).toBe(200);
    expect(await tagging.text()).toContain('TagSet');
    expect((await fetch(file!.delete.url, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(file!.get.url)).status).toBe(404);
  });
});
