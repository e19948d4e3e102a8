/**
 * Whatever a viewer sends, the handler answers with a well-formed generated
 * CloudFront response: never a throw, never a 5xx, never a policy without a
 * valid token, never the token echoed back.
 */
import type { CloudFrontHeaders, CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import fc from 'fast-check';
import { MAX_GENERATED_RESPONSE_BYTES } from '../../edge-functions/presign/handler';
import { requestOf, viewerRequest } from '../support/lambda-edge-events';
import { jsonBody, presignHarness } from '../support/presign-harness';
import { accessToken, idToken } from '../support/tokens';

const harness = presignHarness();
const validToken = accessToken(harness.key);
const KNOWN_CODES = new Set([
  'INVALID_REQUEST', 'INVALID_FILENAME', 'FILE_TOO_LARGE', 'USE_MULTIPART', 'EMPTY_FILE', 'UNSUPPORTED_TYPE',
  'UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE', 'UNAUTHORIZED', 'METHOD_NOT_ALLOWED',
]);

const tokenArb = fc.oneof(
  fc.constant(validToken),
  fc.constant(idToken(harness.key)),
  fc.constant(accessToken(harness.key, { now: 1_600_000_000 })),
  fc.string(),
  fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map((parts) => parts.join('.')),
);
const authorizationArb = fc.oneof(
  tokenArb.map((t) => `Bearer ${t}`),
  tokenArb,
  fc.string({ unit: 'binary', maxLength: 200 }),
);
const fileArb = fc.record(
  {
    name: fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.constantFrom('a.png', 'b.pdf', '../x.jpg', '.gif', 'c.webp'), fc.integer()),
    size: fc.oneof(fc.integer({ min: -10, max: 60 * 1024 * 1024 }), fc.double(), fc.string(), fc.constant(null)),
    type: fc.oneof(fc.constantFrom('image/png', 'image/jpeg', 'application/pdf', 'text/html', 'IMAGE/GIF'), fc.string()),
    id: fc.oneof(fc.uuid({ version: 4 }), fc.uuid(), fc.string(), fc.integer()),
  },
  { requiredKeys: [] },
);
const validFileArb = fc.record({
  name: fc.constantFrom('a.png', 'scan.PDF', 'фото.jpeg', 'x y (1).gif', 'pic.webp'),
  size: fc.integer({ min: 1, max: 10 * 1024 * 1024 }),
  type: fc.constant('derived'),
}).map((f) => ({ ...f, type: { png: 'image/png', pdf: 'application/pdf', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' }[f.name.split('.').pop()!.toLowerCase()] }));
const bodyArb = fc.oneof(
  fc.record({ files: fc.array(validFileArb, { minLength: 1, maxLength: 10 }) }).map((b) => JSON.stringify(b)),
  fc.record({ files: fc.array(fileArb, { maxLength: 12 }) }).map((b) => JSON.stringify(b)),
  fc.json(),
  fc.string({ unit: 'binary', maxLength: 2000 }),
  fc.constant(''),
);
const headerNameArb = fc.oneof(
  fc.constantFrom('authorization', 'content-type', 'accept-encoding', 'content-length', 'origin'),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
);

const eventArb = fc
  .record({
    method: fc.oneof(
      { arbitrary: fc.constant('POST'), weight: 6 },
      fc.constantFrom('GET', 'PUT', 'OPTIONS', 'DELETE', 'HEAD'),
      fc.string({ maxLength: 10 }),
    ),
    authorization: fc.oneof(
      { arbitrary: fc.constant(`Bearer ${validToken}`), weight: 4 },
      fc.constant(undefined),
      authorizationArb,
    ),
    contentType: fc.oneof(
      { arbitrary: fc.constant('application/json'), weight: 4 },
      fc.constant(undefined),
      fc.constantFrom('text/plain', 'application/json; charset=utf-8'),
      fc.string(),
    ),
    extraHeaders: fc.dictionary(headerNameArb, fc.string({ maxLength: 100 }), { maxKeys: 5 }),
    body: fc.option(bodyArb, { nil: undefined }),
    encoding: fc.constantFrom('base64', 'base64', 'text'),
    truncated: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, fc.constant(true)),
  })
  .map((input): CloudFrontRequestEvent => {
    const recorded = viewerRequest('presign-one-file');
    const request = { ...requestOf(recorded), method: input.method };
    const event: CloudFrontRequestEvent = { Records: [{ cf: { ...recorded.Records[0]!.cf, request } }] };
    const headers: CloudFrontHeaders = { host: request.headers.host ?? [] };
    for (const [name, value] of Object.entries(input.extraHeaders)) headers[name] = [{ key: name, value }];
    if (input.authorization !== undefined) headers.authorization = [{ key: 'Authorization', value: input.authorization }];
    if (input.contentType !== undefined) headers['content-type'] = [{ key: 'Content-Type', value: input.contentType }];
    request.headers = headers;
    if (input.body === undefined) delete request.body;
    else {
      const data = input.encoding === 'base64' ? Buffer.from(input.body, 'utf8').toString('base64') : input.body;
      request.body = { inputTruncated: input.truncated, action: 'read-only', encoding: input.encoding as 'base64' | 'text', data };
    }
    return event;
  });

function assertWellFormed(response: CloudFrontResultResponse, event: CloudFrontRequestEvent): void {
  expect(response.status).toMatch(/^[1-5]\d\d$/);
  const status = Number(response.status);
  expect(status).toBeLessThan(500);
  expect(typeof response.statusDescription).toBe('string');
  for (const [name, values] of Object.entries(response.headers ?? {})) {
    expect(name).toBe(name.toLowerCase());
    expect(values?.[0]?.key?.toLowerCase()).toBe(name);
  }
  expect(Buffer.byteLength(response.body ?? '')).toBeLessThanOrEqual(MAX_GENERATED_RESPONSE_BYTES);
  const body = jsonBody(response) as { uploads?: unknown[]; error?: { code: string; message: string } };
  if (status === 200) {
    expect(requestOf(event).headers.authorization?.[0]?.value).toBe(`Bearer ${validToken}`);
    expect(Array.isArray(body.uploads)).toBe(true);
  } else {
    expect(KNOWN_CODES.has(body.error?.code ?? '')).toBe(true);
    expect(typeof body.error?.message).toBe('string');
    expect(response.body).not.toContain('Policy');
  }
  const auth = requestOf(event).headers.authorization?.[0]?.value ?? '';
  const signature = auth.split('.')[2];
  if (signature !== undefined && signature.length > 16) expect(response.body).not.toContain(signature);
}

describe('presign handler, any event', () => {
  it('always yields a well-formed response and never throws', async () => {
    const statuses = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(eventArb, async (event) => {
        const response = await harness.handler(structuredClone(event));
        assertWellFormed(response, event);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }),
      { numRuns: 2000 },
    );
    // The generators reach the success path and the main refusals, not just one of them.
    for (const status of ['200', '400', '401', '405', '415']) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);
  });
});
