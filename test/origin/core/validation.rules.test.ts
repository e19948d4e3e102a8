/** The auth request bodies: exact fields, exact refusals, and the password policy at its edges. */
import { AuthApiError, InvalidPasswordError, InvalidRequestError } from '../../../origin/core/errors';
import { MAX_PASSWORD_LENGTH, unmetPasswordRules } from '../../../origin/core/password-policy';
import { parseConfirmBody, parseEmailBody, parseLoginBody, parseRegisterBody, parseResetBody } from '../../../origin/core/validation';

const GOOD = 'Correct-Horse-9';

function refusal(run: () => unknown): AuthApiError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AuthApiError);
    return error as AuthApiError;
  }
  throw new Error('expected a refusal');
}

function expectInvalid(run: () => unknown, message: string, detail: string): void {
  const error = refusal(run);
  expect(error).toBeInstanceOf(InvalidRequestError);
  expect(error.message).toBe(message);
  expect(error.detail).toBe(detail);
}

describe('the body as a whole', () => {
  it.each([
    ['not JSON', '{', 'The body is not valid JSON.', 'malformed JSON'],
    ['an array', '[]', 'The body must be a JSON object.', 'not an object'],
    ['null', 'null', 'The body must be a JSON object.', 'not an object'],
    ['a prototype key', '{"email":"a@b.co","__proto__":{}}', 'The body may hold only "email".', 'unsafe JSON key'],
    ['an extra field', '{"email":"a@b.co","x":1}', 'The body may hold only "email".', 'unexpected field'],
  ])('refuses %s', (_label, text, message, detail) => {
    expectInvalid(() => parseEmailBody(text), message, detail);
  });

  it('names every missing field', () => {
    expectInvalid(
      () => parseResetBody('{"email":"a@b.co"}'),
      'The body must hold "email", "code", "newPassword"; missing "code", "newPassword".',
      'missing field',
    );
  });

  it('returns exactly the fields, normalized', () => {
    expect(parseEmailBody('{"email":" Ann@Example.COM "}')).toStrictEqual({ email: 'ann@example.com' });
    expect(parseConfirmBody('{"email":"a@b.co","code":" 123456 "}')).toStrictEqual({ email: 'a@b.co', code: '123456' });
    expect(parseResetBody(JSON.stringify({ email: 'a@b.co', code: '000000', newPassword: GOOD }))).toStrictEqual({
      email: 'a@b.co',
      code: '000000',
      newPassword: GOOD,
    });
    expect(parseLoginBody('{"email":"a@b.co","password":" x "}')).toStrictEqual({ email: 'a@b.co', password: ' x ' });
    expect(parseRegisterBody(JSON.stringify({ email: 'a@b.co', password: GOOD }))).toStrictEqual({ email: 'a@b.co', password: GOOD });
  });
});

describe('fields', () => {
  it('refuses an email that is not a string, or not an address', () => {
    expectInvalid(() => parseEmailBody('{"email":1}'), '"email" must be a string.', 'email type');
    expectInvalid(
      () => parseEmailBody('{"email":"ann.example.com"}'),
      '"email" must be a valid email address of at most 254 characters.',
      'email syntax',
    );
  });

  it.each(['12345', '1234567', '12345a', 'a123456', '１２３４５６'])('refuses the code %j', (code) => {
    expectInvalid(
      () => parseConfirmBody(JSON.stringify({ email: 'a@b.co', code })),
      '"code" must be the 6-digit code from the email.',
      'code format',
    );
  });

  it('refuses a code that is not a string', () => {
    expectInvalid(() => parseConfirmBody('{"email":"a@b.co","code":123456}'), '"code" must be a string.', 'code type');
  });

  it('refuses a login password that is empty, too long or not a string, counting characters, not units', () => {
    expectInvalid(
      () => parseLoginBody('{"email":"a@b.co","password":""}'),
      '"password" must be 1 to 256 characters long.',
      'password length',
    );
    expectInvalid(
      () => parseLoginBody(JSON.stringify({ email: 'a@b.co', password: 'a'.repeat(MAX_PASSWORD_LENGTH + 1) })),
      '"password" must be 1 to 256 characters long.',
      'password length',
    );
    expectInvalid(() => parseLoginBody('{"email":"a@b.co","password":1}'), '"password" must be a string.', 'password type');
    const emoji = '\u{1F600}'.repeat(MAX_PASSWORD_LENGTH);
    expect(parseLoginBody(JSON.stringify({ email: 'a@b.co', password: emoji })).password).toBe(emoji);
  });

  it('checks a new password against the policy, naming the field', () => {
    const error = refusal(() => parseResetBody(JSON.stringify({ email: 'a@b.co', code: '123456', newPassword: 'short' })));
    expect(error).toBeInstanceOf(InvalidPasswordError);
    expect(error.detail).toBe('policy (checked locally)');
    expect(error.message).toBe(
      'The password needs at least 12 characters, an uppercase letter (A-Z), a digit (0-9), a symbol such as ! @ # $ % & * - or a space inside the password. ' +
        'The policy: at least 12 characters, an uppercase letter, a lowercase letter, a digit, a symbol.',
    );
    expectInvalid(
      () => parseResetBody(JSON.stringify({ email: 'a@b.co', code: '123456', newPassword: 7 })),
      '"newPassword" must be a string.',
      'newPassword type',
    );
  });
});

describe('unmetPasswordRules', () => {
  it('accepts exactly 12 characters and refuses 11', () => {
    expect(unmetPasswordRules('Abcdefgh-12')).toEqual(['at least 12 characters']);
    expect(unmetPasswordRules('Abcdefgh-123')).toEqual([]);
  });

  it('accepts exactly the maximum length and refuses one more', () => {
    const base = 'Aa1-';
    expect(unmetPasswordRules(base + 'a'.repeat(MAX_PASSWORD_LENGTH - base.length))).toEqual([]);
    expect(unmetPasswordRules(base + 'a'.repeat(MAX_PASSWORD_LENGTH - base.length + 1))).toEqual(['at most 256 characters']);
  });

  it.each([
    ['no uppercase', 'abcdefgh-123', 'an uppercase letter (A-Z)'],
    ['no lowercase', 'ABCDEFGH-123', 'a lowercase letter (a-z)'],
    ['no digit', 'Abcdefgh-xyz', 'a digit (0-9)'],
    ['no symbol', 'Abcdefgh1234', 'a symbol such as ! @ # $ % & * - or a space inside the password'],
    ['only an outer space as symbol', ' Abcdefgh1234', 'a symbol such as ! @ # $ % & * - or a space inside the password'],
  ])('names %s', (_label, password, rule) => {
    expect(unmetPasswordRules(password)).toContain(rule);
  });

  it('counts an inner space and each listed symbol as a symbol', () => {
    expect(unmetPasswordRules('Abcdef gh1234')).toEqual([]);
    for (const symbol of '^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+-') expect(unmetPasswordRules(`Abcdefgh1234${symbol}`)).toEqual([]);
  });

  it('refuses a space at either end', () => {
    expect(unmetPasswordRules(' Abcdefgh-123')).toEqual(['no space at the start or end']);
    expect(unmetPasswordRules('Abcdefgh-123\t')).toEqual(['no space at the start or end']);
  });
});

describe('the field a refusal names', () => {
  it('is "password" when the register password is not a string', () => {
    expectInvalid(() => parseRegisterBody('{"email":"ann@example.com","password":5}'), '"password" must be a string.', 'password type');
  });
});
