// `npm run upload`: infra/local/upload-command/main.ts bundled for Node (npm packages stay in node_modules).
import { bundleTool, kb } from '../lib/esbuild-node.mjs';

export const UPLOAD_COMMAND_ENTRY = 'dist/infra/local/upload-command.js';

export async function build() {
  return `${UPLOAD_COMMAND_ENTRY} ${kb(await bundleTool({ entry: 'infra/local/upload-command/main.ts', outfile: UPLOAD_COMMAND_ENTRY }))}`;
}
