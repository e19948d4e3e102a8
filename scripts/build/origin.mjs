// The regional AuthLambda: one minified CommonJS file exporting `handler`.
// The AWS SDK v3 Cognito client is bundled (not left to the Lambda runtime's copy),
// so the exact version we test is the one that runs, and the same file runs locally.
import { build as esbuild } from 'esbuild';
import { statSync } from 'node:fs';

export const ORIGIN_AUTH_BUNDLE = 'dist/origin/auth/index.js';

/**
 * @param {{ outfile?: string }} [options] where to write the bundle (tests build into a temp dir)
 * @returns {Promise<string>} a one-line summary
 */
export async function build(options = {}) {
  const outfile = options.outfile ?? ORIGIN_AUTH_BUNDLE;
  await esbuild({
    entryPoints: ['origin/auth/index.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    // Class and function names survive minification, so error names and stacks in the logs stay readable.
    keepNames: true,
    legalComments: 'none',
    // The SDK's ES module builds let esbuild drop the Cognito commands we never send (~15% smaller).
    mainFields: ['module', 'main'],
    logLevel: 'warning',
  });
  const bytes = statSync(outfile).size;
  return `${outfile} ${(bytes / 1024).toFixed(1)} KB`;
}
