/** Checks of the account forms, in the browser, with the auth API's own definitions. */
import { isValidEmail, normalizeEmail } from '../../origin/core/email';
import { CODE_PATTERN } from '../../origin/core/validation';
import { passwordAcceptable } from '../core/password-checklist';
import type { Field } from './forms';

/** The email as the API will store it, or undefined after showing what is wrong. */
export function checkedEmail(field: Field): string | undefined {
  const email = normalizeEmail(field.value());
  if (email === '') field.setError('Enter your email address.');
  else if (!isValidEmail(email)) field.setError('Enter an email address like name@example.com.');
  else {
    field.setError(undefined);
    return email;
  }
  return undefined;
}

/** The code without the spaces a paste may bring, or undefined after showing what is wrong. */
export function checkedCode(field: Field): string | undefined {
  const code = field.value().replace(/\s+/g, '');
  if (!CODE_PATTERN.test(code)) {
    field.setError('Enter the 6-digit code from the email.');
    return undefined;
  }
  field.setError(undefined);
  return code;
}

export function checkedNewPassword(field: Field): string | undefined {
  const password = field.value();
  if (!passwordAcceptable(password)) {
    field.setError('The password does not meet every requirement listed above yet.');
    return undefined;
  }
  field.setError(undefined);
  return password;
}

export function checkedPassword(field: Field): string | undefined {
  const password = field.value();
  if (password === '') {
    field.setError('Enter your password.');
    return undefined;
  }
  field.setError(undefined);
  return password;
}
