/**
 * A local stand-in for the CloudFront Functions JavaScript runtime 2.0
 * (cloudfront-js-2.0): it checks a function's source against the syntax the
 * runtime documents, then runs it in a `node:vm` context that offers only
 * what the runtime offers. Tests run the built functions through it, and the
 * local edge runs them through it too, so it has no jest dependency.
 *
 * Source of truth: "JavaScript runtime 2.0 features for CloudFront Functions"
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-javascript-runtime-20.html
 * and "CloudFront Functions event structure"
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-event-structure.html
 * The page lists what is supported; what it does not list is refused here.
 *
 * What the sandbox offers: the ES built-ins the page lists (Object, Function,
 * Array, String, Number, Boolean, Symbol, Date, RegExp, Math, JSON, Promise,
 * ArrayBuffer, DataView, the nine typed arrays, the error types), the globals
 * it lists (globalThis, decodeURI(Component), encodeURI(Component), isFinite,
 * isNaN, parseFloat, parseInt, atob, btoa, NaN, Infinity, undefined) and a
 * `console` whose `log` takes exactly one argument, as documented.
 *
 * What it refuses, per "Restricted features": `eval` and the `Function`
 * constructor throw (V8 code generation from strings is off); there are no
 * timers (setTimeout, setInterval, setImmediate, queueMicrotask), no `process`,
 * no `require` or `module`, no file system, no network (`fetch`, XHR), no
 * environment. Code runs in strict mode, as the runtime always does.
 *
 * Left out although the page lists them, because no function here needs them
 * (add them here, in the sandbox's realm, when one does): TextEncoder,
 * TextDecoder, the Buffer module, `require('crypto' | 'querystring')`, the
 * KeyValueStore module, and InternalError (V8 has none). Not emulated: `Date`
 * freezing at the function's start time, and methods the page does not list
 * on objects it does list (e.g. Array.prototype.flat) are not removed: the
 * syntax and the set of globals are enforced, not every method.
 *
 * This mirrors the runtime's limits so that our functions cannot come to
 * depend on anything CloudFront lacks; like `node:vm` itself, it is not a
 * security boundary for hostile code. It does keep host objects out of the
 * function's reach: the context's global has a null prototype (with `{}`,
 * `this.constructor.constructor` would be the host's Function), events and
 * results cross as JSON strings, and the one host function the harness uses
 * (base64) stays in a closure and never throws.
 */
import * as acorn from 'acorn';
import { existsSync, readFileSync } from 'node:fs';
import { types } from 'node:util';
import vm from 'node:vm';
import { isPlainObject } from '../../edge-functions/core/safe-json';

export const RUNTIME_20_FEATURES_DOC =
  'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-javascript-runtime-20.html';

// ---------------------------------------------------------------------------
// Event and result shapes ("CloudFront Functions event structure")

/** A query string parameter, header or request cookie; `multiValue` only when the name repeats. */
export interface CloudFrontFunctionValue {
  value: string;
  multiValue?: { value: string }[];
}

/** A response cookie (`Set-Cookie`), whose attributes travel separately. */
export interface CloudFrontFunctionResponseCookie {
  value: string;
  attributes?: string;
  multiValue?: { value: string; attributes?: string }[];
}

export type CloudFrontFunctionValues = Record<string, CloudFrontFunctionValue>;

export interface CloudFrontFunctionRequest {
  /** Read-only: a returned request must keep the method it came with. */
  method: string;
  uri: string;
  querystring: CloudFrontFunctionValues;
  /** Lower-case names; `cookie` is not here but in `cookies`. */
  headers: CloudFrontFunctionValues;
  cookies: CloudFrontFunctionValues;
}

export interface CloudFrontFunctionResponse {
  /** An integer, not a string. */
  statusCode: number;
  statusDescription?: string;
  headers?: CloudFrontFunctionValues;
  cookies?: Record<string, CloudFrontFunctionResponseCookie>;
  /** Plain text, or `{encoding, data}` with `text` or `base64` data. */
  body?: string | { encoding: 'text' | 'base64'; data: string };
}

export interface CloudFrontFunctionViewerRequestEvent {
  version: '1.0';
  context: {
    distributionDomainName?: string;
    distributionId?: string;
    eventType: 'viewer-request';
    requestId?: string;
  };
  viewer: { ip: string };
  request: CloudFrontFunctionRequest;
}

export type CloudFrontFunctionOutcome =
  | {
      readonly kind: 'request';
      readonly request: CloudFrontFunctionRequest;
      /** The handler returned `event.request` itself (possibly changed), not a new object. */
      readonly returnedEventRequest: boolean;
      readonly logs: readonly string[];
    }
  | {
      readonly kind: 'response';
      readonly response: CloudFrontFunctionResponse;
      readonly logs: readonly string[];
    };

export interface CloudFrontFunction {
  /** Runs the handler once. Throws a CloudFrontFunctionError subclass when the function fails or answers something CloudFront would refuse. */
  run(event: CloudFrontFunctionViewerRequestEvent): CloudFrontFunctionOutcome;
}

export interface LoadOptions {
  /** Shown in stack traces and error messages. */
  readonly filename?: string;
  /**
   * Wall-clock limit for loading and for each run, in ms. The real limit is a
   * compute-utilization budget of about a millisecond; this only stops
   * runaway loops without making tests flaky on a busy machine.
   */
  readonly timeoutMs?: number;
}

// ---------------------------------------------------------------------------
// Errors

export abstract class CloudFrontFunctionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The source uses syntax the runtime does not list, or does not declare `function handler`. */
export class CloudFrontFunctionSyntaxError extends CloudFrontFunctionError {
  readonly violations: readonly string[];

  constructor(filename: string, violations: readonly string[]) {
    super(`${filename} does not fit cloudfront-js-2.0 (${RUNTIME_20_FEATURES_DOC}):\n  ${violations.join('\n  ')}`);
    this.violations = violations;
  }
}

/** The function threw, never settled, or ran past the time limit. */
export class CloudFrontFunctionRuntimeError extends CloudFrontFunctionError {
  readonly logs: readonly string[];

  constructor(message: string, logs: readonly string[] = []) {
    super(message);
    this.logs = logs;
  }
}

/** The function returned something that is neither a valid request nor a valid response. */
export class CloudFrontFunctionResultError extends CloudFrontFunctionError {}

// ---------------------------------------------------------------------------
// Syntax check

/** Prepended before parsing and running: the runtime always runs functions in strict mode. */
const STRICT_MODE_PREFIX = '"use strict";\n';

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
    if (!LISTED_REGEXP_FLAGS.test(String(regex.flags))) refuse(`regular expression flags "${String(regex.flags)}" are not listed (g, i, m, y are)`);
    return;
  }
  const raw = typeof node['raw'] === 'string' ? node['raw'] : source.slice(node.start, Number(node['end']));
  if (typeof node['value'] === 'number' && /^0[bBoO]/.test(raw)) refuse('binary and octal (0b/0o) literals are not listed');
  if (typeof node['value'] === 'string' && /\\u\{/.test(raw)) refuse('`\\u{…}` escapes are not listed (six-character `\\uXXXX` escapes are)');
}

function isFunction(node: AstNode): boolean {
  return node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression';
}

function lastParam(fn: AstNode): unknown {
  const params = fn['params'];
  return Array.isArray(params) ? params[params.length - 1] : undefined;
}

// ---------------------------------------------------------------------------
// The sandbox

/** Globals the page lists that V8 provides in every context; everything else is removed. */
const LISTED_GLOBALS = [
  'globalThis',
  'Object',
  'Function',
  'Array',
  'String',
  'Number',
  'Boolean',
  'Symbol',
  'Date',
  'RegExp',
  'Math',
  'JSON',
  'Promise',
  'ArrayBuffer',
  'DataView',
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Uint16Array',
  'Uint32Array',
  'Error',
  'EvalError',
  'RangeError',
  'ReferenceError',
  'SyntaxError',
  'TypeError',
  'URIError',
  'decodeURI',
  'decodeURIComponent',
  'encodeURI',
  'encodeURIComponent',
  'isFinite',
  'isNaN',
  'parseFloat',
  'parseInt',
  'NaN',
  'Infinity',
  'undefined',
  // Present so that calling it throws, as the page says it does.
  'eval',
];

const PRUNE_GLOBALS_SOURCE = `(function (keep) {
  Object.getOwnPropertyNames(globalThis).forEach(function (name) {
    if (keep.indexOf(name) === -1) delete globalThis[name];
  });
  return JSON.stringify(Object.getOwnPropertyNames(globalThis));
})(${JSON.stringify(LISTED_GLOBALS)})`;

/**
 * Runs inside the context, before the function's own code. It installs
 * `console`, `atob` and `btoa`, and the two entry points the host calls by
 * script (so the time limit and the microtask drain apply to the handler):
 * `__cfSandboxInvoke()` calls `handler`, `__cfSandboxCollect()` reports the
 * settled outcome as a JSON string. Only strings cross the boundary.
 */
const HARNESS_SOURCE = `(function (base64) {
  'use strict';
  var parse = JSON.parse, stringify = JSON.stringify, define = Object.defineProperty, freeze = Object.freeze;
  var pendingEvent = null, logs = [], state = null;

  function text(value) {
    try { return String(value); } catch (e) { return '[unprintable]'; }
  }
  function describe(error) {
    try {
      if (error !== null && typeof error === 'object' && typeof error.message === 'string') {
        return (typeof error.name === 'string' ? error.name + ': ' : '') + error.message;
      }
      return 'a non-Error value: ' + String(error);
    } catch (e) {
      return 'an unprintable value';
    }
  }
  function constant(name, value) {
    define(globalThis, name, { value: value, writable: false, enumerable: false, configurable: false });
  }
  function settle(ok, value) {
    state.settled = true;
    state.ok = ok;
    state.value = value;
  }

  define(globalThis, 'console', {
    value: freeze({
      log: function log(message) {
        if (arguments.length !== 1) {
          throw new TypeError('console.log takes one argument in cloudfront-js-2.0: concatenate the parts');
        }
        logs.push(text(message));
      }
    }),
    writable: true, enumerable: false, configurable: true
  });
  define(globalThis, 'btoa', { value: function btoa(data) {
    var encoded = base64('btoa', text(data));
    if (encoded === null) throw new TypeError('btoa: the string has characters outside Latin-1');
    return encoded;
  }, writable: true, enumerable: false, configurable: true });
  define(globalThis, 'atob', { value: function atob(data) {
    var decoded = base64('atob', text(data));
    if (decoded === null) throw new TypeError('atob: the string is not valid base64');
    return decoded;
  }, writable: true, enumerable: false, configurable: true });

  constant('__cfSandboxInvoke', function () {
    var event = parse(pendingEvent);
    pendingEvent = null;
    state = { settled: false, ok: false, value: undefined, request: event.request };
    try {
      var result = handler(event);
      if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
        result.then(function (value) { settle(true, value); }, function (error) { settle(false, error); });
      } else {
        settle(true, result);
      }
    } catch (error) {
      settle(false, error);
    }
  });

  constant('__cfSandboxCollect', function () {
    var s = state, report = { logs: logs };
    state = null;
    if (s === null || !s.settled) {
      report.error = 'the handler returned a promise that never settled (the runtime has no timers or I/O to settle it)';
    } else if (!s.ok) {
      report.error = 'the handler threw ' + describe(s.value);
    } else {
      report.returnedEventRequest = s.value === s.request;
      try {
        report.result = stringify(s.value);
      } catch (error) {
        report.invalidResult = 'the handler returned a value that cannot be serialized: ' + describe(error);
      }
      if (report.invalidResult === undefined && typeof report.result !== 'string') {
        report.invalidResult = 'the handler returned ' + (s.value === null ? 'null' : typeof s.value) + ', not a request or a response';
      }
    }
    return stringify(report);
  });

  return {
    prepare: function (eventJson) {
      pendingEvent = eventJson;
      logs = [];
      state = null;
    }
  };
})`;

const INVOKE_SOURCE = '__cfSandboxInvoke();';
const COLLECT_SOURCE = '__cfSandboxCollect();';

interface Harness {
  prepare(eventJson: string): void;
}

interface HarnessReport {
  logs: string[];
  /** The handler failed: threw, rejected or never settled. */
  error?: string;
  /** The handler finished, but with something that is no request or response at all. */
  invalidResult?: string;
  result?: string;
  returnedEventRequest?: boolean;
}

const DEFAULT_TIMEOUT_MS = 1000;

/**
 * Checks `source` with assertRuntime20Syntax, evaluates it in a fresh
 * cloudfront-js-2.0 sandbox and returns a runner for its `handler`. The
 * context lives as long as the returned object: globals the function sets
 * persist between runs, as they may on CloudFront.
 */
export function loadCloudFrontFunction(source: string, options: LoadOptions = {}): CloudFrontFunction {
  const filename = options.filename ?? 'cloudfront-function.js';
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  assertRuntime20Syntax(source, filename);

  const context = vm.createContext(Object.create(null), {
    name: filename,
    codeGeneration: { strings: false, wasm: false },
    microtaskMode: 'afterEvaluate',
  });

  const remaining = JSON.parse(String(vm.runInContext(PRUNE_GLOBALS_SOURCE, context))) as string[];
  const unexpected = remaining.filter((name) => !LISTED_GLOBALS.includes(name));
  if (unexpected.length > 0) throw new Error(`sandbox: could not remove the globals ${unexpected.join(', ')}`);

  const install = vm.runInContext(HARNESS_SOURCE, context, { filename: 'cloudfront-functions-sandbox:harness' }) as (
    base64: (operation: unknown, input: unknown) => string | null,
  ) => Harness;
  const harness = install(base64Codec);

  const functionScript = new vm.Script(STRICT_MODE_PREFIX + source, { filename, lineOffset: -1 });
  try {
    functionScript.runInContext(context, { timeout });
  } catch (error) {
    throw new CloudFrontFunctionRuntimeError(`${filename}: loading failed: ${describeThrown(error)}`);
  }

  const invoke = new vm.Script(INVOKE_SOURCE, { filename: 'cloudfront-functions-sandbox:invoke' });
  const collect = new vm.Script(COLLECT_SOURCE, { filename: 'cloudfront-functions-sandbox:collect' });

  return {
    run(event: CloudFrontFunctionViewerRequestEvent): CloudFrontFunctionOutcome {
      harness.prepare(JSON.stringify(event));
      runScript(invoke, context, timeout, filename);
      const raw = runScript(collect, context, timeout, filename);
      if (typeof raw !== 'string') throw new CloudFrontFunctionRuntimeError(`${filename}: the sandbox harness failed`);
      const report = JSON.parse(raw) as HarnessReport;
      const logs = Object.freeze(report.logs.slice());
      if (report.error !== undefined) throw new CloudFrontFunctionRuntimeError(`${filename}: ${report.error}`, logs);
      if (report.invalidResult !== undefined || report.result === undefined) {
        throw new CloudFrontFunctionResultError(`${filename}: ${report.invalidResult ?? 'no result'}`);
      }
      const value: unknown = JSON.parse(report.result);
      return toOutcome(value, event.request, report.returnedEventRequest === true, logs);
    },
  };
}

/** Reads a built function from disk and loads it; says how to build it when the file is missing. */
export function loadCloudFrontFunctionFile(path: string, options: LoadOptions = {}): CloudFrontFunction {
  if (!existsSync(path)) {
    throw new Error(`${path} does not exist: build it first with \`npm run build\` (or \`node scripts/build.mjs cloudfront-functions\`)`);
  }
  return loadCloudFrontFunction(readFileSync(path, 'utf8'), { filename: path, ...options });
}

/** The body of a generated response as bytes, whichever of the documented forms it uses. */
export function responseBody(response: CloudFrontFunctionResponse): Buffer {
  const body = response.body;
  if (body === undefined) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return body.encoding === 'base64' ? Buffer.from(body.data, 'base64') : Buffer.from(body.data, 'utf8');
}

function runScript(script: vm.Script, context: vm.Context, timeout: number, filename: string): unknown {
  try {
    return script.runInContext(context, { timeout });
  } catch (error) {
    throw new CloudFrontFunctionRuntimeError(`${filename}: ${describeThrown(error)}`);
  }
}

/** Describes a thrown value from either realm without handing it on. */
function describeThrown(error: unknown): string {
  if ((error as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return 'it ran past the time limit';
  if (types.isNativeError(error)) return `${error.name}: ${error.message}`;
  return `a non-Error value was thrown: ${String(error)}`;
}

/** Never throws: a host exception must not reach the sandbox, where its constructor chain would lead back to the host. */
function base64Codec(operation: unknown, input: unknown): string | null {
  try {
    if (typeof input !== 'string') return null;
    return operation === 'btoa' ? btoa(input) : atob(input);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------
// Result validation: what CloudFront would accept back from a viewer-request function

const REQUEST_KEYS = new Set(['method', 'uri', 'querystring', 'headers', 'cookies']);
const RESPONSE_KEYS = new Set(['statusCode', 'statusDescription', 'headers', 'cookies', 'body']);
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

type JsonObject = Record<string, unknown>;

function toOutcome(
  value: unknown,
  original: CloudFrontFunctionRequest,
  returnedEventRequest: boolean,
  logs: readonly string[],
): CloudFrontFunctionOutcome {
  if (!isPlainObject(value)) throw new CloudFrontFunctionResultError('the handler must return the request or a response object');
  if ('statusCode' in value) return { kind: 'response', response: assertResponse(value), logs };
  return { kind: 'request', request: assertRequest(value, original), returnedEventRequest, logs };
}

function assertRequest(value: JsonObject, original: CloudFrontFunctionRequest): CloudFrontFunctionRequest {
  assertOnlyKeys(value, REQUEST_KEYS, 'request');
  if (value['method'] !== original.method) throw new CloudFrontFunctionResultError('request.method is read-only');
  const uri = value['uri'];
  if (typeof uri !== 'string' || !uri.startsWith('/')) throw new CloudFrontFunctionResultError('request.uri must be a string that starts with /');
  return {
    method: original.method,
    uri,
    querystring: assertValues(value['querystring'], 'request.querystring', false),
    headers: assertValues(value['headers'], 'request.headers', true),
    cookies: assertValues(value['cookies'], 'request.cookies', false),
  };
}

function assertResponse(value: JsonObject): CloudFrontFunctionResponse {
  assertOnlyKeys(value, RESPONSE_KEYS, 'response');
  const statusCode = value['statusCode'];
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    throw new CloudFrontFunctionResultError('response.statusCode must be an integer HTTP status (a number, not a string)');
  }
  const response: CloudFrontFunctionResponse = { statusCode };
  const description = value['statusDescription'];
  if (description !== undefined) {
    if (typeof description !== 'string') throw new CloudFrontFunctionResultError('response.statusDescription must be a string');
    response.statusDescription = description;
  }
  if (value['headers'] !== undefined) response.headers = assertValues(value['headers'], 'response.headers', true);
  if (value['cookies'] !== undefined) response.cookies = assertResponseCookies(value['cookies']);
  if (value['body'] !== undefined) response.body = assertBody(value['body']);
  return response;
}

function assertOnlyKeys(value: JsonObject, allowed: ReadonlySet<string>, what: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) throw new CloudFrontFunctionResultError(`${what} has a field CloudFront does not know: ${key}`);
  }
}

function assertValues(value: unknown, what: string, headerNames: boolean): CloudFrontFunctionValues {
  if (!isPlainObject(value)) throw new CloudFrontFunctionResultError(`${what} must be an object`);
  const entries: [string, CloudFrontFunctionValue][] = [];
  for (const [name, field] of Object.entries(value)) {
    if (headerNames && !HEADER_NAME.test(name)) throw new CloudFrontFunctionResultError(`${what}: "${name}" is not a lower-case header name`);
    if (!isPlainObject(field) || typeof field['value'] !== 'string') throw new CloudFrontFunctionResultError(`${what}.${name} must be {value: string}`);
    const entry: CloudFrontFunctionValue = { value: field['value'] };
    const multi = field['multiValue'];
    if (multi !== undefined) {
      if (!Array.isArray(multi) || !multi.every((item) => isPlainObject(item) && typeof item['value'] === 'string')) {
        throw new CloudFrontFunctionResultError(`${what}.${name}.multiValue must be an array of {value: string}`);
      }
      entry.multiValue = multi.map((item: JsonObject) => ({ value: String(item['value']) }));
    }
    entries.push([name, entry]);
  }
  // fromEntries defines own properties: a name such as `__proto__` stays a name, not a prototype.
  return Object.fromEntries(entries);
}

function assertResponseCookies(value: unknown): Record<string, CloudFrontFunctionResponseCookie> {
  if (!isPlainObject(value)) throw new CloudFrontFunctionResultError('response.cookies must be an object');
  const entries: [string, CloudFrontFunctionResponseCookie][] = [];
  for (const [name, field] of Object.entries(value)) {
    if (!isPlainObject(field) || typeof field['value'] !== 'string') throw new CloudFrontFunctionResultError(`response.cookies.${name} must be {value: string}`);
    if (field['attributes'] !== undefined && typeof field['attributes'] !== 'string') {
      throw new CloudFrontFunctionResultError(`response.cookies.${name}.attributes must be a string`);
    }
    const cookie: CloudFrontFunctionResponseCookie = { value: field['value'] };
    if (typeof field['attributes'] === 'string') cookie.attributes = field['attributes'];
    const multi = field['multiValue'];
    if (multi !== undefined) {
      if (!Array.isArray(multi) || !multi.every((item) => isPlainObject(item) && typeof item['value'] === 'string')) {
        throw new CloudFrontFunctionResultError(`response.cookies.${name}.multiValue must be an array of {value: string}`);
      }
      cookie.multiValue = multi.map((item: JsonObject) => ({
        value: String(item['value']),
        ...(typeof item['attributes'] === 'string' ? { attributes: item['attributes'] } : {}),
      }));
    }
    entries.push([name, cookie]);
  }
  return Object.fromEntries(entries);
}

function assertBody(value: unknown): NonNullable<CloudFrontFunctionResponse['body']> {
  if (typeof value === 'string') return value;
  if (!isPlainObject(value) || typeof value['data'] !== 'string' || (value['encoding'] !== 'text' && value['encoding'] !== 'base64')) {
    throw new CloudFrontFunctionResultError('response.body must be a string or {encoding: "text" | "base64", data: string}');
  }
  if (value['encoding'] === 'base64' && !BASE64.test(value['data'])) {
    throw new CloudFrontFunctionResultError('response.body.data is not valid base64 (CloudFront answers an error)');
  }
  return { encoding: value['encoding'], data: value['data'] };
}
