/**
 * An expired policy is refused and nothing is stored (docs/http-api.md: `expiration`
 * = now + policyTtlSeconds, 300 s by default).
 *
 * The forms are signed by the presign function the local stack runs: the
 * same handler, config.json (the pool's issuer and JWKS, the bucket, the
 * upload URL) and signing keys, with its clock set back, as if the browser
 * had sat on the form before posting it. The user's token is a real one from
 * the stack's Cognito. A form signed within the lifetime is the control: it
 * is accepted, so the refusals are for the expiry and nothing else.
 */
import type { CloudFrontRequestEvent } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEdgeConfig } from '../../../edge-functions/core/edge-config';
import { newUploadId } from '../../../edge-functions/core/object-key';
import type { PresignedUpload } from '../../../edge-functions/core/presign-routes';
import { createTokenVerifier } from '../../../edge-functions/core/token-verifier';
import { DEFAULT_UPLOAD_RULES } from '../../../edge-functions/core/upload-rules';
import { createPresignHandler } from '../../../edge-functions/presign/handler';
import { viewerRequest, withBody, withToken } from '../../support/lambda-edge-events';
import { jsonBody } from '../../support/presign-harness';
import {
  headObject,
  pngBytes,
  signUpAndLogIn,
  startTestStack,
  uploadFile,
  type Session,
  type TestStack,
} from '../local-stack/support/stack-harness';
import { listKeys } from './support/objects';

jest.setTimeout(60_000);

const TTL_SECONDS = DEFAULT_UPLOAD_RULES.policyTtlSeconds;

let harness: TestStack;
let session: Session;

beforeAll(async () => {
  harness = await startTestStack();
  session = await signUpAndLogIn(harness.stack, 'late@example.com');
});

afterAll(async () => {
  await harness?.stop();
});

/** The stack's presign function, its clock `secondsAgo` in the past. */
function presignerSignedAgo(secondsAgo: number) {
  const packageDir = path.join(harness.stateDir, 'edge', 'presign');
  const config = parseEdgeConfig(JSON.parse(readFileSync(path.join(packageDir, 'config.json'), 'utf8')), TTL_SECONDS);
  return createPresignHandler(
    {
      config,
      rules: DEFAULT_UPLOAD_RULES,
      verifier: createTokenVerifier(config),
      credentials: () => ({ ...harness.stack.credentials, sessionToken: undefined }),
      now: () => new Date(Date.now() - secondsAgo * 1000),
      newId: newUploadId,
    },
    () => undefined,
  );
}

async function formSignedAgo(secondsAgo: number, name: string): Promise<PresignedUpload> {
  const event: CloudFrontRequestEvent = withBody(withToken(viewerRequest('presign-one-file'), session.accessToken), {
    files: [{ name, size: 100, type: 'image/png' }],
  });
  const response = await presignerSignedAgo(secondsAgo)(event);
  expect(response.status).toBe('200');
  const upload = (jsonBody(response) as { uploads: PresignedUpload[] }).uploads[0];
  if (upload === undefined) throw new Error('no upload');
  expect(upload.url).toBe(harness.stack.uploadUrl);
  return upload;
}

describe('an expired policy', () => {
  it.each<[string, number]>([
    ['a second past its lifetime', TTL_SECONDS + 1],
    ['a minute past', TTL_SECONDS + 60],
    ['a day old', 86_400],
  ])('%s → 403 AccessDenied "Policy expired", nothing stored', async (_, secondsAgo) => {
    const form = await formSignedAgo(secondsAgo, `late-${secondsAgo}.png`);
    expect(new Date(form.expiresAt).getTime()).toBeLessThan(Date.now());
    const answer = await uploadFile(harness.stack, form, pngBytes(100));
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('<Code>AccessDenied</Code>');
    expect(answer.body).toContain('Policy expired');
    expect(await headObject(harness.stack, form.key)).toBeUndefined();
  });

  it('the control: the same function, 10 s within the lifetime, is accepted', async () => {
    const form = await formSignedAgo(TTL_SECONDS - 10, 'in-time.png');
    expect((await uploadFile(harness.stack, form, pngBytes(100))).status).toBe(201);
    expect((await headObject(harness.stack, form.key))?.ContentLength).toBe(100);
  });

  it('only the control was stored', async () => {
    const store = {
      endpoint: harness.stack.s3Endpoint,
      bucket: harness.stack.bucket,
      region: harness.stack.region,
      credentials: harness.stack.credentials,
    };
    const keys = await listKeys(store, `uploads/${session.sub}/`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/\/in-time\.png$/);
  });
});
