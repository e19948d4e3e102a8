// The two ways this project bundles for Node, shared by the build targets in
// scripts/build/. Lambdas are self-contained: every dependency (AWS SDK
// clients included) is compiled in, so the version we test is the version that
// runs. Tools run from this checkout and load npm packages from node_modules.
import { build as esbuild } from 'esbuild';
import { statSync } from 'node:fs';
import { uploadRulesPlugin } from './upload-rules.mjs';

// Every bundle gets the upload rules compiled in from edge-functions/upload-rules.yaml (upload-rules.mjs).
const NODE = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [uploadRulesPlugin()],
};

/**
 * A Lambda (or Lambda@Edge) bundle: one minified CommonJS file.
 * keepNames: error class names reach the log lines intact.
 * mainFields: the SDK's ES module builds let esbuild drop the commands never sent.
 */
export async function bundleLambda({ entry, outfile, ...overrides }) {
  await esbuild({ ...NODE, entryPoints: [entry], outfile, minify: true, keepNames: true, mainFields: ['module', 'main'], ...overrides });
  return statSync(outfile).size;
}

/** A command-line tool, the local stack or the CDK app: the project's code compiled in, npm packages left external. */
export async function bundleTool({ entry, outfile }) {
  await esbuild({ ...NODE, entryPoints: [entry], outfile, packages: 'external', sourcemap: 'linked', keepNames: true });
  return statSync(outfile).size;
}

export const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
