/**
 * Whatever a viewer sends, to whatever path, the handler answers with a
 * well-formed generated CloudFront response: never a throw, never a 5xx,
 * never a policy or URL without a valid token (and, for part URLs, a valid
 * ticket for that user and key), never the token echoed back.
 */
import type { CloudFrontHeaders, CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import fc from 'fast-check';
import { MAX_GENERATED_RESPONSE_BYTES } from '../../edge-functions/presign/handler';
import { requestOf, viewerRequest } from '../support/lambda-edge-events';
import { jsonBody, presignHarness } from '../support/presign-harness';
import { signTicket, verifyTicket } from '../../edge-functions/core/multipart-ticket';
import { planParts } from '../../edge-functions/core/part-plan';
import { FIXED_NOW } from '../support/presign-harness';
import { accessToken, idToken, TEST_SUB } from '../support/tokens';

const harness = presignHarness();
const validToken = accessToken(harness.key);
const KNOWN_CODES = new Set([
  'INVALID_REQUEST', 'INVALID_FILENAME', 'FILE_TOO_LARGE', 'USE_MULTIPART', 'EMPTY_FILE', 'UNSUPPORTED_TYPE',
  'UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE', 'UNAUTHORIZED', 'METHOD_NOT_ALLOWED', 'NOT_FOUND', 'INVALID_TICKET',
]);

// A genuine ticket for the token's user, and some that are not.
const TICKET_KEY = `uploads/${TEST_SUB}/2026/11/29/0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d/talk.mp4`;
const TICKET_SIZE = 7_340_032_000;
const exp = Math.floor(FIXED_NOW.getTime() / 1000) + 3600;
const genuineTicket = signTicket(
  { sub: TEST_SUB, key: TICKET_KEY, type: 'video/mp4', size: TICKET_SIZE, ...planParts(TICKET_SIZE), exp },
  harness.config.multipartTicketKeys,
);
const ticketArb = fc.oneof(
  { arbitrary: fc.constant(genuineTicket), weight: 4 },
  fc.constant(signTicket({ sub: 'someone-else', key: TICKET_KEY, type: 'video/mp4', size: 9, partSize: 9, partCount: 1, exp }, harness.config.multipartTicketKeys)),
  fc.constant(signTicket({ sub: TEST_SUB, key: TICKET_KEY, type: 'video/mp4', size: 9, partSize: 9, partCount: 1, exp: exp - 7200 }, harness.config.multipartTicketKeys)),
  fc.nat(genuineTicket.length - 1).map((at) => genuineTicket.slice(0, at) + (genuineTicket[at] === 'A' ? 'B' : 'A') + genuineTicket.slice(at + 1)),
  fc.string({ maxLength: 3000 }),
  fc.integer(),
);
const partArb = fc.record(
  {
    partNumber: fc.oneof(fc.integer({ min: -2, max: 1000 }), fc.double(), fc.string()),
    md5: fc.oneof(fc.constant('1B2M2Y8AsgTpgAmY7PhCfg=='), fc.base64String(), fc.string()),
  },
  { requiredKeys: [] },
);
const partsBodyArb = fc
  .record(
    {
      key: fc.oneof({ arbitrary: fc.constant(TICKET_KEY), weight: 4 }, fc.string({ maxLength: 2000 })),
      uploadId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9._~-]{1,256}$/), fc.string({ maxLength: 300 })),
      ticket: ticketArb,
      parts: fc.oneof(
        { arbitrary: fc.uniqueArray(fc.integer({ min: 1, max: 875 }), { minLength: 1, maxLength: 10 }).map((ns) => ns.map((partNumber) => ({ partNumber }))), weight: 4 },
        fc.array(partArb, { maxLength: 12 }),
        fc.json(),
      ),
    },
    { requiredKeys: [] },
  )
  .map((b) => JSON.stringify(b));
const startBodyArb = fc
  .record({
    file: fc.oneof(
      fc.record({
        name: fc.constantFrom('talk.mp4', 'clip.MOV', 'a.zip', 'x.png', '../b.m4v'),
        size: fc.oneof(fc.integer({ min: -1, max: 25 * 2 ** 30 }), fc.double()),
        type: fc.constantFrom('video/mp4', 'video/quicktime', 'application/zip', 'image/png', 'text/html'),
        md5: fc.oneof(fc.constant('1B2M2Y8AsgTpgAmY7PhCfg=='), fc.string()),
      }, { requiredKeys: ['name', 'size', 'type'] }),
      fc.constant(null).chain(() => fileArb), // defined below; read lazily
    ),
  })
  .map((b) => JSON.stringify(b));
const uriArb = fc.oneof(
  { arbitrary: fc.constantFrom('/presign', '/presign/multipart', '/presign/multipart/parts'), weight: 8 },
  fc.constantFrom('/presign/', '/presign/multipart/', '/presign/other', '/presign//multipart', '/PRESIGN', '/'),
  fc.string({ maxLength: 300 }).map((tail) => `/presign/${tail}`),
  fc.string({ maxLength: 300 }),
);

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
    route: fc.oneof(
      fc.tuple(fc.constant('/presign'), fc.constant(undefined)),
      fc.tuple(fc.constant('/presign/multipart'), startBodyArb),
      { arbitrary: fc.tuple(fc.constant('/presign/multipart/parts'), partsBodyArb), weight: 2 },
      fc.tuple(uriArb, fc.oneof(startBodyArb, partsBodyArb)),
    ),
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
    const [uri, routeBody] = input.route;
    const request = { ...requestOf(recorded), method: input.method, uri };
    const body = input.body === undefined || routeBody === undefined ? input.body : routeBody;
    const event: CloudFrontRequestEvent = { Records: [{ cf: { ...recorded.Records[0]!.cf, request } }] };
    const headers: CloudFrontHeaders = { host: request.headers.host ?? [] };
    for (const [name, value] of Object.entries(input.extraHeaders)) headers[name] = [{ key: name, value }];
    if (input.authorization !== undefined) headers.authorization = [{ key: 'Authorization', value: input.authorization }];
    if (input.contentType !== undefined) headers['content-type'] = [{ key: 'Content-Type', value: input.contentType }];
    request.headers = headers;
    if (body === undefined) delete request.body;
    else {
      const data = input.encoding === 'base64' ? Buffer.from(body, 'utf8').toString('base64') : body;
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
  const body = jsonBody(response) as { uploads?: unknown[]; parts?: unknown[]; ticket?: string; error?: { code: string; message: string } };
  const request = requestOf(event);
  if (status === 200) {
    expect(request.headers.authorization?.[0]?.value).toBe(`Bearer ${validToken}`);
    if (request.uri === '/presign') expect(Array.isArray(body.uploads)).toBe(true);
    else if (request.uri === '/presign/multipart') expect(typeof body.ticket).toBe('string');
    else {
      expect(request.uri).toBe('/presign/multipart/parts');
      expect(Array.isArray(body.parts)).toBe(true);
      // Part URLs only for a genuine, unexpired ticket of this user for this key.
      const sent = JSON.parse(Buffer.from(request.body?.data ?? '', request.body?.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8'));
      expect(() => verifyTicket(sent.ticket, { sub: TEST_SUB, key: sent.key, now: FIXED_NOW }, harness.config.multipartTicketKeys)).not.toThrow();
    }
  } else {
    expect(KNOWN_CODES.has(body.error?.code ?? '')).toBe(true);
    expect(typeof body.error?.message).toBe('string');
    expect(response.body).not.toContain('Policy');
    expect(response.body).not.toContain('X-Amz-Signature');
  }
  const auth = requestOf(event).headers.authorization?.[0]?.value ?? '';
  const signature = auth.split('.')[2];
  if (signature !== undefined && signature.length > 16) expect(response.body).not.toContain(signature);
}


// A limit, not a measurement: 3,000 random events take ~9 s alone, longer on a busy machine.
jest.setTimeout(120_000);

describe('presign handler, any event', () => {
  it('always yields a well-formed response and never throws', async () => {
    const statuses = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(eventArb, async (event) => {
        const response = await harness.handler(structuredClone(event));
        assertWellFormed(response, event);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const routeStatus = `${requestOf(event).uri} ${response.status}`;
        statuses.set(routeStatus, (statuses.get(routeStatus) ?? 0) + 1);
      }),
      { numRuns: 3000 },
    );
    // The generators reach the success path and the main refusals, not just one of them.
    for (const status of ['200', '400', '401', '403', '404', '405', '415', '/presign/multipart 200', '/presign/multipart/parts 200']) {
      expect({ status, seen: (statuses.get(status) ?? 0) > 0 }).toEqual({ status, seen: true });
    }
  });
});
