/**
 * Cross-origin calls through the local stack started with ALLOWED_ORIGINS
 * (one allowed app origin): the presign routes answer that origin's
 * preflight at the edge and mark their answers for it; a disallowed origin,
 * `null`, a look-alike suffix and a preflight asking for extra headers get no
 * CORS headers at all, so a browser blocks them. The upload bucket's CORS
 * follows the same list.
 */
import type { HttpAnswer } from '../../support/post-forms';
import { send } from '../../support/post-forms';
import { signUpAndLogIn, startTestStack, type Session, type TestStack } from '../local-stack/support/stack-harness';
import { freshViewerIp, hostileRequest } from './support/hostile-harness';

jest.setTimeout(60_000);

const APP = 'https://app.example.com';
let harness: TestStack;
let session: Session;

beforeAll(async () => {
  harness = await startTestStack({ allowedOrigins: [APP] });
  session = await signUpAndLogIn(harness.stack, 'hostile-cors@example.com');
});

afterAll(async () => {
  await harness?.stop();
});

function preflight(path: string, origin: string, requestHeaders = 'authorization,content-type', method = 'POST'): Promise<HttpAnswer> {
  return hostileRequest(harness.stack, {
    method: 'OPTIONS',
    path,
    sameOrigin: false,
    headers: { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': requestHeaders },
  });
}

function corsHeaderNames(answer: HttpAnswer): string[] {
  return Object.keys(answer.headers).filter((name) => name.toLowerCase().startsWith('access-control-'));
}

describe('the presign routes, cross-origin', () => {
  it.each(['/presign', '/presign/multipart', '/presign/multipart/parts', '/presign/files', '/presign/files/access'])(
    "%s: the allowed origin's preflight is 204 with exactly the grant",
    async (path) => {
      const answer = await preflight(path, APP);
      expect(answer.status).toBe(204);
      expect(answer.headers['access-control-allow-origin']).toBe(APP);
      expect(answer.headers['access-control-allow-methods']).toBe('POST');
      expect(answer.headers['access-control-allow-headers']).toBe('authorization, content-type');
      expect(answer.headers['access-control-max-age']).toBe('600');
      expect(answer.headers.vary).toBe('Origin');
      expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    },
  );

  it.each([
    ['a disallowed origin', 'https://evil.example', 'authorization,content-type'],
    ['the opaque origin null', 'null', 'authorization,content-type'],
    ['a look-alike suffix', 'https://app.example.com.evil.test', 'authorization,content-type'],
    ['the allowed origin asking for an extra header', APP, 'authorization,content-type,x-amz-security-token'],
  ])('%s: no CORS headers (the browser blocks the call)', async (_label, origin, requestHeaders) => {
    const answer = await preflight('/presign', origin, requestHeaders);
    expect(answer.status).toBe(405);
    expect(corsHeaderNames(answer)).toEqual([]);
  });

  it.each(['/presign/files', '/presign/files/access'])("%s: a disallowed origin's preflight gets no CORS headers", async (path) => {
    const answer = await preflight(path, 'https://evil.example');
    expect(answer.status).toBe(405);
    expect(corsHeaderNames(answer)).toEqual([]);
  });

  it('the allowed origin asking for PUT: no CORS headers', async () => {
    expect(corsHeaderNames(await preflight('/presign', APP, 'authorization', 'PUT'))).toEqual([]);
  });

  it('the actual POST from the allowed origin: 200 with its Allow-Origin; the same POST from elsewhere: no CORS headers', async () => {
    const body = { files: [{ name: 'holiday.png', size: 1000, type: 'image/png' }] };
    const call = (origin: string) =>
      hostileRequest(harness.stack, {
        path: '/presign',
        body,
        sameOrigin: false,
        headers: { Origin: origin, Authorization: `Bearer ${session.accessToken}` },
      });
    const allowed = await call(APP);
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe(APP);
    for (const origin of ['https://evil.example', 'null', 'https://app.example.com.evil.test']) {
      const answer = await call(origin);
      expect(corsHeaderNames(answer)).toEqual([]);
    }
  });

  it('an error answer carries Allow-Origin for the allowed origin too, so the app can read the code', async () => {
    const answer = await hostileRequest(harness.stack, {
      path: '/presign',
      body: { files: [] },
      sameOrigin: false,
      headers: { Origin: APP },
    });
    expect(answer.status).toBe(401);
    expect(answer.headers['access-control-allow-origin']).toBe(APP);
  });
});

describe('the upload bucket, cross-origin', () => {
  const bucketPreflight = (origin: string) =>
    send(harness.stack.uploadUrl, 'OPTIONS', undefined, {
      'X-Forwarded-For': freshViewerIp(),
      Origin: origin,
      'Access-Control-Request-Method': 'POST',
    });

  it('admits the allowed origin and the site, and nothing else', async () => {
    expect((await bucketPreflight(APP)).headers['access-control-allow-origin']).toBe(APP);
    expect((await bucketPreflight(harness.stack.url)).headers['access-control-allow-origin']).toBe(harness.stack.url);
    for (const origin of ['https://evil.example', 'https://app.example.com.evil.test']) {
      expect((await bucketPreflight(origin)).headers['access-control-allow-origin']).toBeUndefined();
    }
  });
});
