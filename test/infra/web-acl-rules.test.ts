/**
 * The firewall rules file → WAF rules translation, on small files written
 * here: count mode, paths, managed group overrides, custom responses. (The
 * shipped file's web ACL is checked in edge-stack.test.ts.)
 */
import { parseFirewallRules } from '../../infra/firewall/rules';
import { firewallBlockBody } from '../../infra/shared/firewall-responses';
import { customResponseBodyKey, toWebAclRules } from '../../infra/aws/firewall/web-acl-rules';

function translate(rules: string) {
  return toWebAclRules(parseFirewallRules(`version: 1\nrules:\n${rules}`, 'test.yaml'));
}

describe('count mode', () => {
  it('counts instead of blocking, with no custom response', () => {
    const { rules, customResponseBodies } = translate(`
  - { name: trial-limit, type: rate-limit, priority: 1, action: count, limit: 50, paths: ["/auth/*"] }
  - { name: trial-geo, type: geo-deny, priority: 2, action: count, countries: [RU] }
`);
    expect(rules.map((r) => r.action)).toEqual([{ count: {} }, { count: {} }]);
    expect(customResponseBodies).toEqual({});
  });

  it('overrides a whole managed group to count', () => {
    const [rule] = translate(`  - { name: sqli, type: managed-rule-group, priority: 1, action: count, group: AWSManagedRulesSQLiRuleSet }\n`).rules;
    expect(rule).toEqual({
      name: 'sqli',
      priority: 1,
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesSQLiRuleSet' } },
      overrideAction: { count: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: 'sqli' },
    });
  });

  it('counts single rules inside a blocking managed group (countRules)', () => {
    const [rule] = translate(
      `  - { name: common, type: managed-rule-group, priority: 1, action: block, group: AWSManagedRulesCommonRuleSet, countRules: [SizeRestrictions_BODY, NoUserAgent_HEADER] }\n`,
    ).rules;
    expect(rule?.overrideAction).toEqual({ none: {} });
    expect(rule?.statement).toEqual({
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name: 'AWSManagedRulesCommonRuleSet',
        ruleActionOverrides: [
          { name: 'SizeRestrictions_BODY', actionToUse: { count: {} } },
          { name: 'NoUserAgent_HEADER', actionToUse: { count: {} } },
        ],
      },
    });
  });
});

describe('blocks', () => {
  it('answer with the rule’s own status and the shared JSON body, one body per rule type and status', () => {
    const { rules, customResponseBodies } = translate(`
  - { name: slow-down, type: rate-limit, priority: 1, action: block, limit: 10, status: 503 }
  - { name: too-big, type: body-size, priority: 2, action: block, maxBytes: 1024, status: 413 }
  - { name: too-big-2, type: body-size, priority: 3, action: block, maxBytes: 2048, status: 413 }
`);
    expect(rules[0]?.action).toEqual({ block: { customResponse: { responseCode: 503, customResponseBodyKey: 'rate-limit-503' } } });
    expect(rules[1]?.action).toEqual({ block: { customResponse: { responseCode: 413, customResponseBodyKey: 'body-size-413' } } });
    expect(Object.keys(customResponseBodies).sort()).toEqual(['body-size-413', 'rate-limit-503']);
    expect(JSON.parse(customResponseBodies['body-size-413']!.content)).toEqual(firewallBlockBody(413, 'body-size'));
    expect(JSON.parse(customResponseBodies['rate-limit-503']!.content)).toEqual(firewallBlockBody(503, 'rate-limit'));
    expect(customResponseBodyKey('geo-deny', 403)).toMatch(/^[\w-]+$/);
  });
});

describe('paths and windows', () => {
  it('rate-limits without a scope-down when no paths are given, in the given window', () => {
    const [rule] = translate(`  - { name: all, type: rate-limit, priority: 1, action: block, limit: 500, windowSeconds: 60 }\n`).rules;
    expect(rule?.statement).toEqual({ rateBasedStatement: { limit: 500, evaluationWindowSec: 60, aggregateKeyType: 'IP' } });
  });

  it('checks body size everywhere when no paths are given', () => {
    const [rule] = translate(`  - { name: body, type: body-size, priority: 1, action: block, maxBytes: 4096 }\n`).rules;
    expect(rule?.statement).toEqual({
      sizeConstraintStatement: {
        fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
        comparisonOperator: 'GT',
        size: 4096,
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    });
  });

  it('matches prefixes and exact paths as sent (no text transformation)', () => {
    const [rule] = translate(`  - { name: two, type: rate-limit, priority: 1, action: block, limit: 10, paths: ["/a/*", "/b"] }\n`).rules;
    const scopeDown = (rule?.statement as { rateBasedStatement: { scopeDownStatement: unknown } }).rateBasedStatement.scopeDownStatement;
    expect(scopeDown).toEqual({
      orStatement: {
        statements: [
          { byteMatchStatement: { fieldToMatch: { uriPath: {} }, positionalConstraint: 'STARTS_WITH', searchString: '/a/', textTransformations: [{ priority: 0, type: 'NONE' }] } },
          { byteMatchStatement: { fieldToMatch: { uriPath: {} }, positionalConstraint: 'EXACTLY', searchString: '/b', textTransformations: [{ priority: 0, type: 'NONE' }] } },
        ],
      },
    });
  });

  it('keeps the file’s order and priorities', () => {
    const { rules } = translate(`
  - { name: later, type: geo-deny, priority: 20, action: block, countries: [CU] }
  - { name: first, type: geo-deny, priority: 5, action: block, countries: [IR] }
`);
    expect(rules.map((r) => [r.name, r.priority])).toEqual([
      ['first', 5],
      ['later', 20],
    ]);
  });
});
