/**
 * The firewall rules file (docs/firewall.md), as AWS WAF (v2) rules: a pure
 * translation from the typed, validated rules that infra/firewall/rules.ts
 * loads to the CloudFormation shapes of AWS::WAFv2::WebACL. One WAF rule per
 * file rule, in the same order and priority, each with its own CloudWatch
 * metric named after it.
 *
 * - rate-limit: a rate-based statement keyed on the viewer's IP, with a
 *   scope-down on the URI path when the rule lists paths;
 * - geo-deny: a geo match statement;
 * - body-size: a size constraint on the body (oversize handling MATCH: a body
 *   larger than WAF inspects is larger than any limit the file allows), and
 *   on the listed paths only;
 * - managed-rule-group: the AWS group, `count` as an override of the whole
 *   group, `countRules` as rule action overrides inside it.
 *
 * Every path match applies WAF's URL_DECODE and NORMALIZE_PATH first (the
 * list in infra/firewall/path-transform.ts, which the local engine applies
 * too), so `/auth//login` or `/x/../auth/login` cannot slip past a rule on
 * `/auth/*`.
 *
 * Sampled requests (the console's sample of matched requests) show every
 * header in clear: the logging configuration's redaction does not apply to
 * them. So a rule that can match a request carrying the refresh cookie
 * (every path from `/auth`) or an access token (`/presign`) keeps no samples;
 * only a rule scoped to other paths does. Its metric and the (redacted) WAF
 * logs still say what it matched.
 *
 * `block` answers with the rule's status and a JSON body in the error shape
 * of docs/http-api.md (a custom response), the very body the local edge sends
 * (infra/shared/firewall-responses.ts); `count` only counts. Managed rule
 * groups block with WAF's own 403: their actions cannot carry a custom response.
 */
import type { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { REFRESH_COOKIE_PATH } from '../../../edge-functions/core/auth-routes';
import { PATH_TEXT_TRANSFORMATIONS } from '../../firewall/path-transform';
import type { FirewallRule, FirewallRules, PathMatch } from '../../firewall/rule-model';
import { firewallBlockBody } from '../../shared/firewall-responses';

export interface WebAclRules {
  readonly rules: CfnWebACL.RuleProperty[];
  /** One JSON body per (rule type, status) that a blocking rule uses, keyed by `customResponseBodyKey`. */
  readonly customResponseBodies: Record<string, CfnWebACL.CustomResponseBodyProperty>;
}

/** AWS managed rule groups are published by the vendor "AWS". */
const AWS_VENDOR = 'AWS';

/**
 * Path prefixes of the requests that carry credentials: the refresh cookie is
 * sent to every path under its Path (`/auth`), the access token to the
 * distribution's `/presign` behaviour. Prefixes, so `/auth` itself and
 * `/presign/x` count too: a wrong guess here must err towards no samples.
 */
export const CREDENTIAL_PATH_PREFIXES: readonly string[] = Object.freeze([REFRESH_COOKIE_PATH, '/presign']);

/** The byte match statements' transformations: the same list the local engine applies. */
export const PATH_TEXT_TRANSFORMATIONS_PROPERTY: readonly CfnWebACL.TextTransformationProperty[] = Object.freeze(
  PATH_TEXT_TRANSFORMATIONS.map((type, priority) => Object.freeze({ priority, type })),
);

/** Whether `rule` can match a request that carries a token or the refresh cookie. */
export function mayMatchCredentials(rule: FirewallRule): boolean {
  if (rule.type === 'geo-deny' || rule.type === 'managed-rule-group' || rule.paths.length === 0) return true;
  return rule.paths.some((p) =>
    CREDENTIAL_PATH_PREFIXES.some((prefix) => p.path.startsWith(prefix) || (p.match === 'prefix' && prefix.startsWith(p.path))),
  );
}

export function customResponseBodyKey(type: FirewallRule['type'], status: number): string {
  return `${type}-${status}`;
}

export function toWebAclRules(firewall: FirewallRules): WebAclRules {
  const customResponseBodies: Record<string, CfnWebACL.CustomResponseBodyProperty> = {};
  const rules = firewall.rules.map((rule): CfnWebACL.RuleProperty => {
    const visibilityConfig = { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: !mayMatchCredentials(rule), metricName: rule.name };
    if (rule.type === 'managed-rule-group') {
      return {
        name: rule.name,
        priority: rule.priority,
        statement: {
          managedRuleGroupStatement: {
            vendorName: AWS_VENDOR,
            name: rule.group,
            ...(rule.countRules.length > 0
              ? { ruleActionOverrides: rule.countRules.map((name) => ({ name, actionToUse: { count: {} } })) }
              : {}),
          },
        },
        overrideAction: rule.action === 'count' ? { count: {} } : { none: {} },
        visibilityConfig,
      };
    }
    let action: CfnWebACL.RuleActionProperty = { count: {} };
    if (rule.action === 'block') {
      const key = customResponseBodyKey(rule.type, rule.status);
      customResponseBodies[key] = { contentType: 'APPLICATION_JSON', content: JSON.stringify(firewallBlockBody(rule.status, rule.type)) };
      action = { block: { customResponse: { responseCode: rule.status, customResponseBodyKey: key } } };
    }
    return { name: rule.name, priority: rule.priority, statement: statementFor(rule), action, visibilityConfig };
  });
  return { rules, customResponseBodies };
}

function statementFor(rule: Exclude<FirewallRule, { type: 'managed-rule-group' }>): CfnWebACL.StatementProperty {
  switch (rule.type) {
    case 'rate-limit':
      return {
        rateBasedStatement: {
          limit: rule.limit,
          evaluationWindowSec: rule.windowSeconds,
          aggregateKeyType: 'IP',
          ...(rule.paths.length > 0 ? { scopeDownStatement: pathsStatement(rule.paths) } : {}),
        },
      };
    case 'geo-deny':
      return { geoMatchStatement: { countryCodes: [...rule.countries] } };
    case 'body-size': {
      const size: CfnWebACL.StatementProperty = {
        sizeConstraintStatement: {
          fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
          comparisonOperator: 'GT',
          size: rule.maxBytes,
          textTransformations: [{ priority: 0, type: 'NONE' }],
        },
      };
      return rule.paths.length > 0 ? { andStatement: { statements: [size, pathsStatement(rule.paths)] } } : size;
    }
  }
}

/** The request's path, URL-decoded and normalized, is one of `paths` (case-sensitive, no query string). */
function pathsStatement(paths: readonly PathMatch[]): CfnWebACL.StatementProperty {
  const statements = paths.map(
    (p): CfnWebACL.StatementProperty => ({
      byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint: p.match === 'prefix' ? 'STARTS_WITH' : 'EXACTLY',
        searchString: p.path,
        textTransformations: [...PATH_TEXT_TRANSFORMATIONS_PROPERTY],
      },
    }),
  );
  const [only] = statements;
  return statements.length === 1 && only !== undefined ? only : { orStatement: { statements } };
}
