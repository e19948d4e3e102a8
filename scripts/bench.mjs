// `npm run bench` (after `npm run build`): the presign bundle against its
// the budgets in BENCHMARKS.md, side by side with a reference bundle built here from
// scripts/bench/reference-handler.ts (aws-jwt-verify's CognitoJwtVerifier +
// @aws-sdk/s3-presigned-post, the straightforward way to write the handler).
//
// For each bundle: (a) size, minified and gzip; (b) module load, median of 10
// fresh `node` processes that require() a copy of the bundle beside a valid
// config.json (timed inside the child around require, plus the whole process
// as the parent sees it); (c) warm handler median and p99 over
// BENCH_ITERATIONS (default 5,000) full valid requests after a tenth as many
// warm-up ones, each a recorded viewer-request event with a real RS256 token
// and one file, in a fresh process whose stdout (the handler's log line) goes
// to /dev/null as on a quiet terminal.
//
// Then times every pattern that runs on untrusted input, hostile text next to
// plain text of the same length (scripts/bench/hostile-input.mjs, written to
// dist/bench/hostile-input.json).
//
// Prints a table and writes dist/bench/results.json. Numbers over budget are
// flagged "OVER BUDGET"; the exit code is non-zero only when something crashes.
import { build as esbuild } from 'esbuild';
import { uploadRulesPlugin } from './lib/upload-rules.mjs';
import { fork, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { PRESIGN_BUNDLE, PRESIGN_BUNDLE_BUDGET_BYTES } from './build/presign.mjs';
import { hostileInputBench } from './bench/hostile-input.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REFERENCE_SOURCE = 'scripts/bench/reference-handler.ts';
const REFERENCE_BUNDLE = 'dist/bench/reference/index.js';
const RESULTS_FILE = 'dist/bench/results.json';
const EVENT_FIXTURE = 'test/fixtures/lambda-edge/presign-one-file.json';

/** The budgets (BENCHMARKS.md). */
const BUDGET = Object.freeze({
  bundleBytes: PRESIGN_BUNDLE_BUDGET_BYTES,
  loadMs: 30,
  warmMedianUs: 150,
  warmP99Us: 500,
  /** `/presign/multipart/parts` for maxPartsPerRequest parts. */
  partsMedianUs: 300,
});
/** maxPartsPerRequest of the default upload rules (edge-functions/core/upload-rules.ts). */
const PARTS_PER_REQUEST = 10;
const PARTS_FIXTURE = 'test/fixtures/lambda-edge/presign-multipart-parts.json';
const START_FIXTURE = 'test/fixtures/lambda-edge/presign-multipart-start.json';
/** The budget (BENCHMARKS.md) measures module load as the median of 10 fresh processes. */
const LOAD_RUNS = 10;
const ITERATIONS = positiveInteger(process.env.BENCH_ITERATIONS, 5000);
const WARMUP = Math.max(1, Math.round(ITERATIONS / 10));
/** Generous limits so that a stuck step fails the bench with a message instead of hanging it. */
const BUILD_TIMEOUT_MS = 120_000;
const LOAD_TIMEOUT_MS = 60_000;
const WARM_TIMEOUT_MS = 120_000 + ITERATIONS * 10;

// Shaped like a Cognito pool so the reference's CognitoJwtVerifier accepts it.
const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_BenchPool1';
const CLIENT_ID = 'benchclient0123456789abcd';
const SUB = '7d3c2b1a-0f9e-4d8c-9b7a-6f5e4d3c2b1a';
const BUCKET = 'acme-uploads';

// Lambda's temporary credentials; its session tokens run to ~1 KB and are signed into every policy.
const CHILD_ENV = Object.freeze({
  PATH: process.env.PATH ?? '',
  AWS_ACCESS_KEY_ID: 'ASIABENCHBENCHBENCH0',
  AWS_SECRET_ACCESS_KEY: randomBytes(30).toString('base64'),
  AWS_SESSION_TOKEN: `IQoJb3JpZ2luX2Vj${randomBytes(900).toString('base64')}`,
  AWS_REGION: 'eu-west-1',
  AWS_EC2_METADATA_DISABLED: 'true',
});

// Run inside each fresh process: the time to require() the bundle, nothing else.
const LOAD_CHILD = `
const started = process.hrtime.bigint();
require('./index.js');
const loadMs = Number(process.hrtime.bigint() - started) / 1e6;
process.stdout.write(JSON.stringify({ loadMs }) + '\\n');
`;

// Run in one fresh process per bundle: warm up, then time each invocation.
const WARM_CHILD = `
const { readFileSync } = require('node:fs');
const { handler } = require('./index.js');
const event = JSON.parse(readFileSync('./event.json', 'utf8'));
const [warmup, iterations] = process.argv.slice(2).map(Number);
async function main() {
  const first = await handler(event);
  const body = JSON.parse(first.body);
  const upload = body.uploads && body.uploads[0];
  if (first.status !== '200' || !upload || !/^[0-9a-f]{64}$/.test(upload.fields['X-Amz-Signature'])) {
    throw new Error('the handler did not answer 200 with a signed upload: ' + first.status + ' ' + first.body.slice(0, 300));
  }
  for (let i = 0; i < warmup; i++) await handler(event);
  const samplesUs = new Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const started = process.hrtime.bigint();
    await handler(event);
    samplesUs[i] = Number(process.hrtime.bigint() - started) / 1e3;
  }
  process.send({ samplesUs, url: upload.url, fieldNames: Object.keys(upload.fields) }, () => process.exit(0));
}
main().catch((error) => process.send({ error: String(error && error.stack || error) }, () => process.exit(1)));
`;

// The parts route: mint a real ticket through /presign/multipart, then time
// /presign/multipart/parts for PARTS_PER_REQUEST parts (each with an MD5).
const WARM_PARTS_CHILD = `
const { readFileSync } = require('node:fs');
const { handler } = require('./index.js');
const startEvent = JSON.parse(readFileSync('./event-start.json', 'utf8'));
const event = JSON.parse(readFileSync('./event-parts.json', 'utf8'));
const [warmup, iterations, partsPerRequest] = process.argv.slice(2).map(Number);
async function main() {
  const started = await handler(startEvent);
  if (started.status !== '200') throw new Error('multipart start failed: ' + started.status + ' ' + started.body.slice(0, 300));
  const { key, ticket, partCount } = JSON.parse(started.body);
  const parts = Array.from({ length: partsPerRequest }, (_, i) => ({ partNumber: partCount - i, md5: 'kQ4sWfQq8eDxKt1l9t1y6A==' }));
  const body = { key, uploadId: 'VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA', ticket, parts };
  event.Records[0].cf.request.body.data = Buffer.from(JSON.stringify(body)).toString('base64');
  const first = await handler(event);
  const answer = first.status === '200' ? JSON.parse(first.body) : undefined;
  if (!answer || answer.parts.length !== partsPerRequest) {
    throw new Error('the parts route did not answer 200 with the parts: ' + first.status + ' ' + first.body.slice(0, 300));
  }
  for (let i = 0; i < warmup; i++) await handler(event);
  const samplesUs = new Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const t = process.hrtime.bigint();
    await handler(event);
    samplesUs[i] = Number(process.hrtime.bigint() - t) / 1e3;
  }
  const partUrl = new URL(answer.parts[0].url);
  process.send({ samplesUs, partUrlQuery: [...partUrl.searchParams.keys()], responseBytes: Buffer.byteLength(first.body) }, () => process.exit(0));
}
main().catch((error) => process.send({ error: String(error && error.stack || error) }, () => process.exit(1)));
`;

async function main() {
  // What the neighbours were doing (1-minute load average; the bench itself is too short to move it much).
  const loadBefore = loadavg()[0];
  const reference = await buildReference();
  const edge = path.join(ROOT, PRESIGN_BUNDLE);
  const inputs = benchInputs();

  const bundles = { edge, reference };
  const folders = Object.fromEntries(Object.entries(bundles).map(([name, file]) => [name, stageFolder(file, inputs)]));
  try {
    const results = {};
    for (const name of Object.keys(bundles)) results[name] = { ...sizeOf(bundles[name]) };

    // Interleave the cold loads so drift on the machine hits both alike.
    for (const name of Object.keys(bundles)) Object.assign(results[name], { loadMs: [], processMs: [] });
    for (let run = 0; run < LOAD_RUNS; run++) {
      for (const name of Object.keys(bundles)) {
        const { loadMs, processMs } = coldLoad(folders[name]);
        results[name].loadMs.push(loadMs);
        results[name].processMs.push(processMs);
      }
    }

    for (const name of Object.keys(bundles)) {
      const warm = await warmRun(folders[name]);
      const parts = await warmRun(folders[name], 'warm-parts.cjs', [String(PARTS_PER_REQUEST)]);
      Object.assign(results[name], {
        partsMedianUs: median(parts.samplesUs),
        partsP99Us: percentile(parts.samplesUs, 0.99),
        partUrlQuery: parts.partUrlQuery,
        partsResponseBytes: parts.responseBytes,
        loadMedianMs: median(results[name].loadMs),
        processMedianMs: median(results[name].processMs),
        warmMedianUs: median(warm.samplesUs),
        warmP99Us: percentile(warm.samplesUs, 0.99),
        uploadUrl: warm.url,
        fieldNames: warm.fieldNames,
      });
    }
    report(results, Math.max(loadBefore, loadavg()[0]));
  } finally {
    for (const folder of Object.values(folders)) rmSync(folder, { recursive: true, force: true });
  }
  // Patterns on untrusted input: hostile text against plain text (scripts/bench/hostile-input.mjs).
  await hostileInputBench();
}

/** The reference bundle, with the same esbuild options as the edge bundle (scripts/build/presign.mjs). */
async function buildReference() {
  const outfile = path.join(ROOT, REFERENCE_BUNDLE);
  const built = esbuild({
    entryPoints: [path.join(ROOT, REFERENCE_SOURCE)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    mainFields: ['main'],
    conditions: ['require', 'node'],
    logLevel: 'warning',
    plugins: [uploadRulesPlugin()],
  });
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`esbuild did not finish ${REFERENCE_BUNDLE} within ${BUILD_TIMEOUT_MS} ms`)),
      BUILD_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([built, timeout]);
  } finally {
    clearTimeout(timer);
  }
  return outfile;
}

/** A fresh RS256 key, the config.json that trusts it, and the recorded one-file event carrying a token it signed. */
function benchInputs() {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { n, e } = publicKey.export({ format: 'jwk' });
  const kid = 'bench-key-1';
  const config = {
    issuer: ISSUER,
    clientId: CLIENT_ID,
    jwks: { keys: [{ kid, kty: 'RSA', n, e, alg: 'RS256', use: 'sig' }] },
    bucket: BUCKET,
    region: 'eu-west-1',
    uploadUrl: `https://${BUCKET}.s3-accelerate.amazonaws.com/`,
    kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    policyTtlSeconds: 300,
    multipartTicketKeys: [{ id: 'bench', secret: randomBytes(32).toString('base64') }],
  };

  const now = Math.floor(Date.now() / 1000);
  const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${b64url({ kid, alg: 'RS256' })}.${b64url({
    sub: SUB,
    iss: ISSUER,
    client_id: CLIENT_ID,
    origin_jti: randomUUID(),
    event_id: randomUUID(),
    token_use: 'access',
    scope: 'aws.cognito.signin.user.admin',
    auth_time: now,
    exp: now + 3600,
    iat: now,
    jti: randomUUID(),
    username: SUB,
  })}`;
  const token = `${signingInput}.${sign('RSA-SHA256', Buffer.from(signingInput), privateKey).toString('base64url')}`;

  const withToken = (fixture) => {
    const event = JSON.parse(readFileSync(path.join(ROOT, fixture), 'utf8'));
    event.Records[0].cf.request.headers.authorization = [{ key: 'Authorization', value: `Bearer ${token}` }];
    return event;
  };
  return { config, event: withToken(EVENT_FIXTURE), startEvent: withToken(START_FIXTURE), partsEvent: withToken(PARTS_FIXTURE) };
}

/** A folder laid out like the function package: index.js with config.json beside it. */
function stageFolder(bundle, { config, event, startEvent, partsEvent }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'presign-bench-'));
  copyFileSync(bundle, path.join(dir, 'index.js'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'commonjs' }));
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  writeFileSync(path.join(dir, 'event.json'), JSON.stringify(event));
  writeFileSync(path.join(dir, 'load.cjs'), LOAD_CHILD);
  writeFileSync(path.join(dir, 'warm.cjs'), WARM_CHILD);
  writeFileSync(path.join(dir, 'event-start.json'), JSON.stringify(startEvent));
  writeFileSync(path.join(dir, 'event-parts.json'), JSON.stringify(partsEvent));
  writeFileSync(path.join(dir, 'warm-parts.cjs'), WARM_PARTS_CHILD);
  return dir;
}

function sizeOf(bundle) {
  const bytes = readFileSync(bundle);
  return { bundleBytes: statSync(bundle).size, gzipBytes: gzipSync(bytes, { level: 9 }).length };
}

function coldLoad(dir) {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ['load.cjs'], { cwd: dir, env: CHILD_ENV, encoding: 'utf8', timeout: LOAD_TIMEOUT_MS });
  const processMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0) {
    const why = child.error !== undefined ? String(child.error) : `exit ${child.status ?? child.signal}`;
    throw new Error(`loading ${dir}/index.js failed (${why}):\n${child.stderr}`);
  }
  const { loadMs } = JSON.parse(child.stdout.trim().split('\n').pop());
  return { loadMs, processMs };
}

function warmRun(dir, script = 'warm.cjs', extraArgs = []) {
  return new Promise((resolve, reject) => {
    const child = fork(script, [String(WARMUP), String(ITERATIONS), ...extraArgs], {
      cwd: dir,
      env: CHILD_ENV,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    let result;
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${WARM_TIMEOUT_MS} ms)`;
      child.kill('SIGKILL');
    }, WARM_TIMEOUT_MS);
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('message', (message) => (result = message));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (result?.samplesUs !== undefined && code === 0) resolve(result);
      else reject(new Error(`warm run in ${dir} failed (exit ${code ?? signal}): ${result?.error ?? stderr}`));
    });
  });
}

function median(values) {
  return percentile(values, 0.5);
}

/** Nearest-rank percentile. */
function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

function report(results, machineLoad) {
  const { edge, reference } = results;
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  const ms = (value) => `${value.toFixed(1)} ms`;
  const us = (value) => `${value.toFixed(0)} µs`;
  const rows = [
    { metric: 'bundle, minified', key: 'bundleBytes', format: kb, budget: BUDGET.bundleBytes, budgetText: `≤ ${kb(BUDGET.bundleBytes)}` },
    { metric: 'bundle, gzip -9', key: 'gzipBytes', format: kb },
    {
      metric: `module load (require), median of ${LOAD_RUNS}`,
      key: 'loadMedianMs',
      format: ms,
      budget: BUDGET.loadMs,
      budgetText: `≤ ${BUDGET.loadMs} ms`,
    },
    { metric: `node process wall time, median of ${LOAD_RUNS}`, key: 'processMedianMs', format: ms },
    {
      metric: 'warm handler, median',
      key: 'warmMedianUs',
      format: us,
      budget: BUDGET.warmMedianUs,
      budgetText: `≤ ${BUDGET.warmMedianUs} µs`,
    },
    { metric: 'warm handler, p99', key: 'warmP99Us', format: us, budget: BUDGET.warmP99Us, budgetText: `≤ ${BUDGET.warmP99Us} µs` },
    {
      metric: `multipart parts (${PARTS_PER_REQUEST} parts), median`,
      key: 'partsMedianUs',
      format: us,
      budget: BUDGET.partsMedianUs,
      budgetText: `≤ ${BUDGET.partsMedianUs} µs`,
    },
    { metric: `multipart parts (${PARTS_PER_REQUEST} parts), p99`, key: 'partsP99Us', format: us },
    { metric: `multipart parts answer (${PARTS_PER_REQUEST} parts), bytes`, key: 'partsResponseBytes', format: kb },
  ];

  const overBudget = [];
  const cell = (row, name) => {
    const value = results[name][row.key];
    const over = row.budget !== undefined && value > row.budget;
    if (over) overBudget.push({ bundle: name, metric: row.metric, value, budget: row.budget });
    return `${row.format(value)}${over ? '  OVER BUDGET' : ''}`;
  };
  const table = [
    ['metric', 'budget', 'edge', 'reference', 'edge/reference'],
    ...rows.map((row) => [
      row.metric,
      row.budgetText ?? '',
      cell(row, 'edge'),
      cell(row, 'reference'),
      `${(edge[row.key] / reference[row.key]).toFixed(3)}×`,
    ]),
  ];
  const widths = table[0].map((_, column) => Math.max(...table.map((line) => line[column].length)));
  const line = (cells) =>
    cells
      .map((text, column) => text.padEnd(widths[column]))
      .join('  ')
      .trimEnd();

  const cpuCount = cpus().length;
  console.log(
    `\npresign bench: node ${process.version}, ${cpuCount} × ${cpus()[0]?.model ?? 'unknown CPU'}, load ${machineLoad.toFixed(2)}; ` +
      `${LOAD_RUNS} cold loads, ${ITERATIONS} warm invocations after ${WARMUP} warm-up (1 file, real RS256 token)`,
  );
  console.log(`edge:      ${PRESIGN_BUNDLE}`);
  console.log(
    `reference: ${REFERENCE_BUNDLE} (aws-jwt-verify CognitoJwtVerifier + @aws-sdk/s3-presigned-post; getSignedUrl for multipart)\n`,
  );
  console.log(line(table[0]));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const cells of table.slice(1)) console.log(line(cells));
  // Both must have done the same work for the comparison to mean anything.
  const sameForm = edge.uploadUrl === reference.uploadUrl && edge.fieldNames.join() === reference.fieldNames.join();
  console.log(`\nsame answer shape from both (upload url and form field names): ${sameForm ? 'yes' : 'NO'}`);
  const sameParts = edge.partUrlQuery.join() === reference.partUrlQuery.join();
  console.log(`same part URL parameters from both: ${sameParts ? 'yes' : 'NO'}`);
  console.log(
    overBudget.some((entry) => entry.bundle === 'edge')
      ? 'edge: OVER BUDGET (see above)'
      : 'edge: every number within its BENCHMARKS.md budget',
  );
  // Tail latency on a shared machine measures the neighbours as much as the handler.
  const busy = machineLoad >= cpuCount / 2;
  if (busy) {
    console.log(
      `note: the machine was busy (load ${machineLoad.toFixed(2)} on ${cpuCount} CPUs); p99 and load times are inflated, rerun on a quiet machine`,
    );
  }

  const round = (value) => Math.round(value * 1000) / 1000;
  const summary = (name) => ({
    bundle: name === 'edge' ? PRESIGN_BUNDLE : REFERENCE_BUNDLE,
    bundleBytes: results[name].bundleBytes,
    gzipBytes: results[name].gzipBytes,
    loadMedianMs: round(results[name].loadMedianMs),
    loadMs: results[name].loadMs.map(round),
    processMedianMs: round(results[name].processMedianMs),
    processMs: results[name].processMs.map(round),
    warmMedianUs: round(results[name].warmMedianUs),
    warmP99Us: round(results[name].warmP99Us),
    partsMedianUs: round(results[name].partsMedianUs),
    partsP99Us: round(results[name].partsP99Us),
    partsResponseBytes: results[name].partsResponseBytes,
    uploadUrl: results[name].uploadUrl,
    fieldNames: results[name].fieldNames,
  });
  const json = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cpuCount,
    machineLoad: round(machineLoad),
    machineBusy: busy,
    loadRuns: LOAD_RUNS,
    iterations: ITERATIONS,
    warmup: WARMUP,
    budgets: BUDGET,
    edge: summary('edge'),
    reference: summary('reference'),
    ratios: Object.fromEntries(rows.map((row) => [row.key, round(edge[row.key] / reference[row.key])])),
    sameForm,
    sameParts,
    overBudget,
  };
  mkdirSync(path.dirname(path.join(ROOT, RESULTS_FILE)), { recursive: true });
  writeFileSync(path.join(ROOT, RESULTS_FILE), `${JSON.stringify(json, null, 2)}\n`);
  console.log(`results: ${RESULTS_FILE}`);
}

function positiveInteger(text, fallback) {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`BENCH_ITERATIONS must be a positive whole number, not ${JSON.stringify(text)}`);
  return value;
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
}
