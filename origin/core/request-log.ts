/**
 * One structured JSON line per request: route, outcome code, status,
 * latency. Built only from the fields below, so a token, password, code,
 * email or cookie cannot reach the log by accident. The sink is injectable
 * so tests can capture the lines.
 *
 * The line is in CloudWatch Embedded Metric Format (edge-functions/core/metric-line.ts):
 * `Route` is one of the eight auth routes or `/auth/*` for any other path,
 * `Outcome` is `OK` for a 2xx/3xx answer, else the error code.
 */
import { isAuthPath } from '../../edge-functions/core/auth-routes';
import { metricLine, OUTCOME_OK, roundLatency } from '../../edge-functions/core/metric-line';
import type { LoggedError } from './error-response';

/** The one metric Route for every path that is not an auth route (bounded, never the path itself). */
export const OTHER_AUTH_ROUTE = '/auth/*';

export interface RequestLogEntry {
  readonly route: string;
  readonly method: string;
  readonly status: number;
  /** The error code, or the success status (CONFIRMATION_REQUIRED, SENT, LOGGED_IN, …). */
  readonly outcome: string;
  readonly latencyMs: number;
  readonly requestId: string | undefined;
  /** Why, in a few safe words (a Cognito exception name, the failed check). */
  readonly detail: string | undefined;
  /** Only for 500 INTERNAL: the unexpected error in full. */
  readonly error: LoggedError | undefined;
}

export type LogSink = (line: string) => void;

export interface RequestLogger {
  log(entry: RequestLogEntry): void;
}

const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

export function jsonLineLogger(sink: LogSink = stdoutSink, clock: () => number = Date.now): RequestLogger {
  return {
    log(entry) {
      const line = {
        level: entry.status >= 500 ? 'error' : 'info',
        msg: 'auth request',
        route: entry.route,
        method: entry.method,
        status: entry.status,
        outcome: entry.outcome,
        latencyMs: entry.latencyMs,
        ...(entry.requestId === undefined ? {} : { requestId: entry.requestId }),
        ...(entry.detail === undefined ? {} : { detail: entry.detail }),
        ...(entry.error === undefined ? {} : { error: entry.error }),
        Route: isAuthPath(entry.route) ? entry.route : OTHER_AUTH_ROUTE,
        Outcome: entry.status < 400 ? OUTCOME_OK : entry.outcome,
        Requests: 1 as const,
        LatencyMs: roundLatency(entry.latencyMs),
      };
      sink(metricLine(line, clock()));
    },
  };
}
