/** The address rules of origin/core/email.ts, at each of their edges. */
import { isValidEmail, maskEmail, MAX_EMAIL_LENGTH, normalizeEmail } from '../../../origin/core/email';

describe('isValidEmail', () => {
  it.each([
    'ann@example.com',
    "o'brien+tag@mail.example.co",
    'a.b.c@x-y.example',
    `${'a'.repeat(64)}@example.com`,
    `a@${'b'.repeat(63)}.com`,
    'a@example.xn--p1ai',
    'a@1.example.com',
  ])('accepts %s', (email) => {
    expect(isValidEmail(email)).toBe(true);
  });

  it.each([
    ['no @', 'ann.example.com'],
    ['an empty address', ''],
    ['nothing before the @', '@example.com'],
    ['two @', 'ann@bob@example.com'],
    ['a local part over 64', `${'a'.repeat(65)}@example.com`],
    ['a label over 63', `a@${'b'.repeat(64)}.com`],
    ['one label only', 'ann@localhost'],
    ['an empty label', 'ann@example..com'],
    ['a label starting with a hyphen', 'ann@-example.com'],
    ['a label ending with a hyphen', 'ann@example-.com'],
    ['a one-letter top-level label', 'ann@example.c'],
    ['a numeric top-level label', 'ann@example.123'],
    ['a top-level label that starts with a digit', 'ann@example.1com'],
    ['a top-level label that ends with a digit', 'ann@example.com1'],
    ['a top-level label with a hyphen that is not xn--', 'ann@example.co-m'],
    ['a dot at the start of the local part', '.ann@example.com'],
    ['two dots in the local part', 'a..nn@example.com'],
    ['a space in the local part', 'a nn@example.com'],
    ['junk after the domain', 'ann@example.com/x'],
    ['junk after the top-level label', 'ann@example.com-'],
  ])('refuses %s', (_label, email) => {
    expect(isValidEmail(email)).toBe(false);
  });

  it('takes an address of exactly the maximum length and refuses one more character', () => {
    const local = 'a'.repeat(64);
    const domain = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(MAX_EMAIL_LENGTH - 64 - 1 - 63 - 1 - 63 - 1)}`;
    const longest = `${local}@${domain}`;
    expect(longest).toHaveLength(MAX_EMAIL_LENGTH);
    expect(isValidEmail(longest)).toBe(true);
    expect(isValidEmail(`${longest}d`)).toBe(false);
  });
});

describe('normalizeEmail and maskEmail', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  Ann@Example.COM \n')).toBe('ann@example.com');
  });

  it('masks like Cognito, keeps a masked value and hides what has no @', () => {
    expect(maskEmail('ann@example.com')).toBe('a***@e***');
    expect(maskEmail('a@b@example.com')).toBe('a***@e***');
    expect(maskEmail('a***@e***')).toBe('a***@e***');
    expect(maskEmail('@example.com')).toBe('***');
    expect(maskEmail('annexample.com')).toBe('***');
  });
});
