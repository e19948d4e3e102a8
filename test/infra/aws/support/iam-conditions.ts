/**
 * A small evaluator of IAM policy statements' Condition blocks against a
 * request context, for asking "does this Deny apply to that request?" of a
 * synthesized bucket policy. It follows the IAM User Guide ("IAM JSON policy
 * elements: Condition operators"):
 *
 * - a key missing from the request context makes a condition false, except
 *   that a negated operator (StringNotEquals, StringNotLike, ArnNotEquals, …)
 *   is then true;
 * - `…IfExists`: a missing key makes the condition true;
 * - `Null: "true"` holds when the key is missing, `"false"` when it is there;
 * - several values for one key are OR'ed (AND'ed for a negated operator);
 *   several keys and several operators in one block are AND'ed.
 *
 * Only the operators the project's policies use are implemented; any other
 * throws, so a test can never pass by skipping a condition.
 */

export type RequestContext = Readonly<Record<string, string | undefined>>;
type ConditionBlock = Record<string, Record<string, unknown>>;

const NEGATED = new Set(['StringNotEquals', 'StringNotLike', 'ArnNotEquals', 'ArnNotLike']);

export function conditionHolds(block: ConditionBlock | undefined, context: RequestContext): boolean {
  if (block === undefined) return true;
  return Object.entries(block).every(([rawOperator, keys]) =>
    Object.entries(keys).every(([key, expected]) => operatorHolds(rawOperator, context[key], [expected].flat().map(String))),
  );
}

function operatorHolds(rawOperator: string, actual: string | undefined, values: readonly string[]): boolean {
  if (rawOperator === 'Null') {
    if (values.length !== 1 || (values[0] !== 'true' && values[0] !== 'false'))
      throw new Error(`Null takes "true" or "false", got ${values.join(',')}`);
    return (actual === undefined) === (values[0] === 'true');
  }
  const ifExists = rawOperator.endsWith('IfExists');
  const operator = ifExists ? rawOperator.slice(0, -'IfExists'.length) : rawOperator;
  const negated = NEGATED.has(operator);
  if (actual === undefined) return ifExists || negated;
  const matches = (value: string): boolean => {
    switch (operator) {
      case 'StringEquals':
      case 'StringNotEquals':
      case 'ArnEquals':
      case 'ArnNotEquals':
        return actual === value;
      case 'StringLike':
      case 'StringNotLike':
      case 'ArnLike':
      case 'ArnNotLike':
        return globMatches(value, actual);
      default:
        throw new Error(`condition operator ${rawOperator} is not implemented here`);
    }
  };
  return negated ? values.every((value) => !matches(value)) : values.some(matches);
}

function globMatches(pattern: string, text: string): boolean {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 's').test(text);
}
