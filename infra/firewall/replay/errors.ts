/**
 * The replay tool's errors: operator errors (wrong arguments, a log that
 * cannot be read or whose format cannot be told), reported on the terminal
 * with what to do. A malformed line is not an error: it is reported with
 * its line number and the replay goes on (log-formats.ts).
 */

export type ReplayErrorCode = 'REPLAY_USAGE' | 'REPLAY_LOG_UNREADABLE' | 'REPLAY_LOG_FORMAT_UNKNOWN' | 'REPLAY_OUTPUT_UNWRITABLE';

export abstract class ReplayError extends Error {
  abstract readonly code: ReplayErrorCode;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The command line is wrong; the message says how, and the usage text follows it. */
export class ReplayUsageError extends ReplayError {
  readonly code = 'REPLAY_USAGE';
}

/** A log file could not be opened or decompressed. */
export class ReplayLogReadError extends ReplayError {
  readonly code = 'REPLAY_LOG_UNREADABLE';

  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`Cannot read the log ${file} (${reason}).`);
  }
}

/** Nothing in the first lines of a log says which format it is. */
export class ReplayLogFormatError extends ReplayError {
  readonly code = 'REPLAY_LOG_FORMAT_UNKNOWN';

  constructor(readonly file: string) {
    super(
      `Cannot tell the format of ${file}: expected a CloudFront standard log (#Fields header, tab-separated), ` +
        'a WAF log (JSON lines with httpRequest) or JSON lines of {time, ip, country, method, uri, bodySize}. ' +
        'Name it with --format cloudfront|waf|jsonl.',
    );
  }
}

/** The --html page could not be written. */
export class ReplayOutputError extends ReplayError {
  readonly code = 'REPLAY_OUTPUT_UNWRITABLE';

  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`Cannot write the chart to ${file} (${reason}).`);
  }
}
