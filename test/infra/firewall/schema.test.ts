/**
 * The JSON schema is for editors; rules.ts is what the build trusts. They
 * must agree: same WAF facts, and the same verdict on the same files (except
 * for uniqueness across rules, which JSON Schema cannot express).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseFirewallRules } from '../../../infra/firewall/rules';
import {
  BLOCK_STATUS_CODES,
  BODY_INSPECTION_LIMIT_BYTES,
  COUNTRY_CODES,
  MANAGED_RULE_GROUPS,
  RATE_LIMIT_MAX,
  RATE_LIMIT_MIN,
  RATE_WINDOWS_SECONDS,
} from '../../../infra/firewall/waf-limits';
import { validate } from '../../support/json-schema-subset';

const dir = join(__dirname, '../../../infra/firewall');
const schema = JSON.parse(readFileSync(join(dir, 'firewall-rules.schema.json'), 'utf8')) as Record<string, unknown>;
const defs = schema.$defs as Record<string, { properties: Record<string, Record<string, unknown>> } & Record<string, unknown>>;
const shippedText = readFileSync(join(dir, 'firewall-rules.yaml'), 'utf8');

describe('firewall-rules.schema.json', () => {
  it('is a draft 2020-12 schema that the shipped file points to', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(shippedText.split('\n')[0]).toBe('# yaml-language-server: $schema=./firewall-rules.schema.json');
  });

  it('states the same WAF facts as waf-limits.ts', () => {
    const rate = defs.rateLimitRule?.properties;
    expect(rate?.limit).toMatchObject({ minimum: RATE_LIMIT_MIN, maximum: RATE_LIMIT_MAX });
    expect(rate?.windowSeconds?.enum).toEqual([...RATE_WINDOWS_SECONDS]);
    expect(defs.blockStatus?.enum).toEqual([...BLOCK_STATUS_CODES]);
    expect(defs.bodySizeRule?.properties.maxBytes).toMatchObject({ minimum: 0, maximum: BODY_INSPECTION_LIMIT_BYTES });
    expect(defs.managedRuleGroupRule?.properties.group?.enum).toEqual([...MANAGED_RULE_GROUPS]);
    expect((defs.geoDenyRule?.properties.countries?.items as { enum: string[] }).enum).toEqual([...COUNTRY_CODES].sort());
    expect(COUNTRY_CODES.size).toBe(249);
  });

  it('accepts the shipped file', () => {
    expect(validate(schema, parse(shippedText))).toBe(true);
  });

  const rule = (fields: Record<string, unknown>) => ({ version: 1, rules: [fields] });
  const rate = { name: 'r', type: 'rate-limit', priority: 1, action: 'block', limit: 100 };
  const geo = { name: 'g', type: 'geo-deny', priority: 1, action: 'block', countries: ['CU'] };
  const body = { name: 'b', type: 'body-size', priority: 1, action: 'block', maxBytes: 8192 };
  const managed = { name: 'm', type: 'managed-rule-group', priority: 1, action: 'count', group: 'AWSManagedRulesCommonRuleSet' };

  it.each<[string, unknown, boolean]>([
    ['a minimal rate limit', rule(rate), true],
    [
      'a rate limit with every field',
      rule({ ...rate, windowSeconds: 60, paths: ['/auth/*', '/presign'], status: 503, description: 'x' }),
      true,
    ],
    ['a limit under 10', rule({ ...rate, limit: 9 }), false],
    ['a fractional limit', rule({ ...rate, limit: 10.5 }), false],
    ['a 90 s window', rule({ ...rate, windowSeconds: 90 }), false],
    ['a 200 status', rule({ ...rate, status: 200 }), false],
    ['a relative path', rule({ ...rate, paths: ['auth/*'] }), false],
    ['a wildcard mid-path', rule({ ...rate, paths: ['/a*/b'] }), false],
    ['a query in a path', rule({ ...rate, paths: ['/presign?x'] }), false],
    ['an empty path list', rule({ ...rate, paths: [] }), false],
    ['a path with //', rule({ ...rate, paths: ['/a//b'] }), false],
    ['a path with a dot segment', rule({ ...rate, paths: ['/a/../b*'] }), false],
    ['a path ending in a dot segment', rule({ ...rate, paths: ['/a/.*'] }), false],
    ['a path with a %-escape', rule({ ...rate, paths: ['/%61uth/*'] }), false],
    ['a path with dots inside a segment', rule({ ...rate, paths: ['/a/..b/*', '/v1.2'] }), true],
    ['an unknown field', rule({ ...rate, colour: 'red' }), false],
    ['a count action', rule({ ...rate, action: 'count' }), true],
    ['an allow action', rule({ ...rate, action: 'allow' }), false],
    ['a name with a space', rule({ ...rate, name: 'a b' }), false],
    ['a negative priority', rule({ ...rate, priority: -1 }), false],
    ['no action', rule({ name: 'r', type: 'rate-limit', priority: 1, limit: 100 }), false],
    ['a geo rule', rule({ ...geo, cloudFrontGeoRestriction: false }), true],
    ['an unknown country', rule({ ...geo, countries: ['XX'] }), false],
    ['a lower-case country', rule({ ...geo, countries: ['cu'] }), false],
    ['a country twice', rule({ ...geo, countries: ['CU', 'CU'] }), false],
    ['paths on a geo rule', rule({ ...geo, paths: ['/'] }), false],
    ['a body-size rule', rule({ ...body, paths: ['/presign'] }), true],
    ['a body limit over 16 KiB', rule({ ...body, maxBytes: 16385 }), false],
    ['a managed group', rule({ ...managed, countRules: ['SizeRestrictions_BODY'] }), true],
    ['an unknown managed group', rule({ ...managed, group: 'AWSManagedRulesEverything' }), false],
    ['a status on a managed group', rule({ ...managed, status: 403 }), false],
    ['an unknown type', rule({ ...rate, type: 'ip-block' }), false],
    ['version 2', { version: 2, rules: [] }, false],
    ['no rules', { version: 1 }, false],
    ['an extra top-level field', { version: 1, rules: [], x: 1 }, false],
  ])('agrees with the parser on %s', (_label, document, valid) => {
    expect(validate(schema, document)).toBe(valid);
    const parses = (() => {
      try {
        parseFirewallRules(JSON.stringify(document), 'example.json');
        return true;
      } catch {
        return false;
      }
    })();
    expect(parses).toBe(valid);
  });
});
