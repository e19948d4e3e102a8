// The local stack's entry points, bundled for Node. Only the project's own code
// is bundled; npm packages (the AWS SDK, yaml, s3rver, busboy, cognito-local)
// stay in node_modules and are required from there, as in the tests, so the
// local stack runs exactly the versions the lock file pins.
// - dist/infra/local/start.js: `npm start`
// - dist/infra/local/stack-process.js: the stack as a child process (load, faults)
import { bundleTool, kb } from '../lib/esbuild-node.mjs';

export const LOCAL_STACK_ENTRY = 'dist/infra/local/start.js';
export const LOCAL_STACK_PROCESS = 'dist/infra/local/stack-process.js';

export async function build() {
  const start = await bundleTool({ entry: 'infra/local/start.ts', outfile: LOCAL_STACK_ENTRY });
  const child = await bundleTool({ entry: 'infra/local/stack-process.ts', outfile: LOCAL_STACK_PROCESS });
  return `${LOCAL_STACK_ENTRY} ${kb(start)}, ${LOCAL_STACK_PROCESS} ${kb(child)}`;
}
