/**
 * Delays between automatic retries: exponential, capped, with "equal jitter"
 * (half the step fixed, half random) so that many browsers that lost the
 * same connection do not all come back in the same instant, yet each waits
 * at least half of its step.
 */

/** The first retry waits about a second: long enough for a flapping link, short enough to feel immediate. */
export const RETRY_BASE_DELAY_MS = 1_000;
/** No single wait is longer than this. */
export const RETRY_MAX_DELAY_MS = 30_000;
/** Automatic attempts after the first failure; after that the person decides (a Retry button). */
export const MAX_AUTO_RETRIES = 3;

/**
 * The wait before retry number `retry` (1 = the first retry).
 * `random` is a number in [0, 1), injected so that tests are exact.
 */
export function retryDelayMs(retry: number, random: number, base = RETRY_BASE_DELAY_MS, max = RETRY_MAX_DELAY_MS): number {
  if (!Number.isInteger(retry) || retry < 1) throw new RangeError(`retry must be 1 or more, got ${retry}`);
  const step = Math.min(max, base * 2 ** (retry - 1));
  const jitter = Math.min(Math.max(random, 0), 1);
  return Math.round(step / 2 + (step / 2) * jitter);
}
