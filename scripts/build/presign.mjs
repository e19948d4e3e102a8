// The Lambda@Edge presign function: one self-contained, minified CommonJS file.
import { build as esbuild } from 'esbuild';
import { statSync } from 'node:fs';

/** DESIGN §7: the viewer-request bundle must stay at or under 50 KB (AWS allows 1 MB). */
export const PRESIGN_BUNDLE_BUDGET_BYTES = 50 * 1024;
export const PRESIGN_BUNDLE = 'dist/edge-functions/presign/index.js';

export async function build() {
  await esbuild({
    entryPoints: ['edge-functions/presign/index.ts'],
    outfile: PRESIGN_BUNDLE,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    // Error class names go into log lines as the reason a token was refused.
    keepNames: true,
    legalComments: 'none',
    // Resolve the CommonJS builds of aws-jwt-verify; the node variant uses node:crypto.
    mainFields: ['main'],
    conditions: ['require', 'node'],
    logLevel: 'warning',
  });
  const bytes = statSync(PRESIGN_BUNDLE).size;
  if (bytes > PRESIGN_BUNDLE_BUDGET_BYTES) {
    throw new Error(`${PRESIGN_BUNDLE} is ${bytes} bytes, over the ${PRESIGN_BUNDLE_BUDGET_BYTES}-byte budget`);
  }
  return `${PRESIGN_BUNDLE} ${(bytes / 1024).toFixed(1)} KB`;
}
