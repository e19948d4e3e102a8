/**
 * Reading a data file that people edit (the firewall rules, the upload
 * rules) with every problem tied to its line. Shared so that both files
 * report mistakes the same way, as `file:line: field message`.
 *
 * Build-time and operator tooling only: it needs the `yaml` package, which
 * must never reach an edge or browser bundle.
 */
import { isAlias, isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { Pair, YAMLMap } from 'yaml';

/** One thing wrong with a data file, at one line. */
export interface YamlProblem {
  /** The file name as the caller passed it. */
  readonly file: string;
  /** 1-based line the problem is on (the line of the parent when a field is missing). */
  readonly line: number;
  /** Where in the document, e.g. `rules[2].limit`; empty for YAML syntax errors. */
  readonly field: string;
  /** What is wrong, naming the field. */
  readonly message: string;
}

/**
 * Parses `text` in YAML 1.2's core schema (JSON files work too) and returns
 * its root node with a reader for it. Syntax problems come back in
 * `reader.problems` with `root` undefined: after a syntax error the tree is a
 * guess, and checking it would bury the one real mistake under its consequences.
 */
export function openYaml(
  text: string,
  fileName: string,
  hints: Readonly<Record<string, string>> = {},
): { readonly reader: YamlReader; readonly root: unknown } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const reader = new YamlReader(fileName, lines, hints);
  for (const issue of [...doc.errors, ...doc.warnings]) {
    const line = issue.linePos?.[0]?.line ?? 1;
    reader.problems.push({ file: fileName, line, field: '', message: `YAML: ${firstSentence(issue.message)}` });
  }
  return { reader, root: reader.problems.length > 0 ? undefined : doc.contents };
}

/** Walks the YAML tree, keeping line numbers, and collects problems. */
export class YamlReader {
  readonly problems: YamlProblem[] = [];

  /**
   * @param hints unknown fields that people are likely to try, keyed
   *   `<hintPrefix>.<field>`, with the reason they are not there
   */
  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
    private readonly hints: Readonly<Record<string, string>> = {},
  ) {}

  line(node: unknown): number {
    if (typeof node === 'number') return node;
    if (typeof node === 'object' && node !== null && 'range' in node && Array.isArray(node.range)) {
      const start: unknown = node.range[0];
      if (typeof start === 'number') return this.lines.linePos(start).line;
    }
    return 1;
  }

  /** Records a problem; only the first one per field, so one mistake is reported once. */
  report(at: unknown, field: string, message: string): void {
    if (field !== '' && this.problems.some((p) => p.field === field)) return;
    this.problems.push({ file: this.file, line: this.line(at), field, message });
  }

  /** A scalar's value; anything else (a list, a mapping, an alias) comes back as `undefined` with no report. */
  scalar(node: unknown, field: string): unknown {
    if (isAlias(node)) {
      this.report(node, field, `${field} uses a YAML alias (*name); write the value out instead`);
      return undefined;
    }
    return isScalar(node) ? node.value : undefined;
  }

  /**
   * A mapping's fields by name, reporting keys that are not plain names or
   * not in `allowed`. Returns undefined (reported) when `node` is not a mapping.
   */
  fields(
    node: unknown,
    path: string,
    what: string,
    allowed: readonly string[] | undefined,
    unknownMessage: string,
    hintPrefix = '',
  ): Map<string, Pair<unknown, unknown>> | undefined {
    if (!isMap(node)) {
      this.report(node, path, `${what} must be a mapping of \`field: value\` lines`);
      return undefined;
    }
    const found = new Map<string, Pair<unknown, unknown>>();
    for (const pair of (node as YAMLMap<unknown, unknown>).items) {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof key !== 'string') {
        this.report(pair.key, path, `${what} has a field name that is not plain text`);
        continue;
      }
      const field = path === '' ? key : `${path}.${key}`;
      if (allowed !== undefined && !allowed.includes(key)) {
        const hint = this.hints[`${hintPrefix}.${key}`];
        const suggestion = closest(key, allowed);
        const why = hint ?? (suggestion !== undefined ? `did you mean ${suggestion}?` : `known fields: ${allowed.join(', ')}`);
        this.report(pair.key, field, `${field} ${unknownMessage} (${why})`);
        continue;
      }
      found.set(key, pair);
    }
    return found;
  }
}

export function isWholeNumber(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

/** A value from the file, shown safely in a message (quoted, short, one line). */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : value === undefined ? 'nothing' : String(value);
  const short = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return JSON.stringify(short);
}

export function firstSentence(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, '');
}

/** The candidate within edit distance 2 of a misspelt word, if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 3;
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
