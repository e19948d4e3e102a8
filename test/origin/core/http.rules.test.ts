/**
 * Every auth API answer: no-store and nosniff on all of them, the error
 * shape with its exact headers, what reaches the log for a 500, and the
 * request log line.
 */
import {
  ForbiddenOriginError,
  InvalidRequestError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../../../origin/core/errors';
import { INTERNAL_MESSAGE, toErrorResponse } from '../../../origin/core/error-response';
import { headerValues, JSON_CONTENT_TYPE, jsonResponse, noContentResponse } from '../../../origin/core/http';
import { jsonLineLogger, type RequestLogEntry } from '../../../origin/core/request-log';

const BASE = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };

describe('jsonResponse and noContentResponse', () => {
  it('sends no-store, nosniff and the JSON type, then the extra headers, with the cookies', () => {
    expect(jsonResponse(200, { ok: true }, { cookies: ['a=b'], headers: { Allow: 'POST' } })).toEqual({
      status: 200,
      headers: { ...BASE, 'Content-Type': 'application/json; charset=utf-8', Allow: 'POST' },
      cookies: ['a=b'],
      body: '{"ok":true}',
    });
    expect(JSON_CONTENT_TYPE).toBe('application/json; charset=utf-8');
    expect(jsonResponse(201, null)).toEqual({
      status: 201,
      headers: { ...BASE, 'Content-Type': JSON_CONTENT_TYPE },
      cookies: [],
      body: 'null',
    });
  });

  it('sends no-store and nosniff on a 204, and no Content-Type', () => {
    expect(noContentResponse(['c=; Max-Age=0'])).toEqual({ status: 204, headers: BASE, cookies: ['c=; Max-Age=0'], body: '' });
    expect(noContentResponse()).toEqual({ status: 204, headers: BASE, cookies: [], body: '' });
  });

  it('reads every value of a header by its name in any case', () => {
    const request = {
      method: 'POST',
      path: '/',
      headers: new Map([['origin', ['a', 'b']]]),
      rawBody: null,
      isBase64Encoded: false,
      requestId: undefined,
    };
    expect(headerValues(request, 'Origin')).toEqual(['a', 'b']);
    expect(headerValues(request, 'host')).toEqual([]);
  });
});

describe('toErrorResponse', () => {
  it.each([
    [new InvalidRequestError('Bad.', { detail: 'why' }), 400, 'INVALID_REQUEST', 'Bad.'],
    [new ForbiddenOriginError(), 403, 'FORBIDDEN_ORIGIN', 'Cross-site requests are not allowed.'],
    [new PayloadTooLargeError(10), 413, 'PAYLOAD_TOO_LARGE', 'The request body is larger than 10 bytes.'],
    [new UnsupportedMediaTypeError(), 415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as JSON with Content-Type: application/json.'],
  ])('answers %p with its status, code and message, nosniff included', (error, status, code, message) => {
    const { response, outcome } = toErrorResponse(error, ['k=v']);
    expect(response).toEqual({
      status,
      headers: { ...BASE, 'Content-Type': JSON_CONTENT_TYPE },
      cookies: ['k=v'],
      body: JSON.stringify({ error: { code, message } }),
    });
    expect(outcome).toEqual({ code, status, detail: error.detail, internal: undefined });
  });

  it('names the allowed methods on a 405', () => {
    const { response } = toErrorResponse(new MethodNotAllowedError(['POST', 'OPTIONS']));
    expect(response.headers).toEqual({ ...BASE, 'Content-Type': JSON_CONTENT_TYPE, Allow: 'POST, OPTIONS' });
    expect(response.cookies).toEqual([]);
  });

  it('turns anything else into a 500 that says nothing, and logs it redacted', () => {
    const error = new TypeError('failed for ann@example.com with eyJhbGciOi.eyJzdWIi.sig');
    const { response, outcome } = toErrorResponse(error);
    expect(response).toEqual({
      status: 500,
      headers: { ...BASE, 'Content-Type': JSON_CONTENT_TYPE },
      cookies: [],
      body: JSON.stringify({ error: { code: 'INTERNAL', message: INTERNAL_MESSAGE } }),
    });
    expect(INTERNAL_MESSAGE).toBe('Something went wrong on our side. Please try again.');
    expect(outcome.code).toBe('INTERNAL');
    expect(outcome.status).toBe(500);
    expect(outcome.detail).toBeUndefined();
    expect(outcome.internal?.name).toBe('TypeError');
    expect(outcome.internal?.message).toBe('failed for [email] with [token]');
    expect(outcome.internal?.stack).toContain('[email]');
    expect(outcome.internal?.stack).not.toContain('ann@example.com');
  });

  it('describes thrown values that are not errors', () => {
    expect(toErrorResponse('boom ann@example.com').outcome.internal).toEqual({ name: 'string', message: 'boom [email]', stack: undefined });
    expect(toErrorResponse({ message: 'plain' }).outcome.internal).toEqual({ name: 'Error', message: 'plain', stack: undefined });
    expect(toErrorResponse({ message: 1 }).outcome.internal).toEqual({ name: 'object', message: '[object Object]', stack: undefined });
    expect(toErrorResponse(null).outcome.internal).toEqual({ name: 'object', message: 'null', stack: undefined });
  });
});

describe('jsonLineLogger', () => {
  const entry: RequestLogEntry = {
    route: '/auth/login',
    method: 'POST',
    status: 200,
    outcome: 'LOGGED_IN',
    latencyMs: 3,
    requestId: undefined,
    detail: undefined,
    error: undefined,
  };

  function logged(overrides: Partial<RequestLogEntry>): unknown {
    const lines: string[] = [];
    jsonLineLogger((line) => lines.push(line)).log({ ...entry, ...overrides });
    expect(lines).toHaveLength(1);
    // The EMF members (README, "Metrics") are request-log's metric test's subject; here, the log's own fields.
    const { _aws, Route, Outcome, Requests, LatencyMs, ...own } = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect([_aws, Route, Outcome, Requests, LatencyMs].every((member) => member !== undefined)).toBe(true);
    return own;
  }

  it('writes info below 500 and leaves absent fields out', () => {
    expect(logged({ status: 499 })).toEqual({
      level: 'info',
      msg: 'auth request',
      route: '/auth/login',
      method: 'POST',
      status: 499,
      outcome: 'LOGGED_IN',
      latencyMs: 3,
    });
  });

  it('writes error from 500 on, with the request id, detail and error when there are some', () => {
    const error = { name: 'E', message: 'm', stack: undefined };
    expect(logged({ status: 500, requestId: 'r1', detail: 'd', error })).toEqual({
      level: 'error',
      msg: 'auth request',
      route: '/auth/login',
      method: 'POST',
      status: 500,
      outcome: 'LOGGED_IN',
      latencyMs: 3,
      requestId: 'r1',
      detail: 'd',
      error: { name: 'E', message: 'm' },
    });
  });
});
