/**
 * Validation of the auth routes' JSON bodies (docs/http-api.md). Everything is
 * `unknown` until checked here; each parser returns a typed, normalized body
 * or throws InvalidRequestError / InvalidPasswordError with a message that
 * never echoes what was sent.
 */
import { isValidEmail, normalizeEmail } from './email';
import { InvalidPasswordError, InvalidRequestError } from './errors';
import { describePasswordProblem, MAX_PASSWORD_LENGTH, unmetPasswordRules } from './password-policy';
import { isPlainObject, safeJsonParse } from '../../edge-functions/core/safe-json';

/**
 * Cognito sends 6-digit verification and reset codes. Anything else cannot be
 * right, so it is rejected before Cognito is asked (and before it counts
 * towards Cognito's failed-attempt limit). Surrounding spaces from a paste
 * are forgiven.
 */
export const CODE_PATTERN = /^[0-9]{6}$/;

export interface CredentialsBody {
  readonly email: string;
  readonly password: string;
}

export interface ConfirmBody {
  readonly email: string;
  readonly code: string;
}

export interface EmailBody {
  readonly email: string;
}

export interface ResetBody {
  readonly email: string;
  readonly code: string;
  readonly newPassword: string;
}

/** POST /auth/register: the password must also meet the policy. */
export function parseRegisterBody(text: string): CredentialsBody {
  const body = readObject(text, ['email', 'password']);
  return { email: checkEmail(body.email), password: checkNewPassword(body.password, 'password') };
}

/** POST /auth/login: any password up to Cognito's limit (the policy may have changed since it was set). */
export function parseLoginBody(text: string): CredentialsBody {
  const body = readObject(text, ['email', 'password']);
  return { email: checkEmail(body.email), password: checkPassword(body.password, 'password') };
}

export function parseConfirmBody(text: string): ConfirmBody {
  const body = readObject(text, ['email', 'code']);
  return { email: checkEmail(body.email), code: checkCode(body.code) };
}

/** POST /auth/resend and POST /auth/forgot. */
export function parseEmailBody(text: string): EmailBody {
  const body = readObject(text, ['email']);
  return { email: checkEmail(body.email) };
}

export function parseResetBody(text: string): ResetBody {
  const body = readObject(text, ['email', 'code', 'newPassword']);
  return {
    email: checkEmail(body.email),
    code: checkCode(body.code),
    newPassword: checkNewPassword(body.newPassword, 'newPassword'),
  };
}

/** Parses `text` as a JSON object holding exactly the `fields` named (all required, no others). */
function readObject<K extends string>(text: string, fields: readonly K[]): Record<K, unknown> {
  const result = safeJsonParse(text);
  if (!result.ok) {
    if (result.reason === 'unsafe-key') {
      throw new InvalidRequestError(`The body may hold only ${quoteList(fields)}.`, { detail: 'unsafe JSON key' });
    }
    throw new InvalidRequestError('The body is not valid JSON.', { detail: 'malformed JSON' });
  }
  const parsed = result.value;
  if (!isPlainObject(parsed)) {
    throw new InvalidRequestError('The body must be a JSON object.', { detail: 'not an object' });
  }
  const unexpected = Object.keys(parsed).filter((key) => !(fields as readonly string[]).includes(key));
  if (unexpected.length > 0) {
    throw new InvalidRequestError(`The body may hold only ${quoteList(fields)}.`, { detail: 'unexpected field' });
  }
  const missing = fields.filter((field) => !Object.prototype.hasOwnProperty.call(parsed, field));
  if (missing.length > 0) {
    throw new InvalidRequestError(`The body must hold ${quoteList(fields)}; missing ${quoteList(missing)}.`, {
      detail: 'missing field',
    });
  }
  return pick(parsed, fields);
}

function pick<K extends string>(object: Readonly<Record<string, unknown>>, fields: readonly K[]): Record<K, unknown> {
  const picked: Partial<Record<K, unknown>> = {};
  for (const field of fields) picked[field] = object[field];
  return picked as Record<K, unknown>;
}

function checkEmail(value: unknown): string {
  if (typeof value !== 'string') {
    throw new InvalidRequestError('"email" must be a string.', { detail: 'email type' });
  }
  const email = normalizeEmail(value);
  if (!isValidEmail(email)) {
    throw new InvalidRequestError('"email" must be a valid email address of at most 254 characters.', {
      detail: 'email syntax',
    });
  }
  return email;
}

function checkPassword(value: unknown, field: string): string {
  if (typeof value !== 'string') {
    throw new InvalidRequestError(`"${field}" must be a string.`, { detail: `${field} type` });
  }
  const length = [...value].length;
  if (length === 0 || length > MAX_PASSWORD_LENGTH) {
    throw new InvalidRequestError(`"${field}" must be 1 to ${MAX_PASSWORD_LENGTH} characters long.`, {
      detail: `${field} length`,
    });
  }
  return value;
}

function checkNewPassword(value: unknown, field: string): string {
  const password = checkPassword(value, field);
  const unmet = unmetPasswordRules(password);
  if (unmet.length > 0) {
    throw new InvalidPasswordError(describePasswordProblem(unmet), unmet, { detail: 'policy (checked locally)' });
  }
  return password;
}

function checkCode(value: unknown): string {
  if (typeof value !== 'string') {
    throw new InvalidRequestError('"code" must be a string.', { detail: 'code type' });
  }
  const code = value.trim();
  if (!CODE_PATTERN.test(code)) {
    throw new InvalidRequestError('"code" must be the 6-digit code from the email.', { detail: 'code format' });
  }
  return code;
}

function quoteList(fields: readonly string[]): string {
  return fields.map((field) => `"${field}"`).join(', ');
}
