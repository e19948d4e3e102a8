/**
 * The request log line (origin/core/request-log.ts): optional fields appear
 * only when set, and the EMF dimensions stay bounded (`Route` is an auth route
 * or `/auth/*`, `Outcome` is `OK` below 400, else the code).
 */
import { jsonLineLogger, OTHER_AUTH_ROUTE, type RequestLogEntry } from '../../../origin/core/request-log';

const ENTRY: RequestLogEntry = {
  route: '/auth/login',
  method: 'POST',
  status: 200,
  outcome: 'LOGGED_IN',
  latencyMs: 3.4,
  requestId: undefined,
  detail: undefined,
  error: undefined,
};

/** Logs one entry and gives back the parsed line. */
function logged(entry: Partial<RequestLogEntry>): Record<string, unknown> {
  const lines: string[] = [];
  jsonLineLogger(
    (line) => lines.push(line),
    () => 1_700_000_000_000,
  ).log({ ...ENTRY, ...entry });
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] ?? '') as Record<string, unknown>;
}

describe('the request log line', () => {
  it('leaves out requestId, detail and error when they are not set', () => {
    const line = logged({});
    expect(line).not.toHaveProperty('requestId');
    expect(line).not.toHaveProperty('detail');
    expect(line).not.toHaveProperty('error');
    expect(line).toMatchObject({ level: 'info', msg: 'auth request', route: '/auth/login', Route: '/auth/login', Outcome: 'OK' });
  });

  it('carries requestId, detail and error when they are set', () => {
    const error = { name: 'TypeError', message: 'x', stack: undefined };
    expect(logged({ status: 500, outcome: 'INTERNAL', requestId: 'r-1', detail: 'why', error })).toMatchObject({
      level: 'error',
      requestId: 'r-1',
      detail: 'why',
      error: { name: 'TypeError', message: 'x' },
      Outcome: 'INTERNAL',
    });
  });

  it('puts every path that is not an auth route under /auth/*', () => {
    expect(OTHER_AUTH_ROUTE).toBe('/auth/*');
    expect(logged({ route: '/auth/nope', status: 404, outcome: 'NOT_FOUND' })).toMatchObject({
      route: '/auth/nope',
      Route: '/auth/*',
      Outcome: 'NOT_FOUND',
    });
  });

  it.each([
    [204, 'LOGGED_OUT', 'OK', 'info'],
    [399, 'ODD', 'OK', 'info'],
    [400, 'INVALID_REQUEST', 'INVALID_REQUEST', 'info'],
    [499, 'X', 'X', 'info'],
    [500, 'INTERNAL', 'INTERNAL', 'error'],
  ])('status %i with outcome %s is Outcome %s at level %s', (status, outcome, Outcome, level) => {
    expect(logged({ status, outcome })).toMatchObject({ status, outcome, Outcome, level });
  });

  it('writes to stdout, one line each, by default', () => {
    const written: string[] = [];
    const write = process.stdout.write;
    // A capturing stand-in for stdout, restored before anything is asserted.
    process.stdout.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      jsonLineLogger().log(ENTRY);
    } finally {
      process.stdout.write = write;
    }
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^\{"_aws":.*"route":"\/auth\/login".*\}\n$/);
  });
});
