/**
 * The example app's server (infra/local/example-app.ts): /config.json only
 * once configured, the page's own CSP naming exactly the edge, the bucket and
 * Cognito, and nothing served from outside its folder.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listenExampleApp, type ExampleApp } from '../../../infra/local/example-app';

let dir: string;
let app: ExampleApp;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'edge-upload-example-'));
  const site = path.join(dir, 'site');
  mkdirSync(site);
  writeFileSync(path.join(site, 'index.html'), '<!doctype html><title>x</title>');
  writeFileSync(path.join(site, 'app.js'), 'export {};');
  writeFileSync(path.join(dir, 'outside.js'), 'nope');
  app = await listenExampleApp({ dir: site, port: 0 });
});

afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

it('answers 503 for /config.json until configured, then the config, with a CSP that allows only the stack’s origins', async () => {
  expect((await fetch(`${app.url}/config.json`)).status).toBe(503);
  const config = {
    edgeUrl: 'http://127.0.0.1:3000',
    uploadUrl: 'http://127.0.0.1:4569/edge-upload-local',
    cognitoEndpoint: 'http://127.0.0.1:9229',
    clientId: 'c2',
  };
  app.configure(config);
  const answer = await fetch(`${app.url}/config.json`);
  expect(await answer.json()).toEqual(config);
  const page = await fetch(`${app.url}/`);
  expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  const csp = page.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("connect-src 'self' http://127.0.0.1:3000 http://127.0.0.1:4569 http://127.0.0.1:9229");
  expect(csp).not.toContain('unsafe');
});

it('serves only plain file names of its folder', async () => {
  expect((await fetch(`${app.url}/app.js`)).status).toBe(200);
  for (const bad of ['/../outside.js', '/%2e%2e/outside.js', '/sub/app.js', '/missing.js', '/index.txt']) {
    expect([bad, (await fetch(`${app.url}${bad}`)).status]).toEqual([bad, 404]);
  }
  expect((await fetch(`${app.url}/`, { method: 'POST' })).status).toBe(405);
});
