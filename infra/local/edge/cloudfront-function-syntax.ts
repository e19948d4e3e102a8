/**
 * The syntax check of the local cloudfront-js-2.0 stand-in: a function's
 * source must be a strict-mode script using only the syntax "JavaScript
 * runtime 2.0 features for CloudFront Functions" lists; anything the page
 * does not list is refused (see cloudfront-functions-sandbox.ts).
 */
import * as acorn from 'acorn';
import { CloudFrontFunctionSyntaxError } from './cloudfront-function-errors';

/** Prepended before parsing and running: the runtime always runs functions in strict mode. */
export const STRICT_MODE_PREFIX = '"use strict";\n';

interface AstNode {
  readonly type: string;
  readonly start: number;
  readonly loc?: { readonly start: { readonly line: number; readonly column: number } } | null;
  readonly [key: string]: unknown;
}

function isAstNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/**
 * Node types (ESTree, as acorn produces them) whose syntax the page lists:
 * ES 5.1 statements and expressions, `const`/`let` (ES 6), arrow functions and
 * rest parameters (ES 6), template literals (ES 6), `**` (ES 7), async/await
 * (ES 8). Further limits on some of them are in `checkNode`.
 */
const LISTED_NODE_TYPES = new Set([
  'Program',
  'ExpressionStatement',
  'BlockStatement',
  'EmptyStatement',
  'VariableDeclaration',
  'VariableDeclarator',
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
  'ReturnStatement',
  'IfStatement',
  'SwitchStatement',
  'SwitchCase',
  'ForStatement',
  'ForInStatement',
  'WhileStatement',
  'DoWhileStatement',
  'BreakStatement',
  'ContinueStatement',
  'LabeledStatement',
  'ThrowStatement',
  'TryStatement',
  'CatchClause',
  'Identifier',
  'Literal',
  'TemplateLiteral',
  'TemplateElement',
  'ThisExpression',
  'ArrayExpression',
  'ObjectExpression',
  'Property',
  'UnaryExpression',
  'UpdateExpression',
  'BinaryExpression',
  'LogicalExpression',
  'AssignmentExpression',
  'ConditionalExpression',
  'SequenceExpression',
  'MemberExpression',
  'CallExpression',
  'NewExpression',
  'RestElement',
  'AwaitExpression',
]);

/** Why some common unlisted node types are refused, in words a reader recognises. */
const UNLISTED_NODE_TYPES: Readonly<Record<string, string>> = {
  ClassDeclaration: 'classes are not listed',
  ClassExpression: 'classes are not listed',
  ForOfStatement: '`for…of` is not listed (use for or for-in)',
  SpreadElement: 'spread syntax is not listed (only rest parameters are)',
  ObjectPattern: 'destructuring is not listed',
  ArrayPattern: 'destructuring is not listed',
  AssignmentPattern: 'default parameter values are not listed',
  ChainExpression: 'optional chaining (`?.`) is not listed',
  TaggedTemplateExpression: 'tagged templates are not listed (template literals are)',
  YieldExpression: 'generators are not listed',
  MetaProperty: '`new.target` / `import.meta` are not listed',
  ImportExpression: 'dynamic `import()` is not supported',
  DebuggerStatement: '`debugger` is not a listed statement',
  WithStatement: '`with` is not allowed in strict mode',
  Super: '`super` belongs to classes, which are not listed',
};

/** ES 5.1 assignment operators; `**=`, `&&=`, `||=` and `??=` are not listed. */
const LISTED_ASSIGNMENT_OPERATORS = new Set(['=', '+=', '-=', '*=', '/=', '%=', '<<=', '>>=', '>>>=', '&=', '|=', '^=']);

/** ES 5.1 flags plus sticky (`RegExp.prototype.sticky` is listed); not `u`, `s`, `d`, `v`. */
const LISTED_REGEXP_FLAGS = /^[gimy]*$/;

interface WalkState {
  readonly violations: string[];
  readonly source: string;
}

/**
 * Throws CloudFrontFunctionSyntaxError unless `source` is a script the runtime
 * accepts: strict-mode ES 5.1 plus the later syntax the page lists, no ES
 * module syntax, no dynamic code evaluation, and a top-level
 * `function handler(event)` (async allowed).
 */
export function assertRuntime20Syntax(source: string, filename = 'CloudFront Function'): void {
  const program = parseAsStrictScript(source, filename);
  const state: WalkState = { violations: [], source };

  const body = Array.isArray(program['body']) ? program['body'].filter(isAstNode) : [];
  const declaresHandler = body.some(
    (node) => node.type === 'FunctionDeclaration' && isAstNode(node['id']) && node['id']['name'] === 'handler',
  );
  if (!declaresHandler) state.violations.push('no top-level `function handler(event)` declaration');

  walk(program, null, state);
  if (state.violations.length > 0) throw new CloudFrontFunctionSyntaxError(filename, state.violations);
}

function parseAsStrictScript(source: string, filename: string): AstNode {
  const options: acorn.Options = {
    ecmaVersion: 'latest',
    sourceType: 'script',
    locations: true,
    allowHashBang: false,
    allowReturnOutsideFunction: false,
    allowAwaitOutsideFunction: false,
  };
  try {
    return acorn.parse(STRICT_MODE_PREFIX + source, options) as unknown as AstNode;
  } catch (scriptError) {
    let isModule = false;
    try {
      acorn.parse(source, { ...options, sourceType: 'module' });
      isModule = true;
    } catch {
      // Not a module either: report the script parse error.
    }
    if (isModule) {
      throw new CloudFrontFunctionSyntaxError(filename, [
        'ES module syntax (import/export) is not supported: CloudFront runs the function as a script',
      ]);
    }
    throw new CloudFrontFunctionSyntaxError(filename, [describeParseError(scriptError)]);
  }
}

function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const loc = (error as { loc?: { line?: unknown; column?: unknown } } | null)?.loc;
  if (loc && typeof loc.line === 'number' && typeof loc.column === 'number') {
    // The strict-mode prefix is one line; report positions in the caller's source.
    return `${message.replace(/\s*\(\d+:\d+\)$/, '')} (${loc.line - 1}:${loc.column}); strict mode applies`;
  }
  return message;
}

function at(node: AstNode): string {
  const start = node.loc?.start;
  return start ? `${start.line - 1}:${start.column}` : `offset ${node.start - STRICT_MODE_PREFIX.length}`;
}

function walk(node: AstNode, parent: AstNode | null, state: WalkState): void {
  checkNode(node, parent, state);
  for (const key of Object.keys(node)) {
    if (key === 'loc' || key === 'type') continue;
    const child = node[key];
    if (Array.isArray(child)) {
      for (const item of child) if (isAstNode(item)) walk(item, node, state);
    } else if (isAstNode(child)) {
      walk(child, node, state);
    }
  }
}

function checkNode(node: AstNode, parent: AstNode | null, state: WalkState): void {
  const refuse = (why: string): void => {
    state.violations.push(`${at(node)}: ${why}`);
  };
  if (!LISTED_NODE_TYPES.has(node.type)) {
    refuse(UNLISTED_NODE_TYPES[node.type] ?? `${node.type} is not listed as supported`);
    return;
  }
  switch (node.type) {
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      if (node['generator'] === true) refuse('generators are not listed');
      if (node['async'] === true && !(node.type === 'FunctionDeclaration' && parent?.type === 'Program')) {
        refuse('"async arguments and closures are not supported": only top-level async function declarations');
      }
      break;
    case 'RestElement':
      if (!(parent && isFunction(parent) && lastParam(parent) === node)) refuse('rest elements outside a parameter list are not listed');
      break;
    case 'CatchClause':
      if (node['param'] === null) refuse('optional catch binding (`catch {`) is not listed');
      break;
    case 'Property':
      if (node['shorthand'] === true) refuse('shorthand properties (`{ a }`) are not listed');
      if (node['method'] === true) refuse('method definitions (`{ f() {} }`) are not listed');
      if (node['computed'] === true) refuse('computed property names (`{ [k]: v }`) are not listed');
      break;
    case 'AssignmentExpression':
      if (!LISTED_ASSIGNMENT_OPERATORS.has(String(node['operator']))) refuse(`the ${String(node['operator'])} operator is not listed`);
      break;
    case 'LogicalExpression':
      if (node['operator'] === '??') refuse('nullish coalescing (`??`) is not listed');
      break;
    case 'MemberExpression':
    case 'CallExpression':
      if (node['optional'] === true) refuse('optional chaining (`?.`) is not listed');
      break;
    case 'Literal':
      checkLiteral(node, state.source, refuse);
      break;
    case 'TemplateElement':
      if (/\\u\{/.test(String((node['value'] as { raw?: unknown } | undefined)?.raw))) {
        refuse('`\\u{…}` escapes are not listed (six-character `\\uXXXX` escapes are)');
      }
      break;
    default:
      break;
  }
  if ((node.type === 'CallExpression' || node.type === 'NewExpression') && isAstNode(node['callee'])) {
    const name = node['callee'].type === 'Identifier' ? node['callee']['name'] : undefined;
    if (name === 'eval' || name === 'Function') {
      refuse(`dynamic code evaluation (${name}) is not supported: it throws in the runtime`);
    }
  }
}

function checkLiteral(node: AstNode, source: string, refuse: (why: string) => void): void {
  if (node['bigint'] !== undefined) {
    refuse('BigInt literals are not listed');
    return;
  }
  const regex = node['regex'] as { flags?: unknown } | undefined;
  if (regex !== undefined) {
    if (!LISTED_REGEXP_FLAGS.test(String(regex.flags)))
      refuse(`regular expression flags "${String(regex.flags)}" are not listed (g, i, m, y are)`);
    return;
  }
  const raw = typeof node['raw'] === 'string' ? node['raw'] : source.slice(node.start, Number(node['end']));
  if (typeof node['value'] === 'number' && /^0[bBoO]/.test(raw)) refuse('binary and octal (0b/0o) literals are not listed');
  if (typeof node['value'] === 'string' && /\\u\{/.test(raw))
    refuse('`\\u{…}` escapes are not listed (six-character `\\uXXXX` escapes are)');
}

function isFunction(node: AstNode): boolean {
  return node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression';
}

function lastParam(fn: AstNode): unknown {
  const params = fn['params'];
  return Array.isArray(params) ? params[params.length - 1] : undefined;
}
