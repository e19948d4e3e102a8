/**
 * The firewall rules file, enforced by the local edge: a small rules file
 * written by the test (so a rate limit trips after a dozen requests), the
 * viewer's IP from X-Forwarded-For and country from CloudFront-Viewer-Country,
 * as docs/local-stack.md lets a test play viewers from anywhere.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { send } from '../../support/post-forms';
import { errorCode, get, json, postJson, startTestStack, writeRulesFile, type TestStack } from './support/stack-harness';

jest.setTimeout(60_000);

const RULES = `version: 1
rules:
  - name: geo-deny
    type: geo-deny
    priority: 0
    action: block
    countries: [KP, IR]
  - name: geo-watch
    type: geo-deny
    priority: 5
    action: count
    countries: [FR]
  - name: rate-limit-auth
    type: rate-limit
    priority: 10
    action: block
    limit: 10
    windowSeconds: 60
    paths: ["/auth/*"]
  - name: body-size-api
    type: body-size
    priority: 20
    action: block
    maxBytes: 8192
    paths: ["/auth/*", "/presign"]
`;

let rulesDir: string;
let harness: TestStack;

beforeAll(async () => {
  rulesDir = mkdtempSync(path.join(tmpdir(), 'edge-upload-rules-'));
  harness = await startTestStack({ firewallRulesFile: writeRulesFile(rulesDir, RULES) });
});

afterAll(async () => {
  await harness?.stop();
  rmSync(rulesDir, { recursive: true, force: true });
});

const login = (ip: string, extra: Record<string, string> = {}) =>
  postJson(
    harness.stack,
    '/auth/login',
    { email: 'ann@example.com', password: 'Correct-Horse-9-Battery' },
    { 'X-Forwarded-For': ip, ...extra },
  );

describe('rate limit per IP on /auth/*', () => {
  it('lets 10 requests through, answers the 11th with 429 TOO_MANY_REQUESTS in the `{error:{code,message}}` shape', async () => {
    const ip = '203.0.113.10';
    for (let i = 0; i < 10; i += 1) expect((await login(ip)).status).toBe(401);
    const blocked = await login(ip);
    expect(blocked.status).toBe(429);
    expect(json(blocked)).toEqual({ error: { code: 'TOO_MANY_REQUESTS', message: expect.any(String) } });
    expect(blocked.headers['content-type']).toBe('application/json');
    expect(blocked.headers['x-frame-options']).toBe('DENY');
    // It keeps counting: the next one is refused too.
    expect((await login(ip)).status).toBe(429);
    expect(harness.logs.some((line) => line.includes('"blockedBy":"rate-limit-auth"'))).toBe(true);
  });

  it('counts each IP on its own (the first X-Forwarded-For entry), and only on the paths of its scope', async () => {
    expect((await login('203.0.113.11, 198.51.100.1')).status).toBe(401);
    // The limited IP still reaches the site: the rule is scoped to /auth/*.
    expect((await get(harness.stack, '/', { 'X-Forwarded-For': '203.0.113.10' })).status).toBe(200);
  });
});

describe('geo deny from CloudFront-Viewer-Country', () => {
  it.each(['KP', 'ir'])('%s → 403 REQUEST_BLOCKED on every behaviour', async (country) => {
    const headers = { 'CloudFront-Viewer-Country': country, 'X-Forwarded-For': '198.51.100.50' };
    for (const answer of [
      await get(harness.stack, '/', headers),
      await postJson(harness.stack, '/presign', { files: [] }, headers),
      await postJson(harness.stack, '/auth/register', { email: 'x@example.com', password: 'Correct-Horse-9-Battery' }, headers),
      await get(harness.stack, '/_local/mailbox?email=x@example.com', headers),
    ]) {
      expect(answer.status).toBe(403);
      expect(errorCode(answer)).toBe('REQUEST_BLOCKED');
    }
  });

  it('other countries, and no header at all (US), pass', async () => {
    expect((await get(harness.stack, '/', { 'CloudFront-Viewer-Country': 'GB' })).status).toBe(200);
    expect((await get(harness.stack, '/')).status).toBe(200);
  });

  it('a rule in count mode only records the request', async () => {
    const answer = await get(harness.stack, '/app', { 'CloudFront-Viewer-Country': 'FR' });
    expect(answer.status).toBe(200);
    expect(harness.logs.some((line) => line.includes('"counted":["geo-watch"]'))).toBe(true);
  });
});

describe('body size on the API paths', () => {
  it('a body over 8 KiB → 403 REQUEST_BLOCKED, before any function runs', async () => {
    const body = Buffer.from(JSON.stringify({ files: [{ name: 'x'.repeat(9000), size: 1, type: 'image/png' }] }));
    const answer = await send(`${harness.stack.url}/presign`, 'POST', body, {
      'Content-Type': 'application/json',
      'X-Forwarded-For': '198.51.100.60',
    });
    expect(answer.status).toBe(403);
    expect(errorCode(answer)).toBe('REQUEST_BLOCKED');
    expect(answer.headers['x-cache']).toBe('Error from cloudfront');
  });

  it('the same body elsewhere is not the rule’s business', async () => {
    const body = Buffer.alloc(9000, 0x61);
    const answer = await send(`${harness.stack.url}/`, 'POST', body, { 'X-Forwarded-For': '198.51.100.61' });
    expect(answer.status).toBe(405);
  });
});

describe('the shipped rules file', () => {
  it('starts the stack, and denies the default countries', async () => {
    const shipped = await startTestStack();
    try {
      const answer = await get(shipped.stack, '/', { 'CloudFront-Viewer-Country': 'SY' });
      expect(answer.status).toBe(403);
      expect(errorCode(answer)).toBe('REQUEST_BLOCKED');
      expect((await get(shipped.stack, '/', { 'CloudFront-Viewer-Country': 'DE' })).status).toBe(200);
    } finally {
      await shipped.stop();
    }
  });
});
