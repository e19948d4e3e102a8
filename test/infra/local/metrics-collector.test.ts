/**
 * The local stack's metrics collector (infra/local/metrics-collector.ts):
 * fed the very EMF lines the handlers' core writes and real firewall
 * verdicts, it counts what CloudWatch and WAF would, within fixed bounds.
 */
import { INSPECTION_DIRECTIVES, metricLine } from '../../../edge-functions/core/metric-line';
import { createFirewall } from '../../../infra/firewall/engine';
import { parseFirewallRules } from '../../../infra/firewall/rules';
import {
  createMetricsCollector,
  LATENCY_SAMPLES,
  MAX_OUTCOMES,
  MAX_ROUTES,
  observedFirewall,
} from '../../../infra/local/metrics-collector';

const line = (Route: string, Outcome: string, LatencyMs: number, extra: Record<string, string | number> = {}) =>
  metricLine({ route: Route, status: 200, ...extra, Route, Outcome, Requests: 1, LatencyMs }, 1_790_000_000_000);

describe('the metrics collector', () => {
  it('counts requests per route and outcome, and latency percentiles, from EMF lines', () => {
    const metrics = createMetricsCollector();
    for (let ms = 1; ms <= 100; ms += 1) metrics.observeLine(line('/presign', ms % 10 === 0 ? 'UNAUTHORIZED' : 'OK', ms));
    metrics.observeLine(line('/auth/login', 'INVALID_CREDENTIALS', 3));
    const snapshot = metrics.snapshot();
    expect(snapshot.namespace).toBe('EdgeUpload');
    expect(snapshot.routes['/presign']).toEqual({
      requests: 100,
      outcomes: { OK: 90, UNAUTHORIZED: 10 },
      latencyMs: { count: 100, p50: 50, p90: 90, p99: 99 },
      counts: {},
    });
    expect(snapshot.routes['/auth/login']).toMatchObject({
      requests: 1,
      outcomes: { INVALID_CREDENTIALS: 1 },
      latencyMs: { p50: 3, p99: 3 },
    });
  });

  it("sums the inspector's Verified and Quarantined, as its directive names them", () => {
    const metrics = createMetricsCollector();
    const inspected = (Outcome: string, Verified: 0 | 1, Quarantined: 0 | 1) =>
      metricLine({ Route: 'inspector', Outcome, Requests: 1, LatencyMs: 5, Verified, Quarantined }, 1, INSPECTION_DIRECTIVES);
    metrics.observeLine(inspected('OK', 1, 0));
    metrics.observeLine(inspected('OK', 1, 0));
    metrics.observeLine(inspected('QUARANTINED', 0, 1));
    metrics.observeLine(inspected('GONE', 0, 0));
    const snapshot = metrics.snapshot();
    expect(snapshot.uploads).toEqual({ verified: 2, quarantined: 1 });
    expect(snapshot.routes['inspector']).toMatchObject({
      requests: 4,
      outcomes: { OK: 2, QUARANTINED: 1, GONE: 1 },
      counts: { Verified: 2, Quarantined: 1 },
    });
  });

  it('ignores what is not an EdgeUpload EMF line: plain logs, other namespaces, broken JSON, metrics not declared', () => {
    const metrics = createMetricsCollector();
    metrics.observeLine('{"msg":"edge request","Route":"/presign","Outcome":"OK","Requests":1}');
    metrics.observeLine('presign: the handler failed: TypeError');
    metrics.observeLine(line('/presign', 'OK', 1).replace('"EdgeUpload"', '"SomethingElse"'));
    metrics.observeLine(`${line('/presign', 'OK', 1).slice(0, -1)}`);
    metrics.observeLine(line('/presign', 'OK', 1).replace('{"Name":"Requests","Unit":"Count"},', ''));
    const snapshot = metrics.snapshot();
    expect(snapshot.routes['/presign']).toEqual({ requests: 0, outcomes: {}, latencyMs: { count: 1, p50: 1, p90: 1, p99: 1 }, counts: {} });
  });

  it('stays bounded: routes, outcomes per route and latency samples are capped', () => {
    const metrics = createMetricsCollector();
    for (let i = 0; i < MAX_ROUTES + 10; i += 1) metrics.observeLine(line(`/route-${i}`, 'OK', 1));
    for (let i = 0; i < MAX_OUTCOMES + 10; i += 1) metrics.observeLine(line('/route-0', `CODE_${i}`, 1));
    for (let i = 0; i < LATENCY_SAMPLES * 2; i += 1) metrics.observeLine(line('/route-1', 'OK', i < LATENCY_SAMPLES ? 1000 : 1));
    const snapshot = metrics.snapshot();
    expect(Object.keys(snapshot.routes)).toHaveLength(MAX_ROUTES);
    expect(Object.keys(snapshot.routes['/route-0']?.outcomes ?? {})).toHaveLength(MAX_OUTCOMES);
    expect(snapshot.droppedLines).toBe(10 + 11);
    // The percentiles are over the latest samples: the first, slow half has rotated out.
    expect(snapshot.routes['/route-1']?.latencyMs).toEqual({ count: LATENCY_SAMPLES * 2 + 1, p50: 1, p90: 1, p99: 1 });
  });

  it("counts the firewall's verdicts per rule, blocked and counted, through the real engine", () => {
    const rules = parseFirewallRules(
      `version: 1
rules:
  - { name: geo-deny, type: geo-deny, priority: 0, action: block, countries: [KP] }
  - { name: geo-watch, type: geo-deny, priority: 5, action: count, countries: [FR] }
  - { name: rate-limit-auth, type: rate-limit, priority: 10, action: block, limit: 10, windowSeconds: 60, paths: ["/auth/*"] }
`,
      'test-rules.yaml',
    );
    const metrics = createMetricsCollector();
    const firewall = observedFirewall(createFirewall(rules, { now: () => 1_000_000 }), metrics);
    const request = (country: string, uri: string) => firewall.inspect({ ip: '203.0.113.7', country, method: 'POST', uri });
    expect(request('KP', '/').action).toBe('block');
    expect(request('FR', '/').action).toBe('allow');
    for (let i = 0; i < 12; i += 1) request('FR', '/auth/login');
    expect(metrics.snapshot().firewall).toEqual({
      requests: 14,
      allowed: 11,
      blocked: 3,
      rules: {
        'geo-deny': { blocked: 1, counted: 0 },
        'geo-watch': { blocked: 0, counted: 13 },
        'rate-limit-auth': { blocked: 2, counted: 0 },
      },
    });
    expect(firewall.rules).toBe(rules);
  });
});
