/**
 * Every rule of the error mapper that a surviving mutant showed untested:
 * what a 500 carries (cookies, no Allow), what the log gets of a thrown value
 * that is not an Error, and redact() match for match against the pattern it
 * replaces (redact.linear checks the same with fast-check, but is too slow for
 * the mutation run, so here the cases are fixed and generated from a seed).
 */
import { INTERNAL_MESSAGE, redact, toErrorResponse } from '../../../origin/core/error-response';
import { InvalidRequestError } from '../../../origin/core/errors';

/** The pattern redactEmails replaces (error-response.ts), as the oracle. */
const EMAIL_LIKE = /[A-Za-z0-9._%+'!#$&*=?^`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const TOKEN_LIKE = /eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)+/g;
const oracle = (text: string): string => text.replace(TOKEN_LIKE, '[token]').replace(EMAIL_LIKE, '[email]');

describe('toErrorResponse of an unexpected error', () => {
  it('answers 500 INTERNAL with the cookies it was given and no Allow header', () => {
    const { response, outcome } = toErrorResponse(new Error('boom'), ['r=; Max-Age=0']);
    expect(response.status).toBe(500);
    expect(response.cookies).toEqual(['r=; Max-Age=0']);
    expect(response.headers).not.toHaveProperty('Allow');
    expect(JSON.parse(response.body)).toEqual({ error: { code: 'INTERNAL', message: INTERNAL_MESSAGE } });
    expect(outcome).toMatchObject({ code: 'INTERNAL', status: 500, detail: undefined });
  });

  it('sends no Allow header for an error other than 405', () => {
    expect(toErrorResponse(new InvalidRequestError('bad')).response.headers).not.toHaveProperty('Allow');
  });

  it('logs name, message and stack of an Error, redacted', () => {
    const error = new TypeError('no user ann@example.com');
    error.stack = 'TypeError: no user ann@example.com\n    at f (/app/x.js:1:2)';
    expect(toErrorResponse(error).outcome.internal).toEqual({
      name: 'TypeError',
      message: 'no user [email]',
      stack: 'TypeError: no user [email]\n    at f (/app/x.js:1:2)',
    });
  });

  it('logs an error-like object from another realm in full', () => {
    const thrown = { name: 'ForeignError', message: 'm', stack: 'ForeignError: m' };
    expect(toErrorResponse(thrown).outcome.internal).toEqual({ name: 'ForeignError', message: 'm', stack: 'ForeignError: m' });
  });

  it('names an error-like object without a name "Error", and gives it no stack', () => {
    expect(toErrorResponse({ message: 'm' }).outcome.internal).toEqual({ name: 'Error', message: 'm', stack: undefined });
  });

  it('ignores a name or a stack that is not a string', () => {
    expect(toErrorResponse({ message: 'm', name: 7, stack: 8 }).outcome.internal).toEqual({
      name: 'Error',
      message: 'm',
      stack: undefined,
    });
  });

  it.each<[unknown, string, string]>([
    ['mail to ann@example.com failed', 'string', 'mail to [email] failed'],
    [42, 'number', '42'],
    [null, 'object', 'null'],
    [undefined, 'undefined', 'undefined'],
    [{ msg: 'no message key' }, 'object', '[object Object]'],
  ])('logs a thrown %p by its type and its text, redacted', (thrown, name, message) => {
    expect(toErrorResponse(thrown).outcome.internal).toEqual({ name, message, stack: undefined });
  });
});

describe('redact', () => {
  it.each([
    // Tokens: a run from eyJ that holds a dot; a dot-free run stays.
    ['Bearer eyJhbGciOi.eyJzdWIiOi.c2ln end', 'Bearer [token] end'],
    ['eyJabc stays', 'eyJabc stays'],
    ['eyJ.', '[token]'],
    // Emails, and where they start and end.
    ['ann@example.com', '[email]'],
    ['to ann@example.com.', 'to [email].'],
    ['a@b.cd', '[email]'],
    ['A@B.CD', '[email]'],
    ['z@y.zz', '[email]'],
    ['Z@Y.ZZ', '[email]'],
    ['0@9.az', '[email]'],
    ['9@0.za', '[email]'],
    ["x'!#$&*=?^`{|}~-_%+.@a.bc", '[email]'],
    ['@a.bc', '@a.bc'],
    ['@ x@a.bc', '@ [email]'],
    ['x@a.b', 'x@a.b'],
    ['x@a.b1', 'x@a.b1'],
    ['x@ab', 'x@ab'],
    ['x@.bc', 'x@.bc'],
    ['x@a..bc', 'x@a..bc'],
    ['x@a.bc.', '[email].'],
    ['x@a.bc.d', '[email].d'],
    ['x@a.bc.de', '[email]'],
    ['x@a.bc1.d', '[email]1.d'],
    ['x@a.b-c.de-f', '[email]-f'],
    ['x@1.2.cd9', '[email]9'],
    ['x@a.[bc', 'x@a.[bc'],
    ['x@a.@b.cd', 'x@[email]'],
    ['x@a.b@c.de', 'x@[email]'],
    ['a@b.cd@e.fg', '[email]@e.fg'],
    ['a@b.cd e@f.gh', '[email] [email]'],
    ['a@b.cd:e@f.gh', '[email]:[email]'],
    ['a@b.cdxe@f.gh', '[email]@f.gh'],
    ['a@b.c1@d.ef', 'a@[email]'],
    // The next search starts where a match ended: an @ right after it may start the next match.
    ['a@b.cd1@e.fg', '[email][email]'],
    ['a@b.cd-@e.fg', '[email][email]'],
    ['@@a@b.cd@', '@@[email]@'],
    ['x@a.b/c.de', 'x@a.b/c.de'],
    ['x@a.b:c.de', 'x@a.b:c.de'],
    ['x@a.`b', 'x@a.`b'],
    ['x@a.{b', 'x@a.{b'],
    ['x@a.bc{', '[email]{'],
    ['x@a.bc`', '[email]`'],
    ['x@a.bc[', '[email]['],
    ['x@a.bc@', '[email]@'],
    ['x@a.b@', 'x@a.b@'],
    ['x@a/b.cd', 'x@a/b.cd'],
    ['x@a:b.cd', 'x@a:b.cd'],
    ['é@a.bc', 'é@a.bc'],
    ['x@é.bc', 'x@é.bc'],
    ['x@a.éb', 'x@a.éb'],
    ['no at sign here', 'no at sign here'],
  ])('redact(%j) is %j, as the pattern says', (input, expected) => {
    expect(oracle(input)).toBe(expected);
    expect(redact(input)).toBe(expected);
  });

  /** Deterministic strings (a fixed-seed linear congruential generator) over characters at every boundary the scanner tests. */
  function generated(count: number): string[] {
    const alphabet = ['a', 'b', 'A', 'Z', 'z', '0', '9', '-', '.', '.', '@', '@', '_', '+', '/', ':', '[', '`', '{', '@', ' ', 'eyJ', 'co'];
    let seed = 20261206;
    const next = (bound: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % bound;
    };
    const texts: string[] = [];
    for (let i = 0; i < count; i += 1) {
      let text = '';
      const length = next(16);
      for (let j = 0; j < length; j += 1) text += alphabet[next(alphabet.length)];
      texts.push(text);
    }
    return texts;
  }

  it('agrees with the pattern on 20,000 generated texts', () => {
    const disagreements = generated(20000).filter((text) => redact(text) !== oracle(text));
    expect(disagreements.slice(0, 5)).toEqual([]);
  });
});
