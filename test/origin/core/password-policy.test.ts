import fc from 'fast-check';
import {
  describePasswordPolicy,
  MAX_PASSWORD_LENGTH,
  PASSWORD_POLICY,
  PASSWORD_SYMBOLS,
  unmetPasswordRules,
} from '../../../origin/core/password-policy';

describe('PASSWORD_POLICY', () => {
  it('is the one definition the user pool and the handler share, in CDK PasswordPolicy terms', () => {
    expect(PASSWORD_POLICY).toEqual({
      minLength: 12,
      requireUppercase: true,
      requireLowercase: true,
      requireDigits: true,
      requireSymbols: true,
    });
    expect(Object.isFrozen(PASSWORD_POLICY)).toBe(true);
  });
});

describe('unmetPasswordRules', () => {
  it('accepts a password that meets every rule', () => {
    expect(unmetPasswordRules('Correct-Horse-9-Battery')).toEqual([]);
    expect(unmetPasswordRules('Abcdefghij1 k')).toEqual([]); // an inner space counts as a symbol
  });

  it.each([
    ['Sh0rt-pass!', ['at least 12 characters']],
    ['alllowercase-9x', ['an uppercase letter (A-Z)']],
    ['ALLUPPERCASE-9X', ['a lowercase letter (a-z)']],
    ['No-Digits-Here-At-All', ['a digit (0-9)']],
    ['NoSymbolsHere123', ['a symbol such as ! @ # $ % & * - or a space inside the password']],
    [' Leading-Space-9', ['no space at the start or end']],
    ['Trailing-Space-9 ', ['no space at the start or end']],
    [
      '',
      [
        'at least 12 characters',
        'an uppercase letter (A-Z)',
        'a lowercase letter (a-z)',
        'a digit (0-9)',
        'a symbol such as ! @ # $ % & * - or a space inside the password',
      ],
    ],
  ])('%j misses %j', (password, unmet) => {
    expect(unmetPasswordRules(password)).toEqual(unmet);
  });

  it('counts every Cognito symbol', () => {
    for (const symbol of PASSWORD_SYMBOLS) {
      expect(unmetPasswordRules(`Abcdefghij1${symbol}`)).toEqual([]);
    }
  });

  it('does not count letters outside Basic Latin as upper or lower case', () => {
    expect(unmetPasswordRules('ÉÉÉÉÉÉÉÉÉÉ-1a')).toEqual(['an uppercase letter (A-Z)']);
  });

  it('counts characters, not UTF-16 units, for the length', () => {
    expect(unmetPasswordRules('Aa1-😀😀😀😀😀😀')).toEqual(['at least 12 characters']);
    expect(unmetPasswordRules(`Aa1-${'x'.repeat(MAX_PASSWORD_LENGTH)}`)).toEqual([`at most ${MAX_PASSWORD_LENGTH} characters`]);
  });

  it('agrees with a regular expression of the same policy on any input', () => {
    const policy = /^(?=.*[A-Z])(?=.*[a-z])(?=.*[0-9])(?=.*[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ])(?!\s)(?!.*\s$).{12,256}$/su;
    const passwords = fc.string({ unit: fc.constantFrom(...'aZ9-! é\t'.split('')), maxLength: 30 });
    fc.assert(
      fc.property(passwords, (password) => {
        expect(unmetPasswordRules(password).length === 0).toBe(policy.test(password));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('describePasswordPolicy', () => {
  it('says what the policy wants', () => {
    expect(describePasswordPolicy()).toBe('at least 12 characters, an uppercase letter, a lowercase letter, a digit, a symbol');
  });
});
