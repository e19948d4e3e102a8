/**
 * How many runs each property (the `*.property.test.ts` suites) makes, and
 * how to replay one. One environment variable, FUZZ_RUNS: `npm test` leaves
 * it unset (DEFAULT_FUZZ_RUNS each); `npm run test:fuzz` (jest.fuzz.config.js)
 * sets 10,000 unless given.
 *
 *   FUZZ_RUNS=200 npm run test:fuzz                  # a quick pass
 *   FUZZ_SEED=1234 FUZZ_PATH=… npx jest -c …          # replay a reported failure (fast-check prints both)
 */
import type { Parameters } from 'fast-check';

/** Runs per property in `npm test`; `npm run test:fuzz` makes 10,000 (at least 10,000 per fuzzed deployable). */
export const DEFAULT_FUZZ_RUNS = 1_000;

function positiveInteger(text: string | undefined): number | undefined {
  if (text === undefined || !/^[0-9]+$/.test(text.trim())) return undefined;
  const value = Number(text);
  return value > 0 ? value : undefined;
}

export const FUZZ_RUNS = positiveInteger(process.env.FUZZ_RUNS) ?? DEFAULT_FUZZ_RUNS;

/** fast-check parameters for one property: the run count, and the seed/path to replay when given. */
export function fuzzParameters<T>(extra: Parameters<T> = {}): Parameters<T> {
  const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
  const path = process.env.FUZZ_PATH;
  return {
    numRuns: FUZZ_RUNS,
    ...(seed === undefined || !Number.isInteger(seed) ? {} : { seed }),
    ...(path === undefined ? {} : { path }),
    ...extra,
  };
}

/** Counts outcomes by label, so a suite can show (and assert) which branches its inputs reached. */
export class OutcomeTally {
  private readonly counts = new Map<string, number>();

  add(label: string): void {
    this.counts.set(label, (this.counts.get(label) ?? 0) + 1);
  }

  get(label: string): number {
    return this.counts.get(label) ?? 0;
  }

  get size(): number {
    return this.counts.size;
  }

  toString(): string {
    return JSON.stringify(Object.fromEntries([...this.counts].sort((a, b) => b[1] - a[1])));
  }
}

/**
 * Whether a suite also requires its generators to have reached every branch
 * (each status, each refusal): only with runs enough for that, so a quick
 * `FUZZ_RUNS=200` pass checks the oracles without failing on coverage.
 */
export const REACH_CHECKS = FUZZ_RUNS >= DEFAULT_FUZZ_RUNS;
