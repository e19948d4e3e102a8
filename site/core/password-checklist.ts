/**
 * The password policy as a checklist that updates as the person types. The
 * rules and their wording come from origin/core/password-policy.ts, the
 * definition the auth API enforces, so the list cannot drift from the check.
 */
import { unmetPasswordRules } from '../../origin/core/password-policy';

export interface PasswordRuleStatus {
  readonly text: string;
  readonly met: boolean;
}

/** Every rule an empty password breaks: the policy's requirements, in its order. */
const POLICY_RULES: readonly string[] = Object.freeze(unmetPasswordRules(''));

export function passwordChecklist(password: string): PasswordRuleStatus[] {
  const unmet = unmetPasswordRules(password);
  const list = POLICY_RULES.map((text) => ({ text, met: !unmet.includes(text) }));
  // Rules an empty password cannot break (too long, a space at an end) appear only when broken.
  for (const text of unmet) if (!POLICY_RULES.includes(text)) list.push({ text, met: false });
  return list;
}

export function passwordAcceptable(password: string): boolean {
  return unmetPasswordRules(password).length === 0;
}
