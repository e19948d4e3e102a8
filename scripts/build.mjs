// Builds every deployable into dist/. Each target lives in scripts/build/<target>.mjs
// and exports `build()`; this runs them all (or the ones named on the command line).
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'build');
const wanted = process.argv.slice(2);
const targets = (await readdir(dir)).filter((f) => f.endsWith('.mjs')).sort();
for (const file of targets) {
  const name = file.replace(/\.mjs$/, '');
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  const { build } = await import(pathToFileURL(path.join(dir, file)).href);
  const started = process.hrtime.bigint();
  const summary = await build();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`built ${name} in ${ms.toFixed(0)} ms${summary ? `: ${summary}` : ''}`);
}
