import fc from 'fast-check';
import { MAX_AUTO_RETRIES, RETRY_BASE_DELAY_MS, RETRY_MAX_DELAY_MS, retryDelayMs } from '../../../client/core/backoff';

describe('retryDelayMs', () => {
  it('doubles from about a second, with half of each step random', () => {
    expect(retryDelayMs(1, 0)).toBe(RETRY_BASE_DELAY_MS / 2);
    expect(retryDelayMs(1, 0.999999)).toBe(RETRY_BASE_DELAY_MS);
    expect(retryDelayMs(2, 0)).toBe(RETRY_BASE_DELAY_MS);
    expect(retryDelayMs(3, 0.5)).toBe(3_000);
  });

  it('never waits longer than the cap', () => {
    expect(retryDelayMs(40, 0.999)).toBeLessThanOrEqual(RETRY_MAX_DELAY_MS);
    expect(retryDelayMs(40, 0)).toBe(RETRY_MAX_DELAY_MS / 2);
  });

  it('stays within [step/2, step] for any retry and any random number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (retry, random) => {
        const step = Math.min(RETRY_MAX_DELAY_MS, RETRY_BASE_DELAY_MS * 2 ** (retry - 1));
        const delay = retryDelayMs(retry, random);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(step / 2));
        expect(delay).toBeLessThanOrEqual(step);
      }),
    );
  });

  it('refuses a retry number below 1', () => {
    expect(() => retryDelayMs(0, 0.5)).toThrow(RangeError);
    expect(() => retryDelayMs(1.5, 0.5)).toThrow(RangeError);
  });

  it('gives up automatic retries after a handful, well under a minute of waiting in all', () => {
    let total = 0;
    for (let retry = 1; retry <= MAX_AUTO_RETRIES; retry += 1) total += retryDelayMs(retry, 0.999999);
    expect(MAX_AUTO_RETRIES).toBeGreaterThanOrEqual(2);
    expect(total).toBeLessThan(60_000);
  });
});
