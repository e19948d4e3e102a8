/** The fields before the file: case-insensitive names, no repeats, S3's 20 KB pre-data limit. */
import { InvalidArgumentError, MaxPostPreDataLengthExceededError } from '../../../../infra/local/post-policy-guard/errors';
import { FormFields, isExemptFromPolicy, MAX_PRE_DATA_BYTES } from '../../../../infra/local/post-policy-guard/form-fields';

describe('FormFields', () => {
  it('finds a field whatever the case of its name and keeps the order and spelling sent', () => {
    const fields = FormFields.of([
      ['Content-Type', 'image/png'],
      ['key', 'a'],
    ]);
    expect(fields.get('content-type')).toBe('image/png');
    expect(fields.get('CONTENT-TYPE')).toBe('image/png');
    expect(fields.has('KEY')).toBe(true);
    expect(fields.all()).toEqual([
      { name: 'Content-Type', value: 'image/png' },
      { name: 'key', value: 'a' },
    ]);
  });

  it('refuses a field sent twice, in any case', () => {
    expect(() =>
      FormFields.of([
        ['key', 'a'],
        ['Key', 'b'],
      ]),
    ).toThrow(InvalidArgumentError);
  });

  it('refuses fields past 20 KB of names and values', () => {
    const fields = new FormFields();
    fields.add('x-amz-meta-a', 'a'.repeat(MAX_PRE_DATA_BYTES - 'x-amz-meta-a'.length));
    expect(fields.size).toBe(MAX_PRE_DATA_BYTES);
    expect(() => fields.add('b', '')).toThrow(MaxPostPreDataLengthExceededError);
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect(() => FormFields.of([['x', '€'.repeat(Math.ceil(MAX_PRE_DATA_BYTES / 3))]])).toThrow(MaxPostPreDataLengthExceededError);
  });
});

describe('isExemptFromPolicy', () => {
  it.each(['policy', 'Policy', 'x-amz-signature', 'X-Amz-Signature', 'file', 'x-ignore-anything', 'X-IGNORE-'])(
    '%s needs no condition',
    (name) => {
      expect(isExemptFromPolicy(name)).toBe(true);
    },
  );
  it.each(['key', 'x-amz-date', 'x-ignore', 'files', 'bucket'])('%s does', (name) => {
    expect(isExemptFromPolicy(name)).toBe(false);
  });
});
