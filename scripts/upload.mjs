// `npm run upload -- <file>`: builds the upload command (a fraction of a second,
// nothing printed) and runs it against the running local stack. Paths are
// taken relative to where npm was run, as a user expects.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cwd = process.env.INIT_CWD ?? process.cwd();

process.chdir(root);
const { build, UPLOAD_COMMAND_ENTRY } = await import(pathToFileURL(path.join(root, 'scripts', 'build', 'upload-command.mjs')).href);
await build();
(await import('esbuild')).stop();
process.chdir(cwd);

await import(pathToFileURL(path.join(root, UPLOAD_COMMAND_ENTRY)).href);
