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
import { existsSync, readFileSync } from 'node:fs';
import { types } from 'node:util';
import vm from 'node:vm';
import { CloudFrontFunctionResultError, CloudFrontFunctionRuntimeError } from './cloudfront-function-errors';
import { toOutcome } from './cloudfront-function-result';
import type {
  CloudFrontFunction,
  CloudFrontFunctionOutcome,
  CloudFrontFunctionResponse,
  CloudFrontFunctionViewerRequestEvent,
  LoadOptions,
} from './cloudfront-function-shapes';
import { assertRuntime20Syntax, STRICT_MODE_PREFIX } from './cloudfront-function-syntax';

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
