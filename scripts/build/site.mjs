// The web app: site/main.ts and site/app.css bundled by esbuild into
// dist/site/ with content-hashed names, and site/index.html pointing at them.
// Hashed names let CloudFront and browsers cache the assets for good while
// index.html is always fetched fresh. No inline script or style anywhere: the
// CSP (infra/shared/security-headers.ts) allows only 'self'.
// The MD5 worker (client/md5-worker.ts) is its own file, md5-worker-[hash].js:
// a worker started from a same-origin script is allowed by the CSP as it is
// (no worker-src or child-src, so script-src 'self' applies), while a blob:
// or data: worker would not be. The app learns the hashed name from a
// build-time constant, MD5_WORKER_URL.
import { build as esbuild } from 'esbuild';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { uploadRulesPlugin } from '../lib/upload-rules.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SITE_DIR = path.join(root, 'dist', 'site');
/**
 * The app's script, minified: a page that loads fast on a phone. 96 KB (about
 * 28 KB gzipped, as CloudFront serves it) since multipart uploads and resume
 * arrived; it was 64 KB while the app only POSTed forms.
 */
export const SITE_SCRIPT_BUDGET_BYTES = 96 * 1024;

export async function build() {
  await rm(SITE_DIR, { recursive: true, force: true });
  await mkdir(SITE_DIR, { recursive: true });
  const common = {
    outdir: SITE_DIR,
    entryNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  };
  // Browsers of the last few years: crypto.randomUUID (2021-22) is the newest API the app needs.
  const target = ['chrome100', 'firefox100', 'safari15.4', 'edge100'];
  const worker = await esbuild({
    ...common,
    entryPoints: { 'md5-worker': path.join(root, 'client', 'md5-worker.ts') },
    platform: 'browser',
    format: 'iife',
    target,
  });
  const workerScript = builtFile(worker.metafile, '.js');
  const [app, css] = await Promise.all([
    esbuild({
      ...common,
      entryPoints: { app: path.join(root, 'site', 'main.ts') },
      // The upload rules, validated and compiled in as data (no YAML parser in the browser).
      plugins: [uploadRulesPlugin()],
      platform: 'browser',
      format: 'iife',
      target,
      define: { MD5_WORKER_URL: JSON.stringify(workerScript) },
    }),
    esbuild({ ...common, entryPoints: { app: path.join(root, 'site', 'app.css') } }),
  ]);
  const script = builtFile(app.metafile, '.js');
  const styles = builtFile(css.metafile, '.css');

  let html = await readFile(path.join(root, 'site', 'index.html'), 'utf8');
  for (const [from, to] of [
    ['src="/app.js"', `src="${script}"`],
    ['href="/app.css"', `href="${styles}"`],
  ]) {
    if (!html.includes(from)) throw new Error(`site/index.html must reference ${from}`);
    html = html.replace(from, to);
  }
  if (/<script(?![^>]*\ssrc=)[^>]*>|\sstyle=|<style\b|\son[a-z]+=/i.test(html)) {
    throw new Error('site/index.html has inline script or style, which the CSP refuses');
  }
  await writeFile(path.join(SITE_DIR, 'index.html'), html);

  const bytes = (await stat(path.join(SITE_DIR, script))).size;
  if (bytes > SITE_SCRIPT_BUDGET_BYTES) throw new Error(`${script} is ${bytes} bytes, over the ${SITE_SCRIPT_BUDGET_BYTES}-byte budget`);
  const cssBytes = (await stat(path.join(SITE_DIR, styles))).size;
  const workerBytes = (await stat(path.join(SITE_DIR, workerScript))).size;
  if (workerBytes > SITE_SCRIPT_BUDGET_BYTES)
    throw new Error(`${workerScript} is ${workerBytes} bytes, over the ${SITE_SCRIPT_BUDGET_BYTES}-byte budget`);
  return `dist/site: index.html, ${script.slice(1)} ${(bytes / 1024).toFixed(1)} KB, ${workerScript.slice(1)} ${(workerBytes / 1024).toFixed(1)} KB, ${styles.slice(1)} ${(cssBytes / 1024).toFixed(1)} KB`;
}

/** The site path of the one file of `ext` an esbuild run wrote for its entry point. */
function builtFile(metafile, ext) {
  const found = Object.entries(metafile.outputs).filter(([file, meta]) => meta.entryPoint !== undefined && file.endsWith(ext));
  if (found.length !== 1) throw new Error(`expected one ${ext} output, esbuild wrote ${found.length}`);
  return `/${path.basename(found[0][0])}`;
}
