/**
 * `npm run waf:replay -- … --html <file>`: the page a security team looks at.
 * The written file is parsed back: it is self-contained (no script, nothing
 * fetched), has both rule sets side by side, per-minute buckets, one series
 * per rule of each file, and its numbers add up to the replay's own.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runReplayCli } from '../../../../infra/firewall/replay/cli';
import { formatHtmlReport, MAX_POINTS } from '../../../../infra/firewall/replay/html-report';
import type { ReplayReport } from '../../../../infra/firewall/replay/report';
import { parseFirewallRules } from '../../../../infra/firewall/rules';
import { replayRequests } from '../../../../infra/firewall/replay/replay';

const ROOT = path.join(__dirname, '..', '..', '..', '..');
const RULES = path.join('infra', 'firewall', 'firewall-rules.yaml');
const PROPOSED = path.join('test', 'fixtures', 'waf-replay', 'proposed-rules.yaml');
const LOG = path.join('test', 'fixtures', 'waf-replay', 'simple.jsonl');

interface Series {
  readonly attributes: Record<string, string>;
  readonly values: number[];
}
interface Chart {
  readonly attributes: Record<string, string>;
  readonly series: Series[];
}
interface RuleSetSection {
  readonly attributes: Record<string, string>;
  readonly charts: Chart[];
}

const unescapeHtml = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
function attributesOf(tag: string): Record<string, string> {
  return Object.fromEntries([...tag.matchAll(/([a-z-]+)="([^"]*)"/g)].map((m) => [m[1]!, unescapeHtml(m[2]!)]));
}

/** The page's structure, read from its markup: sections, their svg charts, and each chart's series. */
function parsePage(html: string): RuleSetSection[] {
  return [...html.matchAll(/<section class="rule-set"([^>]*)>([\s\S]*?)<\/section>/g)].map(([, sectionTag, body]) => ({
    attributes: attributesOf(sectionTag!),
    charts: [...body!.matchAll(/<svg class="chart"([^>]*)>([\s\S]*?)<\/svg>/g)].map(([, svgTag, svg]) => ({
      attributes: attributesOf(svgTag!),
      series: [...svg!.matchAll(/<g class="series"([^>]*)>/g)].map(([, gTag]) => {
        const attributes = attributesOf(gTag!);
        return { attributes, values: (attributes['data-values'] ?? '').split(',').map(Number) };
      }),
    })),
  }));
}

let dir: string;
let cwd: string;
let html: string;
let report: ReplayReport;
beforeAll(async () => {
  cwd = process.cwd();
  process.chdir(ROOT);
  dir = mkdtempSync(path.join(tmpdir(), 'waf-replay-html-'));
  const file = path.join(dir, 'replay.html');
  let stdout = '';
  const status = await runReplayCli(['--rules', RULES, '--proposed', PROPOSED, '--log', LOG, '--html', file, '--json'], {
    stdout: (text) => (stdout += text),
    stderr: () => undefined,
  });
  expect(status).toBe(0);
  report = JSON.parse(stdout) as ReplayReport;
  html = readFileSync(file, 'utf8');
});
afterAll(() => {
  process.chdir(cwd);
  rmSync(dir, { recursive: true, force: true });
});

it('is one self-contained page: no script, no external stylesheet, font or image, nothing fetched', () => {
  expect(html.startsWith('<!doctype html>')).toBe(true);
  expect(html).not.toMatch(/<script|<link|@import|@font-face|url\(|src=|href=/i);
  expect(html).not.toMatch(/https?:\/\//);
});

it('shows both rule sets side by side, each with its file', () => {
  const sections = parsePage(html);
  expect(sections.map((s) => s.attributes['data-rule-set'])).toEqual(['current', 'proposed']);
  expect(sections.map((s) => s.attributes['data-source'])).toEqual([RULES, PROPOSED]);
  for (const section of sections) expect(section.charts.map((c) => c.attributes['data-panel'])).toEqual(['allowed', 'rules']);
});

it('draws one series per rule of each file, in per-minute buckets over the same minutes', () => {
  const sections = parsePage(html);
  const firstMinute = Math.floor(report.result.traffic.firstAt! / 60_000) * 60_000;
  const minutes = Math.floor(report.result.traffic.lastAt! / 60_000) - firstMinute / 60_000 + 1;
  expect(minutes).toBeGreaterThan(5);
  sections.forEach((section, i) => {
    const set = report.result.ruleSets[i]!;
    for (const chart of section.charts) {
      expect(chart.attributes).toMatchObject({
        'data-bucket-minutes': '1',
        'data-buckets': String(minutes),
        'data-first-minute': new Date(firstMinute).toISOString(),
      });
      for (const series of chart.series) expect(series.values).toHaveLength(minutes);
    }
    const [allowed, rules] = section.charts;
    expect(allowed!.series.map((s) => s.attributes['data-series'])).toEqual(['allowed']);
    expect(rules!.series.map((s) => s.attributes['data-rule'])).toEqual(set.rules.map((rule) => rule.name));
    expect(rules!.series.map((s) => s.attributes['data-action'])).toEqual(set.rules.map((rule) => rule.action));
  });
});

it('adds up to the replay: allowed per minute, and blocked (block rules) or counted (count rules) per rule', () => {
  const sections = parsePage(html);
  sections.forEach((section, i) => {
    const set = report.result.ruleSets[i]!;
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    expect(sum(section.charts[0]!.series[0]!.values)).toBe(set.allowed);
    for (const series of section.charts[1]!.series) {
      const rule = set.rules.find((r) => r.name === series.attributes['data-rule'])!;
      expect(sum(series.values)).toBe(rule.action === 'block' ? rule.blocked : rule.counted);
      expect(series.attributes['data-evaluated']).toBe(String(rule.evaluated));
    }
  });
  // The fixture's sprayer is blocked by rate-limit-auth in the current file and only counted in the proposed one.
  const [current, proposed] = sections.map((s) => s.charts[1]!.series.find((x) => x.attributes['data-rule'] === 'rate-limit-auth')!);
  expect(current!.attributes['data-action']).toBe('block');
  expect(proposed!.attributes['data-action']).toBe('count');
  expect(current!.values.filter((v) => v > 0).length).toBeGreaterThan(0);
});

it('escapes rule names and file names, and groups minutes when the logs span more than a day', () => {
  const rules = parseFirewallRules(
    'version: 1\nrules:\n  - { name: "rate_limit_x", type: rate-limit, priority: 1, action: block, limit: 100, windowSeconds: 60 }\n',
    'dir/<rules>&"x".yaml',
  );
  const t0 = Date.parse('2026-01-10T00:00:00Z');
  const requests = [0, 3 * 24 * 60 - 1].map((minute) => ({ time: t0 + minute * 60_000, ip: '192.0.2.1', method: 'GET', uri: '/' }));
  const page = formatHtmlReport({
    logs: [],
    result: replayRequests(requests, [{ label: 'current', rules }]),
    problems: [],
    problemCount: 0,
  });
  expect(page).toContain('data-source="dir/&lt;rules&gt;&amp;&quot;x&quot;.yaml"');
  expect(page).not.toContain('<rules>');
  const [section] = parsePage(page);
  expect(section!.attributes['data-source']).toBe('dir/<rules>&"x".yaml');
  const chart = section!.charts[0]!;
  expect(Number(chart.attributes['data-buckets'])).toBeLessThanOrEqual(MAX_POINTS);
  expect(chart.attributes['data-bucket-minutes']).toBe('3');
  expect(chart.series[0]!.values.reduce((a, b) => a + b, 0)).toBe(2);
});

it('a page that cannot be written: exit 1, saying where and why', async () => {
  let stderr = '';
  const status = await runReplayCli(['--rules', RULES, '--log', LOG, '--html', path.join(dir, 'missing', 'replay.html')], {
    stdout: () => undefined,
    stderr: (text) => (stderr += text),
  });
  expect(status).toBe(1);
  expect(stderr).toMatch(/^Cannot write the chart to .*replay\.html \(ENOENT\)/);
});
