/**
 * `npm run waf:replay` as a security team runs it: the sample logs of each
 * format, current and proposed rules side by side, unreadable lines reported
 * by file and line number, gzip, JSON output, and the exit status.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { runReplayCli } from '../../../../infra/firewall/replay/cli';
import type { ReplayReport } from '../../../../infra/firewall/replay/report';

const ROOT = path.join(__dirname, '..', '..', '..', '..');
const RULES = path.join('infra', 'firewall', 'firewall-rules.yaml');
const FIXTURES = path.join('test', 'fixtures', 'waf-replay');
const PROPOSED = path.join(FIXTURES, 'proposed-rules.yaml');
const fixture = (name: string) => path.join(FIXTURES, name);

let cwd: string;
beforeAll(() => {
  cwd = process.cwd();
  process.chdir(ROOT);
});
afterAll(() => process.chdir(cwd));

async function run(...argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await runReplayCli(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { status, stdout, stderr };
}

async function json(...argv: string[]): Promise<ReplayReport> {
  const { status, stdout } = await run(...argv, '--json');
  expect(status).toBe(0);
  return JSON.parse(stdout) as ReplayReport;
}

describe.each([
  ['simple.jsonl', 'jsonl', 0, 40, 1],
  ['waf.jsonl', 'waf', 2, 40, 1],
  // CloudFront standard logs carry no country and no body size: geo-deny and body-size cannot match.
  ['cloudfront-standard-log.txt', 'cloudfront', 1, 0, 0],
] as const)('%s', (file, format, problems, geoBlocked, bodyBlocked) => {
  it(`is read as ${format}, and the sprayer's 50 requests over the /auth limit are blocked`, async () => {
    const report = await json('--rules', RULES, '--log', fixture(file));
    expect(report.logs).toEqual([expect.objectContaining({ file: fixture(file), format, requests: 301, problems })]);
    const current = report.result.ruleSets[0]!;
    const blocked = Object.fromEntries(current.rules.map((rule) => [rule.name, rule.blocked]));
    expect(blocked).toMatchObject({
      'rate-limit-auth': 50,
      'geo-deny': geoBlocked,
      'body-size-api': bodyBlocked,
      'rate-limit-presign': 0,
      'rate-limit-all': 0,
    });
    expect(current.trips).toEqual([
      expect.objectContaining({ rule: 'rate-limit-auth', ip: '203.0.113.7', requestsOverLimit: 50, action: 'block' }),
    ]);
  });
});

describe('the text report', () => {
  it('shows current and proposed side by side, per rule, and which IPs tripped which limit', async () => {
    const { status, stdout, stderr } = await run('--rules', RULES, '--proposed', PROPOSED, '--log', fixture('simple.jsonl'));
    expect(status).toBe(0);
    expect(stderr).toBe('');
    const row = (name: string) =>
      stdout
        .split('\n')
        .find((line) => line.startsWith(`${name} `))
        ?.split(/\s{2,}/);
    expect(row('geo-deny')).toEqual(['geo-deny', 'geo-deny', 'block 40', 'block 50', 'changed']);
    expect(row('rate-limit-auth')).toEqual(['rate-limit-auth', 'rate-limit', 'block 50', 'count 100', 'changed']);
    expect(row('body-size-api')).toEqual(['body-size-api', 'body-size', 'block 1', 'block 1']);
    expect(row('aws-common')).toEqual(['aws-common', 'managed', 'block, not evaluated', 'block, not evaluated']);
    expect(row('allowed')).toEqual(['allowed', '210', '250', 'changed']);
    expect(stdout).toMatch(
      /Rate limits tripped, current .*\n {2}rate-limit-auth +203\.0\.113\.7 +50 over the limit \(blocked\) +2026-01-10 10:02:40Z – 2026-01-10 10:03:29Z/,
    );
    expect(stdout).toMatch(/Rate limits tripped, proposed .*\n {2}rate-limit-auth +203\.0\.113\.7 +100 over the limit \(counted\)/);
    expect(stdout).toContain(
      'Not evaluated here (AWS managed rule groups; try them in count mode on AWS): aws-ip-reputation, aws-known-bad-inputs, aws-common.',
    );
  });

  it('reports each malformed line with its file and line number, and goes on', async () => {
    const { status, stdout } = await run('--rules', RULES, '--log', fixture('waf.jsonl'), '--log', fixture('cloudfront-standard-log.txt'));
    expect(status).toBe(0);
    expect(stdout).toContain('Problems: 3 lines could not be read and were skipped:');
    expect(stdout).toContain(`${fixture('waf.jsonl')}:4: the client IP is missing or not an IP address`);
    expect(stdout).toContain(`${fixture('waf.jsonl')}:11: not valid JSON`);
    expect(stdout).toContain(`${fixture('cloudfront-standard-log.txt')}:8: expected 33 tab-separated fields (as #Fields lists), found 6`);
    expect(stdout).toContain('Replayed 602 requests');
  });

  it('lists at most --problems lines, and says how many more there were', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'waf-replay-'));
    try {
      const log = path.join(dir, 'broken.jsonl');
      writeFileSync(log, `${readFileSync(fixture('simple.jsonl'), 'utf8').split('\n')[0]}\n${'{oops\n'.repeat(30)}`);
      const { stdout } = await run('--rules', RULES, '--log', log, '--problems', '2');
      expect(stdout).toContain('Problems: 30 lines could not be read');
      expect(stdout).toContain(`${log}:2: not valid JSON`);
      expect(stdout).toContain(`${log}:3: not valid JSON`);
      expect(stdout).not.toContain(`${log}:4:`);
      expect(stdout).toContain('… and 28 more');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('inputs', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'waf-replay-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads gzip logs (as CloudFront delivers them)', async () => {
    const gz = path.join(dir, 'E2EXAMPLE.2026-01-10-10.abcd1234.gz');
    writeFileSync(gz, gzipSync(readFileSync(fixture('cloudfront-standard-log.txt'))));
    const report = await json('--rules', RULES, '--log', gz);
    expect(report.logs[0]).toMatchObject({ format: 'cloudfront', requests: 301 });
  });

  it('takes --format when a log cannot be told, and says so when it cannot', async () => {
    const odd = path.join(dir, 'odd.txt');
    writeFileSync(odd, 'hello\n');
    const unknown = await run('--rules', RULES, '--log', odd);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/^Cannot tell the format of .*odd\.txt.*--format cloudfront\|waf\|jsonl/);
    const forced = await json('--rules', RULES, '--log', odd, '--format', 'jsonl');
    expect(forced.problemCount).toBe(1);
  });

  it('a bad rules file stops it with the file:line problems, exit 1', async () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: 1\nrules:\n  - name: x\n    type: rate-limit\n    priority: 1\n    action: block\n    limit: 5\n');
    const result = await run('--rules', RULES, '--proposed', bad, '--log', fixture('simple.jsonl'));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${bad}:7: rules[0].limit`);
    expect(result.stdout).toBe('');
  });

  it('a missing log, exit 1; a wrong command line, exit 2 with the usage', async () => {
    expect(await run('--rules', RULES, '--log', path.join(dir, 'nope.log'))).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('(ENOENT)'),
    });
    for (const argv of [[], ['--rules', RULES], ['--log', 'x'], ['--rules', RULES, '--log', 'x', '--format', 'csv'], ['--rules']]) {
      const result = await run(...argv);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('Usage: npm run waf:replay');
    }
    expect(await run('--help')).toMatchObject({ status: 0, stdout: expect.stringContaining('Usage:') });
  });
});

it('runs as `npm run waf:replay` does: built with esbuild, run by node, paths taken from where npm was run (INIT_CWD)', () => {
  const result = spawnSync(
    process.execPath,
    [path.join(ROOT, 'scripts', 'waf-replay.mjs'), '--rules', RULES, '--log', fixture('simple.jsonl'), '--json'],
    {
      cwd: tmpdir(),
      env: { ...process.env, INIT_CWD: ROOT },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  expect(result.status).toBe(0);
  const report = JSON.parse(result.stdout) as ReplayReport;
  expect(report.result.traffic.requests).toBe(301);
});
