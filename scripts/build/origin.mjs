// The regional AuthLambda: one minified CommonJS file exporting `handler`.
// The AWS SDK v3 Cognito client is bundled (not left to the Lambda runtime's copy),
// so the exact version we test is the one that runs, and the same file runs locally.
import { bundleLambda, kb } from '../lib/esbuild-node.mjs';

export const ORIGIN_AUTH_BUNDLE = 'dist/origin/auth/index.js';

/**
 * @param {{ outfile?: string }} [options] where to write the bundle (tests build into a temp dir)
 * @returns {Promise<string>} a one-line summary
 */
export async function build(options = {}) {
  const outfile = options.outfile ?? ORIGIN_AUTH_BUNDLE;
  return `${outfile} ${kb(await bundleLambda({ entry: 'origin/auth/index.ts', outfile }))}`;
}
