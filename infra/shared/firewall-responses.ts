/**
 * What a firewall block answers, in the error shape of docs/http-api.md, defined
 * once: the local edge sends it, and the CDK app can register the same
 * bodies as the web ACL's custom response bodies (one per rule type).
 *
 * The code follows the status the rule blocks with (the rules file may
 * change a rule's status): 429 is TOO_MANY_REQUESTS, 413 PAYLOAD_TOO_LARGE,
 * anything else REQUEST_BLOCKED. The message follows the rule type. Neither
 * names the rule, the viewer's IP or country: a blocked client learns only
 * what it needs to back off.
 */
import { PAYLOAD_TOO_LARGE, REQUEST_BLOCKED, TOO_MANY_REQUESTS, type HttpErrorCode } from '../../edge-functions/contract/http-errors';
import type { RuleType } from '../firewall/rule-model';

/** The codes a firewall block carries: a subset of edge-functions/contract/http-errors.ts. */
export type FirewallBlockCode = Extract<HttpErrorCode, 'TOO_MANY_REQUESTS' | 'PAYLOAD_TOO_LARGE' | 'REQUEST_BLOCKED'>;

export interface FirewallBlockBody {
  readonly error: { readonly code: FirewallBlockCode; readonly message: string };
}

const MESSAGES: Readonly<Record<RuleType, string>> = Object.freeze({
  'rate-limit': 'Too many requests from your address. Wait a few minutes and try again.',
  'geo-deny': 'This service is not available in your country.',
  'body-size': 'The request body is too large.',
  'managed-rule-group': 'The request was blocked by the firewall.',
});

export function firewallBlockCode(status: number): FirewallBlockCode {
  if (status === TOO_MANY_REQUESTS.status) return TOO_MANY_REQUESTS.code;
  if (status === PAYLOAD_TOO_LARGE.status) return PAYLOAD_TOO_LARGE.code;
  return REQUEST_BLOCKED.code;
}

export function firewallBlockBody(status: number, ruleType: RuleType | undefined): FirewallBlockBody {
  return {
    error: {
      code: firewallBlockCode(status),
      message: ruleType === undefined ? MESSAGES['managed-rule-group'] : MESSAGES[ruleType],
    },
  };
}
