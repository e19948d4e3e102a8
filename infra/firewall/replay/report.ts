/**
 * The replay's report, as text for a terminal (rules side by side) and as
 * JSON for scripts. Pure: a result in, a string out.
 */
import { FORMAT_NAMES, type LogFormat } from './log-formats';
import type { ReplayResult, RuleSetResult, RuleTally } from './replay';

export interface LogSummary {
  readonly file: string;
  readonly format: LogFormat;
  readonly lines: number;
  readonly requests: number;
  readonly problems: number;
}

export interface LineProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface ReplayReport {
  readonly logs: readonly LogSummary[];
  readonly result: ReplayResult;
  /** The first problems found (at most the CLI's cap), in file and line order. */
  readonly problems: readonly LineProblem[];
  readonly problemCount: number;
}

const TYPE_LABELS: Readonly<Record<RuleTally['type'], string>> = {
  'rate-limit': 'rate-limit',
  'geo-deny': 'geo-deny',
  'body-size': 'body-size',
  'managed-rule-group': 'managed',
};

export function formatReport(report: ReplayReport, options: { readonly shownProblems: number }): string {
  const { result } = report;
  const out: string[] = [];
  const n = (value: number) => value.toLocaleString('en-US');

  out.push(`Replayed ${n(result.traffic.requests)} request${result.traffic.requests === 1 ? '' : 's'}`);
  for (const log of report.logs) {
    out.push(
      `  ${log.file}: ${FORMAT_NAMES[log.format]}, ${n(log.requests)} requests, ${n(log.lines)} lines${log.problems > 0 ? `, ${n(log.problems)} skipped (see Problems)` : ''}`,
    );
  }
  if (result.traffic.firstAt !== undefined && result.traffic.lastAt !== undefined) {
    out.push(`  from ${time(result.traffic.firstAt)} to ${time(result.traffic.lastAt)}`);
  }
  out.push('');

  // One row per rule name, in the current file's order, then rules only the proposed file has.
  const sets = result.ruleSets;
  const names: string[] = [];
  for (const set of sets) for (const rule of set.rules) if (!names.includes(rule.name)) names.push(rule.name);
  const header = ['rule', 'type', ...sets.map((set) => `${set.label} (${set.source})`)];
  if (sets.length > 1) header.push('change');
  const rows: string[][] = names.map((name) => {
    const cells = sets.map((set) => set.rules.find((rule) => rule.name === name));
    const first = cells.find((cell) => cell !== undefined);
    const row = [name, first === undefined ? '' : TYPE_LABELS[first.type], ...cells.map(cell)];
    if (sets.length > 1) row.push(change(cells));
    return row;
  });
  const totals = (label: string, pick: (set: RuleSetResult) => number) => {
    const row = [label, '', ...sets.map((set) => n(pick(set)))];
    if (sets.length > 1) row.push(sets.every((set) => pick(set) === pick(sets[0]!)) ? '' : 'changed');
    return row;
  };
  out.push(...table([header, ...rows, [], totals('allowed', (set) => set.allowed), totals('blocked', (set) => set.blocked)]));
  out.push('');

  for (const set of sets) {
    out.push(`Rate limits tripped, ${set.label} (${set.source}):`);
    if (set.trips.length === 0) out.push('  none');
    else {
      out.push(
        ...table(
          set.trips.map((trip) => [
            `  ${trip.rule}`,
            trip.ip,
            `${n(trip.requestsOverLimit)} over the limit (${trip.action === 'block' ? 'blocked' : 'counted'})`,
            `${time(trip.firstAt)} – ${time(trip.lastAt)}`,
          ]),
        ),
      );
    }
    if (set.droppedTrips > 0)
      out.push(`  … and ${n(set.droppedTrips)} more (IP, rule) trips not recorded (the engine keeps at most 10,000)`);
  }
  out.push('');

  const notes: string[] = [];
  const managed = [...new Set(sets.flatMap((set) => set.rules.filter((rule) => !rule.evaluated).map((rule) => rule.name)))];
  if (managed.length > 0) notes.push(`Not evaluated here (AWS managed rule groups; try them in count mode on AWS): ${managed.join(', ')}.`);
  if (result.traffic.withoutCountry > 0)
    notes.push(`${n(result.traffic.withoutCountry)} requests had no country: geo-deny rules cannot match them.`);
  if (result.traffic.withoutBodySize > 0)
    notes.push(`${n(result.traffic.withoutBodySize)} requests had no body size: body-size rules cannot match them.`);
  notes.push(
    'Rate limits are counted exactly here; WAF counts them every few seconds, so on AWS a burst may pass a little longer before blocking.',
  );
  out.push('Notes:', ...notes.map((note) => `  ${note}`));

  if (report.problemCount > 0) {
    out.push('', `Problems: ${n(report.problemCount)} line${report.problemCount === 1 ? '' : 's'} could not be read and were skipped:`);
    for (const problem of report.problems.slice(0, options.shownProblems))
      out.push(`  ${problem.file}:${problem.line}: ${problem.message}`);
    const hidden = report.problemCount - Math.min(options.shownProblems, report.problems.length);
    if (hidden > 0) out.push(`  … and ${n(hidden)} more (--json lists up to ${n(report.problems.length)})`);
  }
  return `${out.join('\n')}\n`;
}

export function reportJson(report: ReplayReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

function cell(rule: RuleTally | undefined): string {
  if (rule === undefined) return '—';
  if (!rule.evaluated) return `${rule.action}, not evaluated`;
  return rule.action === 'block' ? `block ${rule.blocked.toLocaleString('en-US')}` : `count ${rule.counted.toLocaleString('en-US')}`;
}

function change(cells: ReadonlyArray<RuleTally | undefined>): string {
  const [current, proposed] = cells;
  if (current === undefined) return 'added';
  if (proposed === undefined) return 'removed';
  return cell(current) === cell(proposed) ? '' : 'changed';
}

function table(rows: ReadonlyArray<readonly string[]>): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, text] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, text.length);
  }
  return rows.map((row) =>
    row
      .map((text, i) => (i === row.length - 1 ? text : text.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** 2026-01-10 10:04:59Z: the logs' own resolution is the second. */
function time(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}
