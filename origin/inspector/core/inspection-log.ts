/**
 * One structured JSON line per inspected object: what happened, why, and
 * where the object is now. Built only from the fields below (key, types,
 * sizes, codes), so no byte of a file can reach the log. The sink is
 * injectable so that tests and the local stack capture the lines.
 *
 * The line is in CloudWatch Embedded Metric Format (edge-functions/core/metric-line.ts),
 * Route `inspector`: `Outcome` is `OK` for a verified object, else the
 * outcome code (QUARANTINED, GONE, SKIPPED, FAILED); `Verified` and
 * `Quarantined` count 1 or 0. The key stays a plain member, never a dimension.
 */
import { INSPECTION_DIRECTIVES, metricLine, OUTCOME_OK, roundLatency } from '../../../edge-functions/core/metric-line';
import type { DetectedFormat } from './file-signatures';
import type { QuarantineReason } from './inspection';

export type InspectionOutcomeCode =
  /** Passed; tagged verified=true. */
  | 'VERIFIED'
  /** Failed; moved to the quarantine prefix. */
  | 'QUARANTINED'
  /** Already gone when looked at (a repeated event, or deleted meanwhile). */
  | 'GONE'
  /** An event this inspector does not handle (another bucket, another prefix, not ObjectCreated). */
  | 'SKIPPED'
  /** Could not be finished; the event will be retried. */
  | 'FAILED';

export interface InspectionLogEntry {
  readonly outcome: InspectionOutcomeCode;
  readonly bucket: string;
  readonly key: string;
  readonly reason?: QuarantineReason;
  readonly quarantineKey?: string;
  readonly declaredType?: string;
  readonly detected?: DetectedFormat;
  readonly size?: number;
  readonly etag?: string;
  /** A few safe words: the decision's detail, why an event was skipped, an error's class and code. */
  readonly detail?: string;
  readonly eventName?: string;
  readonly requestId?: string;
  /** How long this object took, in milliseconds. */
  readonly latencyMs?: number;
}

/** The inspector's one metric Route. */
export const INSPECTOR_ROUTE = 'inspector';

export type LogSink = (line: string) => void;

export interface InspectionLogger {
  log(entry: InspectionLogEntry): void;
}

const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

const LEVELS: Readonly<Record<InspectionOutcomeCode, 'info' | 'warn' | 'error'>> = {
  VERIFIED: 'info',
  QUARANTINED: 'warn',
  GONE: 'info',
  SKIPPED: 'info',
  FAILED: 'error',
};

export function jsonLineInspectionLogger(sink: LogSink = stdoutSink, clock: () => number = Date.now): InspectionLogger {
  return {
    log(entry) {
      // latencyMs goes out once, as the metric LatencyMs.
      const { outcome, latencyMs, ...rest } = entry;
      const fields = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
      const line = {
        level: LEVELS[outcome],
        msg: 'upload inspected',
        outcome,
        ...fields,
        Route: INSPECTOR_ROUTE,
        Outcome: outcome === 'VERIFIED' ? OUTCOME_OK : outcome,
        Requests: 1 as const,
        LatencyMs: roundLatency(latencyMs ?? 0),
        Verified: outcome === 'VERIFIED' ? (1 as const) : (0 as const),
        Quarantined: outcome === 'QUARANTINED' ? (1 as const) : (0 as const),
      };
      sink(metricLine(line, clock(), INSPECTION_DIRECTIVES));
    },
  };
}
