import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FirewallRulesError, FirewallRulesReadError } from '../../../infra/firewall/errors';
import { loadFirewallRules, parseFirewallRules } from '../../../infra/firewall/rules';

const SHIPPED = join(__dirname, '../../../infra/firewall/firewall-rules.yaml');
const FILE = 'firewall-rules.yaml';

/** The problems a text has, as `line: message`, or a failure if it parses. */
function problems(text: string): string[] {
  try {
    parseFirewallRules(text, FILE);
  } catch (error: unknown) {
    if (!(error instanceof FirewallRulesError)) throw error;
    return error.problems.map((p) => `${p.line}: ${p.message}`);
  }
  throw new Error('expected the rules to be refused');
}

const lines = (...text: string[]): string => `${text.join('\n')}\n`;

/** A valid rate-limit rule starting at line 3, with `extra` lines from line 7 on. */
const rateRule = (...extra: string[]): string =>
  lines('version: 1', 'rules:', '  - name: r', '    type: rate-limit', '    priority: 1', '    action: block', ...extra);

describe('the shipped rules file', () => {
  const rules = loadFirewallRules(SHIPPED);

  it('holds exactly the docs/firewall.md defaults, in priority order', () => {
    expect(rules.version).toBe(1);
    expect(rules.rules).toEqual([
      {
        name: 'geo-deny',
        type: 'geo-deny',
        priority: 0,
        action: 'block',
        status: 403,
        countries: ['CU', 'IR', 'KP', 'SY'],
        cloudFrontGeoRestriction: true,
      },
      {
        name: 'aws-ip-reputation',
        type: 'managed-rule-group',
        priority: 10,
        action: 'block',
        group: 'AWSManagedRulesAmazonIpReputationList',
        countRules: [],
      },
      {
        name: 'rate-limit-auth',
        type: 'rate-limit',
        priority: 20,
        action: 'block',
        status: 429,
        limit: 100,
        windowSeconds: 300,
        paths: [{ match: 'prefix', path: '/auth/' }],
      },
      {
        name: 'rate-limit-presign',
        type: 'rate-limit',
        priority: 30,
        action: 'block',
        status: 429,
        limit: 300,
        windowSeconds: 300,
        paths: [
          { match: 'exact', path: '/presign' },
          { match: 'exact', path: '/presign/multipart' },
          { match: 'exact', path: '/presign/files' },
          { match: 'exact', path: '/presign/files/access' },
        ],
      },
      {
        name: 'rate-limit-presign-all',
        type: 'rate-limit',
        priority: 35,
        action: 'block',
        status: 429,
        limit: 1500,
        windowSeconds: 300,
        paths: [{ match: 'prefix', path: '/presign' }],
      },
      {
        name: 'rate-limit-all',
        type: 'rate-limit',
        priority: 40,
        action: 'block',
        status: 429,
        limit: 2000,
        windowSeconds: 300,
        paths: [],
      },
      {
        name: 'body-size-api',
        type: 'body-size',
        priority: 50,
        action: 'block',
        status: 403,
        maxBytes: 8 * 1024,
        paths: [
          { match: 'prefix', path: '/auth/' },
          { match: 'prefix', path: '/presign' },
        ],
      },
      {
        name: 'aws-known-bad-inputs',
        type: 'managed-rule-group',
        priority: 60,
        action: 'block',
        group: 'AWSManagedRulesKnownBadInputsRuleSet',
        countRules: [],
      },
      {
        name: 'aws-common',
        type: 'managed-rule-group',
        priority: 70,
        action: 'block',
        group: 'AWSManagedRulesCommonRuleSet',
        countRules: [],
      },
    ]);
  });

  it('gives CloudFront the same geo deny list', () => {
    expect(rules.cloudFrontGeoRestriction).toEqual(['CU', 'IR', 'KP', 'SY']);
  });

  it('is deeply frozen', () => {
    expect(Object.isFrozen(rules)).toBe(true);
    expect(Object.isFrozen(rules.rules)).toBe(true);
    expect(Object.isFrozen(rules.rules[2])).toBe(true);
    const auth = rules.rules[2];
    expect(auth?.type === 'rate-limit' && Object.isFrozen(auth.paths[0])).toBe(true);
  });

  it('records the file it came from', () => {
    expect(rules.source).toBe(SHIPPED);
  });
});

describe('parseFirewallRules', () => {
  it('reads the same rules from JSON (JSON is YAML)', () => {
    const json = JSON.stringify(
      {
        version: 1,
        rules: [{ name: 'auth', type: 'rate-limit', priority: 1, action: 'count', limit: 10, windowSeconds: 60, paths: ['/auth/*'] }],
      },
      null,
      2,
    );
    const rules = parseFirewallRules(json, 'rules.json');
    expect(rules.rules).toEqual([
      {
        name: 'auth',
        type: 'rate-limit',
        priority: 1,
        action: 'count',
        limit: 10,
        windowSeconds: 60,
        status: 429,
        paths: [{ match: 'prefix', path: '/auth/' }],
      },
    ]);
  });

  it('fills the defaults: a 300 s window, 429 for rate limits, 403 for geo and body size, every path', () => {
    const rules = parseFirewallRules(
      lines(
        'version: 1',
        'rules:',
        '  - { name: a, type: rate-limit, priority: 1, action: block, limit: 10 }',
        '  - { name: b, type: geo-deny, priority: 2, action: block, countries: [CU] }',
        '  - { name: c, type: body-size, priority: 3, action: block, maxBytes: 0 }',
      ),
      FILE,
    );
    expect(rules.rules).toEqual([
      { name: 'a', type: 'rate-limit', priority: 1, action: 'block', limit: 10, windowSeconds: 300, status: 429, paths: [] },
      { name: 'b', type: 'geo-deny', priority: 2, action: 'block', countries: ['CU'], status: 403, cloudFrontGeoRestriction: true },
      { name: 'c', type: 'body-size', priority: 3, action: 'block', maxBytes: 0, status: 403, paths: [] },
    ]);
  });

  it('sorts rules by priority, whatever their order in the file', () => {
    const rules = parseFirewallRules(
      lines(
        'version: 1',
        'rules:',
        '  - { name: late, type: body-size, priority: 9, action: block, maxBytes: 10 }',
        '  - { name: early, type: body-size, priority: 2, action: block, maxBytes: 10 }',
      ),
      FILE,
    );
    expect(rules.rules.map((r) => r.name)).toEqual(['early', 'late']);
  });

  it('reads country codes such as NO as text (YAML 1.2, not the 1.1 boolean)', () => {
    const rules = parseFirewallRules(
      lines('version: 1', 'rules:', '  - { name: g, type: geo-deny, priority: 0, action: block, countries: [NO, YE] }'),
      FILE,
    );
    expect(rules.rules[0]).toMatchObject({ countries: ['NO', 'YE'] });
  });

  it('keeps count-mode and opted-out geo rules out of CloudFront geo restriction', () => {
    const rules = parseFirewallRules(
      lines(
        'version: 1',
        'rules:',
        '  - { name: a, type: geo-deny, priority: 0, action: count, countries: [RU] }',
        '  - { name: b, type: geo-deny, priority: 1, action: block, countries: [CU, IR], cloudFrontGeoRestriction: false }',
        '  - { name: c, type: geo-deny, priority: 2, action: block, countries: [SY, CU] }',
      ),
      FILE,
    );
    expect(rules.cloudFrontGeoRestriction).toEqual(['CU', 'SY']);
  });

  it('accepts managed groups with rules overridden to count, and an empty rule list', () => {
    const managed = parseFirewallRules(
      lines(
        'version: 1',
        'rules:',
        '  - name: crs',
        '    type: managed-rule-group',
        '    priority: 3',
        '    action: count',
        '    group: AWSManagedRulesCommonRuleSet',
        '    countRules: [SizeRestrictions_BODY, NoUserAgent_HEADER]',
        '    description: trying it out',
      ),
      FILE,
    );
    expect(managed.rules[0]).toEqual({
      name: 'crs',
      type: 'managed-rule-group',
      priority: 3,
      action: 'count',
      group: 'AWSManagedRulesCommonRuleSet',
      countRules: ['SizeRestrictions_BODY', 'NoUserAgent_HEADER'],
      description: 'trying it out',
    });
    expect(parseFirewallRules('version: 1\nrules: []\n', FILE).rules).toEqual([]);
  });
});

describe('a bad rules file names the file, the line and the field', () => {
  it('rate limit below WAF minimum (the exact message)', () => {
    expect(() => parseFirewallRules(rateRule('    limit: 5'), FILE)).toThrow(
      new FirewallRulesError(FILE, [
        {
          file: FILE,
          line: 7,
          field: 'rules[0].limit',
          message: "rules[0].limit must be a whole number from 10 to 2000000000 (WAF's rate-based range)",
        },
      ]),
    );
    expect(problems(rateRule('    limit: 5'))).toEqual([
      "7: rules[0].limit must be a whole number from 10 to 2000000000 (WAF's rate-based range)",
    ]);
  });

  it('is a FirewallRulesError carrying its code and every problem', () => {
    let caught: unknown;
    try {
      parseFirewallRules(rateRule('    limit: 1.5'), FILE);
    } catch (error: unknown) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FirewallRulesError);
    const error = caught as FirewallRulesError;
    expect(error.code).toBe('FIREWALL_RULES_INVALID');
    expect(error.name).toBe('FirewallRulesError');
    expect(error.file).toBe(FILE);
    expect(error.problems).toEqual([expect.objectContaining({ file: FILE, line: 7, field: 'rules[0].limit' })]);
    expect(error.message).toBe(
      "firewall-rules.yaml:7: rules[0].limit must be a whole number from 10 to 2000000000 (WAF's rate-based range)",
    );
  });

  it.each<[string, string, string[]]>([
    ['a limit above WAF maximum', rateRule('    limit: 2000000001'), ['7: rules[0].limit must be a whole number']],
    ['a limit written as text', rateRule('    limit: "100"'), ['7: rules[0].limit must be a whole number']],
    [
      'a window WAF does not offer',
      rateRule('    limit: 100', '    windowSeconds: 30'),
      ['8: rules[0].windowSeconds must be one of 60, 120, 300, 600'],
    ],
    [
      'a status WAF cannot send for a block',
      rateRule('    limit: 100', '    status: 200'),
      ['8: rules[0].status must be an HTTP status WAF can send for a block: 400, 401, 403'],
    ],
    ['a missing limit (reported at the rule)', rateRule(), ['3: rules[0].limit is missing']],
    [
      'a misspelt field, with a suggestion',
      rateRule('    limt: 100'),
      ['3: rules[0].limit is missing', '7: rules[0].limt is not a field of a rate-limit rule (did you mean limit?)'],
    ],
    [
      'an unknown field',
      rateRule('    limit: 100', '    colour: red'),
      ['8: rules[0].colour is not a field of a rate-limit rule (known fields: name, type'],
    ],
    [
      'a path without a leading slash',
      rateRule('    limit: 100', '    paths: ["auth/*"]'),
      ['8: rules[0].paths[0] "auth/*" must start with /'],
    ],
    [
      'a wildcard in the middle of a path',
      rateRule('    limit: 100', '    paths:', '      - /presign', '      - /a*/b'),
      ['10: rules[0].paths[1] "/a*/b" may only end with *'],
    ],
    [
      'a query string in a path',
      rateRule('    limit: 100', '    paths: ["/presign?x=1"]'),
      ['8: rules[0].paths[0] "/presign?x=1" must be a path only'],
    ],
    [
      'a path that requests never have once decoded and normalized',
      rateRule(
        '    limit: 100',
        '    paths:',
        '      - /a//b',
        '      - /a/./b',
        '      - /a/../b*',
        '      - /%61uth/*',
        '      - /a+b',
        '      - /a/.*',
      ),
      [
        '9: rules[0].paths[0] "/a//b" must be written decoded and normalized',
        '10: rules[0].paths[1] "/a/./b" must be written decoded and normalized',
        '11: rules[0].paths[2] "/a/../b*" must be written decoded and normalized',
        '12: rules[0].paths[3] "/%61uth/*" must be written decoded and normalized',
        '13: rules[0].paths[4] "/a+b" must be written decoded and normalized',
        '14: rules[0].paths[5] "/a/.*" must be written decoded and normalized',
      ],
    ],
    [
      'a repeated path',
      rateRule('    limit: 100', '    paths:', '      - /presign', '      - /presign'),
      ['10: rules[0].paths[1] repeats "/presign" from rules[0].paths[0]'],
    ],
    ['an empty path list', rateRule('    limit: 100', '    paths: []'), ['8: rules[0].paths must be a list of paths']],
    [
      'an action that is neither block nor count',
      lines('version: 1', 'rules:', '  - name: r', '    type: rate-limit', '    priority: 1', '    action: allow', '    limit: 100'),
      ['6: rules[0].action must be block or count'],
    ],
    [
      'a missing action',
      lines('version: 1', 'rules:', '  - name: r', '    type: rate-limit', '    priority: 1', '    limit: 100'),
      ['3: rules[0].action is missing: block, or count to try the rule without blocking'],
    ],
    [
      'a negative priority',
      lines('version: 1', 'rules:', '  - name: r', '    type: rate-limit', '    priority: -1', '    action: block', '    limit: 100'),
      ['5: rules[0].priority must be a whole number from 0 up'],
    ],
    [
      'a rule name WAF refuses',
      lines(
        'version: 1',
        'rules:',
        '  - name: rate limit',
        '    type: rate-limit',
        '    priority: 1',
        '    action: block',
        '    limit: 100',
      ),
      ['3: rules[0].name must be 1 to 128 letters, digits, - or _'],
    ],
    [
      'an unknown rule type',
      lines('version: 1', 'rules:', '  - name: r', '    type: ip-block', '    priority: 1', '    action: block'),
      ['4: rules[0].type must be one of rate-limit, geo-deny, body-size, managed-rule-group'],
    ],
    [
      'a missing rule type',
      lines('version: 1', 'rules:', '  - name: r', '    priority: 1', '    action: block'),
      ['3: rules[0].type is missing: one of rate-limit, geo-deny, body-size, managed-rule-group'],
    ],
    [
      'a country code that does not exist',
      lines(
        'version: 1',
        'rules:',
        '  - name: g',
        '    type: geo-deny',
        '    priority: 0',
        '    action: block',
        '    countries:',
        '      - CU',
        '      - XX',
      ),
      ['9: rules[0].countries[1] "XX" is not an ISO 3166-1 alpha-2 country code'],
    ],
    [
      'a lower-case country code',
      lines('version: 1', 'rules:', '  - { name: g, type: geo-deny, priority: 0, action: block, countries: [cu] }'),
      ['3: rules[0].countries[0] "cu" is not an ISO 3166-1 alpha-2 country code'],
    ],
    [
      'a country listed twice',
      lines(
        'version: 1',
        'rules:',
        '  - name: g',
        '    type: geo-deny',
        '    priority: 0',
        '    action: block',
        '    countries:',
        '      - CU',
        '      - CU',
      ),
      ['9: rules[0].countries[1] lists CU twice'],
    ],
    [
      'a geo rule with no countries',
      lines('version: 1', 'rules:', '  - name: g', '    type: geo-deny', '    priority: 0', '    action: block'),
      ['3: rules[0].countries is missing'],
    ],
    [
      'a body size over what WAF can inspect',
      lines('version: 1', 'rules:', '  - name: b', '    type: body-size', '    priority: 0', '    action: block', '    maxBytes: 65536'),
      ['7: rules[0].maxBytes must be a whole number of bytes from 0 to 16384'],
    ],
    [
      'an unknown managed rule group',
      lines(
        'version: 1',
        'rules:',
        '  - name: m',
        '    type: managed-rule-group',
        '    priority: 0',
        '    action: block',
        '    group: AWSManagedRulesEverything',
      ),
      ['7: rules[0].group "AWSManagedRulesEverything" is not a known AWS managed rule group; use one of AWSManagedRulesCommonRuleSet'],
    ],
    [
      'a managed rule group named without its prefix, with a guess',
      lines(
        'version: 1',
        'rules:',
        '  - name: m',
        '    type: managed-rule-group',
        '    priority: 0',
        '    action: block',
        '    group: CommonRuleSet',
      ),
      ['7: rules[0].group "CommonRuleSet" is not a known AWS managed rule group; did you mean AWSManagedRulesCommonRuleSet?'],
    ],
    [
      'a status on a managed rule group, with the reason',
      lines(
        'version: 1',
        'rules:',
        '  - name: m',
        '    type: managed-rule-group',
        '    priority: 0',
        '    action: block',
        '    group: AWSManagedRulesCommonRuleSet',
        '    status: 429',
      ),
      ["8: rules[0].status is not a field of a managed-rule-group rule (a managed rule group blocks with WAF's default 403"],
    ],
    [
      'paths on a geo rule, with the reason',
      lines(
        'version: 1',
        'rules:',
        '  - { name: g, type: geo-deny, priority: 0, action: block, countries: [CU],',
        '      paths: ["/auth/*"] }',
      ),
      ['4: rules[0].paths is not a field of a geo-deny rule (a geo-deny rule applies to every path)'],
    ],
    [
      'a duplicate rule name (on the second one)',
      lines(
        'version: 1',
        'rules:',
        '  - { name: same, type: body-size, priority: 1, action: block, maxBytes: 10 }',
        '  - { name: same, type: body-size, priority: 2, action: block, maxBytes: 10 }',
      ),
      ['4: rules[1].name: name "same" is already used by rules[0]'],
    ],
    [
      'a duplicate priority',
      lines(
        'version: 1',
        'rules:',
        '  - { name: a, type: body-size, priority: 5, action: block, maxBytes: 10 }',
        '  - { name: b, type: body-size, priority: 5, action: block, maxBytes: 10 }',
      ),
      ['4: rules[1].priority: priority 5 is already used by rules[0]'],
    ],
    [
      'the same managed group twice',
      lines(
        'version: 1',
        'rules:',
        '  - { name: a, type: managed-rule-group, priority: 1, action: block, group: AWSManagedRulesCommonRuleSet }',
        '  - { name: b, type: managed-rule-group, priority: 2, action: count, group: AWSManagedRulesCommonRuleSet }',
      ),
      ['4: rules[1].group: managed rule group "AWSManagedRulesCommonRuleSet" is already used by rules[0]'],
    ],
    [
      'a rule that is not a mapping',
      lines('version: 1', 'rules:', '  - just-a-name'),
      ['3: rules[0] must be a mapping of `field: value` lines'],
    ],
    ['rules that are not a list', lines('version: 1', 'rules:', '  name: r'), ['3: rules must be a list']],
    ['no rules at all', lines('version: 1'), ['1: rules is missing']],
    ['a wrong version', lines('version: 2', 'rules: []'), ['1: version must be 1']],
    ['no version', lines('rules: []'), ['1: version is missing']],
    ['an unknown top-level field', lines('version: 1', 'rules: []', 'default: allow'), ['3: default is not a top-level field']],
    ['an empty file', '', ['1: the file is empty']],
    ['a file of comments only', '# nothing yet\n', ['1: the file is empty']],
    ['a file that is a list', lines('- a', '- b'), ['1: the file must be a mapping']],
    [
      'a YAML syntax error (and nothing else)',
      lines('version: 1', 'rules:', '  - name: r', '    countries: [CU, IR', '    priority: 1'),
      ['YAML:'],
    ],
    [
      'a key repeated in one rule (YAML)',
      lines(
        'version: 1',
        'rules:',
        '  - name: a',
        '    name: b',
        '    type: body-size',
        '    priority: 1',
        '    action: block',
        '    maxBytes: 1',
      ),
      ['4: YAML: Map keys must be unique'],
    ],
    [
      'an alias',
      lines(
        'version: 1',
        'rules:',
        '  - { name: a, type: body-size, priority: 1, action: block, maxBytes: &size 10 }',
        '  - { name: b, type: body-size, priority: 2, action: block, maxBytes: *size }',
      ),
      ['4: rules[1].maxBytes uses a YAML alias'],
    ],
    [
      'an unknown YAML tag',
      lines('version: 1', 'rules:', '  - { name: a, type: body-size, priority: 1, action: block, maxBytes: !big 10 }'),
      ['3: YAML: Unresolved tag: !big'],
    ],
  ])('%s', (_label, text, expected) => {
    const found = problems(text);
    expect(found).toHaveLength(expected.length);
    for (const [index, start] of expected.entries()) expect(found[index]).toContain(start);
  });

  it('reports a syntax error on its own line', () => {
    const found = problems(lines('version: 1', 'rules:', '  - name: r', '    type: [rate-limit', '', 'extra: ]'));
    expect(found.length).toBeGreaterThan(0);
    for (const problem of found) expect(Number(problem.split(':')[0])).toBeGreaterThanOrEqual(4);
  });

  it('reports every problem, each with its own line, in line order', () => {
    const text = lines(
      'version: 1', //                                  1
      'rules:', //                                      2
      '  - name: auth', //                              3
      '    type: rate-limit', //                        4
      '    priority: 10', //                            5
      '    action: block', //                           6
      '    limit: 5', //                                7  too low
      '    windowSeconds: 90', //                       8  not a WAF window
      '  - name: auth', //                              9  duplicate name
      '    type: geo-deny', //                          10
      '    priority: 20', //                            11
      '    action: maybe', //                           12 bad action
      '    countries: [CU, ZZ]', //                     13 bad code
      '  - name: crs', //                               14
      '    type: managed-rule-group', //                15
      '    priority: 30', //                            16
      '    action: block', //                           17
      '    group: CommonRuleSet', //                    18 unknown group
    );
    expect(problems(text).map((p) => p.slice(0, p.indexOf(' ', p.indexOf(':') + 2)))).toEqual([
      '7: rules[0].limit',
      '8: rules[0].windowSeconds',
      '9: rules[1].name:',
      '12: rules[1].action',
      '13: rules[1].countries[1]',
      '18: rules[2].group',
    ]);
  });

  it('gives JSON files line numbers too', () => {
    const json =
      '{\n  "version": 1,\n  "rules": [\n    {\n      "name": "r",\n      "type": "rate-limit",\n      "priority": 1,\n      "action": "block",\n      "limit": 3\n    }\n  ]\n}\n';
    expect(problems(json)).toEqual([expect.stringMatching(/^9: rules\[0\]\.limit must be a whole number/)]);
  });

  it('does not let __proto__ in the file reach the rules', () => {
    const found = problems(
      lines(
        'version: 1',
        'rules:',
        '  - { name: a, type: body-size, priority: 1, action: block, maxBytes: 1, __proto__: { admin: true } }',
      ),
    );
    expect(found).toEqual([expect.stringContaining('3: rules[0].__proto__ is not a field of a body-size rule')]);
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });
});

describe('loadFirewallRules', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'firewall-rules-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the path it was given in line-numbered problems', () => {
    const path = join(dir, 'proposed.yaml');
    writeFileSync(path, rateRule('    limit: 5'));
    expect(() => loadFirewallRules(path)).toThrow(`${path}:7: rules[0].limit must be a whole number`);
  });

  it('reads a .json file', () => {
    const path = join(dir, 'rules.json');
    writeFileSync(path, JSON.stringify({ version: 1, rules: [] }));
    expect(loadFirewallRules(path).rules).toEqual([]);
  });

  it('says a missing file is unreadable, with the system code', () => {
    const path = join(dir, 'missing.yaml');
    expect(() => loadFirewallRules(path)).toThrow(FirewallRulesReadError);
    expect(() => loadFirewallRules(path)).toThrow(`Cannot read the firewall rules file ${path} (ENOENT).`);
  });

  it('says a directory is unreadable', () => {
    expect(() => loadFirewallRules(dir)).toThrow(expect.objectContaining({ code: 'FIREWALL_RULES_UNREADABLE', reason: 'EISDIR' }));
  });
});
