// The AWS CDK side: the CDK app itself (run by the CDK CLI, see cdk.json) and
// the edge-config custom resource handler that the app deploys.
//
// - dist/infra/aws/main.js: the app, bundled so the CLI can run it with plain
//   `node` (no ts-node). Packages stay external (aws-cdk-lib, constructs,
//   cdk-nag, yaml are loaded from node_modules); the project's own modules it
//   imports (upload rules, password policy, firewall loader) are compiled in.
// - dist/infra/aws/custom-resources/edge-config/index.js: the Lambda handler,
//   fully bundled with its AWS SDK client and zip library, like the other
//   deployables, so the version we test is the one that runs.
import { build as esbuild } from 'esbuild';
import { statSync } from 'node:fs';

export const CDK_APP_BUNDLE = 'dist/infra/aws/main.js';
export const EDGE_CONFIG_RESOURCE_BUNDLE = 'dist/infra/aws/custom-resources/edge-config/index.js';

export async function build() {
  await esbuild({
    entryPoints: ['infra/aws/main.ts'],
    outfile: CDK_APP_BUNDLE,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  await esbuild({
    entryPoints: ['infra/aws/custom-resources/edge-config/index.ts'],
    outfile: EDGE_CONFIG_RESOURCE_BUNDLE,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    keepNames: true,
    legalComments: 'none',
    mainFields: ['module', 'main'],
    logLevel: 'warning',
  });
  const kb = (file) => `${(statSync(file).size / 1024).toFixed(1)} KB`;
  return `${CDK_APP_BUNDLE} ${kb(CDK_APP_BUNDLE)}, ${EDGE_CONFIG_RESOURCE_BUNDLE} ${kb(EDGE_CONFIG_RESOURCE_BUNDLE)}`;
}
