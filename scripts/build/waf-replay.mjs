// `npm run waf:replay`: infra/firewall/replay/main.ts bundled for Node. Only the
// project's own code is bundled (the rules loader and engine are the very
// modules the local edge runs); npm packages (yaml) stay in node_modules.
import { build as esbuild } from 'esbuild';
import { statSync } from 'node:fs';

export const WAF_REPLAY_ENTRY = 'dist/infra/firewall/waf-replay.js';

export async function build() {
  await esbuild({
    entryPoints: ['infra/firewall/replay/main.ts'],
    outfile: WAF_REPLAY_ENTRY,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    sourcemap: 'inline',
    legalComments: 'none',
    logLevel: 'warning',
  });
  const bytes = statSync(WAF_REPLAY_ENTRY).size;
  return `${WAF_REPLAY_ENTRY} ${(bytes / 1024).toFixed(1)} KB`;
}
