// The Lambda@Edge presign function: one self-contained, minified CommonJS file.
import { bundleLambda, kb } from '../lib/esbuild-node.mjs';

/** Budget (BENCHMARKS.md): the viewer-request bundle must stay at or under 50 KB (AWS allows 1 MB). */
export const PRESIGN_BUNDLE_BUDGET_BYTES = 50 * 1024;
export const PRESIGN_BUNDLE = 'dist/edge-functions/presign/index.js';

export async function build() {
  const bytes = await bundleLambda({
    entry: 'edge-functions/presign/index.ts',
    outfile: PRESIGN_BUNDLE,
    // The CommonJS builds of aws-jwt-verify; its node variant uses node:crypto.
    mainFields: ['main'],
    conditions: ['require', 'node'],
    // Names are not kept (~4.6 KB): every log field that names an error class
    // says so explicitly (edge-functions/core/token-verifier.ts REFUSAL_REASONS); our own
    // errors are logged by their code.
    keepNames: false,
  });
  if (bytes > PRESIGN_BUNDLE_BUDGET_BYTES) {
    throw new Error(`${PRESIGN_BUNDLE} is ${bytes} bytes, over the ${PRESIGN_BUNDLE_BUDGET_BYTES}-byte budget`);
  }
  return `${PRESIGN_BUNDLE} ${kb(bytes)}`;
}
