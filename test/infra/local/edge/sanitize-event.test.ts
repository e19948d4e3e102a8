/**
 * The sanitizer of `--record`: every recorded fixture keeps exactly its key
 * set, and planted secrets of every kind, in every event shape, are gone.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { APIGatewayProxyEvent, CloudFrontRequestEvent } from 'aws-lambda';
import { sanitizeEvent } from '../../../../infra/local/edge/sanitize-event';
import type { CloudFrontFunctionViewerRequestEvent } from '../../../../infra/local/edge/cloudfront-function-shapes';
import { FIXTURES_DIR, loadFixture } from '../../../support/fixtures';
import { keyPaths } from '../support/key-paths';

const JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJhYmMiLCJ0b2tlbl91c2UiOiJhY2Nlc3MifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
const EMAIL = 'ann.secret@corp.example.org';
const PASSWORD = 'Very-Secret-Password-1';
const CODE = '482913';

const fixtureFiles = ['lambda-edge', 'cloudfront-functions', 'api-gateway'].flatMap((kind) =>
  readdirSync(path.join(FIXTURES_DIR, kind)).map((file) => `${kind}/${file}`),
);

describe('every recorded fixture', () => {
  it.each(fixtureFiles)('%s keeps its key set, is not mutated, and sanitizes idempotently', (file) => {
    const event = loadFixture<unknown>(file);
    const before = JSON.stringify(event);
    const clean = sanitizeEvent(event);
    expect(keyPaths(clean)).toEqual(keyPaths(event));
    expect(JSON.stringify(event)).toBe(before);
    expect(sanitizeEvent(clean)).toEqual(clean);
  });
});

describe('API Gateway events', () => {
  function planted(): APIGatewayProxyEvent {
    const event = loadFixture<APIGatewayProxyEvent>('api-gateway/auth-login.json');
    const body = JSON.stringify({ email: EMAIL, password: PASSWORD, code: CODE });
    event.body = body;
    event.headers['Content-Length'] = String(body.length);
    event.multiValueHeaders['Content-Length'] = [String(body.length)];
    event.headers['Cookie'] = `edge_upload_refresh=${JWT}; theme=dark`;
    event.multiValueHeaders['Cookie'] = [`edge_upload_refresh=${JWT}; theme=dark`];
    event.headers['Authorization'] = `Bearer ${JWT}`;
    event.multiValueHeaders['Authorization'] = [`Bearer ${JWT}`];
    return event;
  }

  it('replaces the body fields, the cookie values, the authorization and the request ids; sets the new length', () => {
    const event = planted();
    const clean = sanitizeEvent(event);
    const text = JSON.stringify(clean);
    for (const secret of [
      JWT,
      EMAIL,
      PASSWORD,
      CODE,
      event.requestContext.requestId,
      'EXAMPLE-cf-id-0000000000000000000000000000000000000000000==',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(JSON.parse(clean.body ?? '')).toEqual({ email: 'user@example.com', password: 'Redacted-Password-0', code: '000000' });
    expect(clean.headers['Cookie']).toBe('edge_upload_refresh=REDACTED; theme=REDACTED');
    expect(clean.headers['Authorization']).toBe('Bearer REDACTED.REDACTED.REDACTED');
    expect(clean.headers['Content-Length']).toBe(String(Buffer.byteLength(clean.body ?? '')));
    expect(clean.multiValueHeaders['Content-Length']).toEqual([String(Buffer.byteLength(clean.body ?? ''))]);
    expect(keyPaths(clean)).toEqual(keyPaths(event));
  });

  it('reads and re-encodes a base64 body', () => {
    const event = planted();
    event.body = Buffer.from(JSON.stringify({ email: EMAIL, password: PASSWORD })).toString('base64');
    event.isBase64Encoded = true;
    const clean = sanitizeEvent(event);
    expect(JSON.parse(Buffer.from(clean.body ?? '', 'base64').toString('utf8'))).toEqual({
      email: 'user@example.com',
      password: 'Redacted-Password-0',
    });
  });

  it('keeps a __proto__ key a key', () => {
    const event = planted();
    event.body = `{"email":"${EMAIL}","__proto__":{"password":"${PASSWORD}"}}`;
    const clean = sanitizeEvent(event);
    expect(clean.body).toBe('{"email":"user@example.com","__proto__":{"password":"Redacted-Password-0"}}');
  });
});

describe('Lambda@Edge events', () => {
  it('replaces the token, and secrets inside a whole or a truncated base64 body and the raw query string', () => {
    const event = loadFixture<CloudFrontRequestEvent>('lambda-edge/presign-one-file.json');
    const request = event.Records[0]!.cf.request;
    request.headers['authorization'] = [{ key: 'Authorization', value: `Bearer ${JWT}` }];
    request.querystring = `email=${encodeURIComponent(EMAIL)}&token=${JWT}&page=2`;
    const truncated = `{"files":[{"name":"a.png","note":"${EMAIL}","password":"${PASSWORD}","token":"${JWT}"`;
    request.body = { inputTruncated: true, action: 'read-only', encoding: 'base64', data: Buffer.from(truncated).toString('base64') };
    const clean = sanitizeEvent(event);
    const cleanRequest = clean.Records[0]!.cf.request;
    expect(cleanRequest.headers['authorization']).toEqual([{ key: 'Authorization', value: 'Bearer REDACTED.REDACTED.REDACTED' }]);
    expect(cleanRequest.querystring).toBe('email=user%40example.com&token=REDACTED.REDACTED.REDACTED&page=2');
    const body = Buffer.from(cleanRequest.body?.data ?? '', 'base64').toString('utf8');
    for (const secret of [EMAIL, PASSWORD, JWT]) expect(body).not.toContain(secret);
    expect(body.startsWith('{"files":[{"name":"a.png"')).toBe(true);
    expect(cleanRequest.body?.inputTruncated).toBe(true);
    expect(clean.Records[0]!.cf.config.requestId).not.toBe(event.Records[0]!.cf.config.requestId);
  });
});

describe('CloudFront Functions events', () => {
  it('replaces every cookie value (whatever the cookie is called) and query values by name', () => {
    const event = loadFixture<CloudFrontFunctionViewerRequestEvent>('cloudfront-functions/auth-refresh-cookie.json');
    event.request.cookies = {
      edge_upload_refresh: { value: JWT },
      email: { value: 'plain', multiValue: [{ value: 'plain' }, { value: 'other' }] },
    };
    event.request.querystring = { email: { value: EMAIL }, page: { value: '2' } };
    const clean = sanitizeEvent(event);
    expect(clean.request.cookies).toEqual({
      edge_upload_refresh: { value: 'REDACTED' },
      email: { value: 'REDACTED', multiValue: [{ value: 'REDACTED' }, { value: 'REDACTED' }] },
    });
    expect(clean.request.querystring).toEqual({ email: { value: 'user@example.com' }, page: { value: '2' } });
    expect(clean.context.requestId).not.toBe(event.context.requestId);
  });
});
