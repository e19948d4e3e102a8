// `npm start`: builds what the local stack runs (the CloudFront Functions, the
// presign bundle, the stack itself) and runs it, in this one process, so that
// Ctrl-C and SIGTERM reach the stack directly and it stops every child by PID.
// Arguments are the stack's own: `npm start -- --record <dir>`.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The AWS SDK warns, once per process, that releases after January 2027 need
// Node >= 22. The project supports Node 20 and later with pinned SDK versions
// (README, "Node versions"); the warning would bury the banner.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
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
