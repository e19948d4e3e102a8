/** The typed face of the upload rules: frozen, looked up safely, and sizes as people read them. */
import { DEFAULT_UPLOAD_RULES, formatBytes, GiB, MiB, ruleForType } from '../../../edge-functions/core/upload-rules';

describe('DEFAULT_UPLOAD_RULES', () => {
  it('is frozen all the way down', () => {
    expect(Object.isFrozen(DEFAULT_UPLOAD_RULES)).toBe(true);
    expect(Object.isFrozen(DEFAULT_UPLOAD_RULES.types)).toBe(true);
    const png = DEFAULT_UPLOAD_RULES.types['image/png'];
    expect(Object.isFrozen(png)).toBe(true);
    expect(Object.isFrozen(png?.extensions)).toBe(true);
  });
});

describe('ruleForType', () => {
  it('finds a listed type and nothing that merely sits on a prototype', () => {
    expect(ruleForType(DEFAULT_UPLOAD_RULES, 'image/png')).toEqual({ extensions: ['png'], maxBytes: 10 * MiB });
    for (const type of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'image/svg+xml']) {
      expect(ruleForType(DEFAULT_UPLOAD_RULES, type)).toBeUndefined();
    }
  });
});

describe('formatBytes', () => {
  it.each([
    [0, 'size', '0 bytes'],
    [1, 'size', '1 byte'],
    [2, 'size', '2 bytes'],
    [1023, 'size', '1023 bytes'],
    [1024, 'size', '1.0 KiB'],
    [1024, 'limit', '1 KiB'],
    [1536, 'limit', '1.5 KiB'],
    [MiB - 1, 'size', '1024.0 KiB'],
    [MiB, 'size', '1.0 MiB'],
    [10 * MiB, 'limit', '10 MiB'],
    [12.5 * MiB, 'size', '12.5 MiB'],
    [GiB - 1, 'size', '1024.0 MiB'],
    [GiB, 'size', '1.0 GiB'],
    [20 * GiB, 'limit', '20 GiB'],
    [2.5 * GiB, 'limit', '2.5 GiB'],
    [10.04 * MiB, 'limit', '10 MiB'],
    [100 * MiB, 'limit', '100 MiB'],
  ] as const)('%d bytes as a %s is %s', (bytes, style, text) => {
    expect(formatBytes(bytes, style)).toBe(text);
  });

  it('formats as a size by default', () => {
    expect(formatBytes(10 * MiB)).toBe('10.0 MiB');
  });
});
