import { InvalidPasswordError, InvalidRequestError } from '../../../origin/core/errors';
import { isValidEmail, maskEmail, normalizeEmail } from '../../../origin/core/email';
import { parseConfirmBody, parseEmailBody, parseLoginBody, parseRegisterBody, parseResetBody } from '../../../origin/core/validation';

const PASSWORD = 'Correct-Horse-9-Battery';

describe('email addresses', () => {
  it.each([
    'ann@example.com',
    'ann.o+uploads@mail.example.co.uk',
    "o'brien@example.ie",
    'x@xn--bcher-kva.example',
    `${'a'.repeat(64)}@example.com`,
  ])('accepts %s', (email) => {
    expect(isValidEmail(email)).toBe(true);
  });

  it.each([
    '',
    'ann',
    'ann@',
    '@example.com',
    'ann@example',
    'ann@@example.com',
    'ann@exa mple.com',
    'ann smith@example.com',
    '.ann@example.com',
    'ann.@example.com',
    'an..n@example.com',
    'ann@-example.com',
    'ann@example-.com',
    'ann@example.c',
    'ann@example.123',
    '"ann"@example.com',
    'ann@[127.0.0.1]',
    'ann@exämple.com',
    'ann\n@example.com',
    `${'a'.repeat(65)}@example.com`,
    `ann@${'b'.repeat(64)}.com`,
    `${'a'.repeat(60)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`,
  ])('rejects %j', (email) => {
    expect(isValidEmail(email)).toBe(false);
  });

  it('is limited to 254 characters', () => {
    const at254 = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
    expect(at254.length).toBe(254);
    expect(isValidEmail(at254)).toBe(true);
    expect(isValidEmail(`a${at254}`)).toBe(false);
  });

  it('normalizes by trimming and lower-casing', () => {
    expect(normalizeEmail('  Ann@Example.COM\t')).toBe('ann@example.com');
  });

  it('masks like Cognito and keeps an already masked value', () => {
    expect(maskEmail('ann@example.com')).toBe('a***@e***');
    expect(maskEmail('a***@e***')).toBe('a***@e***');
    expect(maskEmail('garbage')).toBe('***');
  });
});

describe('body parsers', () => {
  it('parse each route body into normalized, typed values', () => {
    expect(parseRegisterBody(JSON.stringify({ email: ' Ann@Example.com', password: PASSWORD }))).toEqual({
      email: 'ann@example.com',
      password: PASSWORD,
    });
    expect(parseLoginBody(JSON.stringify({ email: 'ann@example.com', password: 'any' }))).toEqual({
      email: 'ann@example.com',
      password: 'any',
    });
    expect(parseConfirmBody(JSON.stringify({ email: 'ann@example.com', code: ' 012345 ' }))).toEqual({
      email: 'ann@example.com',
      code: '012345',
    });
    expect(parseEmailBody(JSON.stringify({ email: 'ann@example.com' }))).toEqual({ email: 'ann@example.com' });
    expect(parseResetBody(JSON.stringify({ email: 'ann@example.com', code: '000000', newPassword: PASSWORD }))).toEqual({
      email: 'ann@example.com',
      code: '000000',
      newPassword: PASSWORD,
    });
  });

  it('does not trim passwords', () => {
    expect(parseLoginBody(JSON.stringify({ email: 'ann@example.com', password: ' pw ' })).password).toBe(' pw ');
  });

  it.each([
    ['{', 'The body is not valid JSON.'],
    ['[]', 'The body must be a JSON object.'],
    ['{"email":"ann@example.com"}', 'The body must hold "email", "password"; missing "password".'],
    ['{"email":"ann@example.com","password":"x","role":"admin"}', 'The body may hold only "email", "password".'],
    ['{"email":"ann@example.com","password":"x","__proto__":{"isAdmin":true}}', 'The body may hold only "email", "password".'],
    ['{"email":"ann@example.com","password":"x","nested":{"constructor":{"prototype":1}}}', 'The body may hold only "email", "password".'],
    ['{"email":1,"password":"x"}', '"email" must be a string.'],
    ['{"email":"no","password":"x"}', '"email" must be a valid email address of at most 254 characters.'],
    ['{"email":"ann@example.com","password":null}', '"password" must be a string.'],
    [`{"email":"ann@example.com","password":"${'x'.repeat(257)}"}`, '"password" must be 1 to 256 characters long.'],
  ])('login body %s ⇒ INVALID_REQUEST %j', (text, message) => {
    expect(() => parseLoginBody(text)).toThrow(new InvalidRequestError(message));
    try {
      parseLoginBody(text);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidRequestError);
    }
  });

  it('refuses a register password that breaks the policy with INVALID_PASSWORD listing what is missing', () => {
    let thrown: unknown;
    try {
      parseRegisterBody(JSON.stringify({ email: 'ann@example.com', password: 'lowercaseonly-long' }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidPasswordError);
    expect(thrown).toMatchObject({ code: 'INVALID_PASSWORD', status: 400, unmet: ['an uppercase letter (A-Z)', 'a digit (0-9)'] });
  });

  it.each(['12345', '1234567', '12 456', 'abcdef', '１２３４５６', '123456\n7'])('refuses the code %j', (code) => {
    expect(() => parseConfirmBody(JSON.stringify({ email: 'ann@example.com', code }))).toThrow(InvalidRequestError);
  });
});
