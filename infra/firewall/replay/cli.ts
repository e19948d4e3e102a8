/**
 * `npm run waf:replay -- --rules <file> [--proposed <file>] --log <file> [--log <file> ...] [--html <file>]`
 *
 * Reads the logs (plain or gzip, format detected per file), replays them
 * through the current rules and, when given, a proposed rules file, and
 * prints per rule how many requests it would block or count, side by side,
 * and which IPs tripped which rate limit; with --html, also a self-contained
 * page charting it per minute (html-report.ts). A line that cannot be read is
 * reported with its file and line number and skipped.
 *
 * Exit status: 0 when the replay ran (even with skipped lines), 1 when a
 * rules file or a log cannot be used, 2 for a wrong command line.
 */
import { createReadStream, openSync, readSync, closeSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FirewallError } from '../errors';
import { loadFirewallRules } from '../rules';
import { ReplayError, ReplayLogFormatError, ReplayLogReadError, ReplayOutputError, ReplayUsageError } from './errors';
import { formatHtmlReport } from './html-report';
import { createLineParser, detectLogFormat, LOG_FORMATS, type LogFormat, type ReplayRequest } from './log-formats';
import { replayRequests, type RuleSetInput } from './replay';
import { formatReport, reportJson, type LineProblem, type LogSummary, type ReplayReport } from './report';

export const USAGE = `Usage: npm run waf:replay -- --rules <file> [--proposed <file>] --log <file> [--log <file> ...] [--html <file>]

Replays logged requests through the firewall rules engine that the local
edge runs, and prints per rule how many requests it would block or count,
and which IPs tripped which rate limit: for the current rules and, with
--proposed, a changed rules file side by side.

  --rules <file>      the current rules (e.g. infra/firewall/firewall-rules.yaml)
  --proposed <file>   a changed rules file to compare
  --log <file>        a log to replay; repeat for several (gzip is read as such).
                      CloudFront standard logs, AWS WAF logs (JSON lines), or
                      JSON lines of {time, ip, country, method, uri, bodySize}
  --format <name>     cloudfront | waf | jsonl (default: detected per file)
  --problems <n>      how many unreadable lines to list (default 20)
  --json              print the report as JSON
  --html <file>       also write a self-contained HTML page: per-minute charts of
                      allowed and blocked requests per rule, rule sets side by side
  --help              this text`;

export interface ReplayIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

interface Arguments {
  readonly rules: string;
  readonly proposed: string | undefined;
  readonly logs: readonly string[];
  readonly format: LogFormat | undefined;
  readonly json: boolean;
  readonly html: string | undefined;
  readonly shownProblems: number;
}

/** Problems kept in the report; beyond this they are only counted (a broken log can have millions). */
const MAX_KEPT_PROBLEMS = 1000;
const DEFAULT_SHOWN_PROBLEMS = 20;
const GZIP_MAGIC = [0x1f, 0x8b];

/** Runs the tool; resolves with the exit status. Never throws. */
export async function runReplayCli(argv: readonly string[], io: ReplayIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  try {
    const args = parseArguments(argv);
    const ruleSets: RuleSetInput[] = [{ label: 'current', rules: loadFirewallRules(args.rules) }];
    if (args.proposed !== undefined) ruleSets.push({ label: 'proposed', rules: loadFirewallRules(args.proposed) });

    const requests: ReplayRequest[] = [];
    const problems: LineProblem[] = [];
    let problemCount = 0;
    const logs: LogSummary[] = [];
    for (const file of args.logs) {
      const summary = await readLog(file, args.format, requests, (line, message) => {
        problemCount += 1;
        if (problems.length < MAX_KEPT_PROBLEMS) problems.push({ file, line, message });
      });
      logs.push(summary);
    }

    const report: ReplayReport = { logs, result: replayRequests(requests, ruleSets), problems, problemCount };
    if (args.html !== undefined) {
      try {
        writeFileSync(args.html, formatHtmlReport(report));
      } catch (error) {
        throw new ReplayOutputError(args.html, (error as NodeJS.ErrnoException).code ?? String(error));
      }
    }
    io.stdout(args.json ? reportJson(report) : formatReport(report, { shownProblems: args.shownProblems }));
    return 0;
  } catch (error) {
    if (error instanceof ReplayUsageError) {
      io.stderr(`${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof ReplayError || error instanceof FirewallError) {
      io.stderr(`${error.message}\n`);
      return 1;
    }
    io.stderr(`waf:replay failed unexpectedly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

function parseArguments(argv: readonly string[]): Arguments {
  let rules: string | undefined;
  let proposed: string | undefined;
  let format: LogFormat | undefined;
  let json = false;
  let html: string | undefined;
  let shownProblems = DEFAULT_SHOWN_PROBLEMS;
  const logs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const next = inline ?? argv[++i];
      if (next === undefined || next === '' || (inline === undefined && next.startsWith('--')))
        throw new ReplayUsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--rules':
        rules = value();
        break;
      case '--proposed':
        proposed = value();
        break;
      case '--log':
        logs.push(value());
        break;
      case '--format': {
        const name = value();
        if (!(LOG_FORMATS as readonly string[]).includes(name))
          throw new ReplayUsageError(`--format must be one of ${LOG_FORMATS.join(', ')}, not "${name}"`);
        format = name as LogFormat;
        break;
      }
      case '--problems': {
        const count = Number(value());
        if (!Number.isSafeInteger(count) || count < 0) throw new ReplayUsageError('--problems needs a whole number');
        shownProblems = count;
        break;
      }
      case '--json':
        json = true;
        break;
      case '--html':
        html = value();
        break;
      default:
        throw new ReplayUsageError(`Unknown argument: ${arg}`);
    }
  }
  if (rules === undefined) throw new ReplayUsageError('--rules is required');
  if (logs.length === 0) throw new ReplayUsageError('--log is required (at least one)');
  return { rules, proposed, logs, format, json, html, shownProblems };
}

/** Reads one log line by line into `requests`; its format is the given one or detected from its first non-blank line. */
async function readLog(
  file: string,
  given: LogFormat | undefined,
  requests: ReplayRequest[],
  problem: (line: number, message: string) => void,
): Promise<LogSummary> {
  const input = openLog(file);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let format = given;
  let parse = given === undefined ? undefined : createLineParser(given);
  let lineNumber = 0;
  let count = 0;
  let problems = 0;
  try {
    for await (const line of lines) {
      lineNumber += 1;
      if (parse === undefined) {
        if (line.trim() === '') continue;
        format = detectLogFormat(line);
        if (format === undefined) throw new ReplayLogFormatError(file);
        parse = createLineParser(format);
      }
      const parsed = parse(lineNumber === 1 ? line.replace(/^\ufeff/, '') : line);
      if (parsed.kind === 'request') {
        requests.push(parsed.request);
        count += 1;
      } else if (parsed.kind === 'problem') {
        problems += 1;
        problem(lineNumber, parsed.message);
      }
    }
  } catch (error) {
    if (error instanceof ReplayError) throw error;
    throw new ReplayLogReadError(file, error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error));
  } finally {
    lines.close();
    input.destroy();
  }
  return { file, format: format ?? given ?? 'jsonl', lines: lineNumber, requests: count, problems };
}

/** The log as a stream of text, gunzipped when it starts with gzip's magic number. */
function openLog(file: string): Readable {
  let head: Buffer;
  try {
    const fd = openSync(file, 'r');
    try {
      head = Buffer.alloc(2);
      readSync(fd, head, 0, 2, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new ReplayLogReadError(file, (error as NodeJS.ErrnoException).code ?? String(error));
  }
  const raw = createReadStream(file);
  if (head[0] !== GZIP_MAGIC[0] || head[1] !== GZIP_MAGIC[1]) return raw;
  const gunzip = createGunzip();
  raw.on('error', (error) => gunzip.destroy(error));
  return raw.pipe(gunzip);
}
