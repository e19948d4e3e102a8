/** CORS for browser uploads, as one S3 CORS rule would answer. */
import { corsHeaders, isOriginAllowed, preflightHeaders } from '../../../../infra/local/post-policy-guard/cors';
import { CorsBadRequestError, CorsForbiddenError } from '../../../../infra/local/post-policy-guard/errors';

const allowed = ['http://127.0.0.1:3000', 'https://*.example.test'];

describe('CORS', () => {
  it('matches origins exactly or with one wildcard', () => {
    expect(isOriginAllowed('http://127.0.0.1:3000', allowed)).toBe(true);
    expect(isOriginAllowed('http://127.0.0.1:3001', allowed)).toBe(false);
    expect(isOriginAllowed('https://app.example.test', allowed)).toBe(true);
    expect(isOriginAllowed('https://example.test', allowed)).toBe(false);
    expect(isOriginAllowed('http://app.example.test', allowed)).toBe(false);
  });

  it('adds Allow-Origin and exposes ETag and Location for an allowed origin only', () => {
    expect(corsHeaders('http://127.0.0.1:3000', allowed)).toMatchObject({
      'Access-Control-Allow-Origin': 'http://127.0.0.1:3000',
      'Access-Control-Expose-Headers': 'ETag, Location, x-amz-request-id',
    });
    expect(corsHeaders('http://evil.test', allowed)).toEqual({});
    expect(corsHeaders(undefined, allowed)).toEqual({});
    expect(corsHeaders('http://any.test', ['*'])['Access-Control-Allow-Origin']).toBe('*');
  });

  it('answers a POST preflight from an allowed origin, echoing the requested headers the bucket rule allows', () => {
    const headers = preflightHeaders(
      { origin: 'http://127.0.0.1:3000', method: 'POST', requestHeaders: 'content-type, x-amz-meta-userid' },
      allowed,
    );
    expect(headers).toMatchObject({
      'Access-Control-Allow-Methods': 'GET, PUT, POST, DELETE',
      'Access-Control-Allow-Headers': 'content-type, x-amz-meta-userid',
      'Access-Control-Max-Age': '3000',
    });
  });

  it('refuses other origins and methods with 403, and a request without Origin with 400', () => {
    expect(() => preflightHeaders({ origin: 'http://evil.test', method: 'POST', requestHeaders: undefined }, allowed)).toThrow(
      CorsForbiddenError,
    );
    expect(() => preflightHeaders({ origin: 'http://127.0.0.1:3000', method: 'PATCH', requestHeaders: undefined }, allowed)).toThrow(
      CorsForbiddenError,
    );
    expect(() => preflightHeaders({ origin: undefined, method: 'POST', requestHeaders: undefined }, allowed)).toThrow(CorsBadRequestError);
  });
});
