// Builds the CloudFront Functions (runtime cloudfront-js-2.0) into
// dist/edge-functions/<name>.js: one minified plain script per function, with
// a top-level `function handler(event)` and no module syntax, because that is
// what CloudFront runs. Constants the source imports (the auth route table)
// are compiled in, so they are defined once, in edge-functions/core.
//
// Two esbuild passes:
// 1. bundle as ESM with tree shaking on, so a function carries only what it
//    uses (one entry of the error table, edge-functions/contract/http-errors.ts,
//    not all of them). The entry is read with one line added, `export {
//    handler }`, which keeps the never-called `handler` alive; that one
//    export statement is then cut from the output, so the text has no
//    import/export at all. (An IIFE bundle would hide `handler` in a closure;
//    CommonJS would add shims.) That text is checked to be a plain script
//    declaring `handler` at the top.
// 2. wrap it in an arrow function that returns `handler`, minify, and add a
//    top-level `function handler(event)` that calls it. Inside the wrapper
//    every name is local, so esbuild shortens all of them; a plain script's
//    top-level names are globals that it must keep, and the long names of the
//    route table and helpers alone cost ~300 bytes of the 2 KB budget.
//
// The target is ES5 plus exactly the later syntax that the runtime documents
// ("JavaScript runtime 2.0 features for CloudFront Functions"), so esbuild
// refuses, or lowers, anything else at build time. The full syntax check and
// the sandboxed runs are in test/edge-functions/cloudfront-functions.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import * as acorn from 'acorn';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const CLOUDFRONT_FUNCTIONS = Object.freeze(['site-router', 'auth-guard']);

/** Budget (BENCHMARKS.md): each CloudFront Function source ≤ 2 KB (the AWS limit is 10 KB). */
export const CLOUDFRONT_FUNCTION_BUDGET_BYTES = 2048;

export const sourcePath = (name) => path.join(root, 'edge-functions', 'cloudfront-functions', `${name}.ts`);
export const outputPath = (name) => path.join(root, 'dist', 'edge-functions', `${name}.js`);

/** Later-than-ES5 syntax the runtime documents as supported; everything else stays off. */
const RUNTIME_20_SYNTAX = {
  'const-and-let': true,
  arrow: true,
  'rest-argument': true,
  'template-literal': true,
  'exponent-operator': true,
  'async-await': true,
  'regexp-named-capture-groups': true,
};

/** The one other global of a built function: the bundled handler that the top-level `handler` calls. */
const IMPLEMENTATION = 'bundledHandler';

const common = {
  target: 'es5',
  supported: RUNTIME_20_SYNTAX,
  charset: 'utf8',
  legalComments: 'none',
  logLevel: 'silent',
};

async function buildOne(name) {
  const source = sourcePath(name);
  const bundled = await esbuild.build({
    ...common,
    stdin: {
      contents: `${await readFile(source, 'utf8')}\nexport { handler };\n`,
      loader: 'ts',
      resolveDir: path.dirname(source),
      sourcefile: path.basename(source),
    },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    treeShaking: true,
    write: false,
  });
  const [file] = bundled.outputFiles;
  if (!file) throw new Error(`${name}: esbuild produced no output`);
  const EXPORT_HANDLER = /\nexport\s*\{\s*handler\s*\};?\s*$/;
  if (!EXPORT_HANDLER.test(file.text)) throw new Error(`${name}: the bundle does not end in export { handler }`);
  const script = file.text.replace(EXPORT_HANDLER, '\n');
  assertPlainScriptWithHandler(`${name} (bundle)`, script);
  const wrapped =
    `const ${IMPLEMENTATION}=(()=>{${script}\nreturn handler})();` + `function handler(event){return ${IMPLEMENTATION}(event)}`;
  const minified = await esbuild.transform(wrapped, { ...common, loader: 'js', minify: true });
  const code = `${minified.code.trimEnd()}\n`;
  assertPlainScriptWithHandler(name, code);

  const bytes = Buffer.byteLength(code, 'utf8');
  if (bytes > CLOUDFRONT_FUNCTION_BUDGET_BYTES) {
    throw new Error(`${name}: ${bytes} bytes, over the ${CLOUDFRONT_FUNCTION_BUDGET_BYTES}-byte budget in BENCHMARKS.md`);
  }
  const out = outputPath(name);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, code, 'utf8');
  return `${name}.js ${bytes} B`;
}

/** What CloudFront needs to find: a script (not a module) declaring `handler` at the top, and no `require`. */
function assertPlainScriptWithHandler(name, code) {
  let program;
  try {
    program = acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'script' });
  } catch (error) {
    throw new Error(`${name}: the bundle is not a plain script: ${error.message}`);
  }
  const hasHandler = program.body.some((node) => node.type === 'FunctionDeclaration' && node.id && node.id.name === 'handler');
  if (!hasHandler) throw new Error(`${name}: the bundle has no top-level function handler`);
  if (/\brequire\s*\(/.test(code)) throw new Error(`${name}: the bundle calls require()`);
}

export async function build() {
  const summaries = [];
  for (const name of CLOUDFRONT_FUNCTIONS) summaries.push(await buildOne(name));
  return summaries.join(', ');
}
