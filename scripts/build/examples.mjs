// The example app (examples/own-app/) into dist/examples/own-app/: index.html,
// app.css, app.js (an ES module that imports `edge-upload/client`, aliased
// here to client/index.ts as the installed package would provide it) and
// md5-worker.js beside it, where the library looks by default
// (`new URL('./md5-worker.js', import.meta.url)`). The local stack serves it
// on a second origin (infra/local/example-app.ts).
import { build as esbuild } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { uploadRulesPlugin } from '../lib/upload-rules.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EXAMPLE_APP_DIR = path.join(root, 'dist', 'examples', 'own-app');

export async function build() {
  await rm(EXAMPLE_APP_DIR, { recursive: true, force: true });
  await mkdir(EXAMPLE_APP_DIR, { recursive: true });
  const common = {
    bundle: true,
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15.4', 'edge100'],
    sourcemap: 'linked',
    minify: true,
    keepNames: true,
    logLevel: 'warning',
  };
  await Promise.all([
    esbuild({
      ...common,
      entryPoints: [path.join(root, 'examples', 'own-app', 'main.ts')],
      outfile: path.join(EXAMPLE_APP_DIR, 'app.js'),
      format: 'esm',
      alias: { 'edge-upload/client': path.join(root, 'client', 'index.ts') },
      plugins: [uploadRulesPlugin()],
    }),
    esbuild({
      ...common,
      entryPoints: [path.join(root, 'client', 'md5-worker.ts')],
      outfile: path.join(EXAMPLE_APP_DIR, 'md5-worker.js'),
      format: 'iife',
    }),
    copyFile(path.join(root, 'examples', 'own-app', 'index.html'), path.join(EXAMPLE_APP_DIR, 'index.html')),
    copyFile(path.join(root, 'examples', 'own-app', 'app.css'), path.join(EXAMPLE_APP_DIR, 'app.css')),
  ]);
  return 'dist/examples/own-app: index.html, app.js, md5-worker.js, app.css';
}
