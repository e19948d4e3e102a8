/**
 * Whatever the rules and whatever arrives, the engine answers with a
 * well-formed verdict, never throws, stays within its memory bounds, and its
 * rate limits agree with a naive model that remembers every request.
 */
import fc from 'fast-check';
import { fuzzParameters } from '../../support/fuzz-settings';
import { FirewallRulesError } from '../../../infra/firewall/errors';
import { createFirewall } from '../../../infra/firewall/engine';
import type { FirewallRequest } from '../../../infra/firewall/engine';
import { parseFirewallRules } from '../../../infra/firewall/rules';

const WINDOWS = [60, 120, 300, 600] as const;
const PATHS = ['"/auth/*"', '"/presign"', '"/"', '"/app/*"'];

/** A rules file built the way a person would write it, from random but valid choices. */
const rulesArb = fc
  .array(
    fc.oneof(
      fc
        .record({
          type: fc.constant('rate-limit'),
          action: fc.constantFrom('block', 'count'),
          limit: fc.integer({ min: 10, max: 30 }),
          window: fc.constantFrom(...WINDOWS),
          paths: fc.subarray(PATHS),
        })
        .map(
          (r) =>
            `type: rate-limit, action: ${r.action}, limit: ${r.limit}, windowSeconds: ${r.window}${r.paths.length > 0 ? `, paths: [${r.paths.join(', ')}]` : ''}`,
        ),
      fc
        .record({
          action: fc.constantFrom('block', 'count'),
          countries: fc.subarray(['CU', 'IR', 'KP', 'SY', 'US', 'NO'], { minLength: 1 }),
        })
        .map((r) => `type: geo-deny, action: ${r.action}, countries: [${r.countries.join(', ')}]`),
      fc
        .record({ action: fc.constantFrom('block', 'count'), maxBytes: fc.integer({ min: 0, max: 16384 }), paths: fc.subarray(PATHS) })
        .map(
          (r) =>
            `type: body-size, action: ${r.action}, maxBytes: ${r.maxBytes}${r.paths.length > 0 ? `, paths: [${r.paths.join(', ')}]` : ''}`,
        ),
      fc
        .constantFrom('AWSManagedRulesCommonRuleSet', 'AWSManagedRulesSQLiRuleSet')
        .map((group) => `type: managed-rule-group, action: block, group: ${group}`),
    ),
    { maxLength: 6 },
  )
  // WAF takes each managed group once: keep the first of any repeats.
  .map((bodies) => bodies.filter((body, i) => !body.startsWith('type: managed-rule-group') || bodies.indexOf(body) === i))
  .chain((bodies) =>
    fc
      .shuffledSubarray([...Array(bodies.length * 3).keys()], { minLength: bodies.length, maxLength: bodies.length })
      .map((priorities) =>
        parseFirewallRules(
          `version: 1\nrules:${bodies.length === 0 ? ' []' : ''}\n${bodies.map((body, i) => `  - { name: rule-${i}, priority: ${priorities[i]}, ${body} }`).join('\n')}\n`,
          'random.yaml',
        ),
      ),
  );

const requestArb: fc.Arbitrary<FirewallRequest> = fc.record({
  ip: fc.oneof(fc.constantFrom('192.0.2.1', '192.0.2.2', '2001:db8::1'), fc.string({ maxLength: 40 })),
  country: fc.option(fc.oneof(fc.constantFrom('CU', 'KP', 'US', 'no', ' sy '), fc.string({ maxLength: 4 })), { nil: undefined }),
  method: fc.constantFrom('GET', 'POST', 'OPTIONS', ''),
  uri: fc.oneof(
    fc.constantFrom('/auth/login', '/presign', '/presign?x=1', '/', '/app/x', '/auth', '/AUTH/login'),
    fc.string({ unit: 'binary', maxLength: 80 }),
  ),
  bodySize: fc.option(fc.oneof(fc.integer({ min: 0, max: 40_000 }), fc.constantFrom(-1, Number.NaN, Number.POSITIVE_INFINITY, 1e300)), {
    nil: undefined,
  }),
  time: fc.option(fc.oneof(fc.integer({ min: 0, max: 4_000_000_000_000 }), fc.constantFrom(Number.NaN, -Infinity, -5)), { nil: undefined }),
});

describe('the firewall engine, for any rules and any requests', () => {
  it('never throws, answers well-formed verdicts and stays within its memory bounds', () => {
    fc.assert(
      fc.property(rulesArb, fc.array(requestArb, { maxLength: 200 }), fc.integer({ min: 1, max: 5 }), (rules, requests, cap) => {
        let clock = 1_700_000_000_000;
        const firewall = createFirewall(rules, { now: () => (clock += 7), maxTrackedIps: cap, maxTripRecords: cap });
        const names = new Set(rules.rules.map((r) => r.name));
        const blockers = new Map(rules.rules.filter((r) => r.action === 'block').map((r) => [r.name, r]));
        for (const req of requests) {
          const verdict = firewall.inspect(req);
          expect(['allow', 'block']).toContain(verdict.action);
          for (const name of verdict.counted) expect(names.has(name)).toBe(true);
          if (verdict.action === 'block') {
            const rule = blockers.get(verdict.rule ?? '');
            expect(rule).toBeDefined();
            expect(rule && 'status' in rule ? rule.status : undefined).toBe(verdict.status);
          } else {
            expect(verdict.status).toBeUndefined();
            expect(verdict.rule).toBeUndefined();
          }
          const stats = firewall.stats();
          for (const tracked of Object.values(stats.trackedIps)) expect(tracked).toBeLessThanOrEqual(cap);
          expect(stats.tripRecords).toBeLessThanOrEqual(cap);
        }
        for (const name of firewall.notEvaluatedLocally) expect(names.has(name)).toBe(true);
      }),
      fuzzParameters(),
    );
  });

  it('rate-limits exactly like a model that remembers every request', () => {
    const stepArb = fc.record({
      ip: fc.constantFrom('a', 'b', 'c'),
      gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1_000 }), fc.integer({ min: 0, max: 60_000 })),
      scoped: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 14 }),
        fc.constantFrom(...WINDOWS),
        fc.array(stepArb, { maxLength: 400 }),
        (limit, window, steps) => {
          const rules = parseFirewallRules(
            `version: 1\nrules:\n  - { name: r, type: rate-limit, priority: 0, action: block, limit: ${limit}, windowSeconds: ${window}, paths: ["/auth/*"] }\n`,
            'model.yaml',
          );
          const firewall = createFirewall(rules);
          const seen = new Map<string, number[]>();
          let time = 0;
          for (const step of steps) {
            time += step.gap;
            const verdict = firewall.inspect({ ip: step.ip, method: 'POST', uri: step.scoped ? '/auth/login' : '/presign', time });
            let expected: 'allow' | 'block' = 'allow';
            if (step.scoped) {
              const history = [...(seen.get(step.ip) ?? []), time];
              seen.set(step.ip, history);
              const inWindow = history.filter((t) => t > time - window * 1000).length;
              expected = inWindow > limit ? 'block' : 'allow';
            }
            expect(verdict.action).toBe(expected);
          }
        },
      ),
      fuzzParameters(),
    );
  });
});

describe('parseFirewallRules, for any text', () => {
  it('returns rules or throws a FirewallRulesError whose problems are on lines of the text', () => {
    const fragment = fc.constantFrom(
      'version: 1',
      'rules:',
      '  - name: a',
      '    type: rate-limit',
      '    type: geo-deny',
      '    priority: 1',
      '    action: block',
      '    limit: 100',
      '    countries: [CU, XX]',
      '    paths: ["/auth/*"]',
      '  - { name: b, type: body-size, priority: 2, action: count, maxBytes: 9 }',
      '    status: 429',
      '  -',
      ': :',
      '[',
      '&a x',
      '*a',
      '"',
      'version: 2',
      '    maxBytes: -1',
      '\t',
      '',
    );
    const textArb = fc.oneof(
      fc.array(fragment, { maxLength: 14 }).map((l) => l.join('\n')),
      fc.string({ unit: 'binary', maxLength: 200 }),
    );
    fc.assert(
      fc.property(textArb, (text) => {
        const lineCount = text.split('\n').length;
        try {
          const rules = parseFirewallRules(text, 'fuzz.yaml');
          expect(Object.isFrozen(rules.rules)).toBe(true);
        } catch (error: unknown) {
          expect(error).toBeInstanceOf(FirewallRulesError);
          const problems = (error as FirewallRulesError).problems;
          expect(problems.length).toBeGreaterThan(0);
          for (const problem of problems) {
            expect(problem.line).toBeGreaterThanOrEqual(1);
            expect(problem.line).toBeLessThanOrEqual(lineCount + 1);
            expect(problem.file).toBe('fuzz.yaml');
          }
        }
      }),
      fuzzParameters(),
    );
  });
});
