/**
 * The local stack's metrics, for `GET /_local/metrics` on the local edge
 * (local only, never deployed): what CloudWatch would extract from the
 * handlers' Embedded Metric Format lines, and what WAF would count per rule,
 * so the numbers can be seen without AWS.
 *
 * Built from the very lines the handlers write (the presign bundle's console,
 * the auth API's and the inspector's log sinks: local-stack.ts hands every
 * one of them to `observeLine`) and from the firewall engine's verdicts
 * (`observedFirewall`). A line is read the way CloudWatch reads it: the
 * `_aws` directives of the `EdgeUpload` namespace name the metrics; each
 * `Count` metric is summed per Route, `Requests` also per Outcome, and the
 * `Milliseconds` one is kept for percentiles. Anything else is ignored.
 *
 * Memory is bounded whatever the lines say: at most MAX_ROUTES routes,
 * MAX_OUTCOMES outcomes per route, MAX_RULES firewall rules, and the last
 * LATENCY_SAMPLES latencies per route (the percentiles are over those).
 */
import { METRIC_NAMESPACE } from '../../edge-functions/core/metric-line';
import type { Firewall, FirewallVerdict } from '../firewall/engine';

export const MAX_ROUTES = 64;
export const MAX_OUTCOMES = 64;
export const MAX_RULES = 256;
export const LATENCY_SAMPLES = 4096;

export interface LatencySummary {
  /** Latencies observed in all (the percentiles are over the last LATENCY_SAMPLES of them). */
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

export interface RouteSnapshot {
  readonly requests: number;
  /** Requests per Outcome: `OK` or the error code. */
  readonly outcomes: Readonly<Record<string, number>>;
  readonly latencyMs: LatencySummary | null;
  /** Every other Count metric of the route (the inspector's Verified and Quarantined), by metric name. */
  readonly counts: Readonly<Record<string, number>>;
}

export interface MetricsSnapshot {
  readonly namespace: string;
  readonly routes: Readonly<Record<string, RouteSnapshot>>;
  /** The inspector's Verified and Quarantined, summed. */
  readonly uploads: { readonly verified: number; readonly quarantined: number };
  readonly firewall: {
    readonly requests: number;
    readonly allowed: number;
    readonly blocked: number;
    /** Per rule: requests it blocked, and requests it matched in count mode. */
    readonly rules: Readonly<Record<string, { readonly blocked: number; readonly counted: number }>>;
  };
  /** EMF lines that named more routes or outcomes than the bounds allow, and were not counted. */
  readonly droppedLines: number;
}

export interface MetricsCollector {
  /** Give it every log line; EMF lines of the EdgeUpload namespace are counted, the rest ignored. */
  observeLine(line: string): void;
  observeFirewall(verdict: FirewallVerdict): void;
  snapshot(): MetricsSnapshot;
}

interface RouteState {
  requests: number;
  readonly outcomes: Map<string, number>;
  readonly counts: Map<string, number>;
  readonly latencies: number[];
  latencyCount: number;
}

/** The start of every line edge-functions/core/metric-line.ts writes: cheap to test before parsing. */
const EMF_PREFIX = '{"_aws":';

export function createMetricsCollector(): MetricsCollector {
  const routes = new Map<string, RouteState>();
  const rules = new Map<string, { blocked: number; counted: number }>();
  const firewall = { requests: 0, allowed: 0, blocked: 0 };
  let droppedLines = 0;

  const routeState = (route: string, outcome: string): RouteState | undefined => {
    let state = routes.get(route);
    if (state === undefined) {
      if (routes.size >= MAX_ROUTES) return undefined;
      state = { requests: 0, outcomes: new Map(), counts: new Map(), latencies: [], latencyCount: 0 };
      routes.set(route, state);
    }
    if (!state.outcomes.has(outcome) && state.outcomes.size >= MAX_OUTCOMES) return undefined;
    return state;
  };
  const ruleState = (name: string) => {
    let state = rules.get(name);
    if (state === undefined && rules.size < MAX_RULES) rules.set(name, (state = { blocked: 0, counted: 0 }));
    return state;
  };

  return {
    observeLine(line) {
      if (!line.startsWith(EMF_PREFIX)) return;
      const members = parseObject(line);
      if (members === undefined) return;
      const route = members['Route'];
      const outcome = members['Outcome'];
      if (typeof route !== 'string' || typeof outcome !== 'string') return;
      const metrics = metricsOf(members['_aws']);
      if (metrics.length === 0) return;
      const state = routeState(route, outcome);
      if (state === undefined) {
        droppedLines += 1;
        return;
      }
      for (const { name, unit } of metrics) {
        const value = members[name];
        if (typeof value !== 'number' || !Number.isFinite(value)) continue;
        if (unit === 'Milliseconds') {
          state.latencies[state.latencyCount % LATENCY_SAMPLES] = value;
          state.latencyCount += 1;
        } else if (name === 'Requests') {
          state.requests += value;
          state.outcomes.set(outcome, (state.outcomes.get(outcome) ?? 0) + value);
        } else {
          state.counts.set(name, (state.counts.get(name) ?? 0) + value);
        }
      }
    },

    observeFirewall(verdict) {
      firewall.requests += 1;
      if (verdict.action === 'block') {
        firewall.blocked += 1;
        const state = verdict.rule === undefined ? undefined : ruleState(verdict.rule);
        if (state !== undefined) state.blocked += 1;
      } else {
        firewall.allowed += 1;
      }
      for (const name of verdict.counted) {
        const state = ruleState(name);
        if (state !== undefined) state.counted += 1;
      }
    },

    snapshot() {
      const byRoute: Record<string, RouteSnapshot> = {};
      let verified = 0;
      let quarantined = 0;
      for (const [route, state] of [...routes].sort(([a], [b]) => a.localeCompare(b))) {
        verified += state.counts.get('Verified') ?? 0;
        quarantined += state.counts.get('Quarantined') ?? 0;
        byRoute[route] = {
          requests: state.requests,
          outcomes: Object.fromEntries([...state.outcomes].sort(([a], [b]) => a.localeCompare(b))),
          latencyMs: summarize(state.latencies, state.latencyCount),
          counts: Object.fromEntries(state.counts),
        };
      }
      return {
        namespace: METRIC_NAMESPACE,
        routes: byRoute,
        uploads: { verified, quarantined },
        firewall: { ...firewall, rules: Object.fromEntries([...rules].map(([name, state]) => [name, { ...state }])) },
        droppedLines,
      };
    },
  };
}

/** The firewall, with every verdict also given to the collector (WAF's per-rule metrics, locally). */
export function observedFirewall(firewall: Firewall, collector: MetricsCollector): Firewall {
  return {
    rules: firewall.rules,
    notEvaluatedLocally: firewall.notEvaluatedLocally,
    inspect(request) {
      const verdict = firewall.inspect(request);
      collector.observeFirewall(verdict);
      return verdict;
    },
    trippedRateLimits: () => firewall.trippedRateLimits(),
    stats: () => firewall.stats(),
  };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The metric definitions of the EdgeUpload directives, as `_aws.CloudWatchMetrics` states them. */
function metricsOf(aws: unknown): Array<{ name: string; unit: unknown }> {
  const directives = (aws as { CloudWatchMetrics?: unknown } | null | undefined)?.CloudWatchMetrics;
  if (!Array.isArray(directives)) return [];
  const out: Array<{ name: string; unit: unknown }> = [];
  for (const directive of directives as unknown[]) {
    const { Namespace, Metrics } = (directive ?? {}) as { Namespace?: unknown; Metrics?: unknown };
    if (Namespace !== METRIC_NAMESPACE || !Array.isArray(Metrics)) continue;
    for (const metric of Metrics as unknown[]) {
      const { Name, Unit } = (metric ?? {}) as { Name?: unknown; Unit?: unknown };
      // A metric named twice (two directives) is still one value on the line: count it once.
      if (typeof Name === 'string' && !out.some((m) => m.name === Name)) out.push({ name: Name, unit: Unit });
    }
  }
  return out;
}

/** Nearest-rank percentiles over the samples kept. */
function summarize(samples: readonly number[], count: number): LatencySummary | null {
  if (count === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
  return { count, p50: rank(0.5), p90: rank(0.9), p99: rank(0.99) };
}
