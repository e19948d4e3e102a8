// `npm start`: builds what the local stack runs (the CloudFront Functions, the
// presign bundle, the stack itself) and runs it, in this one process, so that
// Ctrl-C and SIGTERM reach the stack directly and it stops every child by PID.
// Arguments are the stack's own: `npm start -- --record <dir>`.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

for (const target of ['cloudfront-functions', 'presign', 'site', 'local']) {
  const { build } = await import(pathToFileURL(path.join(root, 'scripts', 'build', `${target}.mjs`)).href);
  await build();
}
// esbuild keeps a service process for later builds; there will be none.
(await import('esbuild')).stop();

const { LOCAL_STACK_ENTRY } = await import(pathToFileURL(path.join(root, 'scripts', 'build', 'local.mjs')).href);
await import(pathToFileURL(path.join(root, LOCAL_STACK_ENTRY)).href);
