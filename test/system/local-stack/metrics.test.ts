/**
 * `GET /_local/metrics` on a real local stack: a session of sign-up, log-in,
 * a wrong password, presign with and without a token, a good and a bad
 * upload (inspected), and viewers the firewall blocks or counts; then the
 * metrics the edge answers are what the handlers' own EMF lines say, and the
 * firewall's per-rule counts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MetricsSnapshot } from '../../../infra/local/metrics-collector';
import { fixture, HTML_PAGE } from '../../origin/inspector/support/sample-files';
import { parseEmfLine } from '../../support/emf';
import {
  get,
  json,
  postJson,
  presign,
  presignOne,
  signUpAndLogIn,
  startTestStack,
  uploadFile,
  writeRulesFile,
  type Session,
  type TestStack,
} from './support/stack-harness';

jest.setTimeout(60_000);

const RULES = `version: 1
rules:
  - { name: geo-deny, type: geo-deny, priority: 0, action: block, countries: [KP] }
  - { name: geo-watch, type: geo-deny, priority: 5, action: count, countries: [FR] }
`;
const EMAIL = 'metrics@example.com';

let rulesDir: string;
let harness: TestStack;
let session: Session;
let snapshot: MetricsSnapshot;

beforeAll(async () => {
  rulesDir = mkdtempSync(path.join(tmpdir(), 'edge-upload-rules-'));
  harness = await startTestStack({ firewallRulesFile: writeRulesFile(rulesDir, RULES), inspectUploads: true });
  const { stack } = harness;

  session = await signUpAndLogIn(stack, EMAIL);
  expect((await postJson(stack, '/auth/login', { email: EMAIL, password: 'Wrong-Horse-1-Battery' })).status).toBe(401);
  expect((await presign(stack, 'not-a-token', [{ name: 'a.png', size: 10, type: 'image/png' }])).status).toBe(401);

  const png = fixture('image.png');
  const good = await presignOne(stack, session.accessToken, { name: 'good.png', size: png.length, type: 'image/png' });
  expect((await uploadFile(stack, good, png)).status).toBe(201);
  const bad = await presignOne(stack, session.accessToken, { name: 'bad.png', size: HTML_PAGE.length, type: 'image/png' });
  expect((await uploadFile(stack, bad, HTML_PAGE)).status).toBe(201);
  await stack.inspectionsIdle();

  expect((await get(stack, '/', { 'CloudFront-Viewer-Country': 'KP' })).status).toBe(403);
  expect((await get(stack, '/', { 'CloudFront-Viewer-Country': 'FR' })).status).toBe(200);

  const answer = await get(stack, '/_local/metrics');
  expect(answer.status).toBe(200);
  expect(answer.headers['content-type']).toBe('application/json');
  snapshot = json<MetricsSnapshot>(answer);
});

afterAll(async () => {
  await harness?.stop();
  rmSync(rulesDir, { recursive: true, force: true });
});

describe('GET /_local/metrics', () => {
  it('counts requests and outcomes per route, for presign and the auth API', () => {
    expect(snapshot.namespace).toBe('EdgeUpload');
    expect(snapshot.routes['/presign']).toMatchObject({ requests: 3, outcomes: { OK: 2, UNAUTHORIZED: 1 } });
    expect(snapshot.routes['/auth/register']).toMatchObject({ requests: 1, outcomes: { OK: 1 } });
    expect(snapshot.routes['/auth/confirm']).toMatchObject({ requests: 1, outcomes: { OK: 1 } });
    expect(snapshot.routes['/auth/login']).toMatchObject({ requests: 2, outcomes: { OK: 1, INVALID_CREDENTIALS: 1 } });
  });

  it('gives latency percentiles per route', () => {
    const latency = snapshot.routes['/presign']?.latencyMs;
    expect(latency).toEqual({ count: 3, p50: expect.any(Number), p90: expect.any(Number), p99: expect.any(Number) });
    expect(latency!.p50).toBeLessThanOrEqual(latency!.p90);
    expect(latency!.p90).toBeLessThanOrEqual(latency!.p99);
  });

  it("counts the inspector's verified and quarantined uploads", () => {
    expect(snapshot.uploads).toEqual({ verified: 1, quarantined: 1 });
    expect(snapshot.routes['inspector']).toMatchObject({ requests: 2, outcomes: { OK: 1, QUARANTINED: 1 } });
  });

  it("counts the firewall's decisions per rule, blocked and counted", () => {
    expect(snapshot.firewall.rules['geo-deny']).toEqual({ blocked: 1, counted: 0 });
    expect(snapshot.firewall.rules['geo-watch']).toEqual({ blocked: 0, counted: 1 });
    expect(snapshot.firewall.blocked).toBe(1);
    expect(snapshot.firewall.allowed).toBe(snapshot.firewall.requests - 1);
  });

  it('is built from the very EMF lines the handlers wrote: the same requests per route and outcome', () => {
    const fromLogs: Record<string, Record<string, number>> = {};
    for (const raw of harness.logs) {
      const text = raw.replace(/^\[(?:presign|inspector)\] /, '');
      if (!text.startsWith('{"_aws"')) continue;
      const line = parseEmfLine(text);
      const byOutcome = (fromLogs[String(line['Route'])] ??= {});
      byOutcome[String(line['Outcome'])] = (byOutcome[String(line['Outcome'])] ?? 0) + 1;
    }
    expect(Object.fromEntries(Object.entries(snapshot.routes).map(([route, metrics]) => [route, metrics.outcomes]))).toEqual(fromLogs);
  });

  it('holds no email, token or key', async () => {
    const text = (await get(harness.stack, '/_local/metrics')).body;
    expect(text).not.toContain(EMAIL);
    expect(text).not.toContain(session.accessToken.split('.')[1]);
    expect(text).not.toContain(session.sub);
  });

  it('answers GET and HEAD only', async () => {
    const answer = await postJson(harness.stack, '/_local/metrics', {});
    expect(answer.status).toBe(405);
  });
});
