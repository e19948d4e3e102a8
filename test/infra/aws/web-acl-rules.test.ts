/**
 * The firewall rules file → WAF rules translation, on small files written
 * here: count mode, paths, managed group overrides, custom responses. (The
 * shipped file's web ACL is checked in edge-stack.test.ts.)
 */
import { parseFirewallRules } from '../../../infra/firewall/rules';
import { firewallBlockBody } from '../../../infra/shared/firewall-responses';
import { customResponseBodyKey, mayMatchCredentials, toWebAclRules } from '../../../infra/aws/firewall/web-acl-rules';

const DECODE_THEN_NORMALIZE = [
  { priority: 0, type: 'URL_DECODE' },
  { priority: 1, type: 'NORMALIZE_PATH' },
];

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
    const [rule] = translate(
      `  - { name: sqli, type: managed-rule-group, priority: 1, action: count, group: AWSManagedRulesSQLiRuleSet }\n`,
    ).rules;
    expect(rule).toEqual({
      name: 'sqli',
      priority: 1,
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesSQLiRuleSet' } },
      overrideAction: { count: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: false, metricName: 'sqli' },
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

  it('matches prefixes and exact paths after URL_DECODE then NORMALIZE_PATH (no /auth//login around a rule)', () => {
    const [rule] = translate(`  - { name: two, type: rate-limit, priority: 1, action: block, limit: 10, paths: ["/a/*", "/b"] }\n`).rules;
    const scopeDown = (rule?.statement as { rateBasedStatement: { scopeDownStatement: unknown } }).rateBasedStatement.scopeDownStatement;
    expect(scopeDown).toEqual({
      orStatement: {
        statements: [
          {
            byteMatchStatement: {
              fieldToMatch: { uriPath: {} },
              positionalConstraint: 'STARTS_WITH',
              searchString: '/a/',
              textTransformations: DECODE_THEN_NORMALIZE,
            },
          },
          {
            byteMatchStatement: {
              fieldToMatch: { uriPath: {} },
              positionalConstraint: 'EXACTLY',
              searchString: '/b',
              textTransformations: DECODE_THEN_NORMALIZE,
            },
          },
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

describe('sampled requests (they show Authorization and Cookie unredacted)', () => {
  const sampling = (rules: string) =>
    translate(rules).rules.map((r) => [r.name, (r.visibilityConfig as { sampledRequestsEnabled: boolean }).sampledRequestsEnabled]);

  it('are off for every rule that can see /auth (the refresh cookie) or /presign (the access token)', () => {
    expect(
      sampling(`
  - { name: everything, type: rate-limit, priority: 1, action: block, limit: 500 }
  - { name: auth, type: rate-limit, priority: 2, action: block, limit: 10, paths: ["/auth/*"] }
  - { name: presign, type: body-size, priority: 3, action: block, maxBytes: 10, paths: ["/presign"] }
  - { name: root, type: rate-limit, priority: 4, action: block, limit: 10, paths: ["/*"] }
  - { name: bare-auth, type: rate-limit, priority: 5, action: block, limit: 10, paths: ["/auth"] }
  - { name: below-presign, type: rate-limit, priority: 6, action: block, limit: 10, paths: ["/presign/*"] }
  - { name: geo, type: geo-deny, priority: 7, action: block, countries: [CU] }
  - { name: group, type: managed-rule-group, priority: 8, action: block, group: AWSManagedRulesCommonRuleSet }
`),
    ).toEqual([
      ['everything', false],
      ['auth', false],
      ['presign', false],
      ['root', false],
      ['bare-auth', false],
      ['below-presign', false],
      ['geo', false],
      ['group', false],
    ]);
  });

  it('stay on for a rule scoped to other paths only', () => {
    expect(
      sampling(`  - { name: site, type: rate-limit, priority: 1, action: block, limit: 10, paths: ["/app/*", "/index.html"] }\n`),
    ).toEqual([['site', true]]);
    expect(
      mayMatchCredentials(
        parseFirewallRules(
          'version: 1\nrules:\n  - { name: a, type: body-size, priority: 1, action: block, maxBytes: 1, paths: ["/assets/*"] }\n',
          't.yaml',
        ).rules[0]!,
      ),
    ).toBe(false);
  });
});
