// The library (client/, `edge-upload/client`): client/index.ts as one ES
// module, dist/client/index.mjs, with the MD5 worker beside it as
// dist/client/md5-worker.js (the library finds it with
// `new URL('./md5-worker.js', import.meta.url)`, so the name is not hashed),
// and the types from tsc in dist/client/types/. Not minified: the app that
// installs it minifies its own bundle, and the error classes keep their
// names (SiteError sets `name` from the class). The upload rules are
// compiled in, as for the site. `npm pack` then puts exactly dist/client/ in
// the tarball (package.json `files`).
import { build as esbuild } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { uploadRulesPlugin } from '../lib/upload-rules.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLIENT_DIR = path.join(root, 'dist', 'client');
/** Where tsc writes client/index.d.ts (it keeps the source tree: client/, edge-functions/core/, origin/…). */
export const CLIENT_TYPES = 'types/client/index.d.ts';
const target = ['chrome100', 'firefox100', 'safari15.4', 'edge100'];

export async function build() {
  await rm(CLIENT_DIR, { recursive: true, force: true });
  await mkdir(CLIENT_DIR, { recursive: true });
  const common = {
    bundle: true,
    platform: 'browser',
    target,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    minifySyntax: true,
  };
  await Promise.all([
    esbuild({
      ...common,
      entryPoints: [path.join(root, 'client', 'index.ts')],
      outfile: path.join(CLIENT_DIR, 'index.mjs'),
      format: 'esm',
      plugins: [uploadRulesPlugin()],
    }),
    esbuild({
      ...common,
      entryPoints: [path.join(root, 'client', 'md5-worker.ts')],
      outfile: path.join(CLIENT_DIR, 'md5-worker.js'),
      format: 'iife',
    }),
    promisify(execFile)(
      process.execPath,
      [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'client', 'tsconfig.build.json')],
      { cwd: root },
    ),
  ]);
  const types = path.join(CLIENT_DIR, CLIENT_TYPES);
  await stat(types); // tsc wrote it where package.json's `types` says
  const bytes = (await stat(path.join(CLIENT_DIR, 'index.mjs'))).size;
  const workerBytes = (await stat(path.join(CLIENT_DIR, 'md5-worker.js'))).size;
  return `dist/client: index.mjs ${(bytes / 1024).toFixed(1)} KB, md5-worker.js ${(workerBytes / 1024).toFixed(1)} KB, ${CLIENT_TYPES}`;
}
