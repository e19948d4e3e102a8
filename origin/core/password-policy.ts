/**
 * The password policy, defined once. The CDK app gives PASSWORD_POLICY to the
 * user pool (its keys are the CDK `PasswordPolicy` property names), and the
 * auth handler checks new passwords against it before calling Cognito, so
 * the person gets a clear message and the local stack (cognito-local does not
 * enforce policies) behaves like AWS.
 */

export const PASSWORD_POLICY = Object.freeze({
  minLength: 12,
  requireUppercase: true,
  requireLowercase: true,
  requireDigits: true,
  requireSymbols: true,
});

export type PasswordPolicy = typeof PASSWORD_POLICY;

/** Cognito's hard upper limit on any password, whatever the policy says. */
export const MAX_PASSWORD_LENGTH = 256;

/**
 * The characters Cognito counts as symbols. A space also counts, but only
 * inside the password: Cognito rejects a leading or trailing space.
 */
export const PASSWORD_SYMBOLS = '^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+-';

/** The rules of `policy` that `password` breaks, in words, in a stable order; empty if it is acceptable. */
export function unmetPasswordRules(password: string, policy: PasswordPolicy = PASSWORD_POLICY): string[] {
  const unmet: string[] = [];
  const length = [...password].length;
  if (length < policy.minLength) unmet.push(`at least ${policy.minLength} characters`);
  if (length > MAX_PASSWORD_LENGTH) unmet.push(`at most ${MAX_PASSWORD_LENGTH} characters`);
  if (policy.requireUppercase && !/[A-Z]/.test(password)) unmet.push('an uppercase letter (A-Z)');
  if (policy.requireLowercase && !/[a-z]/.test(password)) unmet.push('a lowercase letter (a-z)');
  if (policy.requireDigits && !/[0-9]/.test(password)) unmet.push('a digit (0-9)');
  if (policy.requireSymbols && !hasSymbol(password)) unmet.push('a symbol such as ! @ # $ % & * - or a space inside the password');
  if (/^\s|\s$/.test(password)) unmet.push('no space at the start or end');
  return unmet;
}

/** One sentence that says what the policy wants, naming what is missing first. */
export function describePasswordProblem(unmet: readonly string[], policy: PasswordPolicy = PASSWORD_POLICY): string {
  return `The password needs ${unmet.join(', ')}. The policy: ${describePasswordPolicy(policy)}.`;
}

export function describePasswordPolicy(policy: PasswordPolicy = PASSWORD_POLICY): string {
  const parts = [`at least ${policy.minLength} characters`];
  if (policy.requireUppercase) parts.push('an uppercase letter');
  if (policy.requireLowercase) parts.push('a lowercase letter');
  if (policy.requireDigits) parts.push('a digit');
  if (policy.requireSymbols) parts.push('a symbol');
  return parts.join(', ');
}

function hasSymbol(password: string): boolean {
  const inner = password.trim();
  for (const char of inner) {
    if (char === ' ' || PASSWORD_SYMBOLS.includes(char)) return true;
  }
  return false;
}
