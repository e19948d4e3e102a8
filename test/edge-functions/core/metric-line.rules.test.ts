/**
 * The rules of the one log line per request (edge-functions/core/metric-line.ts):
 * CloudWatch Embedded Metric Format with the `_aws` metadata first, the
 * namespace, dimension sets and metrics that the dashboards and alarms read,
 * whole-millisecond timestamps and latencies to a tenth.
 */
import {
  INSPECTION_DIRECTIVES,
  METRIC_NAMESPACE,
  metricLine,
  OUTCOME_OK,
  REQUEST_DIRECTIVES,
  roundLatency,
} from '../../../edge-functions/core/metric-line';
import { emfProblems } from '../../support/emf';

const DIMENSIONS = [['Route'], ['Route', 'Outcome']];

describe('the metric directives', () => {
  it('name the EdgeUpload namespace and OK as the outcome of a success', () => {
    expect(METRIC_NAMESPACE).toBe('EdgeUpload');
    expect(OUTCOME_OK).toBe('OK');
  });

  it('count requests and time them in milliseconds, by Route and by Route and Outcome', () => {
    expect(JSON.parse(REQUEST_DIRECTIVES)).toStrictEqual([
      {
        Namespace: 'EdgeUpload',
        Dimensions: DIMENSIONS,
        Metrics: [
          { Name: 'Requests', Unit: 'Count' },
          { Name: 'LatencyMs', Unit: 'Milliseconds' },
        ],
      },
    ]);
  });

  it("count the inspector's verified and quarantined objects besides requests and latency", () => {
    expect(JSON.parse(INSPECTION_DIRECTIVES)).toStrictEqual([
      {
        Namespace: 'EdgeUpload',
        Dimensions: DIMENSIONS,
        Metrics: [
          { Name: 'Requests', Unit: 'Count' },
          { Name: 'LatencyMs', Unit: 'Milliseconds' },
          { Name: 'Verified', Unit: 'Count' },
          { Name: 'Quarantined', Unit: 'Count' },
        ],
      },
    ]);
  });
});

describe('metricLine', () => {
  const members = { Route: '/presign', Outcome: 'OK', Requests: 1 as const, LatencyMs: 12.5, route: '/presign', status: 200 };

  it('writes _aws first, then the members in their order, as one line of JSON', () => {
    const line = metricLine(members, 1_790_000_000_123);
    expect(line).toBe(
      `{"_aws":{"Timestamp":1790000000123,"CloudWatchMetrics":${REQUEST_DIRECTIVES}},` +
        '"Route":"/presign","Outcome":"OK","Requests":1,"LatencyMs":12.5,"route":"/presign","status":200}',
    );
    expect(emfProblems(line)).toEqual([]);
  });

  it('uses the request directives unless given others', () => {
    const line = metricLine({ ...members, Verified: 1, Quarantined: 0 }, 5, INSPECTION_DIRECTIVES);
    expect(JSON.parse(line)._aws).toStrictEqual({ Timestamp: 5, CloudWatchMetrics: JSON.parse(INSPECTION_DIRECTIVES) });
    expect(emfProblems(line)).toEqual([]);
    expect(JSON.parse(metricLine(members, 5))._aws.CloudWatchMetrics).toStrictEqual(JSON.parse(REQUEST_DIRECTIVES));
  });

  it('writes the timestamp as whole milliseconds, rounded down', () => {
    expect(JSON.parse(metricLine(members, 1_790_000_000_123.9))._aws.Timestamp).toBe(1_790_000_000_123);
  });

  it('keeps text that looks like JSON inside a member a string', () => {
    const line = metricLine({ ...members, detail: '"},"_aws":{' }, 1);
    expect(JSON.parse(line).detail).toBe('"},"_aws":{');
    expect(emfProblems(line)).toEqual([]);
  });
});

describe('roundLatency', () => {
  it.each([
    [12.34, 12.3],
    [12.35, 12.4],
    [12.36, 12.4],
    [0.04, 0],
    [0.05, 0.1],
    [7, 7],
    [1234.5678, 1234.6],
  ])('rounds %d ms to %d, a tenth of a millisecond', (ms, expected) => {
    expect(roundLatency(ms)).toBe(expected);
  });
});
