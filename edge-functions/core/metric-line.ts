/**
 * The one log line per request, in CloudWatch Embedded Metric Format (EMF):
 * CloudWatch Logs turns the line into metrics on its own, so the handlers
 * publish metrics without a second line and without an API call.
 *
 * Shared by every handler (presign at the edge, the auth API, the upload
 * inspector) and read back by the local stack's metrics collector. Pure and
 * tiny: it ships in the presign bundle.
 *
 * The line is `{"_aws":{…},…members}`: the metadata object first, then the
 * log's own members, among them the EMF members `Route` and `Outcome`
 * (dimensions, strings) and `Requests` and `LatencyMs` (metrics, numbers).
 * Dimension sets `[Route]` and `[Route, Outcome]`; `Outcome` is `OK` or the
 * stable error code. Both are bounded sets, so the number of metrics is
 * finite: never put a user id, key, IP or any caller-chosen text in them.
 */

export const METRIC_NAMESPACE = 'EdgeUpload';
export const OUTCOME_OK = 'OK';

/** What every line carries as EMF members. */
export interface RequestMetrics {
  /** A route name from a fixed list (README.md, "Metrics"), never the raw path. */
  readonly Route: string;
  /** `OK` or the error code. */
  readonly Outcome: string;
  readonly Requests: 1;
  readonly LatencyMs: number;
}

/** The inspector's line adds one count each for a verified and a quarantined object. */
export interface InspectionMetrics extends RequestMetrics {
  readonly Verified: 0 | 1;
  readonly Quarantined: 0 | 1;
}

type MetricUnit = 'Count' | 'Milliseconds';

/**
 * The `CloudWatchMetrics` array, serialized once at module load: per request
 * only the timestamp and the line's own members are formatted.
 */
function directives(metrics: ReadonlyArray<readonly [string, MetricUnit]>): string {
  return JSON.stringify([
    {
      Namespace: METRIC_NAMESPACE,
      Dimensions: [['Route'], ['Route', 'Outcome']],
      Metrics: metrics.map(([Name, Unit]) => ({ Name, Unit })),
    },
  ]);
}

export const REQUEST_DIRECTIVES = directives([
  ['Requests', 'Count'],
  ['LatencyMs', 'Milliseconds'],
]);

export const INSPECTION_DIRECTIVES = directives([
  ['Requests', 'Count'],
  ['LatencyMs', 'Milliseconds'],
  ['Verified', 'Count'],
  ['Quarantined', 'Count'],
]);

/**
 * One EMF line. `members` is the whole log line, EMF members included; its
 * keys are the code's own (never `_aws`, never caller-chosen). `timestamp` is
 * milliseconds since the epoch.
 */
export function metricLine(
  members: RequestMetrics & Readonly<Record<string, unknown>>,
  timestamp: number,
  metricDirectives: string = REQUEST_DIRECTIVES,
): string {
  // `members` always has Route, so its JSON is `{…}` with at least one member: drop its `{`, splice after _aws.
  return `{"_aws":{"Timestamp":${Math.floor(timestamp)},"CloudWatchMetrics":${metricDirectives}},${JSON.stringify(members).slice(1)}`;
}

/** Latency as the lines carry it: milliseconds, to a tenth. */
export function roundLatency(ms: number): number {
  return Math.round(ms * 10) / 10;
}
