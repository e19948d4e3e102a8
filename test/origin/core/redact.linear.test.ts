/**
 * redact() gives exactly what the old two patterns gave, without their
 * quadratic backtracking. The old patterns are kept here as the oracle; the
 * step count (character reads) proves linearity without timing anything.
 */
import fc from 'fast-check';
import { redact } from '../../../origin/core/error-response';

const OLD_EMAIL_LIKE = /[A-Za-z0-9._%+'!#$&*=?^`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const OLD_TOKEN_LIKE = /eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)+/g;
const oracle = (text: string) => text.replace(OLD_TOKEN_LIKE, '[token]').replace(OLD_EMAIL_LIKE, '[email]');

/** Pieces that make emails, tokens and near-misses likely. */
const PIECES = [
  'a',
  'b',
  'Z',
  '1',
  '-',
  '_',
  '.',
  '.',
  '@',
  '@',
  '+',
  '%',
  "'",
  ' ',
  ':',
  '/',
  'eyJ',
  'eyJ',
  'com',
  'co',
  'x',
  'é',
  '(',
  '\n',
];
const text = fc.oneof(
  fc.array(fc.constantFrom(...PIECES), { maxLength: 80 }).map((parts) => parts.join('')),
  fc.string({ maxLength: 80 }),
  fc.tuple(fc.emailAddress(), fc.string({ maxLength: 10 }), fc.emailAddress()).map((parts) => parts.join('')),
);

describe('redact', () => {
  it('matches the old patterns on every input', () => {
    fc.assert(
      fc.property(text, (input) => {
        expect(redact(input)).toBe(oracle(input));
      }),
      { numRuns: 5000 },
    );
  });

  it.each([
    ['x@a.b.cc1y@d.com end'],
    ['a@b.com.x@y.org'],
    ['x@foo.1a@bar.com'],
    ['a@b.c'],
    ['a@b.cd.e1.f'],
    ['@@a@b.cd@'],
    ['eyJeyJ.eyJ x eyJabc eyJ.'],
    ['ann.o+x@example.co.uk with eyJraWQiOi.eyJzdWIiOi.sig'],
  ])('agrees with the old patterns on %j', (input) => {
    expect(redact(input)).toBe(oracle(input));
  });

  /** Characters read (charCodeAt) and searches (indexOf) while redacting. */
  function steps(input: string): number {
    const reads = jest.spyOn(String.prototype, 'charCodeAt');
    const searches = jest.spyOn(String.prototype, 'indexOf');
    try {
      redact(input);
      return reads.mock.calls.length + searches.mock.calls.length;
    } finally {
      jest.restoreAllMocks();
    }
  }

  it.each([
    ['a long local part with no @', (n: number) => 'a'.repeat(n)],
    ['a domain that never ends in two letters', (n: number) => `a@${'a.'.repeat(n / 2)}1`],
    ['many @ with long runs', (n: number) => 'aaaa@'.repeat(n / 5)],
    ['dot-free eyJ runs', (n: number) => 'eyJ'.repeat(n / 3)],
  ])('does work proportional to the input for %s', (_label, make) => {
    const small = steps(make(3000));
    const large = steps(make(12000));
    // The scan is done by counted reads, not inside a regex engine, or this proves nothing.
    expect(small).toBeGreaterThan(0);
    // Four times the input, about four times the steps; quadratic would be sixteen.
    expect(large).toBeLessThanOrEqual(small * 4 + 100);
    expect(large).toBeLessThanOrEqual(12000 * 6);
  });
});
