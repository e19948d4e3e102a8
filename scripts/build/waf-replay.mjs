// `npm run waf:replay`: infra/firewall/replay/main.ts bundled for Node. Only the
// project's own code is bundled (the rules loader and engine are the very
// modules the local edge runs); npm packages (yaml) stay in node_modules.
import { bundleTool, kb } from '../lib/esbuild-node.mjs';

export const WAF_REPLAY_ENTRY = 'dist/infra/firewall/waf-replay.js';

export async function build() {
  return `${WAF_REPLAY_ENTRY} ${kb(await bundleTool({ entry: 'infra/firewall/replay/main.ts', outfile: WAF_REPLAY_ENTRY }))}`;
}
