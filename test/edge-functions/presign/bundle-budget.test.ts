/**
 * The built presign bundle (docs/edge-config.md; the budget in BENCHMARKS.md): within its size budget, one
 * self-contained CommonJS file exporting `handler`, free of the AWS SDK, and
 * loud at cold start when its config.json is missing or wrong.
 *
 * It reads what `npm run build` wrote; it does not build. Loading happens in
 * fresh `node` processes, in a temp folder holding a copy of the bundle and
 * the config.json beside it, exactly as Lambda@Edge would lay them out.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { withToken, viewerRequest } from '../../support/lambda-edge-events';
import { accessToken, newSigningKey, TEST_CREDENTIALS, testEdgeConfig, type SigningKey } from '../../support/tokens';

const ROOT = resolve(__dirname, '..', '..', '..');

/** The bundle path and budget, read from the build target so they are written once. */
function buildTarget(): { bundle: string; budgetBytes: number } {
  const script =
    'const m = await import(process.argv[1]);' +
    'process.stdout.write(JSON.stringify({ bundle: m.PRESIGN_BUNDLE, budgetBytes: m.PRESIGN_BUNDLE_BUDGET_BYTES }));';
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, join(ROOT, 'scripts/build/presign.mjs')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const parsed: unknown = JSON.parse(out);
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    !('bundle' in parsed) ||
    typeof parsed.bundle !== 'string' ||
    !('budgetBytes' in parsed) ||
    typeof parsed.budgetBytes !== 'number'
  ) {
    throw new Error(`scripts/build/presign.mjs no longer exports PRESIGN_BUNDLE and PRESIGN_BUNDLE_BUDGET_BYTES: ${out}`);
  }
  return { bundle: resolve(ROOT, parsed.bundle), budgetBytes: parsed.budgetBytes };
}

const { bundle, budgetBytes } = buildTarget();

function readBundle(): string {
  if (!existsSync(bundle)) {
    throw new Error(`${bundle} is missing: run npm run build first (this test checks the build output, it does not build).`);
  }
  return readFileSync(bundle, 'utf8');
}

/** Runs `script` in a fresh node process inside a folder holding index.js (the bundle) and, if given, config.json. */
function loadInFolder(config: string | undefined, script: string, files: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'presign-bundle-'));
  try {
    copyFileSync(bundle, join(dir, 'index.js'));
    // Pin the module system: the file must load as CommonJS on its own merits.
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'commonjs' }));
    if (config !== undefined) writeFileSync(join(dir, 'config.json'), config);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return spawnSync(process.execPath, ['-e', script], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 30_000,
      env: {
        PATH: process.env.PATH ?? '',
        AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
        AWS_SESSION_TOKEN: TEST_CREDENTIALS.sessionToken,
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const RESULT_MARK = 'RESULT ';
function resultOf(stdout: string): unknown {
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARK));
  if (line === undefined) throw new Error(`the child printed no result; stdout was:\n${stdout}`);
  return JSON.parse(line.slice(RESULT_MARK.length));
}

let key: SigningKey;
beforeAll(() => {
  key = newSigningKey();
});
const validConfig = () => JSON.stringify(testEdgeConfig(key));

describe('presign bundle: size and contents', () => {
  it(`is at most the ${budgetBytes}-byte budget in BENCHMARKS.md`, () => {
    readBundle();
    expect(statSync(bundle).size).toBeLessThanOrEqual(budgetBytes);
  });

  it('does not carry the AWS SDK (the signer is our own; the SDK is only the test reference)', () => {
    const source = readBundle();
    for (const telltale of ['@aws-sdk', 's3-presigned-post', 'smithy', 'PutObjectCommand', 'S3Client', 'getEndpointFromInstructions']) {
      expect({ telltale, found: source.includes(telltale) }).toEqual({ telltale, found: false });
    }
  });

  it('is one self-contained file: it requires only Node built-ins', () => {
    const source = readBundle();
    const required = [...source.matchAll(/require\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((match) => match[1] ?? '');
    const nonBuiltins = required.filter((name) => !name.startsWith('node:') && !builtinModules.includes(name));
    expect(nonBuiltins).toEqual([]);
  });
});

describe('presign bundle: loading', () => {
  it('loads as CommonJS beside a valid config.json and exports handler', () => {
    readBundle();
    const result = loadInFolder(
      validConfig(),
      `const m = require('./index.js');
       process.stdout.write(${JSON.stringify(RESULT_MARK)} + JSON.stringify({ exports: Object.keys(m), handler: typeof m.handler }) + '\\n');`,
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(resultOf(result.stdout)).toEqual({ exports: expect.arrayContaining(['handler']), handler: 'function' });
  });

  it('answers a recorded viewer-request with a real token: the bundled verifier and signer work', () => {
    readBundle();
    const event = withToken(viewerRequest('presign-one-file'), accessToken(key));
    const result = loadInFolder(
      validConfig(),
      `const { handler } = require('./index.js');
       const event = JSON.parse(require('node:fs').readFileSync('event.json', 'utf8'));
       handler(event).then((response) => {
         const body = JSON.parse(response.body);
         process.stdout.write(${JSON.stringify(RESULT_MARK)} + JSON.stringify({
           status: response.status,
           uploads: body.uploads.length,
           url: body.uploads[0].url,
           signed: /^[0-9a-f]{64}$/.test(body.uploads[0].fields['X-Amz-Signature']),
         }) + '\\n');
       });`,
      { 'event.json': JSON.stringify(event) },
    );
    expect(result.status).toBe(0);
    expect(resultOf(result.stdout)).toEqual({
      status: '200',
      uploads: 1,
      url: testEdgeConfig(key).uploadUrl,
      signed: true,
    });
  });

  const loadOnly = `require('./index.js'); process.stdout.write(${JSON.stringify(RESULT_MARK)} + '"loaded"\\n');`;

  it('throws at module load, naming config.json, when config.json is missing', () => {
    readBundle();
    const result = loadInFolder(undefined, loadOnly);
    expect(result.status).not.toBe(0);
    expect(result.stdout).not.toContain(RESULT_MARK);
    expect(result.stderr).toMatch(/EdgeConfigError/);
    expect(result.stderr).toMatch(/Cannot read .*config\.json: the presign function needs its config\.json beside it/);
  });

  it('throws at module load when config.json is not JSON', () => {
    readBundle();
    const result = loadInFolder('{"issuer": ', loadOnly);
    expect(result.status).not.toBe(0);
    expect(result.stdout).not.toContain(RESULT_MARK);
    expect(result.stderr).toMatch(/config\.json is not valid JSON/);
  });

  it('throws at module load, listing every problem, when config.json is invalid', () => {
    readBundle();
    const config = testEdgeConfig(key, { issuer: 'http://cognito.example/pool', bucket: 'Not_A_Bucket', policyTtlSeconds: 0 });
    const result = loadInFolder(JSON.stringify(config), loadOnly);
    expect(result.status).not.toBe(0);
    expect(result.stdout).not.toContain(RESULT_MARK);
    expect(result.stderr).toMatch(/Invalid config\.json/);
    expect(result.stderr).toMatch(/"issuer" must use https:/);
    expect(result.stderr).toMatch(/"bucket" is not a valid S3 bucket name/);
    expect(result.stderr).toMatch(/"policyTtlSeconds" must be a whole number/);
  });
});
