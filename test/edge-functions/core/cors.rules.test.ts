/**
 * The rules of CORS for the presign routes (edge-functions/core/cors.ts),
 * called directly: what counts as a preflight, the exact 204 a granted one
 * gets, which requested headers pass, and how every other answer gains
 * Access-Control-Allow-Origin and `Vary: Origin`. The handler's suite
 * (test/edge-functions/presign/cors.test.ts) drives the same rules through
 * recorded events.
 */
import { allowedOrigin, type CorsRequest, isPreflight, preflightResponse, withCorsHeaders } from '../../../edge-functions/core/cors';
import type { HttpResponse } from '../../../edge-functions/core/http-response';

const APP = 'https://app.example.com';
const ALLOWED = [APP, 'https://admin.example.com:8443'];

function preflight(headers: Record<string, string | undefined> = {}): CorsRequest {
  return {
    method: 'OPTIONS',
    headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization', ...headers },
  };
}

const answer = (headers: Record<string, string> = {}): HttpResponse => ({
  status: 200,
  headers: { 'Content-Type': 'application/json', ...headers },
  body: '{}',
});

describe('isPreflight', () => {
  it('is an OPTIONS request with both an Origin and an Access-Control-Request-Method', () => {
    expect(isPreflight(preflight())).toBe(true);
  });

  it.each([
    ['a POST that carries both headers', { method: 'POST', headers: preflight().headers }],
    ['an OPTIONS without Origin', { method: 'OPTIONS', headers: { 'access-control-request-method': 'POST' } }],
    ['an OPTIONS without Access-Control-Request-Method', { method: 'OPTIONS', headers: { origin: APP } }],
    ['a lower-case options', { method: 'options', headers: preflight().headers }],
  ])('is not %s', (_label, request) => {
    expect(isPreflight(request)).toBe(false);
  });
});

describe('allowedOrigin', () => {
  it('is the Origin itself when it is on the list, compared as a whole string', () => {
    expect(allowedOrigin({ method: 'POST', headers: { origin: APP } }, ALLOWED)).toBe(APP);
    expect(allowedOrigin({ method: 'POST', headers: { origin: `${APP}.evil.test` } }, ALLOWED)).toBeUndefined();
  });

  it('is nothing without an Origin, or without a list', () => {
    expect(allowedOrigin({ method: 'POST', headers: {} }, ALLOWED)).toBeUndefined();
    expect(allowedOrigin({ method: 'POST', headers: { origin: APP } }, [])).toBeUndefined();
  });
});

describe('preflightResponse', () => {
  it('grants an allowed preflight with exactly these headers and an empty body', () => {
    expect(preflightResponse(preflight(), ALLOWED)).toStrictEqual({
      status: 204,
      headers: {
        'Access-Control-Allow-Origin': APP,
        'Access-Control-Allow-Methods': 'POST',
        'Access-Control-Allow-Headers': 'authorization, content-type',
        'Access-Control-Max-Age': '600',
        'Cache-Control': 'no-store',
        Vary: 'Origin',
      },
      body: '',
    });
  });

  it('does not answer a POST that carries the preflight headers: it is an actual call', () => {
    expect(preflightResponse({ ...preflight(), method: 'POST' }, ALLOWED)).toBeUndefined();
  });

  it.each([
    ['no header list', undefined],
    ['an empty header list', ''],
    ['a list with empty items and a trailing comma', 'authorization,, content-type,'],
    ['names in any case, with spaces and tabs around them', ' Content-Type ,\tAUTHORIZATION'],
  ])('grants %s', (_label, requested) => {
    expect(preflightResponse(preflight({ 'access-control-request-headers': requested }), ALLOWED)?.status).toBe(204);
  });

  it.each([
    ['one header beyond the two', 'authorization, x-requested-with'],
    ['only a header beyond the two', 'x-requested-with'],
    ['a name that merely contains an allowed one', 'authorization-x'],
    ['two names without a comma', 'authorization content-type'],
  ])('refuses %s', (_label, requested) => {
    expect(preflightResponse(preflight({ 'access-control-request-headers': requested }), ALLOWED)).toBeUndefined();
  });

  it.each(['PUT', 'post', 'POST ', ''])('refuses Access-Control-Request-Method %j', (method) => {
    expect(preflightResponse(preflight({ 'access-control-request-method': method }), ALLOWED)).toBeUndefined();
  });

  it('refuses an origin off the list, and any origin without a list', () => {
    expect(preflightResponse(preflight({ origin: 'https://evil.example' }), ALLOWED)).toBeUndefined();
    expect(preflightResponse(preflight(), [])).toBeUndefined();
  });
});

describe('withCorsHeaders', () => {
  it('adds Access-Control-Allow-Origin and Vary: Origin to an answer for an allowed Origin, keeping every other header', () => {
    const response = withCorsHeaders(answer({ Allow: 'POST' }), { method: 'POST', headers: { origin: APP } }, ALLOWED);
    expect(response).toStrictEqual({
      status: 200,
      headers: { 'Content-Type': 'application/json', Allow: 'POST', Vary: 'Origin', 'Access-Control-Allow-Origin': APP },
      body: '{}',
    });
  });

  it('gives an Origin off the list no Access-Control-Allow-Origin key at all, only Vary', () => {
    const response = withCorsHeaders(answer(), { method: 'POST', headers: { origin: 'https://evil.example' } }, ALLOWED);
    expect(response.headers).toStrictEqual({ 'Content-Type': 'application/json', Vary: 'Origin' });
    expect(Object.keys(response.headers)).not.toContain('Access-Control-Allow-Origin');
  });

  it('grants a plain OPTIONS (no Access-Control-Request-Method) like any other call', () => {
    const response = withCorsHeaders(answer(), { method: 'OPTIONS', headers: { origin: APP } }, ALLOWED);
    expect(response.headers['Access-Control-Allow-Origin']).toBe(APP);
  });

  it('grants an actual POST even when it carries an Access-Control-Request-Method header', () => {
    const response = withCorsHeaders(answer(), { method: 'POST', headers: preflight().headers }, ALLOWED);
    expect(response.headers['Access-Control-Allow-Origin']).toBe(APP);
  });

  it('gives the refusal of a preflight that was not granted no grant, from an allowed origin too', () => {
    const response = withCorsHeaders(answer(), preflight({ 'access-control-request-method': 'PUT' }), ALLOWED);
    expect(response.headers).toStrictEqual({ 'Content-Type': 'application/json', Vary: 'Origin' });
  });

  it('leaves every answer untouched when no origin is configured', () => {
    const original = answer({ Vary: 'Accept-Encoding' });
    expect(withCorsHeaders(original, { method: 'POST', headers: { origin: APP } }, [])).toBe(original);
  });

  it('leaves a granted preflight as it is', () => {
    const granted = preflightResponse(preflight(), ALLOWED);
    expect(granted).toBeDefined();
    expect(withCorsHeaders(granted!, preflight(), ALLOWED)).toBe(granted);
  });

  it.each([
    [undefined, 'Origin'],
    ['', 'Origin'],
    ['Accept-Encoding', 'Accept-Encoding, Origin'],
    ['Accept-Encoding, Origin', 'Accept-Encoding, Origin'],
    ['origin', 'origin'],
    ['Accept-Encoding,ORIGIN ', 'Accept-Encoding,ORIGIN '],
    ['Accept-Encoding, Origin-X', 'Accept-Encoding, Origin-X, Origin'],
  ])('turns Vary %j into %j, naming Origin once', (vary, expected) => {
    const original = vary === undefined ? answer() : answer({ Vary: vary });
    expect(withCorsHeaders(original, { method: 'POST', headers: { origin: APP } }, ALLOWED).headers.Vary).toBe(expected);
  });
});
