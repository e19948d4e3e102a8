// The upload inspector Lambda (S3 ObjectCreated on uploads/): one minified
// CommonJS file exporting `handler`, its S3 client bundled.
import { bundleLambda, kb } from '../lib/esbuild-node.mjs';

export const INSPECTOR_BUNDLE = 'dist/origin/inspector/index.js';

/**
 * @param {{ outfile?: string }} [options] where to write the bundle (tests build into a temp dir)
 * @returns {Promise<string>} a one-line summary
 */
export async function build(options = {}) {
  const outfile = options.outfile ?? INSPECTOR_BUNDLE;
  return `${outfile} ${kb(await bundleLambda({ entry: 'origin/inspector/index.ts', outfile }))}`;
}
