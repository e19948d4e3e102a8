/**
 * The CreateMultipartUpload URL lives CREATE_URL_TTL_SECONDS, never longer
 * than the other multipart URLs (review finding 7): while it lives it can be
 * replayed, each replay another incomplete upload, and the client sends it
 * right after the start answer. The part, complete, list and abort URLs keep
 * partUrlTtlSeconds.
 */
import type { CloudFrontResultResponse } from 'aws-lambda';
import { CREATE_URL_TTL_SECONDS } from '../../../edge-functions/core/multipart';
import { bodyOf, viewerRequest, withBody, withToken } from '../../support/lambda-edge-events';
import { jsonBody, presignHarness } from '../../support/presign-harness';
import { accessToken, testEdgeConfig } from '../../support/tokens';

interface Started {
  key: string;
  ticket: string;
  create: { url: string };
}
interface Signed {
  parts: { url: string }[];
  complete: { url: string };
  list: { url: string };
  abort: { url: string };
}

const expiresOf = (url: string) => new URL(url).searchParams.get('X-Amz-Expires');

async function startAndSign(partUrlTtlSeconds?: number): Promise<{ create: string | null; others: (string | null)[] }> {
  const base = presignHarness();
  const harness =
    partUrlTtlSeconds === undefined ? base : presignHarness({ key: base.key, config: testEdgeConfig(base.key, { partUrlTtlSeconds }) });
  const token = accessToken(harness.key);
  const call = (event: ReturnType<typeof viewerRequest>): Promise<CloudFrontResultResponse> => harness.handler(withToken(event, token));
  const started = jsonBody(await call(viewerRequest('presign-multipart-start'))) as Started;
  const partsBody = {
    ...(bodyOf(viewerRequest('presign-multipart-parts')) as Record<string, unknown>),
    key: started.key,
    ticket: started.ticket,
  };
  const signed = jsonBody(await call(withBody(viewerRequest('presign-multipart-parts'), partsBody))) as Signed;
  return {
    create: expiresOf(started.create.url),
    others: [...signed.parts.map((part) => part.url), signed.complete.url, signed.list.url, signed.abort.url].map(expiresOf),
  };
}

describe('the create URL of /presign/multipart', () => {
  it('is a minute: enough for a client that sends it right away, retries included', () => {
    expect(CREATE_URL_TTL_SECONDS).toBe(60);
  });

  it('lives CREATE_URL_TTL_SECONDS while the part, complete, list and abort URLs keep partUrlTtlSeconds (900 s)', async () => {
    const { create, others } = await startAndSign();
    expect(create).toBe(String(CREATE_URL_TTL_SECONDS));
    expect(others).toHaveLength(5);
    for (const expires of others) expect(expires).toBe('900');
  });

  it('never outlives a shorter partUrlTtlSeconds from config.json', async () => {
    const { create, others } = await startAndSign(30);
    expect(create).toBe('30');
    for (const expires of others) expect(expires).toBe('30');
  });

  it('stays at CREATE_URL_TTL_SECONDS under a longer partUrlTtlSeconds', async () => {
    const { create, others } = await startAndSign(3600);
    expect(create).toBe(String(CREATE_URL_TTL_SECONDS));
    for (const expires of others) expect(expires).toBe('3600');
  });
});
