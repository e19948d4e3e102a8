/**
 * One structured JSON line per inspected object: what happened, why, and
 * where the object is now. Built only from the fields below (key, types,
 * sizes, codes), so no byte of a file can reach the log. The sink is
 * injectable so that tests and the local stack capture the lines.
 */
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
}

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

export function jsonLineInspectionLogger(sink: LogSink = stdoutSink): InspectionLogger {
  return {
    log(entry) {
      const { outcome, ...rest } = entry;
      const fields = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
      sink(JSON.stringify({ level: LEVELS[outcome], msg: 'upload inspected', outcome, ...fields }));
    },
  };
}
