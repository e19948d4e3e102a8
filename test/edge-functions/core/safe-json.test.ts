import { isPlainObject, safeJsonParse } from '../../../edge-functions/core/safe-json';

describe('safeJsonParse', () => {
  it('parses ordinary JSON', () => {
    expect(safeJsonParse('{"a":[1,{"b":null}]}')).toEqual({ ok: true, value: { a: [1, { b: null }] } });
    expect(safeJsonParse('"text"')).toEqual({ ok: true, value: 'text' });
  });

  it.each([
    ['{"__proto__":{"polluted":true}}', '__proto__'],
    ['{"a":{"constructor":{"prototype":{"polluted":true}}}}', 'prototype'],
    ['[{"prototype":1}]', 'prototype'],
    ['{"files":[{"name":"a.png","__proto__":{}}]}', '__proto__'],
  ])('refuses the whole document %s (a forbidden key anywhere) and pollutes nothing', (text, key) => {
    expect(safeJsonParse(text)).toEqual({ ok: false, reason: 'unsafe-key', key });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps a forbidden word as a value, and a key that only contains one', () => {
    expect(safeJsonParse('{"a":"__proto__","my_constructor":1}')).toEqual({ ok: true, value: { a: '__proto__', my_constructor: 1 } });
  });

  it.each(['{', '', 'undefined', "{'a':1}", '{"a":1,}'])('returns a syntax failure for %p, never throws', (text) => {
    expect(safeJsonParse(text)).toEqual({ ok: false, reason: 'syntax' });
  });
});

describe('isPlainObject', () => {
  it.each<[unknown, boolean]>([
    [{}, true],
    [{ a: 1 }, true],
    [Object.create(null), true],
    [[], false],
    [null, false],
    [undefined, false],
    ['{}', false],
    [1, false],
  ])('%p → %p', (value, expected) => {
    expect(isPlainObject(value)).toBe(expected);
  });
});
