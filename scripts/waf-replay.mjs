// `npm run waf:replay -- --rules <file> [--proposed <file>] --log <file>`:
// builds the replay tool (a fraction of a second, and nothing is printed, so
// --json output stays clean) and runs it with the arguments given. Paths are
// taken relative to where npm was run, as a user expects.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// npm runs scripts from the project root; INIT_CWD is where the user ran npm.
const cwd = process.env.INIT_CWD ?? process.cwd();

process.chdir(root);
const { build, WAF_REPLAY_ENTRY } = await import(pathToFileURL(path.join(root, 'scripts', 'build', 'waf-replay.mjs')).href);
await build();
(await import('esbuild')).stop();
process.chdir(cwd);

await import(pathToFileURL(path.join(root, WAF_REPLAY_ENTRY)).href);
