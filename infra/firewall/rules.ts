/**
 * The firewall rules file (docs/firewall.md): one plain data file, two consumers.
 * (The typed rules it produces are defined in rule-model.ts.)
 * The CDK app turns it into the CLOUDFRONT web ACL; the local edge and
 * `waf:replay` feed it to the rule engine in engine.ts. This module is the
 * boundary between the file a security team edits and typed, frozen rules:
 * everything in the file is `unknown` until checked here, and every problem
 * is reported with the line it is on.
 *
 * YAML is read with the `yaml` package in its YAML 1.2 core schema, so JSON
 * files work as well and country codes such as NO stay strings (YAML 1.1 would
 * have read NO as false).
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Pair, YAMLMap } from 'yaml';
import { deepFreeze, firstSentence, isWholeNumber, quote, YamlReader as Reader } from '../shared/yaml-reader';
import { FirewallRulesError, FirewallRulesReadError } from './errors';
import {
  RULE_ACTIONS,
  RULE_TYPES,
  type RuleAction,
  type RuleType,
  type PathMatch,
  type FirewallRule,
  type FirewallRules,
} from './rule-model';
import {
  BLOCK_STATUS_CODES,
  BODY_INSPECTION_LIMIT_BYTES,
  COUNTRY_CODES,
  DEFAULT_RATE_WINDOW_SECONDS,
  MANAGED_RULE_GROUPS,
  RATE_LIMIT_MAX,
  RATE_LIMIT_MIN,
  RATE_WINDOWS_SECONDS,
  RULE_NAME_PATTERN,
  WAF_DEFAULT_BLOCK_STATUS,
} from './waf-limits';
import type { ManagedRuleGroupName, RateWindowSeconds } from './waf-limits';

const DEFAULT_STATUS: Readonly<Record<Exclude<RuleType, 'managed-rule-group'>, number>> = {
  'rate-limit': 429,
  'geo-deny': WAF_DEFAULT_BLOCK_STATUS,
  'body-size': WAF_DEFAULT_BLOCK_STATUS,
};

const COMMON_FIELDS = ['name', 'type', 'priority', 'action', 'description'] as const;
const FIELDS: Readonly<Record<RuleType, readonly string[]>> = {
  'rate-limit': [...COMMON_FIELDS, 'limit', 'windowSeconds', 'paths', 'status'],
  'geo-deny': [...COMMON_FIELDS, 'countries', 'status', 'cloudFrontGeoRestriction'],
  'body-size': [...COMMON_FIELDS, 'maxBytes', 'paths', 'status'],
  'managed-rule-group': [...COMMON_FIELDS, 'group', 'countRules'],
};
const TOP_LEVEL_FIELDS = ['version', 'rules'] as const;

/** Unknown fields that people are likely to try, with the reason they are not there. */
const FIELD_HINTS: Readonly<Record<string, string>> = {
  'managed-rule-group.status': "a managed rule group blocks with WAF's default 403; its status cannot be set here",
  'managed-rule-group.paths': 'a managed rule group inspects every request',
  'geo-deny.paths': 'a geo-deny rule applies to every path',
};

/**
 * Reads and validates the rules file's text. Throws FirewallRulesError
 * listing every problem, each with its line; returns deeply frozen rules.
 */
export function parseFirewallRules(text: string, fileName: string): FirewallRules {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const reader = new Reader(fileName, lines, FIELD_HINTS);

  // Syntax first: after a syntax error the tree is a guess, and checking it
  // would bury the one real mistake under consequences of it.
  for (const issue of [...doc.errors, ...doc.warnings]) {
    const line = issue.linePos?.[0]?.line ?? 1;
    reader.problems.push({ file: fileName, line, field: '', message: `YAML: ${firstSentence(issue.message)}` });
  }
  if (reader.problems.length > 0) throw new FirewallRulesError(fileName, reader.problems);

  const root: unknown = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
    reader.report(1, '', 'the file is empty: it needs `version: 1` and a `rules` list');
    throw new FirewallRulesError(fileName, reader.problems);
  }
  const top = reader.fields(root, '', 'the file', TOP_LEVEL_FIELDS, 'is not a top-level field');
  if (top === undefined) throw new FirewallRulesError(fileName, reader.problems);

  const version = top.get('version');
  if (version === undefined) reader.report(root, 'version', 'version is missing: write `version: 1` at the top');
  else if (reader.scalar(version.value, 'version') !== 1) reader.report(version.value, 'version', 'version must be 1');

  const rules: FirewallRule[] = [];
  const rulesPair = top.get('rules');
  if (rulesPair === undefined) {
    reader.report(root, 'rules', 'rules is missing: list the rules under `rules:`');
  } else if (!isSeq(rulesPair.value)) {
    reader.report(rulesPair.value ?? rulesPair.key, 'rules', 'rules must be a list (each rule starts with `- name: ...`)');
  } else {
    rulesPair.value.items.forEach((item, index) => {
      const rule = readRule(reader, item, `rules[${index}]`);
      if (rule !== undefined) rules.push(rule);
    });
    checkUnique(reader, rulesPair.value.items, 'name', (value) => `name ${quote(value)}`);
    checkUnique(reader, rulesPair.value.items, 'priority', (value) => `priority ${String(value)}`);
    checkUnique(reader, rulesPair.value.items, 'group', (value) => `managed rule group ${quote(value)}`);
  }

  if (reader.problems.length > 0) throw new FirewallRulesError(fileName, reader.problems);

  rules.sort((a, b) => a.priority - b.priority);
  const geoBlocked = new Set<string>();
  for (const rule of rules) {
    if (rule.type === 'geo-deny' && rule.action === 'block' && rule.cloudFrontGeoRestriction) {
      for (const country of rule.countries) geoBlocked.add(country);
    }
  }
  return deepFreeze({
    version: 1,
    source: fileName,
    rules,
    cloudFrontGeoRestriction: [...geoBlocked].sort(),
  });
}

/** Reads a rules file (YAML or JSON) from disk; see parseFirewallRules. */
export function loadFirewallRules(path: string): FirewallRules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error: unknown) {
    // Structural, not instanceof: fs errors can come from another realm (a test runner's VM).
    const code =
      typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : 'unreadable';
    throw new FirewallRulesReadError(path, code);
  }
  return parseFirewallRules(text, path);
}

// ---------------------------------------------------------------------------

function readRule(reader: Reader, node: unknown, path: string): FirewallRule | undefined {
  const typePair = isMap(node)
    ? (node as YAMLMap<unknown, unknown>).items.find((p) => isScalar(p.key) && p.key.value === 'type')
    : undefined;
  const typeValue = typePair === undefined ? undefined : reader.scalar(typePair.value, `${path}.type`);
  const type = RULE_TYPES.find((t) => t === typeValue);

  const fields = reader.fields(
    node,
    path,
    path,
    type === undefined ? undefined : FIELDS[type],
    `is not a field of a ${type ?? ''} rule`,
    type,
  );
  if (fields === undefined) return undefined;

  const at = (key: string): unknown => fields.get(key)?.value ?? fields.get(key)?.key ?? node;
  const has = (key: string): boolean => fields.has(key);
  const missing = (key: string, why: string): void => reader.report(node, `${path}.${key}`, `${path}.${key} is missing: ${why}`);
  const value = (key: string): unknown => reader.scalar(fields.get(key)?.value, `${path}.${key}`);
  const invalid = (key: string, message: string): void => reader.report(at(key), `${path}.${key}`, `${path}.${key} ${message}`);

  if (typePair === undefined) missing('type', `one of ${RULE_TYPES.join(', ')}`);
  else if (type === undefined) invalid('type', `must be one of ${RULE_TYPES.join(', ')}`);

  const name = value('name');
  if (!has('name')) missing('name', 'every rule needs a name (letters, digits, - and _)');
  else if (typeof name !== 'string' || !RULE_NAME_PATTERN.test(name)) {
    invalid('name', 'must be 1 to 128 letters, digits, - or _ (WAF rule names)');
  }

  const priority = value('priority');
  if (!has('priority')) missing('priority', 'a whole number; WAF evaluates lower numbers first');
  else if (!isWholeNumber(priority, 0, Number.MAX_SAFE_INTEGER)) invalid('priority', 'must be a whole number from 0 up');

  const action = value('action');
  if (!has('action')) missing('action', 'block, or count to try the rule without blocking');
  else if (!RULE_ACTIONS.includes(action as RuleAction)) invalid('action', 'must be block or count');

  const description = value('description');
  if (has('description') && (typeof description !== 'string' || description.trim() === '')) {
    invalid('description', 'must be text');
  }

  if (type === undefined) return undefined;
  const common = {
    name: String(name),
    priority: Number(priority),
    action: action as RuleAction,
    ...(typeof description === 'string' ? { description } : {}),
  };

  const status = (): number => {
    if (!has('status')) return DEFAULT_STATUS[type as keyof typeof DEFAULT_STATUS];
    const code = value('status');
    if (BLOCK_STATUS_CODES.includes(code as (typeof BLOCK_STATUS_CODES)[number])) return code as number;
    invalid('status', `must be an HTTP status WAF can send for a block: ${BLOCK_STATUS_CODES.join(', ')}`);
    return 0;
  };

  switch (type) {
    case 'rate-limit': {
      const limit = value('limit');
      if (!has('limit')) missing('limit', `the most requests one IP may send in the window (${RATE_LIMIT_MIN} or more)`);
      else if (!isWholeNumber(limit, RATE_LIMIT_MIN, RATE_LIMIT_MAX)) {
        invalid('limit', `must be a whole number from ${RATE_LIMIT_MIN} to ${RATE_LIMIT_MAX} (WAF's rate-based range)`);
      }
      let windowSeconds: RateWindowSeconds = DEFAULT_RATE_WINDOW_SECONDS;
      if (has('windowSeconds')) {
        const window = RATE_WINDOWS_SECONDS.find((w) => w === value('windowSeconds'));
        if (window === undefined)
          invalid('windowSeconds', `must be one of ${RATE_WINDOWS_SECONDS.join(', ')} (the evaluation windows WAF offers)`);
        else windowSeconds = window;
      }
      return {
        ...common,
        type,
        limit: Number(limit),
        windowSeconds,
        paths: readPaths(reader, fields.get('paths'), `${path}.paths`),
        status: status(),
      };
    }
    case 'body-size': {
      const maxBytes = value('maxBytes');
      if (!has('maxBytes')) missing('maxBytes', 'the largest body allowed, in bytes (8 KiB is 8192)');
      else if (!isWholeNumber(maxBytes, 0, BODY_INSPECTION_LIMIT_BYTES)) {
        invalid(
          'maxBytes',
          `must be a whole number of bytes from 0 to ${BODY_INSPECTION_LIMIT_BYTES} (WAF sees at most the first 16 KiB of a body through CloudFront)`,
        );
      }
      return {
        ...common,
        type,
        maxBytes: Number(maxBytes),
        paths: readPaths(reader, fields.get('paths'), `${path}.paths`),
        status: status(),
      };
    }
    case 'geo-deny': {
      const countries = readCountries(reader, fields.get('countries'), node, `${path}.countries`);
      let cloudFrontGeoRestriction = true;
      if (has('cloudFrontGeoRestriction')) {
        const flag = value('cloudFrontGeoRestriction');
        if (typeof flag === 'boolean') cloudFrontGeoRestriction = flag;
        else invalid('cloudFrontGeoRestriction', 'must be true or false');
      }
      return { ...common, type, countries, status: status(), cloudFrontGeoRestriction };
    }
    case 'managed-rule-group': {
      const group = value('group');
      if (!has('group')) missing('group', `the AWS managed rule group, e.g. ${MANAGED_RULE_GROUPS[0]}`);
      else if (!MANAGED_RULE_GROUPS.includes(group as ManagedRuleGroupName)) {
        const guess =
          typeof group === 'string' && group.length >= 3
            ? MANAGED_RULE_GROUPS.find((g) => g.toLowerCase().includes(group.toLowerCase()))
            : undefined;
        const advice = guess !== undefined ? `did you mean ${guess}?` : `use one of ${MANAGED_RULE_GROUPS.join(', ')}`;
        invalid('group', `${quote(group)} is not a known AWS managed rule group; ${advice}`);
      }
      const countRules = readNameList(reader, fields.get('countRules'), `${path}.countRules`);
      return { ...common, type, group: group as ManagedRuleGroupName, countRules };
    }
  }
}

function readPaths(reader: Reader, pair: Pair<unknown, unknown> | undefined, field: string): PathMatch[] {
  if (pair === undefined) return [];
  const list = pair.value;
  if (!isSeq(list) || list.items.length === 0) {
    reader.report(
      list ?? pair.key,
      field,
      `${field} must be a list of paths such as "/auth/*" or "/presign"; leave it out to match every path`,
    );
    return [];
  }
  const paths: PathMatch[] = [];
  const seen = new Map<string, number>();
  list.items.forEach((item, index) => {
    const here = `${field}[${index}]`;
    const text = reader.scalar(item, here);
    const problem = typeof text === 'string' ? pathProblem(text) : 'must be a path such as "/auth/*" or "/presign"';
    if (problem !== undefined) {
      reader.report(item, here, `${here} ${problem}`);
      return;
    }
    const source = text as string;
    const earlier = seen.get(source);
    if (earlier !== undefined) {
      reader.report(item, here, `${here} repeats ${quote(source)} from ${field}[${earlier}]`);
      return;
    }
    seen.set(source, index);
    paths.push(source.endsWith('*') ? { match: 'prefix', path: source.slice(0, -1) } : { match: 'exact', path: source });
  });
  return paths;
}

/** Why a path pattern cannot be expressed as a WAF URI-path byte match, or undefined. */
function pathProblem(text: string): string | undefined {
  if (!text.startsWith('/')) return `${quote(text)} must start with /`;
  if (/[\s\u0000-\u001f\u007f]/.test(text)) return `${quote(text)} must not contain spaces or control characters`;
  if (/[?#]/.test(text)) return `${quote(text)} must be a path only: WAF matches the URI path, without the query string`;
  if (text.slice(0, -1).includes('*')) {
    return `${quote(text)} may only end with *: WAF matches an exact path or a prefix ("/auth/*"), not patterns in the middle`;
  }
  // Requests are compared after URL decoding and path normalization: a pattern in any other form would never match.
  const pattern = text.endsWith('*') ? text.slice(0, -1) : text;
  if (/[%+]/.test(pattern) || pattern.includes('//') || /\/\.\.?(\/|$)/.test(pattern)) {
    return `${quote(text)} must be written decoded and normalized (no %-escapes, +, //, /./ or /../): requests are compared after WAF's URL_DECODE and NORMALIZE_PATH`;
  }
  return undefined;
}

function readCountries(reader: Reader, pair: Pair<unknown, unknown> | undefined, rule: unknown, field: string): string[] {
  if (pair === undefined) {
    reader.report(rule, field, `${field} is missing: list ISO 3166-1 alpha-2 codes such as [CU, IR, KP, SY]`);
    return [];
  }
  if (!isSeq(pair.value) || pair.value.items.length === 0) {
    reader.report(pair.value ?? pair.key, field, `${field} must be a non-empty list of ISO 3166-1 alpha-2 codes such as [CU, IR, KP, SY]`);
    return [];
  }
  const countries = new Set<string>();
  pair.value.items.forEach((item, index) => {
    const here = `${field}[${index}]`;
    const code = reader.scalar(item, here);
    if (typeof code !== 'string' || !COUNTRY_CODES.has(code)) {
      reader.report(item, here, `${here} ${quote(code)} is not an ISO 3166-1 alpha-2 country code (two upper-case letters, e.g. CU)`);
    } else if (countries.has(code)) {
      reader.report(item, here, `${here} lists ${code} twice`);
    } else {
      countries.add(code);
    }
  });
  return [...countries].sort();
}

function readNameList(reader: Reader, pair: Pair<unknown, unknown> | undefined, field: string): string[] {
  if (pair === undefined) return [];
  if (!isSeq(pair.value) || pair.value.items.length === 0) {
    reader.report(pair.value ?? pair.key, field, `${field} must be a list of rule names inside the group; leave it out to override none`);
    return [];
  }
  const names: string[] = [];
  pair.value.items.forEach((item, index) => {
    const here = `${field}[${index}]`;
    const name = reader.scalar(item, here);
    if (typeof name !== 'string' || !RULE_NAME_PATTERN.test(name)) {
      reader.report(item, here, `${here} must be the name of a rule inside the group, e.g. SizeRestrictions_BODY`);
    } else if (names.includes(name)) {
      reader.report(item, here, `${here} lists ${name} twice`);
    } else {
      names.push(name);
    }
  });
  return names;
}

/** Reports the second and later rules that repeat a field's value (WAF needs names and priorities unique). */
function checkUnique(reader: Reader, items: readonly unknown[], key: string, describe: (value: unknown) => string): void {
  const first = new Map<unknown, number>();
  items.forEach((item, index) => {
    if (!isMap(item)) return;
    const pair = (item as YAMLMap<unknown, unknown>).items.find((p) => isScalar(p.key) && p.key.value === key);
    if (pair === undefined || !isScalar(pair.value)) return;
    const value = pair.value.value;
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const earlier = first.get(value);
    if (earlier === undefined) {
      first.set(value, index);
      return;
    }
    const field = `rules[${index}].${key}`;
    reader.report(pair.value, field, `${field}: ${describe(value)} is already used by rules[${earlier}]`);
  });
}
