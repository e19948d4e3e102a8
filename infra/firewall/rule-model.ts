/**
 * The firewall rules as the rest of the code sees them (docs/firewall.md): typed,
 * frozen data. rules.ts reads infra/firewall/firewall-rules.yaml into this
 * model; the rule engine (engine.ts), `waf:replay` and the CDK web ACL
 * (infra/aws/firewall/web-acl-rules.ts) consume it.
 */
import type { ManagedRuleGroupName, RateWindowSeconds } from './waf-limits';

export type RuleAction = 'block' | 'count';
export const RULE_ACTIONS: readonly RuleAction[] = ['block', 'count'];

export type RuleType = FirewallRule['type'];
export const RULE_TYPES: readonly RuleType[] = ['rate-limit', 'geo-deny', 'body-size', 'managed-rule-group'];

/**
 * A path scope-down, as WAF's byte match on the URI path after URL_DECODE and
 * NORMALIZE_PATH (path-transform.ts): `prefix` is STARTS_WITH, `exact` is
 * EXACTLY. Written in the file as CloudFront path patterns: `/auth/*` (prefix
 * `/auth/`) or `/presign`, already in the decoded, normalized form.
 */
export interface PathMatch {
  readonly match: 'prefix' | 'exact';
  readonly path: string;
}

interface RuleCommon {
  readonly name: string;
  /** WAF evaluates lower numbers first; unique within the file. */
  readonly priority: number;
  readonly action: RuleAction;
  readonly description?: string;
}

/** Requests per IP within a sliding window, optionally only on some paths. */
export interface RateLimitRule extends RuleCommon {
  readonly type: 'rate-limit';
  /** Blocks (or counts) once an IP has sent more than this many matching requests in the window. */
  readonly limit: number;
  readonly windowSeconds: RateWindowSeconds;
  /** Empty: every request counts. */
  readonly paths: readonly PathMatch[];
  readonly status: number;
}

/** Requests from these countries. Also CloudFront's geo restriction unless turned off. */
export interface GeoDenyRule extends RuleCommon {
  readonly type: 'geo-deny';
  /** ISO 3166-1 alpha-2, upper case, sorted, unique. */
  readonly countries: readonly string[];
  readonly status: number;
  readonly cloudFrontGeoRestriction: boolean;
}

/** Requests whose body is larger than `maxBytes`, optionally only on some paths. */
export interface BodySizeRule extends RuleCommon {
  readonly type: 'body-size';
  readonly maxBytes: number;
  /** Empty: every request is checked. */
  readonly paths: readonly PathMatch[];
  readonly status: number;
}

/**
 * An AWS managed rule group. `block` runs the group with its own actions
 * (WAF's default 403 on a block); `count` overrides the whole group to count.
 * The local engine cannot evaluate these: see engine.ts.
 */
export interface ManagedRuleGroupRule extends RuleCommon {
  readonly type: 'managed-rule-group';
  readonly group: ManagedRuleGroupName;
  /** Rules inside the group overridden to count (e.g. one that misfires on your traffic). */
  readonly countRules: readonly string[];
}

export type FirewallRule = RateLimitRule | GeoDenyRule | BodySizeRule | ManagedRuleGroupRule;

export interface FirewallRules {
  readonly version: 1;
  /** The file name the rules were read from, as given. */
  readonly source: string;
  /** In evaluation order (ascending priority). */
  readonly rules: readonly FirewallRule[];
  /**
   * The countries for CloudFront's geo restriction: every blocking geo-deny
   * rule's countries unless it sets `cloudFrontGeoRestriction: false`. A rule
   * in count mode stays out, or count mode would block after all.
   */
  readonly cloudFrontGeoRestriction: readonly string[];
}
