/**
 * The replay as one self-contained HTML page (`--html <file>`): per rules
 * file, side by side, a per-minute chart of the requests allowed and one of
 * the requests each rule blocked (or, for a count rule, counted), plus the
 * totals per rule. A security team compares the current and a proposed file
 * at a glance instead of reading a table.
 *
 * Self-contained and static: inline CSS and inline SVG, no script, no
 * external font, image or stylesheet, so the page renders the same offline,
 * from a mail attachment, or with JavaScript off. Both files' charts share
 * their axes (same minutes, same scale), so a line that is higher on one
 * side really is higher. Every series carries its numbers as data attributes
 * (`data-values`, one per bucket), so a test or a script can read the page.
 *
 * Pure: a report in, a string out. Every text from the outside (rule names,
 * file paths) is escaped.
 */
import { MINUTE_MS, type MinuteTally, type RuleSetResult } from './replay';
import type { ReplayReport } from './report';

/** Beyond this many minutes a point stands for several minutes, so the page stays small (a day at one per minute). */
export const MAX_POINTS = 1440;

const WIDTH = 640;
const HEIGHT = 220;
const MARGIN = { top: 12, right: 12, bottom: 28, left: 48 };
/** Distinguishable on white, and in the same order for both files: a rule keeps its colour across the page. */
const PALETTE = ['#d62728', '#1f77b4', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f', '#2ca02c'];
const ALLOWED_COLOUR = '#2ca02c';

interface Timeline {
  readonly first: number;
  /** Minutes per bucket. */
  readonly step: number;
  readonly buckets: number;
}

export function formatHtmlReport(report: ReplayReport): string {
  const { result } = report;
  const sets = result.ruleSets;
  const timeline = timelineOf(sets);
  const names: string[] = [];
  for (const set of sets) for (const rule of set.rules) if (!names.includes(rule.name)) names.push(rule.name);
  const colour = (name: string) => PALETTE[names.indexOf(name) % PALETTE.length] ?? '#000';

  const allowedSeries = sets.map((set) => bucketed(timeline, set.minutes, (m) => m.allowed));
  const ruleSeries = sets.map((set) =>
    set.rules.map((rule) => ({
      rule,
      values: bucketed(timeline, set.minutes, (m) => (rule.action === 'block' ? (m.blocked[rule.name] ?? 0) : (m.counted[rule.name] ?? 0))),
    })),
  );
  const allowedMax = niceMax(Math.max(0, ...allowedSeries.flat()));
  const rulesMax = niceMax(Math.max(0, ...ruleSeries.flat().flatMap((s) => s.values)));
  const bucketText = timeline.step === 1 ? 'per minute' : `per ${timeline.step} minutes`;

  const columns = sets.map((set, i) => {
    const allowed = allowedSeries[i] ?? [];
    const series = ruleSeries[i] ?? [];
    const allowedChart = chart(timeline, allowedMax, 'allowed', `Allowed, ${bucketText}`, [
      { attributes: { 'data-series': 'allowed' }, label: 'allowed', colour: ALLOWED_COLOUR, values: allowed, dashed: false, drawn: true },
    ]);
    const rulesChart = chart(
      timeline,
      rulesMax,
      'rules',
      `Blocked (solid) and counted (dashed), per rule, ${bucketText}`,
      series.map(({ rule, values }) => ({
        attributes: { 'data-series': 'rule', 'data-rule': rule.name, 'data-action': rule.action, 'data-evaluated': String(rule.evaluated) },
        label: `${rule.name}: ${rule.evaluated ? `${rule.action === 'block' ? 'blocked' : 'counted'} ${total(values)}` : `${rule.action}, not evaluated here`}`,
        colour: colour(rule.name),
        values,
        dashed: rule.action === 'count',
        drawn: rule.evaluated,
      })),
    );
    const legend = series
      .map(
        ({ rule, values }) =>
          `<li><span class="swatch${rule.action === 'count' ? ' dashed' : ''}" style="border-color:${colour(rule.name)}"></span>${escapeHtml(rule.name)} <span class="muted">${escapeHtml(
            rule.evaluated
              ? `${rule.action} · ${rule.action === 'block' ? 'blocked' : 'counted'} ${number(total(values))}`
              : `${rule.action} · AWS managed group, not evaluated here`,
          )}</span></li>`,
      )
      .join('');
    return `<section class="rule-set" data-rule-set="${escapeHtml(set.label)}" data-source="${escapeHtml(set.source)}">
<h2>${escapeHtml(set.label)} <span class="muted">${escapeHtml(set.source)}</span></h2>
<p class="totals">allowed <strong>${number(set.allowed)}</strong> · blocked <strong>${number(set.blocked)}</strong></p>
${allowedChart}
${rulesChart}
<ul class="legend">${legend}</ul>
</section>`;
  });

  const header = ['rule', ...sets.map((set) => escapeHtml(set.label))];
  const rows = names.map((name) => {
    const cells = sets.map((set) => {
      const rule = set.rules.find((r) => r.name === name);
      if (rule === undefined) return '—';
      if (!rule.evaluated) return `${rule.action}, not evaluated`;
      return rule.action === 'block' ? `block ${number(rule.blocked)}` : `count ${number(rule.counted)}`;
    });
    const changed = cells.some((cell) => cell !== cells[0]);
    return `<tr${changed ? ' class="changed"' : ''}><th scope="row">${escapeHtml(name)}</th>${cells.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`;
  });

  const span =
    result.traffic.firstAt === undefined || result.traffic.lastAt === undefined
      ? 'no requests'
      : `${number(result.traffic.requests)} requests from ${utc(result.traffic.firstAt)} to ${utc(result.traffic.lastAt)} (UTC)`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>waf:replay: ${escapeHtml(sets.map((set) => set.label).join(' vs '))}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:1.5rem;color:#222;background:#fff}
h1{font-size:1.3rem;margin:0 0 .25rem}h2{font-size:1.05rem;margin:.5rem 0 .25rem}
.muted{color:#666;font-weight:normal;font-size:.85em}
.sets{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:1.5rem}
.rule-set{border:1px solid #ddd;border-radius:6px;padding:.75rem 1rem}
figure{margin:.5rem 0}figcaption{font-size:.85rem;color:#444}
svg.chart{width:100%;height:auto;display:block}
svg .axis{stroke:#999;stroke-width:1}svg .grid{stroke:#eee;stroke-width:1}
svg text{font-size:11px;fill:#555}
.legend{list-style:none;padding:0;margin:.25rem 0;font-size:.85rem}.legend li{margin:.1rem 0}
.swatch{display:inline-block;width:1.4em;height:0;border-top:3px solid;vertical-align:middle;margin-right:.4em}
.swatch.dashed{border-top-style:dashed}
table{border-collapse:collapse;margin-top:1rem;font-size:.9rem}th,td{border:1px solid #ddd;padding:.25rem .6rem;text-align:left}
tr.changed{background:#fff6d5}
</style>
</head>
<body>
<h1>Firewall replay: ${escapeHtml(sets.map((set) => set.label).join(' and '))}</h1>
<p class="muted">${escapeHtml(span)}. Same traffic through each rules file; a request is counted once, by the rule that blocked it (or as allowed). Rules from AWS managed groups are not evaluated locally.</p>
<div class="sets">
${columns.join('\n')}
</div>
<table>
<thead><tr>${header.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
<tr><th scope="row">allowed</th>${sets.map((set) => `<td>${number(set.allowed)}</td>`).join('')}</tr>
<tr><th scope="row">blocked</th>${sets.map((set) => `<td>${number(set.blocked)}</td>`).join('')}</tr>
</tbody>
</table>
</body>
</html>
`;
}

interface Series {
  readonly attributes: Readonly<Record<string, string>>;
  readonly label: string;
  readonly colour: string;
  readonly values: readonly number[];
  readonly dashed: boolean;
  readonly drawn: boolean;
}

function chart(timeline: Timeline, max: number, panel: string, caption: string, series: readonly Series[]): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (i: number) => MARGIN.left + (timeline.buckets <= 1 ? plotWidth / 2 : (i / (timeline.buckets - 1)) * plotWidth);
  const y = (v: number) => MARGIN.top + plotHeight - (max === 0 ? 0 : (v / max) * plotHeight);
  const bottom = MARGIN.top + plotHeight;

  const yTicks = [0, max / 2, max].map(
    (v) =>
      `<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${fixed(y(v))}" y2="${fixed(y(v))}"/><text x="${MARGIN.left - 6}" y="${fixed(y(v) + 4)}" text-anchor="end">${number(v)}</text>`,
  );
  const tickIndexes = [...new Set([0, Math.floor((timeline.buckets - 1) / 2), timeline.buckets - 1])];
  const xTicks = tickIndexes.map((i) => {
    const anchor = timeline.buckets <= 1 ? 'middle' : i === 0 ? 'start' : i === timeline.buckets - 1 ? 'end' : 'middle';
    return `<text x="${fixed(x(i))}" y="${bottom + 18}" text-anchor="${anchor}">${hhmm(timeline.first + i * timeline.step * MINUTE_MS)}</text>`;
  });
  const lines = series.map((s) => {
    const attributes = Object.entries(s.attributes)
      .map(([key, value]) => ` ${key}="${escapeHtml(value)}"`)
      .join('');
    const points = s.values.map((v, i) => `${fixed(x(i))},${fixed(y(v))}`).join(' ');
    // A rule not evaluated here (AWS managed group) has nothing to draw: a flat zero line would hide the others.
    const shape = !s.drawn
      ? ''
      : s.values.length === 1
        ? `<circle cx="${fixed(x(0))}" cy="${fixed(y(s.values[0] ?? 0))}" r="3" fill="${s.colour}"/>`
        : `<polyline fill="none" stroke="${s.colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${points}"/>`;
    return `<g class="series"${attributes} data-values="${s.values.join(',')}"><title>${escapeHtml(s.label)}</title>${shape}</g>`;
  });
  return `<figure>
<svg class="chart" data-panel="${panel}" data-first-minute="${new Date(timeline.first).toISOString()}" data-bucket-minutes="${timeline.step}" data-buckets="${timeline.buckets}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(caption)}">
${yTicks.join('')}
<line class="axis" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${bottom}" y2="${bottom}"/>
${xTicks.join('')}
${lines.join('\n')}
</svg>
<figcaption>${escapeHtml(caption)} (UTC)</figcaption>
</figure>`;
}

/** The minutes every rules file's chart spans (they saw the same requests), and the bucket size that keeps it under MAX_POINTS. */
function timelineOf(sets: readonly RuleSetResult[]): Timeline {
  const minutes = sets.flatMap((set) => set.minutes.map((m) => m.minute));
  if (minutes.length === 0) return { first: 0, step: 1, buckets: 0 };
  const first = Math.min(...minutes);
  const span = (Math.max(...minutes) - first) / MINUTE_MS + 1;
  const step = Math.ceil(span / MAX_POINTS);
  return { first, step, buckets: Math.ceil(span / step) };
}

function bucketed(timeline: Timeline, minutes: readonly MinuteTally[], pick: (minute: MinuteTally) => number): number[] {
  const values = new Array<number>(timeline.buckets).fill(0);
  for (const minute of minutes) {
    const index = Math.floor((minute.minute - timeline.first) / MINUTE_MS / timeline.step);
    values[index] = (values[index] ?? 0) + pick(minute);
  }
  return values;
}

/** 1, 2 or 5 times a power of ten, at least `value` (an even number so the middle grid line is whole). */
function niceMax(value: number): number {
  if (value <= 2) return 2;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const factor of [1, 2, 5, 10]) if (factor * power >= value) return factor * power;
  return 10 * power;
}

function total(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0);
}

function number(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

function fixed(value: number): string {
  return value.toFixed(1);
}

function utc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

function hhmm(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
