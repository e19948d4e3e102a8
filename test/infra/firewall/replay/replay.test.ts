/**
 * The replay's counts, on crafted traffic whose right answer is known by
 * construction, through the engine the local edge runs (engine.ts).
 */
import { parseFirewallRules } from '../../../../infra/firewall/rules';
import type { FirewallRules } from '../../../../infra/firewall/rule-model';
import type { ReplayRequest } from '../../../../infra/firewall/replay/log-formats';
import { replayRequests, type RuleSetResult } from '../../../../infra/firewall/replay/replay';

const T0 = Date.parse('2026-01-10T10:00:00Z');

function rules(yaml: string, name = 'rules.yaml'): FirewallRules {
  return parseFirewallRules(yaml, name);
}

const CURRENT = rules(
  `
version: 1
rules:
  - { name: geo-deny, type: geo-deny, priority: 0, action: block, countries: [IR] }
  - { name: rate-limit-auth, type: rate-limit, priority: 20, action: block, limit: 100, windowSeconds: 300, paths: ["/auth/*"] }
  - { name: body-size-api, type: body-size, priority: 50, action: block, maxBytes: 8192, paths: ["/auth/*", "/presign"] }
  - { name: common, type: managed-rule-group, priority: 70, action: block, group: AWSManagedRulesCommonRuleSet }
`,
  'current.yaml',
);

const PROPOSED = rules(
  `
version: 1
rules:
  - { name: geo-deny, type: geo-deny, priority: 0, action: block, countries: [IR, RU] }
  - { name: rate-limit-auth, type: rate-limit, priority: 20, action: count, limit: 50, windowSeconds: 300, paths: ["/auth/*"] }
  - { name: rate-limit-presign, type: rate-limit, priority: 30, action: block, limit: 10, windowSeconds: 60, paths: ["/presign"] }
  - { name: common, type: managed-rule-group, priority: 70, action: block, group: AWSManagedRulesCommonRuleSet }
`,
  'proposed.yaml',
);

const request = (second: number, ip: string, uri: string, extra: Partial<ReplayRequest> = {}): ReplayRequest => ({
  time: T0 + second * 1000,
  ip,
  method: 'POST',
  uri,
  country: 'US',
  bodySize: 100,
  ...extra,
});

/** One IP over the /auth limit: 130 logins in 130 s. */
const sprayer = Array.from({ length: 130 }, (_, i) => request(i, '203.0.113.7', '/auth/login'));
/** Twenty IPs, 5 logins each: well under any limit. */
const crowd = Array.from({ length: 100 }, (_, i) => request(i * 3, `192.0.2.${i % 20}`, '/auth/login'));
/** A viewer from IR, one from RU. */
const geo = [
  ...Array.from({ length: 7 }, (_, i) => request(i, '198.51.100.1', '/', { method: 'GET', country: 'IR' })),
  ...Array.from({ length: 4 }, (_, i) => request(i, '198.51.100.2', '/', { method: 'GET', country: 'RU' })),
];
/** 15 presigns in 15 s from one IP, the last with a 9,000-byte body. */
const presigner = Array.from({ length: 15 }, (_, i) => request(i, '198.51.100.9', '/presign', { bodySize: i === 14 ? 9000 : 300 }));

const tally = (set: RuleSetResult, name: string) => {
  const rule = set.rules.find((r) => r.name === name);
  return rule === undefined ? undefined : { action: rule.action, blocked: rule.blocked, counted: rule.counted, evaluated: rule.evaluated };
};

describe('one IP over the /auth limit', () => {
  const result = replayRequests([...crowd, ...sprayer], [{ label: 'current', rules: CURRENT }]);
  const current = result.ruleSets[0]!;

  it('blocks exactly its requests after the 100th, and no one else', () => {
    expect(tally(current, 'rate-limit-auth')).toEqual({ action: 'block', blocked: 30, counted: 0, evaluated: true });
    expect(current.blocked).toBe(30);
    expect(current.allowed).toBe(200);
  });

  it('names the IP, the rule, how many requests and when', () => {
    expect(current.trips).toEqual([
      { rule: 'rate-limit-auth', action: 'block', ip: '203.0.113.7', firstAt: T0 + 100_000, lastAt: T0 + 129_000, requestsOverLimit: 30 },
    ]);
  });

  it('replays in time order whatever the order of the lines', () => {
    const shuffled = [...sprayer].reverse();
    const again = replayRequests([...crowd, ...shuffled], [{ label: 'current', rules: CURRENT }]).ruleSets[0]!;
    expect(again.trips).toEqual(current.trips);
  });

  it('counts the traffic', () => {
    expect(result.traffic).toEqual({ requests: 230, firstAt: T0, lastAt: T0 + 297_000, withoutCountry: 0, withoutBodySize: 0 });
  });
});

describe('current and proposed side by side', () => {
  const traffic = [...crowd, ...sprayer, ...geo, ...presigner];
  const [current, proposed] = replayRequests(traffic, [
    { label: 'current', rules: CURRENT },
    { label: 'proposed', rules: PROPOSED },
  ]).ruleSets as [RuleSetResult, RuleSetResult];

  it('a limit lowered in count mode counts instead of blocking (counting the crowd too, if it were over)', () => {
    expect(tally(current, 'rate-limit-auth')).toEqual({ action: 'block', blocked: 30, counted: 0, evaluated: true });
    expect(tally(proposed, 'rate-limit-auth')).toEqual({ action: 'count', blocked: 0, counted: 80, evaluated: true });
    expect(proposed.trips.filter((t) => t.rule === 'rate-limit-auth')).toEqual([
      expect.objectContaining({ ip: '203.0.113.7', action: 'count', requestsOverLimit: 80 }),
    ]);
  });

  it('a country added to geo-deny blocks its viewers', () => {
    expect(tally(current, 'geo-deny')?.blocked).toBe(7);
    expect(tally(proposed, 'geo-deny')?.blocked).toBe(11);
  });

  it('a new rule shows only in the proposed file; a removed one only in the current', () => {
    expect(tally(current, 'rate-limit-presign')).toBeUndefined();
    expect(tally(proposed, 'rate-limit-presign')).toEqual({ action: 'block', blocked: 5, counted: 0, evaluated: true });
    expect(tally(current, 'body-size-api')).toEqual({ action: 'block', blocked: 1, counted: 0, evaluated: true });
    expect(tally(proposed, 'body-size-api')).toBeUndefined();
  });

  it('managed rule groups are listed, never evaluated', () => {
    expect(tally(current, 'common')).toEqual({ action: 'block', blocked: 0, counted: 0, evaluated: false });
  });

  it('the totals follow: every request allowed or blocked, once', () => {
    for (const set of [current, proposed]) expect(set.allowed + set.blocked).toBe(traffic.length);
    expect(current.blocked).toBe(30 + 7 + 1);
    expect(proposed.blocked).toBe(11 + 5);
  });
});

describe('what the logs do not say', () => {
  it('a request without a country matches no geo rule; without a body size, no body-size rule; both are counted', () => {
    const result = replayRequests(
      [
        request(0, '198.51.100.1', '/', { method: 'GET', country: undefined }),
        request(1, '198.51.100.9', '/presign', { bodySize: undefined }),
      ],
      [{ label: 'current', rules: CURRENT }],
    );
    expect(result.ruleSets[0]!.blocked).toBe(0);
    expect(result.traffic).toMatchObject({ withoutCountry: 1, withoutBodySize: 1 });
  });
});
