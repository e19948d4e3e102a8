import {
  apiErrorFrom,
  formLifetimeMs,
  parsePresignResponse,
  parseStatus,
  parseTokenGrant,
  type PresignFile,
} from '../../../client/core/api-contract';
import { safeJsonParse } from '../../../edge-functions/core/safe-json';
import { ApiError, UnexpectedResponseError } from '../../../client/core/errors';

const sent: PresignFile[] = [
  { name: 'a.png', size: 5, type: 'image/png', id: '0b9a2c4e-1111-4222-8333-444455556666' },
  { name: 'b.pdf', size: 9, type: 'application/pdf', id: '0b9a2c4e-1111-4222-9333-444455556667' },
];

function upload(
  id: string,
  fields: Record<string, unknown> = { key: `k/${id}`, 'Content-Type': 'image/png', Policy: 'p', 'X-Amz-Date': '20261129T120000Z' },
) {
  return {
    id,
    key: `uploads/sub/2026/11/29/${id}/x.png`,
    url: 'http://127.0.0.1:4569/edge-upload-local',
    fields,
    expiresAt: '2026-11-29T12:05:00Z',
  };
}

describe('parsePresignResponse', () => {
  it('keeps the forms in order, with their fields in the order the edge sent them', () => {
    const forms = parsePresignResponse(200, { uploads: sent.map((file) => upload(file.id)) }, sent);
    expect(forms.map((form) => form.id)).toEqual(sent.map((file) => file.id));
    expect(forms[0]?.fields.map(([name]) => name)).toEqual(['key', 'Content-Type', 'Policy', 'X-Amz-Date']);
    expect(forms[0]?.expiresAt).toBe(Date.UTC(2026, 10, 29, 12, 5, 0));
    expect(formLifetimeMs(forms[0]!, 1)).toBe(300_000);
  });

  it.each([
    ['not an object', 'nope'],
    ['no uploads', {}],
    ['fewer forms than files', { uploads: [upload(sent[0]!.id)] }],
    ['forms for other ids', { uploads: [upload(sent[1]!.id), upload(sent[0]!.id)] }],
    ['a javascript: url', { uploads: [{ ...upload(sent[0]!.id), url: 'javascript:alert(1)' }, upload(sent[1]!.id)] }],
    ['a field that is not text', { uploads: [upload(sent[0]!.id, { key: 1 }), upload(sent[1]!.id)] }],
    ['no expiry', { uploads: [{ ...upload(sent[0]!.id), expiresAt: 'soon' }, upload(sent[1]!.id)] }],
  ])('refuses %s', (_, body) => {
    expect(() => parsePresignResponse(200, body, sent)).toThrow(UnexpectedResponseError);
  });

  it('never sees __proto__ keys: the body is parsed with the one safe JSON parser first (as client/net/http.ts does), which refuses it', () => {
    const text = `{"uploads":[{"id":"${sent[0]!.id}","key":"k","url":"https://b.example/","expiresAt":"2026-11-29T12:05:00Z","fields":{"key":"k","__proto__":{"polluted":"yes"}}}]}`;
    expect(safeJsonParse(text)).toEqual({ ok: false, reason: 'unsafe-key', key: '__proto__' });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('formLifetimeMs', () => {
  it('falls back when the form has no readable X-Amz-Date', () => {
    expect(formLifetimeMs({ id: 'x', key: 'k', url: 'https://b/', fields: [], expiresAt: 1 }, 42)).toBe(42);
    expect(formLifetimeMs({ id: 'x', key: 'k', url: 'https://b/', fields: [['X-Amz-Date', 'yesterday']], expiresAt: 1 }, 42)).toBe(42);
  });

  it('is never negative', () => {
    expect(formLifetimeMs({ id: 'x', key: 'k', url: 'https://b/', fields: [['x-amz-date', '20261129T120000Z']], expiresAt: 0 }, 42)).toBe(
      0,
    );
  });
});

describe('parseTokenGrant and parseStatus', () => {
  const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';

  it('takes a login answer', () => {
    expect(parseTokenGrant(200, { accessToken: token, idToken: token, expiresIn: 3600, tokenType: 'Bearer' })).toEqual({
      accessToken: token,
      idToken: token,
      expiresIn: 3600,
    });
  });

  it('refuses anything that is not one', () => {
    expect(() => parseTokenGrant(200, { accessToken: 'x', idToken: token, expiresIn: 3600 })).toThrow(UnexpectedResponseError);
    expect(() => parseTokenGrant(200, { accessToken: token, idToken: token, expiresIn: -1 })).toThrow(UnexpectedResponseError);
    expect(() => parseTokenGrant(200, null)).toThrow(UnexpectedResponseError);
  });

  it('reads status answers', () => {
    expect(parseStatus(201, { status: 'CONFIRMATION_REQUIRED', destination: 'a***@e***' })).toEqual({
      status: 'CONFIRMATION_REQUIRED',
      destination: 'a***@e***',
    });
    expect(parseStatus(200, { status: 'SENT' })).toEqual({ status: 'SENT', destination: undefined });
    expect(() => parseStatus(200, [])).toThrow(UnexpectedResponseError);
  });
});

describe('apiErrorFrom', () => {
  it('keeps the code, message and file of the §3 error shape', () => {
    const error = apiErrorFrom(413, {
      error: { code: 'FILE_TOO_LARGE', message: 'photo.png is 12.0 MiB; the limit for image/png is 10 MiB', file: 0 },
    });
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 413,
      code: 'FILE_TOO_LARGE',
      file: 0,
      transient: false,
      message: 'photo.png is 12.0 MiB; the limit for image/png is 10 MiB',
    });
  });

  it('marks throttling and outages as transient', () => {
    expect(apiErrorFrom(429, { error: { code: 'TOO_MANY_REQUESTS', message: 'Slow down.' } }).transient).toBe(true);
    expect(apiErrorFrom(503, { error: { code: 'AUTH_UNAVAILABLE', message: 'Try later.' } }).transient).toBe(true);
  });

  it('gives a generic, readable error for a body of another shape', () => {
    expect(apiErrorFrom(502, '<html>')).toMatchObject({
      code: 'HTTP_502',
      message: 'The server had a problem (HTTP 502). Try again in a moment.',
      transient: true,
    });
    expect(apiErrorFrom(429, undefined).message).toMatch(/Too many requests/);
    expect(apiErrorFrom(400, { error: { code: 'X', message: '' } })).toMatchObject({ code: 'HTTP_400' });
    expect(apiErrorFrom(400, { error: { code: 'X', message: 'm', file: -1 } }).file).toBeUndefined();
  });
});
