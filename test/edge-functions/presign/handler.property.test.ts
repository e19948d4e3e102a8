/**
 * Whatever a viewer sends, to whatever path, the handler answers with a
 * well-formed generated CloudFront response: never a throw, never a 5xx,
 * never a policy or URL without a valid token (and, for part URLs, a valid
 * ticket for that user and key), never the token echoed back.
 *
 * One suite for the unit's properties and its fuzzing (formerly two files):
 * every property makes FUZZ_RUNS runs (test/support/fuzz-settings.ts; `npm test`
 * a few hundred to a thousand, `npm run test:fuzz` 10,000).
 *
 * The fuzzing part:
 * The presign handler (Lambda@Edge viewer-request), FUZZ_RUNS random events
 * (10,000 under `npm run test:fuzz`), in process: recorded CloudFront events with the method,
 * headers, body and above all the token varied. Tokens are really signed:
 * random claims (exp, nbf, iss, client_id, token_use, sub) and headers (alg,
 * kid, jku, jwk) under the right key, another key, a flipped signature, HS256
 * keyed with the public key, alg none.
 *
 * Oracles, written from docs/http-api.md rather than from the handler's code:
 * - always a well-formed generated response: no throw, no 5xx, lower-case
 *   header map, body under Lambda@Edge's 40 KB, one log line;
 * - the status follows the documented order of checks: method (405), a
 *   Bearer JWT (401), JSON content type (415), a valid token (401), body;
 * - a form (200) only for a token this suite's own model calls valid, and
 *   every form binds exactly what docs/http-api.md says: the key under the token's sub,
 *   the declared type and exact size, the owner, SSE-KMS, the expiry, and a
 *   SigV4 signature that an independent HMAC chain reproduces;
 * - known-valid requests with a valid token always get their forms;
 * - a refusal has a known code, the status that code has in docs/http-api.md, a file
 *   index only within the request, and never a policy or the token.
 *
 * A second property does the same for the multipart routes (docs/large-files.md) and for any
 * other path: 404 for every path that is not a route, part URLs only for a
 * valid token and a genuine, unexpired ticket of that token's sub for that key.
 */
import type { CloudFrontHeaders, CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import fc from 'fast-check';
import { MAX_GENERATED_RESPONSE_BYTES } from '../../../edge-functions/presign/handler';
import { requestOf, viewerRequest } from '../../support/lambda-edge-events';
import { jsonBody, presignHarness, FIXED_NOW } from '../../support/presign-harness';
import { signTicket, verifyTicket } from '../../../edge-functions/core/multipart-ticket';
import { planParts } from '../../../edge-functions/core/part-plan';
import { accessToken, idToken, TEST_SUB, newSigningKey, TEST_CLIENT_ID, TEST_CREDENTIALS, TEST_ISSUER } from '../../support/tokens';
import { fuzzParameters, FUZZ_RUNS, OutcomeTally, REACH_CHECKS } from '../../support/fuzz-settings';
import { createHmac, createPublicKey, createSign, type KeyObject } from 'node:crypto';

describe('properties', () => {
  const harness = presignHarness();
  const validToken = accessToken(harness.key);
  const KNOWN_CODES = new Set([
    'INVALID_REQUEST',
    'INVALID_FILENAME',
    'FILE_TOO_LARGE',
    'USE_MULTIPART',
    'EMPTY_FILE',
    'UNSUPPORTED_TYPE',
    'UNSUPPORTED_MEDIA_TYPE',
    'PAYLOAD_TOO_LARGE',
    'UNAUTHORIZED',
    'METHOD_NOT_ALLOWED',
    'NOT_FOUND',
    'INVALID_TICKET',
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
    fc.constant(
      signTicket(
        { sub: 'someone-else', key: TICKET_KEY, type: 'video/mp4', size: 9, partSize: 9, partCount: 1, exp },
        harness.config.multipartTicketKeys,
      ),
    ),
    fc.constant(
      signTicket(
        { sub: TEST_SUB, key: TICKET_KEY, type: 'video/mp4', size: 9, partSize: 9, partCount: 1, exp: exp - 7200 },
        harness.config.multipartTicketKeys,
      ),
    ),
    fc
      .nat(genuineTicket.length - 1)
      .map((at) => genuineTicket.slice(0, at) + (genuineTicket[at] === 'A' ? 'B' : 'A') + genuineTicket.slice(at + 1)),
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
          {
            arbitrary: fc
              .uniqueArray(fc.integer({ min: 1, max: 875 }), { minLength: 1, maxLength: 10 })
              .map((ns) => ns.map((partNumber) => ({ partNumber }))),
            weight: 4,
          },
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
        // A start the edge accepts, often enough that the reach check sees one (about 3 in 3,000 events otherwise).
        {
          arbitrary: fc.record({
            name: fc.constant('talk.mp4'),
            size: fc.integer({ min: 101 * 2 ** 20, max: 20 * 2 ** 30 }),
            type: fc.constant('video/mp4'),
            md5: fc.constant('1B2M2Y8AsgTpgAmY7PhCfg=='),
          }),
          weight: 1,
        },
        fc.record(
          {
            name: fc.constantFrom('talk.mp4', 'clip.MOV', 'a.zip', 'x.png', '../b.m4v'),
            size: fc.oneof(fc.integer({ min: -1, max: 25 * 2 ** 30 }), fc.double()),
            type: fc.constantFrom('video/mp4', 'video/quicktime', 'application/zip', 'image/png', 'text/html'),
            md5: fc.oneof(fc.constant('1B2M2Y8AsgTpgAmY7PhCfg=='), fc.string()),
          },
          { requiredKeys: ['name', 'size', 'type'] },
        ),
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
      name: fc.oneof(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.constantFrom('a.png', 'b.pdf', '../x.jpg', '.gif', 'c.webp'),
        fc.integer(),
      ),
      size: fc.oneof(fc.integer({ min: -10, max: 60 * 1024 * 1024 }), fc.double(), fc.string(), fc.constant(null)),
      type: fc.oneof(fc.constantFrom('image/png', 'image/jpeg', 'application/pdf', 'text/html', 'IMAGE/GIF'), fc.string()),
      id: fc.oneof(fc.uuid({ version: 4 }), fc.uuid(), fc.string(), fc.integer()),
    },
    { requiredKeys: [] },
  );
  const validFileArb = fc
    .record({
      name: fc.constantFrom('a.png', 'scan.PDF', 'фото.jpeg', 'x y (1).gif', 'pic.webp'),
      size: fc.integer({ min: 1, max: 10 * 1024 * 1024 }),
      type: fc.constant('derived'),
    })
    .map((f) => ({
      ...f,
      type: { png: 'image/png', pdf: 'application/pdf', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' }[
        f.name.split('.').pop()!.toLowerCase()
      ],
    }));
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
      authorization: fc.oneof({ arbitrary: fc.constant(`Bearer ${validToken}`), weight: 4 }, fc.constant(undefined), authorizationArb),
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
    const body = jsonBody(response) as {
      uploads?: unknown[];
      parts?: unknown[];
      ticket?: string;
      error?: { code: string; message: string };
    };
    const request = requestOf(event);
    if (status === 200) {
      expect(request.headers.authorization?.[0]?.value).toBe(`Bearer ${validToken}`);
      if (request.uri === '/presign') expect(Array.isArray(body.uploads)).toBe(true);
      else if (request.uri === '/presign/multipart') expect(typeof body.ticket).toBe('string');
      else {
        expect(request.uri).toBe('/presign/multipart/parts');
        expect(Array.isArray(body.parts)).toBe(true);
        // Part URLs only for a genuine, unexpired ticket of this user for this key.
        const sent = JSON.parse(
          Buffer.from(request.body?.data ?? '', request.body?.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8'),
        );
        expect(() =>
          verifyTicket(sent.ticket, { sub: TEST_SUB, key: sent.key, now: FIXED_NOW }, harness.config.multipartTicketKeys),
        ).not.toThrow();
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
        // Its reach check (below) needs 3,000 events to see both multipart routes succeed.
        fuzzParameters({ numRuns: REACH_CHECKS ? Math.max(FUZZ_RUNS, 3000) : FUZZ_RUNS }),
      );
      // The generators reach the success path and the main refusals, not just one of them.
      if (REACH_CHECKS)
        for (const status of ['200', '400', '401', '403', '404', '405', '415', '/presign/multipart 200', '/presign/multipart/parts 200']) {
          expect({ status, seen: (statuses.get(status) ?? 0) > 0 }).toEqual({ status, seen: true });
        }
    });
  });
});

describe('fuzzing', () => {
  const harness = presignHarness();
  const otherKey = newSigningKey(harness.key.kid);
  const publicPem = createPublicKey(harness.key.privateKey).export({ format: 'pem', type: 'spki' }).toString();

  /** docs/upload-rules.md, restated here as the oracle's own table. */
  const TYPES: Readonly<Record<string, { readonly extensions: readonly string[]; readonly maxBytes: number }>> = {
    'image/jpeg': { extensions: ['jpg', 'jpeg'], maxBytes: 10 * 1024 * 1024 },
    'image/png': { extensions: ['png'], maxBytes: 10 * 1024 * 1024 },
    'image/webp': { extensions: ['webp'], maxBytes: 10 * 1024 * 1024 },
    'image/gif': { extensions: ['gif'], maxBytes: 10 * 1024 * 1024 },
    'application/pdf': { extensions: ['pdf'], maxBytes: 50 * 1024 * 1024 },
  };
  /** docs/http-api.md: each presign error code and its status. */
  const STATUS_OF_CODE: Readonly<Record<string, number>> = {
    UNAUTHORIZED: 401,
    INVALID_REQUEST: 400,
    INVALID_FILENAME: 400,
    FILE_TOO_LARGE: 413,
    EMPTY_FILE: 400,
    UNSUPPORTED_TYPE: 415,
    METHOD_NOT_ALLOWED: 405,
    UNSUPPORTED_MEDIA_TYPE: 415,
    PAYLOAD_TOO_LARGE: 413,
    NOT_FOUND: 404,
    INVALID_TICKET: 403,
  };
  const POLICY_TTL_SECONDS = 300;
  const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const SAFE_SUB = /^[A-Za-z0-9_-]{1,128}$/;

  // ---------------------------------------------------------------------------
  // Tokens

  type SignatureMode = 'valid' | 'other-key' | 'flipped' | 'empty' | 'hmac-public-key' | 'garbage';

  interface TokenSpec {
    readonly header: Record<string, unknown>;
    readonly claims: Record<string, unknown>;
    readonly signature: SignatureMode;
  }

  const nowSeconds = () => Math.floor(Date.now() / 1000);

  const absent = Symbol('absent');
  /** A claim value, or `absent` to leave the claim out. */
  const claim = <T>(right: T, ...wrong: fc.Arbitrary<unknown>[]) =>
    fc.oneof({ arbitrary: fc.constant<unknown>(right), weight: 3 }, fc.constant<unknown>(absent), ...wrong);

  interface RawTokenParts {
    readonly header: Record<string, unknown>;
    readonly claims: Record<string, unknown>;
    readonly signature: SignatureMode;
  }

  const RIGHT_HEADER: Record<string, unknown> = { alg: 'RS256', kid: harness.key.kid };
  const RIGHT_CLAIMS: Record<string, unknown> = {
    sub: TEST_SUB,
    iss: TEST_ISSUER,
    client_id: TEST_CLIENT_ID,
    token_use: 'access',
    exp: 'future',
    nbf: absent,
    aud: absent,
  };

  const rawTokenPartsArb: fc.Arbitrary<RawTokenParts> = fc.record({
    header: fc.record({
      alg: fc.oneof(
        { arbitrary: fc.constant<unknown>('RS256'), weight: 3 },
        fc.constantFrom<unknown>('none', 'None', 'HS256', 'RS512', 'ES256', 'PS256', '', 'rs256', absent, 256),
      ),
      kid: fc.oneof(
        { arbitrary: fc.constant<unknown>(harness.key.kid), weight: 3 },
        fc.constantFrom<unknown>('unknown-kid', '', absent, 7, '../../jwks'),
      ),
      typ: fc.constantFrom<unknown>(absent, 'JWT', 'at+jwt'),
      jku: fc.constantFrom<unknown>(absent, absent, absent, 'http://127.0.0.1:9/jwks.json'),
      jwk: fc.constantFrom<unknown>(absent, absent, absent, otherKey.jwk),
    }),
    claims: fc.record({
      sub: claim(
        TEST_SUB,
        fc.uuid({ version: 4 }),
        fc.constantFrom('../admin', 'a/b', '', 'x'.repeat(129), 'ünïcode', 'a b'),
        fc.integer(),
      ),
      iss: claim(
        TEST_ISSUER,
        fc.constantFrom(`${TEST_ISSUER}/`, 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Evil', TEST_ISSUER.toUpperCase(), ''),
        fc.integer(),
      ),
      client_id: claim(TEST_CLIENT_ID, fc.constantFrom('otherclient0123456789abc', '', TEST_CLIENT_ID.toUpperCase())),
      token_use: claim('access', fc.constantFrom('id', 'refresh', 'ACCESS', '')),
      exp: claim(
        'future',
        fc.constantFrom<unknown>('past', 'just-past', 'string', 'NaN-string', 0, -1),
        fc.integer({ min: -100_000, max: 100_000 }).map((offset) => ({ offset })),
      ),
      nbf: fc.oneof({ arbitrary: fc.constant<unknown>(absent), weight: 8 }, fc.constantFrom<unknown>('past', 'future')),
      iat: fc.constantFrom<unknown>('now', 'now', absent),
      aud: fc.oneof({ arbitrary: fc.constant<unknown>(absent), weight: 8 }, fc.constantFrom<unknown>(TEST_CLIENT_ID, 'other')),
      extra: fc.dictionary(
        fc.constantFrom('custom:role', 'groups', 'foo', 'scope', 'username'),
        fc.oneof(fc.string({ maxLength: 20 }), fc.constant('admin')),
      ),
    }),
    signature: fc.oneof(
      { arbitrary: fc.constant<SignatureMode>('valid'), weight: 3 },
      fc.constantFrom<SignatureMode>('other-key', 'flipped', 'empty', 'hmac-public-key', 'garbage'),
    ),
  });

  /**
   * Tokens in three mixes, so that every check is reached and the valid path is common:
   * all right (random extra claims), exactly one header field, claim or the
   * signature taken from the random draw, or everything random.
   */
  const tokenSpecArb: fc.Arbitrary<TokenSpec> = fc
    .tuple(rawTokenPartsArb, fc.constantFrom('right', 'right', 'one', 'one', 'one', 'random'), fc.nat())
    .map(([random, mix, pick]): RawTokenParts => {
      if (mix === 'random') return random;
      const right: RawTokenParts = {
        header: { ...random.header, ...RIGHT_HEADER },
        claims: { ...random.claims, ...RIGHT_CLAIMS },
        signature: 'valid',
      };
      if (mix === 'right') return right;
      const choices = [
        ...Object.keys(RIGHT_HEADER).map((name) => ['header', name]),
        ...Object.keys(RIGHT_CLAIMS).map((name) => ['claims', name]),
        ['signature', ''],
      ];
      const [where, name = ''] = choices[pick % choices.length] ?? ['signature', ''];
      if (where === 'signature') return { ...right, signature: random.signature };
      if (where === 'header') return { ...right, header: { ...right.header, [name]: random.header[name] } };
      return { ...right, claims: { ...right.claims, [name]: random.claims[name] } };
    })
    .map(({ header, claims, signature }) => {
      const now = nowSeconds();
      const resolvedClaims: Record<string, unknown> = {};
      const { extra, ...named } = claims as Record<string, unknown> & { extra: Record<string, unknown> };
      for (const [name, value] of Object.entries(extra)) resolvedClaims[name] = value;
      for (const [name, value] of Object.entries(named)) {
        if (value === absent) continue;
        if (name === 'exp') {
          const times: Record<string, unknown> = {
            future: now + 3600,
            past: now - 3600,
            'just-past': now - 5,
            string: String(now + 3600),
            'NaN-string': 'soon',
          };
          resolvedClaims.exp =
            typeof value === 'object' && value !== null && 'offset' in value
              ? now + (value as { offset: number }).offset
              : typeof value === 'string'
                ? times[value]
                : value;
        } else if (name === 'nbf') resolvedClaims.nbf = value === 'past' ? now - 60 : now + 3600;
        else if (name === 'iat') resolvedClaims.iat = now;
        else resolvedClaims[name] = value;
      }
      const resolvedHeader: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(header)) if (value !== absent) resolvedHeader[name] = value;
      return { header: resolvedHeader, claims: resolvedClaims, signature };
    });

  function encodeToken(spec: TokenSpec): string {
    const input = `${Buffer.from(JSON.stringify(spec.header)).toString('base64url')}.${Buffer.from(JSON.stringify(spec.claims)).toString('base64url')}`;
    const rsa = (key: KeyObject) => createSign('RSA-SHA256').update(input).sign(key).toString('base64url');
    switch (spec.signature) {
      case 'valid':
        return `${input}.${rsa(harness.key.privateKey)}`;
      case 'other-key':
        return `${input}.${rsa(otherKey.privateKey)}`;
      case 'flipped': {
        // A character in the middle: the last one can carry only padding bits and decode to the same bytes.
        const signature = rsa(harness.key.privateKey);
        const at = Math.floor(signature.length / 2);
        return `${input}.${signature.slice(0, at)}${signature[at] === 'A' ? 'B' : 'A'}${signature.slice(at + 1)}`;
      }
      case 'empty':
        return `${input}.`;
      case 'hmac-public-key':
        return `${input}.${createHmac('sha256', publicPem).update(input).digest('base64url')}`;
      case 'garbage':
        return `${input}.${Buffer.from('not a signature at all').toString('base64url')}`;
    }
  }

  /** This suite's own reading of docs/edge-config.md: which tokens the edge must accept. */
  function tokenIsValid(spec: TokenSpec): boolean {
    const now = nowSeconds();
    const { header, claims } = spec;
    const exp = claims.exp;
    const nbf = claims.nbf;
    return (
      spec.signature === 'valid' &&
      header.alg === 'RS256' &&
      header.kid === harness.key.kid &&
      claims.iss === TEST_ISSUER &&
      claims.client_id === TEST_CLIENT_ID &&
      claims.token_use === 'access' &&
      typeof exp === 'number' &&
      exp > now + 1 && // a second of slack either way: the model and the verifier read the clock apart
      (nbf === undefined || (typeof nbf === 'number' && nbf < now - 1)) &&
      (claims.aud === undefined || typeof claims.aud === 'string') &&
      typeof claims.sub === 'string' &&
      SAFE_SUB.test(claims.sub)
    );
  }

  /** Tokens whose acceptance depends on the second the check runs: left out of the exact status oracle. */
  function tokenIsBorderline(spec: TokenSpec): boolean {
    const now = nowSeconds();
    const exp = spec.claims.exp;
    return typeof exp === 'number' && Math.abs(exp - now) <= 2;
  }

  // ---------------------------------------------------------------------------
  // Requests

  interface FileSpec {
    readonly name?: unknown;
    readonly size?: unknown;
    readonly type?: unknown;
    readonly id?: unknown;
  }

  const validFileArb: fc.Arbitrary<FileSpec> = fc
    .record({
      type: fc.constantFrom(...Object.keys(TYPES)),
      base: fc.constantFrom('holiday', 'scan 2026', 'фото', '写真', 'x', 'résumé', 'a.b.c', 'IMG_0001'),
      extCase: fc.boolean(),
      typeCase: fc.constantFrom('lower', 'upper', 'padded'),
      sizeShare: fc.double({ min: 0, max: 1, noNaN: true }),
      id: fc.option(
        fc.uuid({ version: 4 }).map((id) => id.toUpperCase()),
        { nil: undefined },
      ),
    })
    .chain((f) =>
      fc.constantFrom(...(TYPES[f.type]?.extensions ?? [])).map((extension): FileSpec => {
        const rule = TYPES[f.type];
        const max = rule?.maxBytes ?? 1;
        return {
          name: `${f.base}.${f.extCase ? extension.toUpperCase() : extension}`,
          size: Math.max(1, Math.floor(f.sizeShare * max)),
          type: f.typeCase === 'lower' ? f.type : f.typeCase === 'upper' ? f.type.toUpperCase() : ` ${f.type} `,
          ...(f.id === undefined ? {} : { id: f.id }),
        };
      }),
    );

  const hostileFileArb: fc.Arbitrary<FileSpec> = fc.record(
    {
      name: fc.oneof(
        // Names that are empty once sanitized (INVALID_FILENAME), often enough that every
        // 1,000-event pass reaches that refusal (it once missed: about 2 in 1,000 before).
        { arbitrary: fc.constantFrom('', ' ', '\u0000', '\u200b\u200b', ' \t '), weight: 3 },
        fc.string({ unit: 'grapheme', maxLength: 60 }),
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.constantFrom(
          '../../etc/passwd.png',
          '....png',
          '.png',
          'a\u202Egnp.exe',
          'a\u0000.png',
          'CON.png',
          '%2e%2e%2f.png',
          'x.png.exe',
          'x.exe.png',
          '😀.png',
          '',
          ' ',
        ),
        fc.integer(),
        fc.constant(null),
      ),
      size: fc.oneof(
        fc.integer({ min: -10, max: 60 * 1024 * 1024 }),
        fc.constantFrom(0, -0, 1.5, 1e308, Number.MAX_SAFE_INTEGER + 2, 10 * 1024 * 1024 + 1, 50 * 1024 * 1024 + 1),
        fc.double(),
        fc.string({ maxLength: 8 }),
        fc.constant(null),
        fc.boolean(),
      ),
      type: fc.oneof(
        fc.constantFrom(...Object.keys(TYPES), 'image/svg+xml', 'text/html', 'image/png; a=b', 'IMAGE/PNG', ''),
        fc.string({ maxLength: 20 }),
        fc.integer(),
      ),
      id: fc.oneof(
        fc.uuid({ version: 4 }),
        fc.uuid(),
        fc.string({ maxLength: 40 }),
        fc.integer(),
        fc.constant('00000000-0000-4000-8000-000000000000'),
      ),
    },
    { requiredKeys: [] },
  );

  type BodySpec =
    | { readonly kind: 'valid'; readonly files: readonly FileSpec[] }
    | { readonly kind: 'files'; readonly files: readonly unknown[] }
    | { readonly kind: 'text'; readonly text: string };

  const uniqueIds = (files: readonly FileSpec[]) => {
    const ids = files.map((f) => (typeof f.id === 'string' ? f.id.toLowerCase() : undefined)).filter((id) => id !== undefined);
    return new Set(ids).size === ids.length;
  };

  /** Valid files with one field of one file replaced by a hostile value (or removed): reaches each per-file refusal. */
  const nearlyValidBodyArb: fc.Arbitrary<BodySpec> = fc
    .tuple(
      fc.array(validFileArb, { minLength: 1, maxLength: 10 }).filter(uniqueIds),
      hostileFileArb,
      fc.nat(),
      fc.constantFrom('name', 'size', 'type', 'id'),
    )
    .map(([files, hostile, pick, field]): BodySpec => {
      const index = pick % files.length;
      const changed = files.map((file, i) => {
        if (i !== index) return file;
        const copy: Record<string, unknown> = { ...file };
        if (field in hostile) copy[field] = (hostile as Record<string, unknown>)[field];
        else delete copy[field];
        return copy;
      });
      return { kind: 'files', files: changed };
    });

  const bodyArb: fc.Arbitrary<BodySpec> = fc.oneof(
    {
      arbitrary: fc
        .array(validFileArb, { minLength: 1, maxLength: 10 })
        .filter(uniqueIds)
        .map((files): BodySpec => ({ kind: 'valid', files })),
      weight: 5,
    },
    { arbitrary: nearlyValidBodyArb, weight: 4 },
    {
      arbitrary: fc
        .array(fc.oneof(validFileArb, hostileFileArb, fc.anything()), { maxLength: 12 })
        .map((files): BodySpec => ({ kind: 'files', files })),
      weight: 3,
    },
    fc
      .oneof(
        fc.json(),
        fc.string({ unit: 'binary', maxLength: 400 }),
        fc.constantFrom(
          '',
          '{',
          'null',
          '[]',
          '{"files":{}}',
          '{"__proto__":{"files":[]}}',
          `{"files":${'['.repeat(2000)}${']'.repeat(2000)}}`,
          '{"files":[{"name":"a.png","size":1e400,"type":"image/png"}]}',
        ),
      )
      .map((text): BodySpec => ({ kind: 'text', text })),
  );

  interface EventSpec {
    readonly method: string;
    readonly authorization:
      | { readonly kind: 'token'; readonly scheme: string; readonly spec: TokenSpec }
      | { readonly kind: 'raw'; readonly value: string }
      | { readonly kind: 'none' };
    readonly contentType: string | undefined;
    readonly body: BodySpec | undefined;
    readonly encoding: 'base64' | 'text';
    readonly truncated: boolean;
    readonly acceptGzip: boolean;
    readonly extraHeaders: Readonly<Record<string, string>>;
  }

  const eventSpecArb: fc.Arbitrary<EventSpec> = fc.record({
    method: fc.oneof(
      { arbitrary: fc.constant('POST'), weight: 12 },
      fc.constantFrom('GET', 'PUT', 'OPTIONS', 'DELETE', 'HEAD', 'post', 'PATCH'),
    ),
    authorization: fc.oneof(
      {
        arbitrary: fc.record({
          kind: fc.constant('token' as const),
          scheme: fc.constantFrom('Bearer ', 'Bearer ', 'Bearer ', 'bearer ', 'BEARER  ', 'Basic ', ''),
          spec: tokenSpecArb,
        }),
        weight: 12,
      },
      fc.record({
        kind: fc.constant('raw' as const),
        value: fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.constantFrom('Bearer', 'Bearer a.b.c', `Bearer ${'a'.repeat(9000)}.b.c`, 'Bearer ..', 'Bearer a.b.c.d'),
        ),
      }),
      fc.constant({ kind: 'none' as const }),
    ),
    contentType: fc.oneof(
      { arbitrary: fc.constant<string | undefined>('application/json'), weight: 10 },
      fc.constantFrom<string | undefined>(
        undefined,
        'application/json; charset=utf-8',
        'APPLICATION/JSON',
        'application/json;',
        'text/plain',
        '',
        'application/jsonx',
        ' application/json',
        'multipart/form-data',
      ),
      fc.string({ maxLength: 30 }),
    ),
    body: fc.option(bodyArb, { nil: undefined, freq: 12 }),
    encoding: fc.constantFrom('base64' as const, 'base64' as const, 'text' as const),
    truncated: fc.oneof({ arbitrary: fc.constant(false), weight: 12 }, fc.constant(true)),
    acceptGzip: fc.boolean(),
    extraHeaders: fc.dictionary(
      fc.constantFrom('origin', 'x-forwarded-for', 'cookie', 'x-junk', 'content-length'),
      fc.string({ maxLength: 60 }),
      { maxKeys: 3 },
    ),
  });

  interface BuiltEvent {
    readonly event: CloudFrontRequestEvent;
    readonly token: string | undefined;
    readonly authorization: string | undefined;
    readonly bodyText: string | undefined;
  }

  function bodyText(body: BodySpec): string {
    return body.kind === 'text' ? body.text : JSON.stringify({ files: body.files });
  }

  function buildEvent(spec: EventSpec): BuiltEvent {
    const recorded = viewerRequest('presign-one-file');
    const request = { ...requestOf(recorded), method: spec.method };
    const headers: CloudFrontHeaders = { host: request.headers.host ?? [] };
    for (const [name, value] of Object.entries(spec.extraHeaders)) headers[name] = [{ key: name, value }];
    let token: string | undefined;
    let authorization: string | undefined;
    if (spec.authorization.kind === 'token') {
      token = encodeToken(spec.authorization.spec);
      authorization = `${spec.authorization.scheme}${token}`;
    } else if (spec.authorization.kind === 'raw') authorization = spec.authorization.value;
    if (authorization !== undefined) headers.authorization = [{ key: 'Authorization', value: authorization }];
    if (spec.contentType !== undefined) headers['content-type'] = [{ key: 'Content-Type', value: spec.contentType }];
    if (spec.acceptGzip) headers['accept-encoding'] = [{ key: 'Accept-Encoding', value: 'gzip, br' }];
    request.headers = headers;
    const text = spec.body === undefined ? undefined : bodyText(spec.body);
    if (text === undefined) delete request.body;
    else {
      const data = spec.encoding === 'base64' ? Buffer.from(text, 'utf8').toString('base64') : text;
      request.body = { inputTruncated: spec.truncated, action: 'read-only', encoding: spec.encoding, data };
    }
    return { event: { Records: [{ cf: { ...recorded.Records[0]!.cf, request } }] }, token, authorization, bodyText: text };
  }

  // ---------------------------------------------------------------------------
  // Oracles

  const BEARER_JWT = /^Bearer +[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/i;
  const JSON_TYPE = /^application\/json\s*(;|$)/i;

  /** The status the documented header checks decide, or undefined when the body decides. */
  function expectedHeaderStatus(spec: EventSpec, built: BuiltEvent): number | 'valid-token' | 'borderline' {
    if (spec.method !== 'POST') return 405;
    const auth = built.authorization;
    if (auth === undefined || auth.length > 8192 || !BEARER_JWT.test(auth.trim())) return 401;
    if (!JSON_TYPE.test(spec.contentType ?? '')) return 415;
    if (spec.authorization.kind !== 'token') return 401;
    if (tokenIsBorderline(spec.authorization.spec)) return 'borderline';
    return tokenIsValid(spec.authorization.spec) ? 'valid-token' : 401;
  }

  function sigV4Hex(secret: string, shortDate: string, region: string, policy: string): string {
    const step = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
    const key = step(step(step(step(`AWS4${secret}`, shortDate), region), 's3'), 'aws4_request');
    return createHmac('sha256', key).update(policy).digest('hex');
  }

  interface PresignedForm {
    readonly id: string;
    readonly key: string;
    readonly url: string;
    readonly fields: Record<string, string>;
    readonly expiresAt: string;
  }

  function checkForm(upload: PresignedForm, declared: FileSpec, sub: string): void {
    const type = String(declared.type).trim().toLowerCase();
    const rule = TYPES[type];
    expect(rule).toBeDefined();
    const size = declared.size as number;
    expect(Number.isSafeInteger(size) && size > 0 && size <= (rule?.maxBytes ?? 0)).toBe(true);

    const match = /^uploads\/([^/]+)\/2026\/11\/29\/([^/]+)\/([^/]+)$/.exec(upload.key);
    expect(match).not.toBeNull();
    const [, keySub, id, name = ''] = match ?? [];
    expect(keySub).toBe(sub);
    expect(id).toBe(upload.id);
    expect(id).toMatch(UUID_V4);
    if (typeof declared.id === 'string') expect(id).toBe(declared.id.toLowerCase());
    expect(name).toMatch(/^[\p{L}\p{M}\p{N}._-]+$/u);
    expect(name).not.toMatch(/\.\.|^\./);
    expect(Buffer.byteLength(name, 'utf8')).toBeLessThanOrEqual(128);
    expect(rule?.extensions).toContain(name.slice(name.lastIndexOf('.') + 1));

    expect(upload.url).toBe(harness.config.uploadUrl);
    const f = upload.fields;
    expect(f.key).toBe(upload.key);
    expect(f['Content-Type']).toBe(type);
    expect(f['x-amz-meta-userid']).toBe(sub);
    expect(f.success_action_status).toBe('201');
    expect(f['x-amz-server-side-encryption']).toBe('aws:kms');
    expect(f['x-amz-server-side-encryption-aws-kms-key-id']).toBe(harness.config.kmsKeyId);
    expect(f.bucket).toBe(harness.config.bucket);
    expect(f['X-Amz-Algorithm']).toBe('AWS4-HMAC-SHA256');
    expect(f['X-Amz-Credential']).toBe(`${TEST_CREDENTIALS.accessKeyId}/20261129/${harness.config.region}/s3/aws4_request`);
    expect(f['X-Amz-Date']).toBe('20261129T120000Z');
    expect(f['X-Amz-Security-Token']).toBe(TEST_CREDENTIALS.sessionToken);

    const policy = JSON.parse(Buffer.from(f.Policy ?? '', 'base64').toString('utf8')) as { expiration: string; conditions: unknown[] };
    expect(new Date(policy.expiration).getTime()).toBe(FIXED_NOW.getTime() + POLICY_TTL_SECONDS * 1000);
    expect(new Date(upload.expiresAt).getTime()).toBe(FIXED_NOW.getTime() + POLICY_TTL_SECONDS * 1000);
    expect(policy.conditions).toContainEqual(['content-length-range', size, size]);
    // Every field of the form but the policy and its signature is bound by exact match, and nothing else is allowed.
    const exact = new Map<string, unknown>();
    for (const condition of policy.conditions) {
      if (Array.isArray(condition)) {
        expect(condition[0]).toBe('content-length-range');
        continue;
      }
      const entries = Object.entries(condition as Record<string, unknown>);
      expect(entries).toHaveLength(1);
      const [entry] = entries;
      if (entry !== undefined) exact.set(entry[0].toLowerCase(), entry[1]);
    }
    for (const [name, value] of Object.entries(f)) {
      if (name === 'Policy' || name === 'X-Amz-Signature') continue;
      expect([name, exact.get(name.toLowerCase())]).toEqual([name, value]);
    }
    expect(exact.size).toBe(Object.keys(f).length - 2);
    expect(f['X-Amz-Signature']).toBe(sigV4Hex(TEST_CREDENTIALS.secretAccessKey, '20261129', harness.config.region, f.Policy ?? ''));
  }

  function declaredFiles(built: BuiltEvent): unknown[] {
    try {
      const parsed = JSON.parse(built.bodyText ?? '') as { files?: unknown };
      return Array.isArray(parsed.files) ? parsed.files : [];
    } catch {
      return [];
    }
  }

  const header = (response: CloudFrontResultResponse, name: string) => response.headers?.[name]?.[0]?.value;

  describe(`presign handler, ${FUZZ_RUNS} random events`, () => {
    it('answers every one well-formed, in the documented order of checks, with forms only for valid tokens', async () => {
      const tally = new OutcomeTally();
      await fc.assert(
        fc.asyncProperty(eventSpecArb, async (spec) => {
          const built = buildEvent(spec);
          const logsBefore = harness.logs.length;
          const response = await harness.handler(structuredClone(built.event));

          // Well-formed, whatever came in.
          expect(response.status).toMatch(/^[1-5][0-9]{2}$/);
          const status = Number(response.status);
          expect(status).toBeLessThan(500);
          expect(typeof response.statusDescription).toBe('string');
          for (const [name, values] of Object.entries(response.headers ?? {})) {
            expect(name).toBe(name.toLowerCase());
            expect(values).toHaveLength(1);
            expect(values?.[0]?.key?.toLowerCase()).toBe(name);
          }
          expect(header(response, 'cache-control')).toBe('no-store');
          expect(Buffer.byteLength(response.body ?? '') + 2048).toBeLessThanOrEqual(MAX_GENERATED_RESPONSE_BYTES);
          expect(harness.logs.length).toBe(logsBefore + 1);
          const logLine = JSON.stringify(harness.logs.at(-1));
          expect(harness.logs.at(-1)?.status).toBe(status);

          // The documented order of checks.
          const expected = expectedHeaderStatus(spec, built);
          if (typeof expected === 'number') expect(status).toBe(expected);
          if (expected === 'valid-token' && spec.body?.kind === 'valid' && !spec.truncated) {
            // Forms for ten files with a ~1 KB session token each can exceed 40 KB: gzip, or 413 without it.
            if (status === 413) expect(spec.acceptGzip).toBe(false);
            else expect(status).toBe(200);
          }
          if (status === 200) expect(expected === 'valid-token' || expected === 'borderline').toBe(true);

          const body = jsonBody(response) as { uploads?: PresignedForm[]; error?: { code: string; message: string; file?: number } };
          if (status === 200) {
            tally.add('200');
            const claims = spec.authorization.kind === 'token' ? spec.authorization.spec.claims : {};
            const files = declaredFiles(built) as FileSpec[];
            expect(body.uploads).toHaveLength(files.length);
            for (const [i, upload] of (body.uploads ?? []).entries()) checkForm(upload, files[i] ?? {}, String(claims.sub));
            expect(Object.keys(body)).toEqual(['uploads']);
            if (response.bodyEncoding === 'base64') expect(header(response, 'content-encoding')).toBe('gzip');
          } else {
            const error = body.error;
            tally.add(error?.code ?? `no code ${status}`);
            expect(Object.keys(body)).toEqual(['error']);
            expect(STATUS_OF_CODE[error?.code ?? '']).toBe(status);
            expect(typeof error?.message).toBe('string');
            expect(error?.message).not.toMatch(/[\r\n]/);
            if (error?.file !== undefined) {
              expect(Number.isInteger(error.file)).toBe(true);
              expect(error.file).toBeGreaterThanOrEqual(0);
              expect(error.file).toBeLessThan(Math.max(1, declaredFiles(built).length));
            }
            expect(response.body).not.toMatch(/Policy|X-Amz-Signature|AWS4-HMAC-SHA256/);
            if (status === 401) expect(header(response, 'www-authenticate')).toBe('Bearer');
            if (status === 405) expect(header(response, 'allow')).toBe('POST');
          }
          // Neither the answer nor the log line ever carries the token.
          const signature = built.token?.split('.')[2] ?? '';
          if (signature.length > 16) {
            expect(response.body).not.toContain(signature);
            expect(logLine).not.toContain(signature);
          }
          if (built.token !== undefined && built.token.length > 40) expect(logLine).not.toContain(built.token.slice(0, 40));
        }),
        fuzzParameters(),
      );
      console.log(`presign outcomes over ${FUZZ_RUNS} events: ${tally}`);
      // The generators reached the success path and every refusal the handler has.
      if (REACH_CHECKS)
        for (const outcome of [
          '200',
          'UNAUTHORIZED',
          'INVALID_REQUEST',
          'METHOD_NOT_ALLOWED',
          'UNSUPPORTED_MEDIA_TYPE',
          'UNSUPPORTED_TYPE',
          'INVALID_FILENAME',
        ]) {
          expect([outcome, tally.get(outcome) > 0]).toEqual([outcome, true]);
        }
      if (FUZZ_RUNS >= 2000)
        for (const outcome of ['FILE_TOO_LARGE', 'EMPTY_FILE']) expect([outcome, tally.get(outcome) > 0]).toEqual([outcome, true]);
    });
  });

  // ---------------------------------------------------------------------------
  // The multipart routes, and every other path

  const ROUTES = ['/presign', '/presign/multipart', '/presign/multipart/parts'];
  const LOG_ROUTES = new Set([...ROUTES, '/presign/*', 'other']);
  const MP_KEY = `uploads/${TEST_SUB}/2026/11/29/0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d/talk.mp4`;
  const MP_SIZE = 7_340_032_000;
  const MP_EXP = FIXED_NOW.getTime() / 1000 + 3600;
  const keys = harness.config.multipartTicketKeys;
  const goodTicket = signTicket({ sub: TEST_SUB, key: MP_KEY, type: 'video/mp4', size: MP_SIZE, ...planParts(MP_SIZE), exp: MP_EXP }, keys);

  const mpTicketArb = fc.oneof(
    { arbitrary: fc.constant(goodTicket), weight: 6 },
    fc.constant(signTicket({ sub: 'someone-else', key: MP_KEY, type: 'video/mp4', size: 1, partSize: 1, partCount: 1, exp: MP_EXP }, keys)),
    fc.constant(
      signTicket({ sub: TEST_SUB, key: MP_KEY, type: 'video/mp4', size: 1, partSize: 1, partCount: 1, exp: MP_EXP - 7200 }, keys),
    ),
    fc
      .nat(goodTicket.length - 1)
      .chain((at) => fc.constantFrom(...'A-_.0xQ').map((c) => goodTicket.slice(0, at) + c + goodTicket.slice(at + 1))),
    fc.string({ maxLength: 2500 }),
    fc.anything(),
  );
  const mpPartsArb = fc.oneof(
    {
      arbitrary: fc
        .uniqueArray(fc.integer({ min: 1, max: 875 }), { minLength: 1, maxLength: 10 })
        .map((ns) => ns.map((partNumber) => ({ partNumber }))),
      weight: 5,
    },
    fc
      .uniqueArray(fc.integer({ min: 1, max: 875 }), { minLength: 1, maxLength: 10 })
      .map((ns) => ns.map((partNumber) => ({ partNumber, md5: 'kQ4sWfQq8eDxKt1l9t1y6A==' }))),
    fc.array(
      fc.record(
        {
          partNumber: fc.oneof(fc.integer({ min: -3, max: 20_000 }), fc.double(), fc.string()),
          md5: fc.oneof(fc.base64String(), fc.string()),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 14 },
    ),
    fc.anything(),
  );
  const mpPartsBodyArb = fc
    .record(
      {
        key: fc.oneof({ arbitrary: fc.constant(MP_KEY), weight: 6 }, fc.string({ maxLength: 1100 }), fc.anything()),
        uploadId: fc.oneof(
          { arbitrary: fc.stringMatching(/^[A-Za-z0-9._~-]{1,256}$/), weight: 4 },
          fc.string({ maxLength: 300 }),
          fc.anything(),
        ),
        ticket: mpTicketArb,
        parts: mpPartsArb,
        // The next ListParts page: mostly a marker the good ticket's 875 parts admit, sometimes one at or past them, or junk.
        listPartNumberMarker: fc.oneof(
          { arbitrary: fc.integer({ min: 1, max: 874 }), weight: 12 },
          fc.integer({ min: -3, max: 20_000 }),
          fc.double(),
          fc.string({ maxLength: 6 }),
          fc.anything(),
        ),
      },
      { requiredKeys: [] },
    )
    .map((b) => JSON.stringify(b));
  const mpStartBodyArb = fc
    .record({
      file: fc.oneof(
        {
          arbitrary: fc.record({
            name: fc.constantFrom('talk.mp4', 'Vortrag (1).MP4', 'clip.m4v'),
            size: fc.integer({ min: 1, max: 20 * 2 ** 30 }),
            type: fc.constant('video/mp4'),
          }),
          weight: 4,
        },
        {
          arbitrary: fc.record(
            {
              name: fc.constantFrom('talk.mp4', 'a.M4V', 'b.mov', 'c.zip', 'd.png', '../e.mp4', '.mp4'),
              size: fc.oneof(fc.integer({ min: -1, max: 25 * 2 ** 30 }), fc.double()),
              type: fc.constantFrom('video/mp4', 'video/quicktime', 'application/zip', 'image/png', 'VIDEO/MP4', 'text/html'),
              md5: fc.oneof(fc.constant('kQ4sWfQq8eDxKt1l9t1y6A=='), fc.string()),
            },
            { requiredKeys: ['name', 'size', 'type'] },
          ),
          weight: 4,
        },
        hostileFileArb,
        fc.anything(),
      ),
    })
    .map((b) => JSON.stringify(b));
  /** Mostly the body the route expects, sometimes the other route's, sometimes junk. */
  const mpBodiesArb = fc.record({
    parts: mpPartsBodyArb,
    start: mpStartBodyArb,
    junk: fc.string({ unit: 'binary', maxLength: 400 }),
    pick: fc.nat(9),
  });
  const mpUriArb = fc.oneof(
    { arbitrary: fc.constantFrom('/presign/multipart', '/presign/multipart/parts'), weight: 10 },
    fc.constantFrom(
      '/presign',
      '/presign/',
      '/presign/multipart/',
      '/presign/multipart/parts/',
      '/presign/multipart/complete',
      '/Presign/multipart',
      '/presign//multipart',
      '/',
    ),
    fc.string({ unit: 'binary', maxLength: 2000 }).map((tail) => `/presign/${tail}`),
    fc.string({ unit: 'binary', maxLength: 2000 }),
  );

  describe(`presign handler, multipart routes and any path, ${FUZZ_RUNS} random events`, () => {
    it('answers every one well-formed; 404 off the routes; part URLs only for a valid token and a genuine ticket', async () => {
      const tally = new OutcomeTally();
      await fc.assert(
        fc.asyncProperty(eventSpecArb, mpUriArb, mpBodiesArb, async (spec, uri, bodies) => {
          const expectedBody = uri === '/presign/multipart' ? bodies.start : bodies.parts;
          const mpBody =
            bodies.pick < 7 ? expectedBody : bodies.pick < 9 ? (expectedBody === bodies.start ? bodies.parts : bodies.start) : bodies.junk;
          const built = buildEvent({ ...spec, body: spec.body === undefined ? undefined : { kind: 'text', text: mpBody } });
          Object.assign(requestOf(built.event), { uri });
          const response = await harness.handler(structuredClone(built.event));

          const status = Number(response.status);
          expect(status).toBeGreaterThanOrEqual(200);
          expect(status).toBeLessThan(500);
          for (const [name, values] of Object.entries(response.headers ?? {})) expect(values?.[0]?.key?.toLowerCase()).toBe(name);
          expect(Buffer.byteLength(response.body ?? '')).toBeLessThanOrEqual(MAX_GENERATED_RESPONSE_BYTES);
          const log = harness.logs.at(-1);
          expect(LOG_ROUTES.has(String(log?.route))).toBe(true);
          expect(log?.status).toBe(status);
          if (!ROUTES.includes(uri)) expect(status).toBe(404);

          const body = jsonBody(response) as Record<string, unknown> & { error?: { code: string } };
          if (status === 200) {
            tally.add(`${uri} 200`);
            const header = expectedHeaderStatus(spec, built);
            expect(header === 'valid-token' || header === 'borderline').toBe(true);
            const sub = spec.authorization.kind === 'token' ? String(spec.authorization.spec.claims.sub) : '';
            if (uri === '/presign/multipart/parts') {
              const sent = JSON.parse(built.bodyText ?? '') as { key: string; ticket: unknown; listPartNumberMarker?: unknown };
              const claims = verifyTicket(sent.ticket, { sub, key: sent.key, now: FIXED_NOW }, keys);
              // A list URL for the page after the marker only for a whole marker before the last part; none without one.
              const marker = new URL(String((body.list as { url: unknown }).url)).searchParams.get('part-number-marker');
              if (sent.listPartNumberMarker === undefined) expect(marker).toBeNull();
              else {
                expect(Number.isSafeInteger(sent.listPartNumberMarker)).toBe(true);
                expect(sent.listPartNumberMarker).toBeGreaterThanOrEqual(1);
                expect(sent.listPartNumberMarker).toBeLessThan(claims.partCount);
                expect(marker).toBe(String(sent.listPartNumberMarker));
                // Shown, not required: parts 200s are ~1 % of the events, and half of them carry a marker.
                tally.add('/presign/multipart/parts 200 with a marker');
              }
              for (const part of body.parts as { partNumber: number; size: number; url: string }[]) {
                expect(part.partNumber).toBeLessThanOrEqual(claims.partCount);
                const url = new URL(part.url);
                expect(url.searchParams.get('X-Amz-SignedHeaders')).toMatch(/^content-length;(content-md5;)?host$/);
                expect(url.searchParams.get('X-Amz-Security-Token')).toBe(TEST_CREDENTIALS.sessionToken);
              }
            } else if (uri === '/presign/multipart') {
              const key = String(body.key);
              expect(key.startsWith(`uploads/${sub}/`)).toBe(true);
              expect(() => verifyTicket(body.ticket, { sub, key, now: FIXED_NOW }, keys)).not.toThrow();
            }
          } else {
            tally.add(body.error?.code ?? `no code ${status}`);
            expect(STATUS_OF_CODE[body.error?.code ?? '']).toBe(status);
            expect(response.body).not.toMatch(/X-Amz-Signature|AWS4-HMAC-SHA256/);
          }
          const signature = built.token?.split('.')[2] ?? '';
          if (signature.length > 16) expect(JSON.stringify(log)).not.toContain(signature);
          expect(JSON.stringify(log)).not.toContain(goodTicket.split('.')[2]);
        }),
        fuzzParameters(),
      );
      console.log(`multipart outcomes over ${FUZZ_RUNS} events: ${tally}`);
      if (REACH_CHECKS)
        for (const outcome of [
          '/presign/multipart 200',
          '/presign/multipart/parts 200',
          'NOT_FOUND',
          'INVALID_TICKET',
          'INVALID_REQUEST',
          'UNAUTHORIZED',
        ].slice(FUZZ_RUNS >= 1000 ? 0 : 2)) {
          expect([outcome, tally.get(outcome) > 0]).toEqual([outcome, true]);
        }
    });
  });
});
