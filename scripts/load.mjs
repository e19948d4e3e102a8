// `npm run load` (after `npm run build`): the local stack under load, in a
// process of its own, driven over loopback from this one:
//
// 1. /presign through the local edge (firewall, Lambda@Edge adapter, RS256
//    verify, validate, sign) with autocannon. The rate is found by stepping:
//    short probes at rising fixed rates, then a bisection, each probe held to
//    p99 ≤ 50 ms, zero errors, zero non-2xx and the rate actually delivered;
//    then 30 s at the highest rate that held. If the 30 s run does not hold,
//    the rate steps down 10% and it runs again.
// 2. 100 concurrent 1 MiB uploads through the POST-policy guard, each with a
//    form the edge signed; afterwards every object is read back and its
//    SHA-256 compared with what was sent.
// 3. Multipart uploads as the site sends them, every S3 request signed by the
//    edge (/presign/multipart, /presign/multipart/parts, 4 parts in flight,
//    each with its Content-MD5): one 1 GiB file, then 20 × 100 MiB at once;
//    every object read back (signed, streamed) and its SHA-256 compared.
// 4. Throughout: the resident memory of each process (VmRSS sampled every
//    100 ms from /proc, and the kernel's own peak, VmHWM) — the stack (edge,
//    guard and s3rver share it), its cognito-local child, and this driver.
// 5. Before the stack starts: the auth Lambda's cold start, its bundle
//    (dist/origin/auth/index.js) required by 10 fresh `node` processes.
//
// The shipped firewall rules run with their rate limits switched to `count`
// (one client at thousands of requests per second would otherwise be
// blocked after 300): every rule is still evaluated and counted. Upload
// inspection stays off, as in the tests, so the bytes stay where they were
// put. Results go to dist/load/results.json; the exit code is non-zero when
// no rate held or an upload did not come back intact.
//
// Tunables: LOAD_DURATION_S (30), LOAD_PROBE_S (5), LOAD_P99_MS (50),
// LOAD_CONNECTIONS (16), LOAD_UPLOADS (100), LOAD_UPLOAD_BYTES (1048576),
// LOAD_MULTIPART_LARGE_BYTES (1 GiB), LOAD_MULTIPART_CONCURRENT (20),
// LOAD_MULTIPART_CONCURRENT_BYTES (100 MiB).
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import autocannon from 'autocannon';
import { spawn, spawnSync } from 'node:child_process';
import { createCipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { gzipSync } from 'node:zlib';

// The AWS SDK's Node >= 22 notice (README, "Node versions") would bury the report.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_FILE = path.join(ROOT, 'dist', 'load', 'results.json');

const setting = (name, fallback) => {
  const raw = process.env[name];
  return raw !== undefined && /^[0-9]+$/.test(raw) && Number(raw) > 0 ? Number(raw) : fallback;
};
const DURATION_S = setting('LOAD_DURATION_S', 30);
const PROBE_S = setting('LOAD_PROBE_S', 5);
const P99_LIMIT_MS = setting('LOAD_P99_MS', 50);
const CONNECTIONS = setting('LOAD_CONNECTIONS', 16);
const UPLOADS = setting('LOAD_UPLOADS', 100);
const UPLOAD_BYTES = setting('LOAD_UPLOAD_BYTES', 1024 * 1024);
const MULTIPART_LARGE_BYTES = setting('LOAD_MULTIPART_LARGE_BYTES', 1024 ** 3);
const MULTIPART_RSS_BUDGET_BYTES = 64 * 1024 * 1024;
const MULTIPART_CONCURRENT = setting('LOAD_MULTIPART_CONCURRENT', 20);
const MULTIPART_CONCURRENT_BYTES = setting('LOAD_MULTIPART_CONCURRENT_BYTES', 100 * 1024 * 1024);
/** A probe must deliver this share of the rate it asked for, or the server did not keep up. */
const DELIVERED_SHARE = 0.97;
/** Bisection steps between the last rate that held and the first that did not. */
const BISECT_STEPS = 3;
const FINAL_ATTEMPTS = 4;
const SAMPLE_MS = 100;
const PASSWORD = 'Load-Test-Horse-9-Battery';
const EMAIL = 'load@example.com';

// ---------------------------------------------------------------------------
// The stack, in a process of its own (dist/infra/local/stack-process.js, built by npm run build)

const STACK_PROCESS = path.join(ROOT, 'dist', 'infra', 'local', 'stack-process.js');

async function startStack(work) {
  const rulesFile = path.join(work, 'firewall-rules.yaml');
  writeFileSync(rulesFile, countModeRules());
  const logFile = path.join(work, 'stack.log');
  const config = {
    logFile,
    options: { stateDir: path.join(work, 'state'), ports: { edge: 0, cognito: 0, s3: 0, s3rver: 0 }, firewallRulesFile: rulesFile },
  };
  const started = performance.now();
  const child = spawn(process.execPath, [STACK_PROCESS], {
    cwd: ROOT,
    env: { ...process.env, LOCAL_STACK_PROCESS: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const ready = await new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n').find((candidate) => candidate.includes('"event":"ready"'));
      if (line !== undefined) resolve(JSON.parse(line));
    });
    child.once('exit', (code) => reject(new Error(`the stack exited (${code}) before it was ready:\n${stderr}`)));
  });
  child.stdout.resume();
  return {
    ...ready,
    pid: child.pid,
    logFile,
    readyMs: performance.now() - started,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(child.pid, 'SIGTERM');
      const timer = setTimeout(() => child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The shipped rules with every rate limit in count mode: evaluated and counted, never blocking. */
function countModeRules() {
  const rules = YAML.parse(readFileSync(path.join(ROOT, 'infra', 'firewall', 'firewall-rules.yaml'), 'utf8'));
  for (const rule of rules.rules) if (rule.type === 'rate-limit') rule.action = 'count';
  return YAML.stringify(rules);
}

// ---------------------------------------------------------------------------
// Memory, from /proc

function procStatus(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
  } catch {
    return undefined;
  }
}

class MemorySampler {
  constructor(processes) {
    this.processes = processes; // name → pid
    this.phase = 'idle';
    this.peaks = {}; // phase → name → bytes
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
    this.sample();
  }
  enter(phase) {
    this.phase = phase;
    this.sample();
  }
  sample() {
    const peaks = (this.peaks[this.phase] ??= {});
    for (const [name, pid] of Object.entries(this.processes)) {
      const status = procStatus(pid);
      if (status !== undefined && Number.isFinite(status.rss)) peaks[name] = Math.max(peaks[name] ?? 0, status.rss);
    }
  }
  stop() {
    this.sample();
    clearInterval(this.timer);
    const hwm = {};
    for (const [name, pid] of Object.entries(this.processes)) hwm[name] = procStatus(pid)?.hwm;
    return { peakRssByPhase: this.peaks, vmHwm: hwm };
  }
}

// ---------------------------------------------------------------------------
// HTTP

function call(url, { method = 'POST', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function jsonCall(stack, route, body, headers = {}) {
  return call(`${stack.url}${route}`, {
    body: Buffer.from(JSON.stringify(body)),
    headers: { 'Content-Type': 'application/json', Origin: stack.url, 'Sec-Fetch-Site': 'same-origin', ...headers },
  });
}

async function signUp(stack) {
  const registered = await jsonCall(stack, '/auth/register', { email: EMAIL, password: PASSWORD });
  if (registered.status !== 201) throw new Error(`register: ${registered.status} ${registered.body}`);
  const mail = await call(`${stack.url}/_local/mailbox?email=${encodeURIComponent(EMAIL)}`, { method: 'GET' });
  const code = JSON.parse(mail.body).messages.at(-1)?.code;
  const confirmed = await jsonCall(stack, '/auth/confirm', { email: EMAIL, code });
  if (confirmed.status !== 200) throw new Error(`confirm: ${confirmed.status} ${confirmed.body}`);
  const login = await jsonCall(stack, '/auth/login', { email: EMAIL, password: PASSWORD });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${login.body}`);
  const { accessToken } = JSON.parse(login.body);
  const sub = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString('utf8')).sub;
  const refresh = String(login.headers['set-cookie'] ?? '')
    .split(';')[0]
    .split('=')
    .slice(1)
    .join('=');
  return { accessToken, sub, code, refresh };
}

// ---------------------------------------------------------------------------
// 1. /presign

function presignLoad(stack, token, { rate, seconds }) {
  return autocannon({
    url: `${stack.url}/presign`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    ...(rate === undefined ? {} : { overallRate: rate }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ files: [{ name: 'holiday.png', size: 483211, type: 'image/png' }] }),
  });
}

function summarize(result, rate) {
  return {
    requestedRate: rate ?? null,
    seconds: result.duration,
    requests: result.requests.total,
    requestsPerSecond: Math.round(result.requests.total / result.duration),
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: Math.round(result.latency.mean * 100) / 100,
    },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  };
}

function held(summary) {
  const delivered = summary.requestedRate === null || summary.requestsPerSecond >= summary.requestedRate * DELIVERED_SHARE;
  return summary.errors === 0 && summary.timeouts === 0 && summary.non2xx === 0 && summary.latencyMs.p99 <= P99_LIMIT_MS && delivered;
}

const roundRate = (rate) => Math.max(10, Math.round(rate / 10) * 10);

async function findSustainedRate(stack, token, memory, log) {
  memory.enter('presign: warm-up');
  const warm = summarize(await presignLoad(stack, token, { seconds: 3 }), undefined);
  log(`  warm-up, unthrottled, ${CONNECTIONS} connections: ${warm.requestsPerSecond} req/s, p99 ${warm.latencyMs.p99} ms`);

  memory.enter('presign: stepping');
  const probes = [];
  const probe = async (rate) => {
    const summary = summarize(await presignLoad(stack, token, { rate, seconds: PROBE_S }), rate);
    probes.push({ ...summary, held: held(summary) });
    log(
      `  probe ${String(rate).padStart(5)} req/s for ${PROBE_S} s: delivered ${summary.requestsPerSecond}, p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms, errors ${summary.errors + summary.timeouts}, non-2xx ${summary.non2xx} → ${held(summary) ? 'held' : 'did not hold'}`,
    );
    return held(summary);
  };
  let good = 0;
  let bad;
  let rate = roundRate(Math.max(100, warm.requestsPerSecond * 0.5));
  while (bad === undefined) {
    if (await probe(rate)) {
      good = rate;
      rate = roundRate(rate * 1.25);
    } else bad = rate;
  }
  if (good === 0) {
    // Even the first probe failed: step down until one holds.
    for (rate = roundRate(bad / 2); rate >= 10 && good === 0; rate = roundRate(rate / 2)) if (await probe(rate)) good = rate;
    bad = Math.min(bad, good * 2);
  }
  for (let i = 0; i < BISECT_STEPS && bad - good > 20 && good > 0; i += 1) {
    const middle = roundRate((good + bad) / 2);
    if (middle <= good || middle >= bad) break;
    if (await probe(middle)) good = middle;
    else bad = middle;
  }

  memory.enter('presign: sustained');
  let final;
  for (let attempt = 0, target = good; attempt < FINAL_ATTEMPTS && target >= 10; attempt += 1, target = roundRate(target * 0.9)) {
    const summary = summarize(await presignLoad(stack, token, { rate: target, seconds: DURATION_S }), target);
    log(
      `  sustained ${target} req/s for ${DURATION_S} s: delivered ${summary.requestsPerSecond}, p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms, errors ${summary.errors + summary.timeouts}, non-2xx ${summary.non2xx} → ${held(summary) ? 'held' : 'did not hold'}`,
    );
    final = { ...summary, held: held(summary), attempt: attempt + 1 };
    if (final.held) break;
  }
  return { warmUp: warm, probes, sustained: final };
}

// ---------------------------------------------------------------------------
// Reading back: the bucket is private, so every read is signed (the stack's own keys)

function s3Client(stack) {
  return new S3Client({ endpoint: stack.s3Endpoint, region: stack.region, forcePathStyle: true, credentials: { ...stack.credentials } });
}

/** GET one object, streamed into SHA-256 (a 1 GiB object is never held in memory). */
async function readBack(stack, key) {
  const client = s3Client(stack);
  try {
    const object = await client.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key }));
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of object.Body) {
      hash.update(chunk);
      size += chunk.length;
    }
    return { status: 200, sha256: hash.digest('hex'), size, etag: object.ETag };
  } catch (error) {
    return { status: error?.$metadata?.httpStatusCode ?? 0, sha256: '', size: 0 };
  } finally {
    client.destroy();
  }
}

async function countObjects(stack, prefix) {
  const client = s3Client(stack);
  try {
    let count = 0;
    let token;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: prefix, ContinuationToken: token }));
      count += page.KeyCount ?? 0;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return count;
  } finally {
    client.destroy();
  }
}

// ---------------------------------------------------------------------------
// 2. Uploads

async function concurrentUploads(stack, token, memory, log) {
  const files = Array.from({ length: UPLOADS }, (_, i) => ({
    name: `load-${String(i).padStart(3, '0')}.png`,
    id: randomUUID(),
    content: Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(UPLOAD_BYTES - 8)]),
  }));
  const forms = [];
  for (let i = 0; i < files.length; i += 10) {
    const batch = files.slice(i, i + 10);
    const answer = await call(`${stack.url}/presign`, {
      body: Buffer.from(
        JSON.stringify({ files: batch.map((f) => ({ name: f.name, size: f.content.length, type: 'image/png', id: f.id })) }),
      ),
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, 'Accept-Encoding': 'gzip' },
    });
    if (answer.status !== 200) throw new Error(`presign for uploads: ${answer.status} ${answer.body}`);
    const body = answer.headers['content-encoding'] === 'gzip' ? (await import('node:zlib')).gunzipSync(answer.body) : answer.body;
    forms.push(...JSON.parse(body).uploads);
  }

  const bodies = forms.map((form, i) => {
    const boundary = `----load${randomUUID().replace(/-/g, '')}`;
    const head = Object.entries(form.fields)
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join('');
    const fileHead = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${files[i].name}"\r\nContent-Type: image/png\r\n\r\n`;
    return {
      url: form.url,
      key: form.key,
      boundary,
      body: Buffer.concat([Buffer.from(head + fileHead), files[i].content, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    };
  });

  memory.enter(`uploads: ${UPLOADS} concurrent`);
  const started = performance.now();
  const results = await Promise.all(
    bodies.map(async ({ url, body, boundary }) => {
      const t = performance.now();
      const answer = await call(url, {
        body,
        headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(body.length), Origin: stack.url },
      });
      return { status: answer.status, ms: performance.now() - t };
    }),
  );
  const wallMs = performance.now() - started;
  memory.enter('uploads: read back');

  const statuses = {};
  for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
  const pct = (p) => Math.round(latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] * 10) / 10;

  // Every object read back through the guard and compared, byte for byte, by SHA-256.
  let intact = 0;
  const mismatches = [];
  for (const [i, { key }] of bodies.entries()) {
    const object = await readBack(stack, key);
    const sent = createHash('sha256').update(files[i].content).digest('hex');
    if (object.status === 200 && object.sha256 === sent) intact += 1;
    else mismatches.push({ key, status: object.status, size: object.size });
  }
  const listed = await countObjects(stack, `${forms[0].key.split('/').slice(0, 2).join('/')}/`);
  const summary = {
    uploads: UPLOADS,
    bytesEach: UPLOAD_BYTES,
    statuses,
    wallMs: Math.round(wallMs),
    throughputMiBps: Math.round(((UPLOADS * UPLOAD_BYTES) / 1024 / 1024 / (wallMs / 1000)) * 10) / 10,
    uploadLatencyMs: { p50: pct(50), p99: pct(99), max: pct(100) },
    sha256Intact: intact,
    objectsListed: listed,
    mismatches,
  };
  log(
    `  ${UPLOADS} × ${(UPLOAD_BYTES / 1024 / 1024).toFixed(0)} MiB at once: ${JSON.stringify(statuses)} in ${summary.wallMs} ms (${summary.throughputMiBps} MiB/s), p50 ${summary.uploadLatencyMs.p50} ms, p99 ${summary.uploadLatencyMs.p99} ms; SHA-256 intact ${intact}/${UPLOADS}, listed ${listed}`,
  );
  return summary;
}

// ---------------------------------------------------------------------------
// 3. Multipart uploads, every S3 request signed by the edge (/presign/multipart, /parts)

const MULTIPART_PARTS_IN_FLIGHT = 4; // what the site sends per file (client/core/multipart-upload.ts)

/** Part `n` (1-based) of upload `seed`: an AES-CTR keystream, regenerated for the read-back, never held whole. */
function partBytes(seed, partSize, size, n) {
  const start = (n - 1) * partSize;
  const length = Math.min(partSize, size - start);
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(start / 16, 12); // every part starts on a 16-byte block
  const cipher = createCipheriv('aes-128-ctr', seed, iv);
  return cipher.update(Buffer.alloc(length));
}

function sha256Of(seed, partSize, size, partCount) {
  const hash = createHash('sha256');
  for (let n = 1; n <= partCount; n += 1) hash.update(partBytes(seed, partSize, size, n));
  return hash.digest('hex');
}

async function edgeJson(stack, token, route, body) {
  const answer = await call(`${stack.url}${route}`, {
    body: Buffer.from(JSON.stringify(body)),
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
  });
  if (answer.status !== 200) throw new Error(`${route}: ${answer.status} ${answer.body}`);
  return JSON.parse(answer.body);
}

/** One file through the edge and the guard, as the site sends it: start, create, parts (4 in flight), complete. */
async function multipartUpload(stack, token, { name, size, seed }) {
  const start = await edgeJson(stack, token, '/presign/multipart', { file: { name, size, type: 'video/mp4' } });
  const created = await call(start.create.url, {
    method: start.create.method,
    headers: { ...start.create.headers, 'Content-Length': '0' },
  });
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(String(created.body))?.[1];
  if (created.status !== 200 || uploadId === undefined) throw new Error(`create: ${created.status} ${created.body}`);
  const etags = new Array(start.partCount);
  let complete;
  for (let first = 1; first <= start.partCount; first += 10) {
    const numbers = Array.from({ length: Math.min(10, start.partCount - first + 1) }, (_, i) => first + i);
    const bodies = new Map(numbers.map((n) => [n, partBytes(seed, start.partSize, size, n)]));
    const signed = await edgeJson(stack, token, '/presign/multipart/parts', {
      key: start.key,
      uploadId,
      ticket: start.ticket,
      parts: numbers.map((n) => ({ partNumber: n, md5: createHash('md5').update(bodies.get(n)).digest('base64') })),
    });
    complete = signed.complete;
    const queue = [...signed.parts];
    await Promise.all(
      Array.from({ length: MULTIPART_PARTS_IN_FLIGHT }, async () => {
        for (let part = queue.shift(); part !== undefined; part = queue.shift()) {
          const body = bodies.get(part.partNumber);
          const put = await call(part.url, { method: 'PUT', body, headers: { ...part.headers, 'Content-Length': String(body.length) } });
          if (put.status !== 200) throw new Error(`part ${part.partNumber}: ${put.status} ${put.body}`);
          etags[part.partNumber - 1] = put.headers.etag;
        }
      }),
    );
  }
  const xml = `<CompleteMultipartUpload>${etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
  const done = await call(complete.url, { method: 'POST', body: Buffer.from(xml), headers: { 'Content-Type': 'application/xml' } });
  if (done.status !== 200 || !String(done.body).includes('<CompleteMultipartUploadResult'))
    throw new Error(`complete: ${done.status} ${done.body}`);
  return { key: start.key, partSize: start.partSize, partCount: start.partCount };
}

async function multipartLoad(stack, token, memory, log, { label, uploads, bytesEach }) {
  const files = Array.from({ length: uploads }, (_, i) => ({ name: `load-${i}.mp4`, size: bytesEach, seed: randomBytes(16) }));
  const rssBefore = procStatus(stack.pid)?.rss;
  memory.enter(label);
  const started = performance.now();
  const done = await Promise.all(files.map((file) => multipartUpload(stack, token, file)));
  const wallMs = performance.now() - started;
  memory.enter(`${label}: read back`);
  // The stack process holds the edge, the guard and s3rver: what the parts cost it while they streamed through.
  const stackRssGrowth = (memory.peaks[label]?.stack ?? NaN) - (rssBefore ?? NaN);
  let intact = 0;
  for (const [i, upload] of done.entries()) {
    const object = await readBack(stack, upload.key);
    if (object.status === 200 && object.sha256 === sha256Of(files[i].seed, upload.partSize, files[i].size, upload.partCount)) intact += 1;
  }
  const summary = {
    uploads,
    bytesEach,
    partSize: done[0].partSize,
    partsEach: done[0].partCount,
    wallMs: Math.round(wallMs),
    throughputMiBps: Math.round(((uploads * bytesEach) / 1024 / 1024 / (wallMs / 1000)) * 10) / 10,
    sha256Intact: intact,
    stackRssGrowthBytes: stackRssGrowth,
  };
  log(
    `  ${label}: ${uploads} × ${mib(bytesEach)} in ${summary.wallMs} ms (${summary.throughputMiBps} MiB/s, ${summary.partsEach} parts of ${mib(summary.partSize)} each); SHA-256 intact ${intact}/${uploads}; stack RSS +${mib(stackRssGrowth)}`,
  );
  return summary;
}

// ---------------------------------------------------------------------------
// The auth Lambda's cold start: its bundle loaded by fresh `node` processes

const AUTH_BUNDLE = path.join(ROOT, 'dist', 'origin', 'auth', 'index.js');
const COLD_STARTS = 10;

function authColdStart() {
  const child = `const t0 = performance.now(); const m = require(${JSON.stringify(AUTH_BUNDLE)}); const t1 = performance.now();
    if (typeof m.handler !== 'function') throw new Error('no handler');
    process.stdout.write(JSON.stringify({ requireMs: t1 - t0, sinceStartMs: t1 }));`;
  const env = {
    PATH: process.env.PATH ?? '',
    USER_POOL_ID: 'eu-west-1_LoadPool01',
    USER_POOL_CLIENT_ID: 'loadclient0000000000000001',
    SITE_ORIGIN: 'https://uploads.example.com',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'ASIALOADLOADLOAD0001',
    AWS_SECRET_ACCESS_KEY: 'load-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const runs = [];
  for (let i = 0; i < COLD_STARTS; i += 1) {
    const started = performance.now();
    const result = spawnSync(process.execPath, ['-e', child], { env, encoding: 'utf8', timeout: 60_000 });
    const processMs = performance.now() - started;
    if (result.status !== 0) throw new Error(`auth bundle did not load: ${result.stderr}`);
    runs.push({ ...JSON.parse(result.stdout), processMs });
  }
  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    return Math.round(((sorted[Math.floor((sorted.length - 1) / 2)] + sorted[Math.ceil((sorted.length - 1) / 2)]) / 2) * 10) / 10;
  };
  const bytes = readFileSync(AUTH_BUNDLE);
  return {
    bundle: path.relative(ROOT, AUTH_BUNDLE),
    bundleBytes: bytes.length,
    gzipBytes: gzipSync(bytes, { level: 9 }).length,
    requireMedianMs: median(runs.map((r) => r.requireMs)),
    processMedianMs: median(runs.map((r) => r.processMs)),
    runs: runs.length,
  };
}

// ---------------------------------------------------------------------------

// A digits-only secret (the confirmation code) is matched as a whole number,
// never inside a decimal: ~1M log lines of latencies like 0.123456 would
// otherwise contain any six-digit code by chance.
function scanLog(file, secrets) {
  const text = readFileSync(file, 'utf8');
  const found = Object.entries(secrets)
    .filter(
      ([, value]) =>
        value !== undefined &&
        value.length >= 6 &&
        (/^[0-9]+$/.test(value)
          ? new RegExp(`(?<![0-9A-Za-z]|[0-9]\\.)${value}(?![0-9A-Za-z]|\\.[0-9])`).test(text)
          : text.includes(value)),
    )
    .map(([name]) => name);
  if (/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./.test(text)) found.push('a JWT-shaped string');
  return { lines: text.split('\n').length - 1, secretsFound: found };
}

const mib = (bytes) => (bytes === undefined || !Number.isFinite(bytes) ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);

async function main() {
  const log = (line) => process.stdout.write(`${line}\n`);
  const machine = {
    node: process.version,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus().length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    loadBefore: loadavg()[0],
  };
  log(`npm run load — Node ${machine.node}, ${machine.cpuCount} × ${machine.cpu}, load ${machine.loadBefore.toFixed(2)}`);
  const coldStart = authColdStart();
  log(
    `  auth Lambda bundle ${(coldStart.bundleBytes / 1024).toFixed(1)} KB (gzip ${(coldStart.gzipBytes / 1024).toFixed(1)} KB): require median ${coldStart.requireMedianMs} ms, whole process ${coldStart.processMedianMs} ms (${COLD_STARTS} fresh node processes)`,
  );
  const work = mkdtempSync(path.join(tmpdir(), 'edge-upload-load-'));
  let stack;
  let memory;
  try {
    stack = await startStack(work);
    log(`  local stack ready in ${Math.round(stack.readyMs)} ms (pid ${stack.pid}, cognito-local pid ${stack.pids['cognito-local']})`);
    memory = new MemorySampler({ stack: stack.pid, 'cognito-local': stack.pids['cognito-local'], driver: process.pid });
    const user = await signUp(stack);

    log(`/presign through the local edge (p99 ≤ ${P99_LIMIT_MS} ms, zero errors, ${CONNECTIONS} connections):`);
    const presign = await findSustainedRate(stack, user.accessToken, memory, log);
    log('uploads through the POST-policy guard:');
    const uploads = await concurrentUploads(stack, user.accessToken, memory, log);
    log('multipart uploads, signed at the edge, through the guard:');
    const multipartLarge = await multipartLoad(stack, user.accessToken, memory, log, {
      label: 'multipart: one large file',
      uploads: 1,
      bytesEach: MULTIPART_LARGE_BYTES,
    });
    const multipartMany = await multipartLoad(stack, user.accessToken, memory, log, {
      label: 'multipart: concurrent files',
      uploads: MULTIPART_CONCURRENT,
      bytesEach: MULTIPART_CONCURRENT_BYTES,
    });
    const memoryReport = memory.stop();
    memory = undefined;
    const logScan = scanLog(stack.logFile, {
      accessToken: user.accessToken,
      password: PASSWORD,
      confirmationCode: user.code,
      refreshToken: user.refresh,
    });

    const results = {
      generatedAt: new Date().toISOString(),
      machine: { ...machine, loadAfter: loadavg()[0] },
      settings: {
        durationSeconds: DURATION_S,
        probeSeconds: PROBE_S,
        p99LimitMs: P99_LIMIT_MS,
        connections: CONNECTIONS,
        deliveredShare: DELIVERED_SHARE,
        uploads: UPLOADS,
        uploadBytes: UPLOAD_BYTES,
      },
      stackReadyMs: Math.round(stack.readyMs),
      authColdStart: coldStart,
      presign,
      uploads,
      multipart: { large: multipartLarge, concurrent: multipartMany },
      memory: memoryReport,
      logScan,
    };
    mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
    writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);

    const s = presign.sustained;
    log('');
    log('| what | result |');
    log('|---|---|');
    log(
      `| /presign, ${DURATION_S} s at a fixed rate | ${s.requestedRate} req/s requested, ${s.requestsPerSecond} delivered, ${s.requests} requests |`,
    );
    log(`| /presign latency p50 / p99 / max | ${s.latencyMs.p50} / ${s.latencyMs.p99} / ${s.latencyMs.max} ms |`);
    log(`| /presign errors, timeouts, non-2xx | ${s.errors}, ${s.timeouts}, ${s.non2xx} |`);
    log(`| /presign unthrottled (warm-up) | ${presign.warmUp.requestsPerSecond} req/s, p99 ${presign.warmUp.latencyMs.p99} ms |`);
    log(
      `| ${UPLOADS} concurrent ${(UPLOAD_BYTES / 1024 / 1024).toFixed(0)} MiB uploads | ${JSON.stringify(uploads.statuses)} in ${uploads.wallMs} ms, ${uploads.throughputMiBps} MiB/s, p50 ${uploads.uploadLatencyMs.p50} ms, p99 ${uploads.uploadLatencyMs.p99} ms |`,
    );
    log(`| objects read back with the SHA-256 sent | ${uploads.sha256Intact} / ${UPLOADS} (listed ${uploads.objectsListed}) |`);
    for (const m of [multipartLarge, multipartMany]) {
      log(
        `| multipart, ${m.uploads} × ${mib(m.bytesEach)} at once (edge-signed, ${m.partsEach} parts each) | ${m.wallMs} ms, ${m.throughputMiBps} MiB/s; SHA-256 intact ${m.sha256Intact} / ${m.uploads}; stack peak RSS growth ${mib(m.stackRssGrowthBytes)} |`,
      );
    }
    for (const [name, peak] of Object.entries(memoryReport.vmHwm)) {
      const phases = Object.entries(memoryReport.peakRssByPhase)
        .map(([phase, peaks]) => `${phase} ${mib(peaks[name])}`)
        .join('; ');
      log(`| peak RSS, ${name} | ${mib(peak)} (VmHWM); by phase: ${phases} |`);
    }
    log(`| local stack start (spawn → ready) | ${results.stackReadyMs} ms |`);
    log(
      `| auth Lambda cold start, median of ${COLD_STARTS} (require / whole process) | ${coldStart.requireMedianMs} / ${coldStart.processMedianMs} ms |`,
    );
    log(
      `| stack log: ${logScan.lines} lines scanned for the token, password, code, refresh token | ${logScan.secretsFound.length === 0 ? 'none found' : `FOUND ${logScan.secretsFound.join(', ')}`} |`,
    );
    log(`\nwrote ${path.relative(ROOT, RESULTS_FILE)}`);

    // budget (BENCHMARKS.md): one 1 GiB multipart upload grows the stack by at most 64 MiB (streamed, never buffered).
    const overMemoryBudget = !(multipartLarge.stackRssGrowthBytes <= MULTIPART_RSS_BUDGET_BYTES);
    if (overMemoryBudget)
      log(`multipart: the stack grew by ${mib(multipartLarge.stackRssGrowthBytes)}, over the ${mib(MULTIPART_RSS_BUDGET_BYTES)} budget`);
    const failed =
      overMemoryBudget ||
      !s.held ||
      multipartLarge.sha256Intact !== multipartLarge.uploads ||
      multipartMany.sha256Intact !== multipartMany.uploads ||
      uploads.sha256Intact !== UPLOADS ||
      uploads.statuses['201'] !== UPLOADS ||
      uploads.objectsListed !== UPLOADS ||
      logScan.secretsFound.length > 0;
    if (failed) process.exitCode = 1;
  } finally {
    memory?.stop();
    await stack?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`npm run load failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
