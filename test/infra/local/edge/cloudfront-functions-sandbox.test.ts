/**
 * The cloudfront-js-2.0 sandbox itself: what it refuses to parse, what it
 * refuses to offer at run time, and how it reports a function's failures.
 * The function sources here are tiny on purpose; each would pass if the
 * sandbox were more permissive than the runtime.
 */
import {
  CloudFrontFunctionResultError,
  CloudFrontFunctionRuntimeError,
  CloudFrontFunctionSyntaxError,
  assertRuntime20Syntax,
  loadCloudFrontFunction,
  loadCloudFrontFunctionFile,
  responseBody,
  type CloudFrontFunctionOutcome,
  type CloudFrontFunctionViewerRequestEvent,
} from '../../../support/cloudfront-functions-sandbox';
import { loadFixture } from '../../../support/fixtures';

const assetEvent = (): CloudFrontFunctionViewerRequestEvent =>
  loadFixture<CloudFrontFunctionViewerRequestEvent>('cloudfront-functions/site-asset.json');

function runSource(source: string, event = assetEvent()): CloudFrontFunctionOutcome {
  return loadCloudFrontFunction(source, { filename: 'probe.js' }).run(event);
}

/** Runs `expression` inside a handler and returns what it evaluated to, as text, through a request header. */
function evaluate(expression: string): string {
  const outcome = runSource(`function handler(event) {
    var request = event.request;
    request.headers['x-probe'] = { value: String(${expression}) };
    return request;
  }`);
  if (outcome.kind !== 'request') throw new Error('probe answered a response');
  const probe = outcome.request.headers['x-probe'];
  if (probe === undefined) throw new Error('probe header missing');
  return probe.value;
}

function syntaxViolations(source: string): readonly string[] {
  try {
    assertRuntime20Syntax(source, 'probe.js');
  } catch (error) {
    if (error instanceof CloudFrontFunctionSyntaxError) return error.violations;
    throw error;
  }
  return [];
}

describe('assertRuntime20Syntax: syntax the runtime 2.0 page does not list is refused', () => {
  const handler = 'function handler(event) { return event.request; }\n';

  it.each([
    ['an ES module export', 'export function handler(event) { return event.request; }', /ES module syntax/],
    ['an ES module import', `import x from 'y';\n${handler}`, /ES module syntax/],
    ['a class', `class A {}\n${handler}`, /classes/],
    ['a class expression', `var A = class {};\n${handler}`, /classes/],
    ['object destructuring', 'function handler(event) { var { request } = event; return request; }', /destructuring/],
    ['array destructuring', `var [a] = [1];\n${handler}`, /destructuring/],
    ['destructuring a parameter', 'function handler({ request }) { return request; }', /destructuring/],
    ['spread in a call', `Math.max(...[1, 2]);\n${handler}`, /spread/],
    ['spread in an array', `var a = [...[1]];\n${handler}`, /spread/],
    ['spread in an object', `var a = { ...{} };\n${handler}`, /spread/],
    ['for…of', `for (var x of [1]) {}\n${handler}`, /for…of/],
    ['a default parameter', 'function handler(event = {}) { return event.request; }', /default parameter/],
    ['optional chaining', 'function handler(event) { return event?.request; }', /optional chaining/],
    ['an optional call', `var f; f?.();\n${handler}`, /optional chaining/],
    ['nullish coalescing', 'function handler(event) { return event.request ?? null; }', /nullish/],
    ['logical assignment', `var a; a ||= 1;\n${handler}`, /\|\|= operator/],
    ['exponent assignment', `var a = 2; a **= 2;\n${handler}`, /\*\*= operator/],
    ['a generator', `function* g() { yield 1; }\n${handler}`, /generators/],
    ['an async arrow function', `var f = async () => 1;\n${handler}`, /async arguments and closures/],
    ['an async function expression', `var f = async function () {};\n${handler}`, /async arguments and closures/],
    [
      'a nested async function',
      'function handler(event) { async function inner() {} return event.request; }',
      /async arguments and closures/,
    ],
    ['a tagged template', `String.raw\`x\`;\n${handler}`, /tagged templates/],
    ['the regexp u flag', `var r = /a/u;\n${handler}`, /flags "u"/],
    ['the regexp s flag', `var r = /a/s;\n${handler}`, /flags "s"/],
    ['a shorthand property', `var a = 1, o = { a };\n${handler}`, /shorthand/],
    ['a method definition', `var o = { f() {} };\n${handler}`, /method definitions/],
    ['a computed property name', `var k = 'a', o = { [k]: 1 };\n${handler}`, /computed property/],
    ['optional catch binding', `try {} catch {}\n${handler}`, /optional catch binding/],
    ['a BigInt literal', `var n = 1n;\n${handler}`, /BigInt/],
    ['a binary literal', `var n = 0b101;\n${handler}`, /binary and octal/],
    ['a code point escape', `var s = '\\u{1F600}';\n${handler}`, /`\\u\{…\}` escapes/],
    ['new.target', 'function handler(event) { return new.target || event.request; }', /new\.target/],
    ['dynamic import()', 'function handler(event) { import("x"); return event.request; }', /dynamic `import\(\)`/],
    ['debugger', 'function handler(event) { debugger; return event.request; }', /debugger/],
    ['eval', 'function handler(event) { return eval("event.request"); }', /dynamic code evaluation \(eval\)/],
    ['the Function constructor', 'function handler(event) { return new Function("return 1")(); }', /dynamic code evaluation \(Function\)/],
    ['a legacy octal literal (strict mode)', `var n = 010;\n${handler}`, /strict mode/],
    ['with (strict mode)', 'function handler(event) { with (event) { return request; } }', /strict mode/],
    ['no handler at all', 'function other(event) { return event.request; }', /no top-level `function handler/],
    ['a handler that is not a declaration', 'const handler = (event) => event.request;', /no top-level `function handler/],
    ['a handler nested in a block', '{ function handler(event) { return event.request; } }', /no top-level `function handler/],
  ])('refuses %s', (_name, source, why) => {
    const violations = syntaxViolations(source);
    expect(violations.length).toBeGreaterThan(0);
    expect(violations.join('\n')).toMatch(why);
  });

  it('reports positions in the caller’s own lines, not the strict-mode prefix', () => {
    expect(syntaxViolations(`${handler}var o = {\n  f() {}\n};`)).toEqual([expect.stringMatching(/^3:2: method definitions/)]);
  });

  it('names the documentation page in the error', () => {
    expect(() => assertRuntime20Syntax('class A {}', 'probe.js')).toThrow(/functions-javascript-runtime-20\.html/);
  });

  it.each([
    ['const and let', 'const a = 1; let b = 2;\nfunction handler(event) { return event.request; }'],
    ['arrow functions', 'const f = (x) => x;\nfunction handler(event) { return f(event.request); }'],
    ['template literals, nested', 'const s = `a${`b${1}`}`;\nfunction handler(event) { return event.request; }'],
    ['rest parameters', 'function f(...args) { return args; }\nfunction handler(event) { return event.request; }'],
    ['the exponent operator', 'const n = 2 ** 10;\nfunction handler(event) { return event.request; }'],
    ['an async top-level handler with await', 'async function handler(event) { return await Promise.resolve(event.request); }'],
    ['named capture groups and the sticky flag', 'const r = /(?<y>\\d{4})/y;\nfunction handler(event) { return event.request; }'],
    ['numeric separators', 'const n = 1_000_000;\nfunction handler(event) { return event.request; }'],
    ['getters and setters', 'const o = { get a() { return 1; }, set a(v) {} };\nfunction handler(event) { return event.request; }'],
    [
      'ES 5.1 statements',
      `function handler(event) {
      var n = 0;
      outer: for (var k in event.request.headers) { n++; if (n > 9) break outer; else continue; }
      do { n--; } while (n > 0);
      switch (n) { case 0: break; default: n = 1; }
      try { throw new TypeError('x'); } catch (e) { n = 2; } finally { n = 3; }
      return event.request;
    }`,
    ],
    ['six-character unicode escapes', "const s = '\\u0061';\nfunction handler(event) { return event.request; }"],
  ])('accepts %s', (_name, source) => {
    expect(syntaxViolations(source)).toEqual([]);
  });
});

describe('the sandbox offers only what the runtime offers', () => {
  it.each([
    'require',
    'process',
    'module',
    'exports',
    'setTimeout',
    'setInterval',
    'setImmediate',
    'clearTimeout',
    'queueMicrotask',
    'fetch',
    'XMLHttpRequest',
    'Buffer',
    'global',
    'Map',
    'Set',
    'WeakMap',
    'Proxy',
    'Reflect',
    'BigInt',
    'Intl',
    'WebAssembly',
    'SharedArrayBuffer',
    'Atomics',
  ])('%s is not defined', (name) => {
    expect(evaluate(`typeof ${name}`)).toBe('undefined');
  });

  it.each([
    ['globalThis', 'object'],
    ['console', 'object'],
    ['console.log', 'function'],
    ['atob', 'function'],
    ['btoa', 'function'],
    ['decodeURIComponent', 'function'],
    ['encodeURIComponent', 'function'],
    ['parseInt', 'function'],
    ['JSON', 'object'],
    ['Math', 'object'],
    ['Promise', 'function'],
    ['Uint8Array', 'function'],
    ['DataView', 'function'],
    ['Symbol', 'function'],
    ['URIError', 'function'],
  ])('%s is there, as the page lists it (%s)', (name, type) => {
    expect(evaluate(`typeof ${name}`)).toBe(type);
  });

  it('runs in strict mode', () => {
    expect(evaluate('(function () { return this === undefined; })()')).toBe('true');
  });

  it('decodes and encodes base64 with atob and btoa', () => {
    expect(evaluate("btoa('edge') + ' ' + atob('dXBsb2Fk')")).toBe('ZWRnZQ== upload');
  });

  it('refuses require() at run time', () => {
    expect(() => runSource("function handler(event) { var fs = require('fs'); return event.request; }")).toThrow(
      /ReferenceError: require is not defined/,
    );
  });

  it('refuses process at run time', () => {
    expect(() => runSource('function handler(event) { process.exit(1); return event.request; }')).toThrow(
      /ReferenceError: process is not defined/,
    );
  });

  it('refuses timers at run time', () => {
    expect(() => runSource('function handler(event) { setTimeout(function () {}, 0); return event.request; }')).toThrow(
      /ReferenceError: setTimeout is not defined/,
    );
  });

  it.each([
    ['eval reached indirectly', "globalThis['ev' + 'al']('1')"],
    ['the Function constructor reached through a function', "(function () {}).constructor('return 1')()"],
    ['the Function constructor reached through an object', "({}).constructor.constructor('return process')()"],
    ['the Function constructor reached through console.log', "console.log.constructor('return process')()"],
    ['the Function constructor reached through atob', "atob.constructor('return process')()"],
    ['the Function constructor reached through the global object', "globalThis.constructor.constructor('return process')()"],
  ])('refuses dynamic code evaluation: %s', (_name, expression) => {
    expect(() => runSource(`function handler(event) { ${expression}; return event.request; }`)).toThrow(
      /EvalError: Code generation from strings disallowed/,
    );
  });
});

describe('running a function', () => {
  it('hands over a copy of the event and reports whether the request object itself came back', () => {
    const event = assetEvent();
    const before = JSON.stringify(event);
    const outcome = runSource("function handler(event) { event.request.uri = '/changed'; return event.request; }", event);
    expect(outcome).toMatchObject({ kind: 'request', returnedEventRequest: true, request: { uri: '/changed' } });
    expect(JSON.stringify(event)).toBe(before);
  });

  it('tells a new request object from the event’s own', () => {
    const outcome = runSource(`function handler(event) {
      var r = event.request;
      return { method: r.method, uri: r.uri, querystring: r.querystring, headers: r.headers, cookies: r.cookies };
    }`);
    expect(outcome).toMatchObject({ kind: 'request', returnedEventRequest: false });
  });

  it('keeps a cookie named __proto__ as a cookie, not as a prototype', () => {
    const event = assetEvent();
    event.request.cookies = JSON.parse('{"__proto__": {"value": "x"}}') as typeof event.request.cookies;
    const outcome = runSource('function handler(event) { return event.request; }', event);
    if (outcome.kind !== 'request') throw new Error('expected a request');
    expect(Object.getPrototypeOf(outcome.request.cookies)).toBe(Object.prototype);
    expect(Object.entries(outcome.request.cookies)).toEqual([['__proto__', { value: 'x' }]]);
  });

  it('awaits an async handler', () => {
    const outcome = runSource(`async function handler(event) {
      var status = await Promise.resolve(204);
      return { statusCode: status, statusDescription: 'No Content' };
    }`);
    expect(outcome).toEqual({ kind: 'response', response: { statusCode: 204, statusDescription: 'No Content' }, logs: [] });
  });

  it('collects console.log lines, one argument each', () => {
    const outcome = runSource("function handler(event) { console.log('uri ' + event.request.uri); return event.request; }");
    expect(outcome.logs).toEqual(['uri /assets/index-4f9c2a.js']);
  });

  it('refuses console.log with several arguments, as the runtime does', () => {
    expect(() => runSource("function handler(event) { console.log('a', 'b'); return event.request; }")).toThrow(
      /console\.log takes one argument/,
    );
  });

  it('reports a throwing handler without handing over the thrown object', () => {
    let caught: unknown;
    try {
      runSource("function handler(event) { throw new RangeError('boom'); }");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CloudFrontFunctionRuntimeError);
    expect(String((caught as Error).message)).toMatch(/the handler threw RangeError: boom/);
  });

  it('reports a rejected promise', () => {
    expect(() => runSource("async function handler(event) { throw new Error('late'); }")).toThrow(/the handler threw Error: late/);
  });

  it('reports a promise that never settles', () => {
    expect(() => runSource('async function handler(event) { await new Promise(function () {}); return event.request; }')).toThrow(
      /never settled/,
    );
  });

  it('stops a handler that runs past the time limit', () => {
    const fn = loadCloudFrontFunction('function handler(event) { for (;;) {} }', { timeoutMs: 50 });
    expect(() => fn.run(assetEvent())).toThrow(/ran past the time limit/);
  });

  it('stops top-level code that runs past the time limit', () => {
    expect(() => loadCloudFrontFunction('while (true) {}\nfunction handler(event) { return event.request; }', { timeoutMs: 50 })).toThrow(
      /loading failed: it ran past the time limit/,
    );
  });

  it('keeps the function’s globals between runs, like a warm runtime', () => {
    const fn = loadCloudFrontFunction(`var count = 0;
      function handler(event) { count++; return { statusCode: 200, headers: { 'x-count': { value: String(count) } } }; }`);
    fn.run(assetEvent());
    const second = fn.run(assetEvent());
    expect(second).toMatchObject({ kind: 'response', response: { headers: { 'x-count': { value: '2' } } } });
  });

  it('fails clearly when a built file is missing', () => {
    expect(() => loadCloudFrontFunctionFile('/nonexistent/site-router.js')).toThrow(/does not exist: build it first/);
  });
});

describe('results CloudFront would refuse are reported, not passed on', () => {
  it.each([
    ['undefined', 'return undefined;', /returned undefined/],
    ['a string', "return 'ok';", /must return the request or a response/],
    ['a string status code', "return { statusCode: '200' };", /integer HTTP status/],
    ['a status code out of range', 'return { statusCode: 42 };', /integer HTTP status/],
    ['an unknown response field', 'return { statusCode: 200, status: 200 };', /does not know: status/],
    ['an upper-case header name', "return { statusCode: 200, headers: { 'Content-Type': { value: 'x' } } };", /lower-case header name/],
    ['a header without value', "return { statusCode: 200, headers: { 'x-a': 'b' } };", /must be \{value: string\}/],
    ['an unknown body encoding', "return { statusCode: 200, body: { encoding: 'gzip', data: '' } };", /response\.body must be/],
    ['invalid base64 body data', "return { statusCode: 200, body: { encoding: 'base64', data: '***' } };", /not valid base64/],
    ['a changed method', "event.request.method = 'DELETE'; return event.request;", /request\.method is read-only/],
    ['a relative uri', "event.request.uri = 'index.html'; return event.request;", /must be a string that starts with \//],
    ['a request without headers', 'delete event.request.headers; return event.request;', /request\.headers must be an object/],
    ['a request with a body', "event.request.body = 'x'; return event.request;", /does not know: body/],
  ])('refuses %s', (_name, body, why) => {
    let caught: unknown;
    try {
      runSource(`function handler(event) { ${body} }`);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CloudFrontFunctionResultError);
    expect(String((caught as Error).message)).toMatch(why);
  });

  it('accepts both documented body forms', () => {
    const text = runSource("function handler(event) { return { statusCode: 200, body: 'plain' }; }");
    const encoded = runSource("function handler(event) { return { statusCode: 200, body: { encoding: 'base64', data: 'aGk=' } }; }");
    if (text.kind !== 'response' || encoded.kind !== 'response') throw new Error('expected responses');
    expect(responseBody(text.response).toString('utf8')).toBe('plain');
    expect(responseBody(encoded.response).toString('utf8')).toBe('hi');
  });
});
