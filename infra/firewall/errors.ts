/**
 * The firewall's errors. These are operator errors (a bad rules file, a file
 * that cannot be read), raised at deploy time, at local-stack start-up or by
 * the replay tool, never while answering a viewer: the engine itself does not
 * throw. Messages quote only what the operator wrote in their own file.
 */

export type FirewallErrorCode = 'FIREWALL_RULES_INVALID' | 'FIREWALL_RULES_UNREADABLE';

export abstract class FirewallError extends Error {
  abstract readonly code: FirewallErrorCode;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** One thing wrong with the rules file, at one line. */
export interface FirewallRulesProblem {
  /** The file name as the caller passed it. */
  readonly file: string;
  /** 1-based line the problem is on (the line of the parent when a field is missing). */
  readonly line: number;
  /** Where in the document, e.g. `rules[2].limit`; empty for YAML syntax errors. */
  readonly field: string;
  /** What is wrong, naming the field, e.g. `rules[2].limit must be ...`. */
  readonly message: string;
}

/**
 * The rules file does not hold valid firewall rules. Every problem found is
 * listed, in line order, one per line of `message`, each as
 * `file:line: message` so that editors and terminals can jump to it.
 */
export class FirewallRulesError extends FirewallError {
  readonly code = 'FIREWALL_RULES_INVALID';
  readonly file: string;
  readonly problems: readonly FirewallRulesProblem[];

  constructor(file: string, problems: readonly FirewallRulesProblem[]) {
    const sorted = [...problems].sort((a, b) => a.line - b.line);
    super(sorted.map((p) => `${p.file}:${p.line}: ${p.message}`).join('\n'));
    this.file = file;
    this.problems = Object.freeze(sorted.map((p) => Object.freeze({ ...p })));
  }
}

/** The rules file could not be read at all (missing, a directory, no permission). */
export class FirewallRulesReadError extends FirewallError {
  readonly code = 'FIREWALL_RULES_UNREADABLE';
  readonly file: string;
  /** The system error code (ENOENT, EACCES, ...) when there was one. */
  readonly reason: string;

  constructor(file: string, reason: string) {
    super(`Cannot read the firewall rules file ${file} (${reason}).`);
    this.file = file;
    this.reason = reason;
  }
}
