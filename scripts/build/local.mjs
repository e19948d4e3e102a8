// The local stack's entry point (`npm start`): infra/local/start.ts bundled into
// dist/infra/local/start.js for Node. Only the project's own code is bundled;
// npm packages (the AWS SDK, yaml, s3rver, busboy, cognito-local) stay in
// node_modules and are required from there, as in the tests, so the local stack
// runs exactly the versions the lock file pins.
import { build as esbuild } from 'esbuild';
import { statSync } from 'node:fs';

export const LOCAL_STACK_ENTRY = 'dist/infra/local/start.js';

export async function build() {
  await esbuild({
    entryPoints: ['infra/local/start.ts'],
    outfile: LOCAL_STACK_ENTRY,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    sourcemap: 'linked',
    // Error class names appear in the stack's log lines.
    keepNames: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const bytes = statSync(LOCAL_STACK_ENTRY).size;
  return `${LOCAL_STACK_ENTRY} ${(bytes / 1024).toFixed(1)} KB`;
}
