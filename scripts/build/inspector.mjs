// The upload inspector Lambda (S3 ObjectCreated on uploads/): one minified
// CommonJS file exporting `handler`. The S3 client is bundled (not left to the
// Lambda runtime's copy), so the exact version we test is the one that runs.
import { build as esbuild } from 'esbuild';
import { statSync } from 'node:fs';

export const INSPECTOR_BUNDLE = 'dist/origin/inspector/index.js';

/**
 * @param {{ outfile?: string }} [options] where to write the bundle (tests build into a temp dir)
 * @returns {Promise<string>} a one-line summary
 */
export async function build(options = {}) {
  const outfile = options.outfile ?? INSPECTOR_BUNDLE;
  await esbuild({
    entryPoints: ['origin/inspector/index.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    // Error class names appear in the log lines (FAILED entries name the error's class).
    keepNames: true,
    legalComments: 'none',
    // The SDK's ES module builds let esbuild drop the S3 commands never sent.
    mainFields: ['module', 'main'],
    logLevel: 'warning',
  });
  const bytes = statSync(outfile).size;
  return `${outfile} ${(bytes / 1024).toFixed(1)} KB`;
}
