/**
 * Each log format `waf:replay` reads: detected from its first line, each
 * line into the request the engine inspects, and every unreadable line a
 * problem with a message, never a throw.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CLOUDFRONT_LEGACY_FIELDS,
  createLineParser,
  detectLogFormat,
  type LogFormat,
  type ParsedLine,
} from '../../../../infra/firewall/replay/log-formats';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'fixtures', 'waf-replay');
const lines = (name: string) =>
  readFileSync(path.join(FIXTURES, name), 'utf8')
    .split('\n')
    .filter((line, i, all) => i < all.length - 1 || line !== '');

function parseAll(format: LogFormat, text: readonly string[]): ParsedLine[] {
  const parse = createLineParser(format);
  return text.map((line) => parse(line));
}

describe('detectLogFormat', () => {
  it('tells each sample log by its first line', () => {
    expect(detectLogFormat(lines('cloudfront-standard-log.txt')[0]!)).toBe('cloudfront');
    expect(detectLogFormat(lines('waf.jsonl')[0]!)).toBe('waf');
    expect(detectLogFormat(lines('simple.jsonl')[0]!)).toBe('jsonl');
  });

  it('knows a CloudFront line without its headers, and says nothing of what it does not know', () => {
    expect(detectLogFormat(lines('cloudfront-standard-log.txt')[2]!)).toBe('cloudfront');
    expect(detectLogFormat('\ufeff#Fields: date time')).toBe('cloudfront');
    expect(detectLogFormat('127.0.0.1 - - [10/Jan/2026:10:00:00 +0000] "GET / HTTP/1.1" 200')).toBeUndefined();
    expect(detectLogFormat('{"message": "hello"}')).toBeUndefined();
    expect(detectLogFormat('{not json')).toBeUndefined();
  });
});

describe('CloudFront standard logs', () => {
  it('reads every data line of the sample: time in UTC, IP, method, path; no country, no body size', () => {
    const parsed = parseAll('cloudfront', lines('cloudfront-standard-log.txt'));
    expect(parsed.filter((p) => p.kind === 'skip')).toHaveLength(2);
    expect(parsed.filter((p) => p.kind === 'request')).toHaveLength(301);
    expect(parsed[2]).toEqual({
      kind: 'request',
      request: { time: Date.parse('2026-01-10T10:00:00Z'), ip: '192.0.2.10', method: 'POST', uri: '/auth/login' },
    });
  });

  it('finds columns by the #Fields header, in any order, and reads c-country when the log has it', () => {
    const parse = createLineParser('cloudfront');
    expect(parse('#Fields: c-country cs-uri-stem cs-method c-ip time date')).toEqual({ kind: 'skip' });
    expect(parse('IR\t/auth/login\tPOST\t2001:db8::1\t23:59:59\t2026-01-10')).toEqual({
      kind: 'request',
      request: { time: Date.parse('2026-01-10T23:59:59Z'), ip: '2001:db8::1', method: 'POST', uri: '/auth/login', country: 'IR' },
    });
    expect(parse('-\t/\tGET\t192.0.2.1\t00:00:00\t2026-01-10')).toEqual({
      kind: 'request',
      request: { time: Date.parse('2026-01-10T00:00:00Z'), ip: '192.0.2.1', method: 'GET', uri: '/' },
    });
  });

  it('assumes the legacy 33 columns until a header says otherwise', () => {
    expect(CLOUDFRONT_LEGACY_FIELDS).toHaveLength(33);
    const data = lines('cloudfront-standard-log.txt')[2]!;
    expect(createLineParser('cloudfront')(data).kind).toBe('request');
  });

  it('reports a short line, a bad time, a bad IP and a header without the needed fields', () => {
    const parse = createLineParser('cloudfront');
    expect(parse('2026-01-10\t10:00:03\tFRA56-P1')).toEqual({
      kind: 'problem',
      message: 'expected 33 tab-separated fields (as #Fields lists), found 3',
    });
    parse('#Fields: date time c-ip cs-method cs-uri-stem');
    expect(parse('2026-01-10\t25:61\t192.0.2.1\tGET\t/')).toMatchObject({
      kind: 'problem',
      message: expect.stringMatching(/date and time/),
    });
    expect(parse('2026-01-10\t10:00:00\t999.0.2.1\tGET\t/')).toMatchObject({ kind: 'problem', message: expect.stringMatching(/IP/) });
    expect(parse('#Fields: date time c-ip')).toEqual({ kind: 'problem', message: 'the #Fields header has no cs-method, cs-uri-stem' });
    expect(parse('2026-01-10\t10:00:00\t192.0.2.1')).toEqual({
      kind: 'problem',
      message: 'the #Fields header has no cs-method, cs-uri-stem',
    });
  });
});

describe('AWS WAF logs', () => {
  it('reads the sample: timestamp, client IP, country, method, URI, requestBodySize', () => {
    const parsed = parseAll('waf', lines('waf.jsonl'));
    expect(parsed.filter((p) => p.kind === 'request')).toHaveLength(301);
    expect(parsed[0]).toEqual({
      kind: 'request',
      request: {
        time: Date.parse('2026-01-10T10:00:00Z'),
        ip: '192.0.2.10',
        country: 'US',
        method: 'POST',
        uri: '/auth/login',
        bodySize: 80,
      },
    });
  });

  it('takes the body size from Content-Length when requestBodySize is absent, and "-" as no country', () => {
    const parse = createLineParser('waf');
    const record = {
      timestamp: 1768039200000,
      httpRequest: {
        clientIp: '198.51.100.5',
        country: '-',
        uri: '/presign',
        httpMethod: 'POST',
        headers: [{ name: 'content-length', value: '9000' }],
      },
    };
    expect(parse(JSON.stringify(record))).toEqual({
      kind: 'request',
      request: { time: 1768039200000, ip: '198.51.100.5', method: 'POST', uri: '/presign', bodySize: 9000 },
    });
  });

  it('reports the two broken lines of the sample by what is wrong', () => {
    const problems = parseAll('waf', lines('waf.jsonl'))
      .map((p, i) => [i + 1, p] as const)
      .filter(([, p]) => p.kind === 'problem');
    expect(problems).toEqual([
      [4, { kind: 'problem', message: 'the client IP is missing or not an IP address' }],
      [11, { kind: 'problem', message: 'not valid JSON' }],
    ]);
    expect(createLineParser('waf')('{"ip": "192.0.2.1"}')).toEqual({
      kind: 'problem',
      message: 'not a WAF log record: no httpRequest object',
    });
  });
});

describe('simple JSON lines', () => {
  it('reads the sample, times as ISO strings', () => {
    const parsed = parseAll('jsonl', lines('simple.jsonl'));
    expect(parsed.every((p) => p.kind === 'request')).toBe(true);
    expect(parsed).toHaveLength(301);
  });

  it('takes times as epoch milliseconds too; country and bodySize are optional', () => {
    const parse = createLineParser('jsonl');
    expect(parse('{"time": 1768039200000, "ip": "203.0.113.9", "method": "GET", "uri": "/?q=1"}')).toEqual({
      kind: 'request',
      request: { time: 1768039200000, ip: '203.0.113.9', method: 'GET', uri: '/?q=1' },
    });
    expect(parse('{"time": "2026-01-10T10:00:00+01:00", "ip": "203.0.113.9", "country": "de", "method": "GET", "uri": "/"}')).toMatchObject(
      {
        request: { time: Date.parse('2026-01-10T09:00:00Z'), country: 'DE' },
      },
    );
  });

  it('reports each kind of bad field', () => {
    const parse = createLineParser('jsonl');
    const message = (line: string) => {
      const parsed = parse(line);
      return parsed.kind === 'problem' ? parsed.message : parsed.kind;
    };
    expect(message('{"time": "2026-01-10T10:00:00", "ip": "203.0.113.9", "method": "GET", "uri": "/"}')).toMatch(/time must be/);
    expect(message('{"time": 1, "ip": "203.0.113.9", "method": "get it", "uri": "/"}')).toMatch(/method/);
    expect(message('{"time": 1, "ip": "203.0.113.9", "method": "GET", "uri": "auth"}')).toMatch(/URI/);
    expect(message('{"time": 1, "ip": "203.0.113.9", "method": "GET", "uri": "/", "country": "USA"}')).toMatch(/two letters/);
    expect(message('{"time": 1, "ip": "203.0.113.9", "method": "GET", "uri": "/", "bodySize": -1}')).toMatch(/bodySize/);
    expect(message('[1, 2]')).toBe('not a JSON object');
    expect(message('   ')).toBe('skip');
  });
});
