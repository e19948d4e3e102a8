/**
 * The presign handler's one log line per request is CloudWatch Embedded
 * Metric Format (README "Metrics"): every route and outcome parsed from the
 * very text the default logger writes, checked against the EMF rules
 * (test/support/emf.ts), with bounded dimensions and no secret in it.
 */
import type { CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { parseEdgeConfig, type SigningCredentials } from '../../../edge-functions/core/edge-config';
import { newUploadId } from '../../../edge-functions/core/object-key';
import { PRESIGN_ROUTES } from '../../../edge-functions/core/presign-routes';
import { createTokenVerifier } from '../../../edge-functions/core/token-verifier';
import { DEFAULT_UPLOAD_RULES } from '../../../edge-functions/core/upload-rules';
import { createPresignHandler, emfLogger } from '../../../edge-functions/presign/handler';
import { expectedDirectives, parseEmfLine } from '../../support/emf';
import { bodyOf, requestOf, viewerRequest, withBody, withHeader, withToken } from '../../support/lambda-edge-events';
import { FIXED_NOW, jsonBody } from '../../support/presign-harness';
import { accessToken, newSigningKey, TEST_CREDENTIALS, TEST_SUB, testEdgeConfig } from '../../support/tokens';

const key = newSigningKey();
const config = parseEdgeConfig(testEdgeConfig(key), DEFAULT_UPLOAD_RULES.policyTtlSeconds, DEFAULT_UPLOAD_RULES.partUrlTtlSeconds);
const TOKEN = accessToken(key);
const WRITTEN_AT = 1_790_000_000_123;
const LONG_SESSION_TOKEN = `IQoJ${'b3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ'.repeat(25)}`;

function handlerWith(credentials: () => SigningCredentials = () => TEST_CREDENTIALS) {
  const lines: string[] = [];
  const handler = createPresignHandler(
    {
      config,
      rules: DEFAULT_UPLOAD_RULES,
      verifier: createTokenVerifier(config, { fetcher: { fetch: async () => Promise.reject(new Error('network is off in tests')) } }),
      credentials,
      now: () => FIXED_NOW,
      newId: newUploadId,
    },
    emfLogger(
      (text) => lines.push(text),
      () => WRITTEN_AT,
    ),
  );
  return { handler, lines };
}

const plain = handlerWith();
const broken = handlerWith(() => {
  throw new Error('AWS_ACCESS_KEY_ID is not set');
});
const longToken = handlerWith(() => ({ ...TEST_CREDENTIALS, sessionToken: LONG_SESSION_TOKEN }));

const authorized = (event: CloudFrontRequestEvent) => withToken(event, TOKEN);
function at(uri: string, event: CloudFrontRequestEvent): CloudFrontRequestEvent {
  requestOf(event).uri = uri;
  return event;
}
function codeOf(response: CloudFrontResultResponse): string {
  if (response.status === '200') return 'OK';
  return (jsonBody(response) as { error: { code: string } }).error.code;
}

/** The recorded parts request with its ticket's signature changed. */
function forgedTicketBody(): Record<string, unknown> {
  const body = bodyOf(viewerRequest('presign-multipart-parts')) as Record<string, unknown>;
  const ticket = String(body['ticket']);
  return { ...body, ticket: `${ticket.slice(0, -2)}${ticket.endsWith('AA') ? 'BB' : 'AA'}` };
}

type Case = [
  name: string,
  route: string,
  outcome: string,
  run: () => Promise<{ response: CloudFrontResultResponse; line: string | undefined }>,
];

function via(h: ReturnType<typeof handlerWith>, event: () => CloudFrontRequestEvent) {
  return async () => {
    const before = h.lines.length;
    const response = await h.handler(event());
    expect(h.lines.length).toBe(before + 1);
    return { response, line: h.lines[before] };
  };
}

const CASES: Case[] = [
  ['one file', '/presign', 'OK', via(plain, () => authorized(viewerRequest('presign-one-file')))],
  ['no Authorization', '/presign', 'UNAUTHORIZED', via(plain, () => viewerRequest('presign-no-authorization'))],
  ['a forged token', '/presign', 'UNAUTHORIZED', via(plain, () => withToken(viewerRequest('presign-one-file'), `${TOKEN}x`))],
  ['GET', '/presign', 'METHOD_NOT_ALLOWED', via(plain, () => authorized(viewerRequest('presign-get')))],
  ['text/plain', '/presign', 'UNSUPPORTED_MEDIA_TYPE', via(plain, () => authorized(viewerRequest('presign-text-plain')))],
  ['malformed JSON', '/presign', 'INVALID_REQUEST', via(plain, () => authorized(viewerRequest('presign-malformed-json')))],
  [
    'an unsupported type',
    '/presign',
    'UNSUPPORTED_TYPE',
    via(plain, () =>
      authorized(withBody(viewerRequest('presign-one-file'), { files: [{ name: 'a.exe', size: 10, type: 'application/x-msdownload' }] })),
    ),
  ],
  ['signing fails', '/presign', 'INTERNAL', via(broken, () => authorized(viewerRequest('presign-one-file')))],
  [
    'ten forms too large for the edge, no gzip',
    '/presign',
    'PAYLOAD_TOO_LARGE',
    via(longToken, () => withHeader(authorized(viewerRequest('presign-ten-files')), 'Accept-Encoding', undefined)),
  ],
  ['multipart start', '/presign/multipart', 'OK', via(plain, () => authorized(viewerRequest('presign-multipart-start')))],
  [
    'multipart start, no token',
    '/presign/multipart',
    'UNAUTHORIZED',
    via(plain, () => withHeader(viewerRequest('presign-multipart-start'), 'Authorization', undefined)),
  ],
  ['multipart parts', '/presign/multipart/parts', 'OK', via(plain, () => authorized(viewerRequest('presign-multipart-parts')))],
  [
    'multipart parts, a forged ticket',
    '/presign/multipart/parts',
    'INVALID_TICKET',
    via(plain, () => authorized(withBody(viewerRequest('presign-multipart-parts'), forgedTicketBody()))),
  ],
  [
    'an unknown path under /presign/',
    '/presign/*',
    'NOT_FOUND',
    via(plain, () => authorized(at(`/presign/${TEST_SUB}/x`, viewerRequest('presign-unknown-path')))),
  ],
  ['any other path', 'other', 'NOT_FOUND', via(plain, () => authorized(at('/etc/passwd', viewerRequest('presign-unknown-path'))))],
];

describe('the presign log line, in Embedded Metric Format', () => {
  it.each(CASES)('%s: valid EMF, Route %s, Outcome %s', async (_name, route, outcome, run) => {
    const { response, line } = await run();
    expect(codeOf(response)).toBe(outcome);
    const parsed = parseEmfLine(line ?? '');
    expect(parsed['_aws']).toEqual({ Timestamp: WRITTEN_AT, CloudWatchMetrics: expectedDirectives() });
    expect(parsed).toMatchObject({ Route: route, Outcome: outcome, Requests: 1, LatencyMs: expect.any(Number) });
    // The log's own members stay: route, status and, on failure, the code.
    expect(parsed).toMatchObject({ route, status: Number(response.status), latencyMs: expect.any(Number) });
    if (outcome !== 'OK') expect(parsed['code']).toBe(outcome);
    expect(line).not.toContain('\n');
  });

  it('covers every presign route: each names itself as Route, never the path as sent', async () => {
    for (const route of PRESIGN_ROUTES) {
      const { response, line } = await via(plain, () =>
        withHeader(at(route, viewerRequest('presign-one-file')), 'Authorization', undefined),
      )();
      const parsed = parseEmfLine(line ?? '');
      expect(parsed).toMatchObject({ Route: route, Outcome: codeOf(response) });
    }
  });

  it('keeps the dimensions to bounded sets: every Route and Outcome seen is a known name or an error code', () => {
    const lines = [...plain.lines, ...broken.lines, ...longToken.lines].map(parseEmfLine);
    expect(lines.length).toBeGreaterThan(CASES.length);
    for (const line of lines) {
      expect([...PRESIGN_ROUTES, '/presign/*', 'other']).toContain(line['Route']);
      expect(line['Outcome']).toMatch(/^(?:OK|[A-Z][A-Z_]{1,40})$/);
    }
  });

  it('never carries a token, a credential, a user id or the raw path, whatever the route and outcome', () => {
    const everything = [...plain.lines, ...broken.lines, ...longToken.lines].join('\n');
    for (const part of TOKEN.split('.')) expect(everything).not.toContain(part);
    expect(everything).not.toContain(TEST_CREDENTIALS.sessionToken);
    expect(everything).not.toContain(TEST_CREDENTIALS.secretAccessKey);
    expect(everything).not.toContain(LONG_SESSION_TOKEN.slice(0, 40));
    expect(everything).not.toContain(TEST_SUB);
    expect(everything).not.toContain('passwd');
  });
});
