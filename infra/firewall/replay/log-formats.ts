/**
 * The three log formats `waf:replay` reads, one line at a time, each line
 * into the request the firewall engine inspects. Pure: text in, a request
 * or a problem out. A line that cannot be read is a problem with its line
 * number, never an exception, so one bad line in a million does not stop
 * a replay.
 *
 * - CloudFront standard logs (W3C-style, tab-separated): `#Version` and
 *   `#Fields` headers, then one request per line. Columns are found by the
 *   `#Fields` names (the legacy 33-field order is assumed until a header says
 *   otherwise). Used: date, time, c-ip, cs-method, cs-uri-stem, and
 *   c-country when present (standard logging v2 can add it). These logs say
 *   nothing of the request body's size, and the legacy ones nothing of the
 *   viewer's country.
 * - AWS WAF logs (JSON lines): timestamp (ms), httpRequest.clientIp,
 *   .country ("-" when WAF could not tell), .uri, .httpMethod, and the body
 *   size from requestBodySize, else from a Content-Length header.
 * - Simple JSON lines: {"time", "ip", "country", "method", "uri", "bodySize"},
 *   time as milliseconds since the epoch or an ISO 8601 string with a zone;
 *   country and bodySize optional.
 */
import { isIP } from 'node:net';
import type { FirewallRequest } from '../engine';
import { isPlainObject, safeJsonParse } from '../../../edge-functions/core/safe-json';

export type LogFormat = 'cloudfront' | 'waf' | 'jsonl';
export const LOG_FORMATS: readonly LogFormat[] = ['cloudfront', 'waf', 'jsonl'];

export const FORMAT_NAMES: Readonly<Record<LogFormat, string>> = {
  cloudfront: 'CloudFront standard log',
  waf: 'AWS WAF log',
  jsonl: 'JSON lines',
};

/** A request read from a log: every field the engine uses, the time always set. */
export interface ReplayRequest extends FirewallRequest {
  readonly time: number;
}

export type ParsedLine =
  | { readonly kind: 'request'; readonly request: ReplayRequest }
  /** Headers, comments and blank lines. */
  | { readonly kind: 'skip' }
  | { readonly kind: 'problem'; readonly message: string };

export type LineParser = (line: string) => ParsedLine;

/**
 * The format of a log from its first non-blank line, or undefined when that
 * line is none of the three.
 */
export function detectLogFormat(firstLine: string): LogFormat | undefined {
  const line = firstLine.replace(/^\ufeff/, '').trim();
  if (line.startsWith('#Version:') || line.startsWith('#Fields:')) return 'cloudfront';
  if (/^\d{4}-\d{2}-\d{2}\t\d{2}:\d{2}:\d{2}\t/.test(line)) return 'cloudfront';
  if (line.startsWith('{')) {
    const parsed = safeJsonParse(line);
    if (!parsed.ok) return undefined;
    const value = parsed.value;
    if (!isPlainObject(value)) return undefined;
    if (isPlainObject(value.httpRequest)) return 'waf';
    if ('ip' in value || 'uri' in value) return 'jsonl';
  }
  return undefined;
}

/** A parser for one log file: CloudFront's is stateful (its #Fields header names the columns). */
export function createLineParser(format: LogFormat): LineParser {
  switch (format) {
    case 'cloudfront':
      return cloudFrontParser();
    case 'waf':
      return jsonParser(readWafRecord);
    case 'jsonl':
      return jsonParser(readSimpleRecord);
  }
}

// ---- CloudFront standard logs ------------------------------------------------

/** The legacy standard log's columns, in order, as its #Fields header lists them. */
export const CLOUDFRONT_LEGACY_FIELDS = [
  'date',
  'time',
  'x-edge-location',
  'sc-bytes',
  'c-ip',
  'cs-method',
  'cs(Host)',
  'cs-uri-stem',
  'sc-status',
  'cs(Referer)',
  'cs(User-Agent)',
  'cs-uri-query',
  'cs(Cookie)',
  'x-edge-result-type',
  'x-edge-request-id',
  'x-host-header',
  'cs-protocol',
  'cs-bytes',
  'time-taken',
  'x-forwarded-for',
  'ssl-protocol',
  'ssl-cipher',
  'x-edge-response-result-type',
  'cs-protocol-version',
  'fle-status',
  'fle-encrypted-fields',
  'c-port',
  'time-to-first-byte',
  'x-edge-detailed-result-type',
  'sc-content-type',
  'sc-content-len',
  'sc-range-start',
  'sc-range-end',
] as const;

const CLOUDFRONT_REQUIRED = ['date', 'time', 'c-ip', 'cs-method', 'cs-uri-stem'] as const;

function cloudFrontParser(): LineParser {
  let columns = columnIndex(CLOUDFRONT_LEGACY_FIELDS);
  let width: number = CLOUDFRONT_LEGACY_FIELDS.length;
  let headerProblem: string | undefined;

  return (line) => {
    if (line.trim() === '') return { kind: 'skip' };
    if (line.startsWith('#')) {
      const fields = /^#Fields:\s*(.*)$/.exec(line.trim());
      if (fields !== null) {
        const names = (fields[1] ?? '').split(/\s+/).filter((name) => name !== '');
        const missing = CLOUDFRONT_REQUIRED.filter((name) => !names.includes(name));
        headerProblem = missing.length === 0 ? undefined : `the #Fields header has no ${missing.join(', ')}`;
        columns = columnIndex(names);
        width = names.length;
        if (headerProblem !== undefined) return { kind: 'problem', message: headerProblem };
      }
      return { kind: 'skip' };
    }
    if (headerProblem !== undefined) return { kind: 'problem', message: headerProblem };
    const values = line.replace(/\r$/, '').split('\t');
    if (values.length !== width)
      return { kind: 'problem', message: `expected ${width} tab-separated fields (as #Fields lists), found ${values.length}` };
    const get = (name: string): string | undefined => {
      const at = columns.get(name);
      const value = at === undefined ? undefined : values[at];
      return value === undefined || value === '-' || value === '' ? undefined : value;
    };

    const date = get('date');
    const clock = get('time');
    const time =
      date !== undefined && clock !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(date) && /^\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(clock)
        ? Date.parse(`${date}T${clock}Z`)
        : Number.NaN;
    if (!Number.isFinite(time)) return { kind: 'problem', message: 'date and time must be YYYY-MM-DD and HH:MM:SS (UTC)' };
    return requestFrom({ time, ip: get('c-ip'), method: get('cs-method'), uri: get('cs-uri-stem'), country: get('c-country') });
  };
}

function columnIndex(names: readonly string[]): Map<string, number> {
  return new Map(names.map((name, index) => [name, index]));
}

// ---- JSON lines ------------------------------------------------------------

interface RawRequest {
  readonly time: number;
  readonly ip: string | undefined;
  readonly method: string | undefined;
  readonly uri: string | undefined;
  readonly country?: string | undefined;
  readonly bodySize?: number | undefined;
}

function jsonParser(read: (record: Record<string, unknown>) => RawRequest | string): LineParser {
  return (line) => {
    if (line.trim() === '') return { kind: 'skip' };
    const parsed = safeJsonParse(line);
    if (!parsed.ok) return { kind: 'problem', message: 'not valid JSON' };
    const value = parsed.value;
    if (!isPlainObject(value)) return { kind: 'problem', message: 'not a JSON object' };
    const raw = read(value);
    return typeof raw === 'string' ? { kind: 'problem', message: raw } : requestFrom(raw);
  };
}

function readWafRecord(record: Record<string, unknown>): RawRequest | string {
  const http = record.httpRequest;
  if (!isPlainObject(http)) return 'not a WAF log record: no httpRequest object';
  const time = record.timestamp;
  if (typeof time !== 'number' || !Number.isFinite(time)) return 'timestamp must be milliseconds since the epoch';
  const country = typeof http.country === 'string' && http.country !== '-' ? http.country : undefined;
  let bodySize = typeof record.requestBodySize === 'number' ? record.requestBodySize : undefined;
  if (bodySize === undefined && Array.isArray(http.headers)) {
    const length = http.headers.find(
      (h: unknown) => isPlainObject(h) && typeof h.name === 'string' && h.name.toLowerCase() === 'content-length',
    );
    const value = isPlainObject(length) && typeof length.value === 'string' ? Number(length.value) : Number.NaN;
    if (Number.isSafeInteger(value) && value >= 0) bodySize = value;
  }
  return {
    time,
    ip: stringOrUndefined(http.clientIp),
    method: stringOrUndefined(http.httpMethod),
    uri: stringOrUndefined(http.uri),
    country,
    bodySize,
  };
}

function readSimpleRecord(record: Record<string, unknown>): RawRequest | string {
  const time =
    typeof record.time === 'number'
      ? record.time
      : typeof record.time === 'string' && /[zZ]|[+-]\d{2}:?\d{2}$/.test(record.time)
        ? Date.parse(record.time)
        : Number.NaN;
  if (!Number.isFinite(time))
    return 'time must be milliseconds since the epoch or an ISO 8601 time with a zone (e.g. 2026-01-10T10:00:00Z)';
  if (record.country !== undefined && record.country !== null && typeof record.country !== 'string')
    return 'country must be a string such as "US"';
  if (
    record.bodySize !== undefined &&
    record.bodySize !== null &&
    !(typeof record.bodySize === 'number' && Number.isSafeInteger(record.bodySize) && record.bodySize >= 0)
  ) {
    return 'bodySize must be a whole number of bytes';
  }
  return {
    time,
    ip: stringOrUndefined(record.ip),
    method: stringOrUndefined(record.method),
    uri: stringOrUndefined(record.uri),
    country: stringOrUndefined(record.country),
    bodySize: typeof record.bodySize === 'number' ? record.bodySize : undefined,
  };
}

// ---- shared ---------------------------------------------------------------

const COUNTRY = /^[A-Z]{2}$/;
const METHOD = /^[A-Z]{1,20}$/;

function requestFrom(raw: RawRequest): ParsedLine {
  if (raw.ip === undefined || isIP(raw.ip) === 0) return { kind: 'problem', message: 'the client IP is missing or not an IP address' };
  if (raw.method === undefined || !METHOD.test(raw.method))
    return { kind: 'problem', message: 'the method is missing or not an HTTP method (GET, POST, ...)' };
  if (raw.uri === undefined || !raw.uri.startsWith('/')) return { kind: 'problem', message: 'the URI is missing or does not start with /' };
  const country = raw.country?.toUpperCase();
  if (country !== undefined && !COUNTRY.test(country))
    return { kind: 'problem', message: 'the country must be two letters (ISO 3166-1 alpha-2)' };
  return {
    kind: 'request',
    request: {
      time: raw.time,
      ip: raw.ip,
      method: raw.method,
      uri: raw.uri,
      ...(country === undefined ? {} : { country }),
      ...(raw.bodySize === undefined ? {} : { bodySize: raw.bodySize }),
    },
  };
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
