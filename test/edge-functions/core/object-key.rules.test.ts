/**
 * The rules of object keys (docs/http-api.md): a client-chosen id is a UUID v4 and
 * nothing else, so it can never carry a path into its key segment.
 */
import { buildObjectKey, newUploadId, normalizeUploadId } from '../../../edge-functions/core/object-key';

const UUID = '0b9a6f2c-1111-4222-8333-444455556666';

describe('normalizeUploadId', () => {
  it('accepts a UUID v4 in any letter case and lower-cases it', () => {
    expect(normalizeUploadId(UUID)).toBe(UUID);
    expect(normalizeUploadId(UUID.toUpperCase())).toBe(UUID);
  });

  it.each([
    ['junk after a valid UUID', `${UUID}/../../victim`],
    ['junk before a valid UUID', `../../victim/${UUID}`],
    ['a trailing newline', `${UUID}\n`],
    ['a leading space', ` ${UUID}`],
  ])('refuses %s', (_label, id) => {
    expect(normalizeUploadId(id)).toBeUndefined();
  });

  it.each([
    ['version 1', '0b9a6f2c-1111-1222-8333-444455556666'],
    ['the NCS variant', '0b9a6f2c-1111-4222-7333-444455556666'],
    ['a non-hex digit', '0b9a6f2c-1111-4222-8333-44445555666g'],
    ['a missing group', '0b9a6f2c-1111-4222-444455556666'],
    ['no dashes', '0b9a6f2c111142228333444455556666'],
  ])('refuses %s', (_label, id) => {
    expect(normalizeUploadId(id)).toBeUndefined();
  });

  it('accepts each variant digit 8, 9, a and b', () => {
    for (const variant of ['8', '9', 'a', 'b']) {
      expect(normalizeUploadId(`0b9a6f2c-1111-4222-${variant}333-444455556666`)).toBeDefined();
    }
  });
});

describe('newUploadId', () => {
  it('makes a fresh UUID v4 that the id check accepts as is', () => {
    const first = newUploadId();
    const second = newUploadId();
    expect(normalizeUploadId(first)).toBe(first);
    expect(second).not.toBe(first);
  });
});

describe('buildObjectKey', () => {
  it('lays the key out as <prefix><sub>/YYYY/MM/DD/<id>/<name> in UTC, zero-padded', () => {
    // 23:30 on 4 March in UTC-01:00 terms is still 4 March in UTC; the local zone never matters.
    const key = buildObjectKey({
      prefix: 'uploads/',
      sub: 'user-1',
      now: new Date('2026-03-04T23:30:00.000Z'),
      id: UUID,
      safeName: 'a.png',
    });
    expect(key).toBe(`uploads/user-1/2026/03/04/${UUID}/a.png`);
  });

  it('pads a year below 1000 to four digits and keeps two-digit months and days', () => {
    const now = new Date(Date.UTC(2026, 11, 31));
    now.setUTCFullYear(987);
    expect(buildObjectKey({ prefix: 'p/', sub: 's', now, id: 'i', safeName: 'n' })).toBe('p/s/0987/12/31/i/n');
  });
});
