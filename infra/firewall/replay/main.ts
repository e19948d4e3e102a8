/**
 * The `waf:replay` command (cli.ts), bundled to dist/infra/firewall/waf-replay.js
 * by scripts/build/waf-replay.mjs and run by scripts/waf-replay.mjs.
 */
import { runReplayCli } from './cli';

void runReplayCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then((status) => {
  process.exitCode = status;
});
