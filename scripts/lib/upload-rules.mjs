// The upload rules at build time: edge-functions/upload-rules.yaml is
// validated once per build by the same validator the tests use
// (edge-functions/upload-rules-file.ts) and compiled into every bundle as
// plain data. The esbuild plugin resolves edge-functions/core/upload-rules-source.ts
// to `export const UPLOAD_RULES_DATA = {...}`, so neither the validator nor
// the `yaml` package reaches the edge or the browser. A bad file fails the
// build with one esbuild error per problem, each at its file and line.
import { build as esbuild } from 'esbuild';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const UPLOAD_RULES_FILE = path.join(root, 'edge-functions', 'upload-rules.yaml');
const SOURCE_MODULE = path.join(root, 'edge-functions', 'core', 'upload-rules-source.ts');
const VALIDATOR = path.join(root, 'edge-functions', 'upload-rules-file.ts');

let validator;

/** The TypeScript validator, compiled in memory (the build scripts are plain Node). */
async function loadValidator() {
  if (validator === undefined) {
    const out = await esbuild({
      entryPoints: [VALIDATOR],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      write: false,
      logLevel: 'silent',
    });
    const module = { exports: {} };
    new Function('module', 'exports', 'require', out.outputFiles[0].text)(module, module.exports, createRequire(import.meta.url));
    validator = module.exports;
  }
  return validator;
}

/**
 * Reads and validates a rules file. Resolves to the rules as plain data;
 * rejects with the validator's UploadRulesError, whose message lists every
 * problem as `file:line: message` (file as given, relative to the checkout
 * when it is inside it).
 * @param {string} [file]
 */
export async function compileUploadRules(file = UPLOAD_RULES_FILE) {
  const { parseUploadRules, UploadRulesError } = await loadValidator();
  const shown = path.relative(process.cwd(), file).startsWith('..') ? file : path.relative(process.cwd(), file);
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UploadRulesError(shown, [
      { file: shown, line: 1, field: '', message: `cannot read the upload rules file (${error.code ?? 'unreadable'})` },
    ]);
  }
  return parseUploadRules(text, shown);
}

/**
 * The esbuild plugin every bundle of this project uses (scripts/lib/esbuild-node.mjs, scripts/build/site.mjs).
 * @param {{ file?: string }} [options] another rules file (tests)
 */
export function uploadRulesPlugin(options = {}) {
  const file = options.file ?? UPLOAD_RULES_FILE;
  return {
    name: 'upload-rules',
    setup(build) {
      build.onResolve({ filter: /[\\/]upload-rules-source$/ }, (args) => {
        if (path.resolve(args.resolveDir, `${args.path}.ts`) !== SOURCE_MODULE) return undefined;
        return { path: SOURCE_MODULE, namespace: 'upload-rules' };
      });
      build.onLoad({ filter: /.*/, namespace: 'upload-rules' }, async () => {
        try {
          const rules = await compileUploadRules(file);
          return { contents: `export const UPLOAD_RULES_DATA = ${JSON.stringify(rules)};\n`, loader: 'js', watchFiles: [file] };
        } catch (error) {
          if (!Array.isArray(error?.problems)) throw error;
          return {
            errors: error.problems.map((p) => ({
              text: `invalid upload rules: ${p.message}`,
              location: { file: p.file, line: p.line, column: 0 },
            })),
            watchFiles: [file],
          };
        }
      });
    },
  };
}
