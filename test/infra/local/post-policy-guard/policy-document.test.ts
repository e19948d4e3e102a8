/** The POST policy document parser: closed set of condition types, safe JSON, strict dates. */
import { InvalidPolicyDocumentError } from '../../../../infra/local/post-policy-guard/errors';
import { decodePolicy } from '../../../../infra/local/post-policy-guard/policy-document';

const encode = (document: unknown) =>
  Buffer.from(typeof document === 'string' ? document : JSON.stringify(document), 'utf8').toString('base64');
const policy = (conditions: unknown, expiration: unknown = '2026-11-29T12:05:00.000Z') => encode({ expiration, conditions });

describe('decodePolicy', () => {
  it('reads every condition form S3 supports for POST', () => {
    const decoded = decodePolicy(
      policy([
        { bucket: 'b', 'Content-Type': 'image/png' },
        ['eq', '$X-Amz-Meta-Userid', 'sub'],
        ['starts-with', '$key', 'uploads/'],
        ['starts-with', '$success_action_redirect', ''],
        ['content-length-range', 1, '1048576'],
      ]),
    );
    expect(decoded.expiration.toISOString()).toBe('2026-11-29T12:05:00.000Z');
    expect(decoded.conditions).toEqual([
      { kind: 'eq', field: 'bucket', value: 'b', text: '["eq", "$bucket", "b"]' },
      { kind: 'eq', field: 'content-type', value: 'image/png', text: '["eq", "$Content-Type", "image/png"]' },
      { kind: 'eq', field: 'x-amz-meta-userid', value: 'sub', text: '["eq", "$X-Amz-Meta-Userid", "sub"]' },
      { kind: 'starts-with', field: 'key', prefix: 'uploads/', text: '["starts-with", "$key", "uploads/"]' },
      { kind: 'starts-with', field: 'success_action_redirect', prefix: '', text: '["starts-with", "$success_action_redirect", ""]' },
      { kind: 'content-length-range', min: 1, max: 1048576, text: '["content-length-range", 1, 1048576]' },
    ]);
  });

  it.each([
    ['not base64', 'not base64!'],
    ['base64 of bytes that are not UTF-8', Buffer.from([0xff, 0xfe, 0x7b]).toString('base64')],
    ['not JSON', encode('{"expiration": ')],
    ['a JSON list', encode([])],
    ['no expiration', encode({ conditions: [] })],
    ['a numeric expiration', policy([], 1798545900)],
    ['an expiration without a zone', policy([], '2026-11-29T12:05:00')],
    ['an impossible date', policy([], '2026-02-31T12:00:00Z')],
    ['no conditions', encode({ expiration: '2026-11-29T12:05:00Z' })],
    ['conditions that are not a list', policy({ key: 'a' })],
    ['an empty condition object', policy([{}])],
    ['an exact match on a number', policy([{ 'content-length': 5 }])],
    ['a condition of the wrong arity', policy([['eq', '$key']])],
    ['a field without $', policy([['starts-with', 'key', 'a']])],
    ['an unknown condition type', policy([['in', '$key', ['a', 'b']]])],
    ['a fractional size', policy([['content-length-range', 0.5, 10]])],
    ['a negative size', policy([['content-length-range', -1, 10]])],
    ['a size that is not a number', policy([['content-length-range', 0, 'ten']])],
    ['a condition that is a string', policy(['key'])],
  ])('refuses %s with InvalidPolicyDocument', (_label, text) => {
    expect(() => decodePolicy(text)).toThrow(InvalidPolicyDocumentError);
  });

  it('cannot be used to reach an object prototype', () => {
    const text = '{"expiration":"2026-11-29T12:05:00Z","conditions":[{"__proto__":"x","key":"a"}],"__proto__":{"polluted":true}}';
    expect(() => decodePolicy(encode(text))).toThrow('Invalid Policy: Invalid JSON.');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps the expiration text for the refusal message, with or without milliseconds', () => {
    expect(decodePolicy(policy([], '2026-11-29T12:05:00Z')).expirationText).toBe('2026-11-29T12:05:00Z');
    expect(decodePolicy(policy([], '2026-11-29T12:05:00.123Z')).expiration.getTime()).toBe(Date.UTC(2026, 10, 29, 12, 5, 0, 123));
  });
});
