/**
 * `npm run waf:replay -- … --html <file>` in a real browser: the built CLI
 * (dist/infra/firewall/waf-replay.js, as `npm run waf:replay` runs it)
 * replays the fixture log through the shipped rules and the proposed file and
 * writes the chart page to a temporary folder; Debian's Chromium opens it from
 * file:// with JavaScript off (the page needs none, and must work as a mail
 * attachment). It renders both rule sets side by side, each with its two
 * charts and one series per rule; every request other than the page itself is
 * routed to abort, and none is attempted. The screenshot goes to
 * test-results/screenshots/ with the others.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ReplayReport } from '../../../infra/firewall/replay/report';
import { launchChromium, screenshot } from './support/browser';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'infra', 'firewall', 'waf-replay.js');
const RULES = path.join('infra', 'firewall', 'firewall-rules.yaml');
const PROPOSED = path.join('test', 'fixtures', 'waf-replay', 'proposed-rules.yaml');
const LOG = path.join('test', 'fixtures', 'waf-replay', 'simple.jsonl');

let dir: string;
let pageUrl: string;
let report: ReplayReport;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Every URL the page requested, and every one the route refused (anything but the page itself). */
const requested: string[] = [];
const aborted: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'waf-replay-e2e-'));
  const file = path.join(dir, 'replay.html');
  // The bundle `npm run build` wrote; run from the root so the report names the files as a user would type them.
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [CLI, '--rules', RULES, '--proposed', PROPOSED, '--log', LOG, '--html', file, '--json'],
    { cwd: ROOT },
  );
  report = JSON.parse(stdout) as ReplayReport;
  expect(readFileSync(file, 'utf8').startsWith('<!doctype html>')).toBe(true);
  pageUrl = pathToFileURL(file).href;

  browser = await launchChromium();
  context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1100, height: 860 }, colorScheme: 'light' });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url === pageUrl) return route.continue();
    aborted.push(url);
    return route.abort('blockedbyclient');
  });
  page = await context.newPage();
  page.on('request', (request) => requested.push(request.url()));
  await page.goto(pageUrl, { waitUntil: 'load' });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('renders both rule sets side by side, each with its allowed chart and its per-rule chart', async () => {
  const sets = page.locator('section.rule-set');
  expect(await sets.evaluateAll((sections) => sections.map((s) => s.getAttribute('data-rule-set')))).toEqual(['current', 'proposed']);
  const boxes = [];
  for (const set of await sets.all()) {
    const box = await set.boundingBox();
    expect(box).not.toBeNull();
    boxes.push(box!);
    for (const panel of ['allowed', 'rules']) {
      const chart = set.locator(`svg.chart[data-panel="${panel}"]`);
      await expect(chart.isVisible()).resolves.toBe(true);
      const chartBox = await chart.boundingBox();
      // Laid out at the size the CSS gives it (a full-width SVG), not collapsed to nothing.
      expect(chartBox!.width).toBeGreaterThan(300);
      expect(chartBox!.height).toBeGreaterThan(100);
    }
  }
  // Side by side at a desktop width: same row, current on the left.
  const [current, proposed] = boxes;
  expect(proposed!.x).toBeGreaterThan(current!.x + current!.width - 1);
  expect(Math.abs(proposed!.y - current!.y)).toBeLessThan(1);
});

it('draws one series per rule of each file, and the lines that carry requests are on screen', async () => {
  const sets = await page.locator('section.rule-set').all();
  expect(sets).toHaveLength(report.result.ruleSets.length);
  for (const [i, set] of sets.entries()) {
    const rules = report.result.ruleSets[i]!.rules;
    const series = set.locator('svg.chart[data-panel="rules"] g.series[data-series="rule"]');
    expect(await series.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-rule')))).toEqual(rules.map((rule) => rule.name));
    await expect(set.locator('svg.chart[data-panel="allowed"] g.series[data-series="allowed"] polyline').isVisible()).resolves.toBe(true);
    // The sprayer's line: blocked (solid) with the shipped rules, counted (dashed) with the proposed ones.
    const auth = set.locator('g.series[data-rule="rate-limit-auth"] polyline');
    await expect(auth.isVisible()).resolves.toBe(true);
    expect(await auth.getAttribute('stroke-dasharray')).toBe(i === 0 ? null : '6 4');
  }
  await screenshot(page, 'waf-replay-report');
});

it('asks for nothing but the page itself: no request aborted, none attempted', () => {
  expect(aborted).toEqual([]);
  // The page's own load is seen, so the watcher works; nothing else follows it.
  expect(requested).toEqual([pageUrl]);
});
