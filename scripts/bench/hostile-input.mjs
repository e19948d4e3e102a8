// Hostile input next to plain input of the same length, for every pattern
// that runs on untrusted text (edge-functions/core, origin/core). A linear
// implementation keeps the ratio near 1; a backtracking one grows it with the
// length (the sanitizer's old trailing-junk trim: ~100× at 7,000 characters).
// Part of `npm run bench`; alone: `node scripts/bench/hostile-input.mjs`.
import { build as esbuild } from 'esbuild';
import { uploadRulesPlugin } from '../lib/upload-rules.mjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRY = 'scripts/bench/hostile-input-entry.ts';
const BUNDLE = 'dist/bench/hostile-input/entry.mjs';
const RESULTS_FILE = 'dist/bench/hostile-input.json';
/** An 8 KB /presign body holds one name of about this length. */
const LENGTH = 7000;
const ROUNDS = 15;

/** Median microseconds of one call, over ROUNDS rounds of enough calls to last ~2 ms. */
async function time(call) {
  await call();
  let calls = 1;
  for (;;) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await call();
    if (Number(process.hrtime.bigint() - started) > 2e6 || calls >= 1 << 16) break;
    calls *= 2;
  }
  const samples = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await call();
    samples.push(Number(process.hrtime.bigint() - started) / 1e3 / calls);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/** `text` repeated and cut to `length` characters. */
const filler = (length) => (text) => text.repeat(Math.ceil(length / text.length)).slice(0, length);

export async function hostileInputBench() {
  await esbuild({
    entryPoints: [path.join(ROOT, ENTRY)],
    outfile: path.join(ROOT, BUNDLE),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'warning',
    // The upload rules compiled in, as in every bundle (no YAML parser at run time).
    plugins: [uploadRulesPlugin()],
  });
  const m = await import(pathToFileURL(path.join(ROOT, BUNDLE)).href);
  const swallow = (fn) => () => {
    try {
      fn();
    } catch {
      /* refusals are part of the work */
    }
  };
  const header = { 'content-type': 'application/json' };
  const presignWith = (headers) => async () => {
    // Header checks run before the verifier, so none is needed: a refusal is expected.
    await m.presign({ method: 'POST', headers, body: undefined, bodyTruncated: false }, {}).catch(() => undefined);
  };
  // [function, hostile case, plain, hostile] for inputs of `length`; plain and
  // hostile have the same length and, where possible, do the same kind of work.
  const cases = (length) => {
    const fit = filler(length);
    const token = `eyJ${fit('a').slice(3, 3000)}.eyJ${fit('b').slice(0, 3000)}.sig`;
    return [
      [
        'sanitizeFileName',
        'junk run, then a letter',
        swallow(() => m.sanitizeFileName(`${fit('a')}.png`, 128)),
        swallow(() => m.sanitizeFileName(`${fit('-._')}x.png`, 128)),
      ],
      [
        'sanitizeFileName',
        'junk run at the end',
        swallow(() => m.sanitizeFileName(`x${fit('a')}`, 128)),
        swallow(() => m.sanitizeFileName(`x${fit('.-_')}`, 128)),
      ],
      [
        'sanitizeFileName',
        'invisible padding',
        swallow(() => m.sanitizeFileName(`${fit('a')}.png`, 128)),
        swallow(() => m.sanitizeFileName(`a${fit('\u200b')}.png`, 128)),
      ],
      [
        'old trailing-junk trim',
        '/[-._]+$/ (before the cap)',
        () => m.oldTrailingJunkTrim(fit('a')),
        () => m.oldTrailingJunkTrim(`${fit('-._')}x`),
      ],
      ['redact', 'long local part, no @', () => m.redact(fit('mail ann@example.com now ')), () => m.redact(fit('a'))],
      ['redact', 'domain never ends in 2 letters', () => m.redact(fit('mail ann@example.com now ')), () => m.redact(`a@${fit('a.')}1`)],
      ['redact', 'dot-free eyJ run', () => m.redact(fit('mail ann@example.com now ')), () => m.redact(fit('eyJ'))],
      [
        'isJsonMediaType',
        'trailing spaces',
        () => m.isJsonMediaType(`application/json; charset=${fit('a')}`),
        () => m.isJsonMediaType(`application/json${fit(' ')}x`),
      ],
      ['isValidEmail', '@ then dots (length-capped)', () => m.isValidEmail(fit('a')), () => m.isValidEmail(`a@${fit('a.')}`)],
      [
        'isPlausibleRefreshToken',
        'dots, then a bad char',
        () => m.isPlausibleRefreshToken(fit('a.').slice(0, 4000)),
        () => m.isPlausibleRefreshToken(`${fit('a.').slice(0, 3999)}!`),
      ],
      [
        'presign Content-Type',
        'trailing spaces',
        presignWith({ authorization: `Bearer ${token}`, 'content-type': `application/json;${fit('a')}` }),
        presignWith({ authorization: `Bearer ${token}`, 'content-type': `application/json${fit(' ')}x` }),
      ],
      [
        'presign Bearer',
        'no second dot',
        presignWith({ ...header, authorization: `Bearer ${fit('a.').slice(0, 8000)}` }),
        presignWith({ ...header, authorization: `Bearer ${fit('a').slice(0, 4000)}.${fit('a').slice(0, 3900)}` }),
      ],
    ];
  };

  const rows = [];
  const half = cases(LENGTH / 2);
  for (const [index, [group, label, plain, hostile]] of cases(LENGTH).entries()) {
    const plainUs = await time(plain);
    const hostileUs = await time(hostile);
    // Linear work doubles with the length; quadratic work quadruples.
    const halfUs = await time(half[index][3]);
    rows.push({ group, case: label, plainUs, hostileUs, ratio: hostileUs / plainUs, growth: hostileUs / halfUs });
  }

  const table = [
    ['function', 'hostile case', 'plain', 'hostile', 'hostile/plain', `hostile ${LENGTH / 2}→${LENGTH} chars`],
    ...rows.map((row) => [
      row.group,
      row.case,
      `${row.plainUs.toFixed(1)} µs`,
      `${row.hostileUs.toFixed(1)} µs`,
      `${row.ratio.toFixed(2)}×`,
      `${row.growth.toFixed(2)}×`,
    ]),
  ];
  const widths = table[0].map((_, column) => Math.max(...table.map((line) => line[column].length)));
  console.log(
    `\nhostile input: ${LENGTH}-character inputs, median of ${ROUNDS} rounds; each row times hostile text against plain text of the same length, and the hostile text at half the length (linear ≈ 2×, quadratic ≈ 4×)`,
  );
  for (const [index, cells] of table.entries()) {
    console.log(
      cells
        .map((text, column) => text.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    );
    if (index === 0) console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  }
  const round = (value) => Math.round(value * 1000) / 1000;
  mkdirSync(path.dirname(path.join(ROOT, RESULTS_FILE)), { recursive: true });
  writeFileSync(
    path.join(ROOT, RESULTS_FILE),
    `${JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        node: process.version,
        length: LENGTH,
        rounds: ROUNDS,
        rows: rows.map((row) => ({
          ...row,
          plainUs: round(row.plainUs),
          hostileUs: round(row.hostileUs),
          ratio: round(row.ratio),
          growth: round(row.growth),
        })),
      },
      null,
      2,
    )}\n`,
  );
  console.log(`results: ${RESULTS_FILE}`);
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    await hostileInputBench();
  } catch (error) {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  }
}
