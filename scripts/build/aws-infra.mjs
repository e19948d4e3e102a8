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
import { bundleLambda, bundleTool, kb } from '../lib/esbuild-node.mjs';

export const CDK_APP_BUNDLE = 'dist/infra/aws/main.js';
export const EDGE_CONFIG_RESOURCE_BUNDLE = 'dist/infra/aws/custom-resources/edge-config/index.js';

export async function build() {
  const app = await bundleTool({ entry: 'infra/aws/main.ts', outfile: CDK_APP_BUNDLE });
  const resource = await bundleLambda({ entry: 'infra/aws/custom-resources/edge-config/index.ts', outfile: EDGE_CONFIG_RESOURCE_BUNDLE });
  return `${CDK_APP_BUNDLE} ${kb(app)}, ${EDGE_CONFIG_RESOURCE_BUNDLE} ${kb(resource)}`;
}
