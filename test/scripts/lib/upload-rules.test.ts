/**
 * The build side of the upload rules (scripts/lib/upload-rules.mjs): a bad
 * rules file fails the build naming its line, and what a bundle enforces is
 * what the file said when it was built. Each runs the build code in a fresh
 * `node` process, as `npm run build` does, on a rules file in a temp folder.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

jest.setTimeout(60_000);

const ROOT = path.join(__dirname, '..', '..', '..');
const LIB = path.join(ROOT, 'scripts', 'lib', 'upload-rules.mjs');
const SHIPPED = readFileSync(path.join(ROOT, 'edge-functions', 'upload-rules.yaml'), 'utf8');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'edge-upload-rules-build-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runModule(script: string, ...args: string[]) {
  return spawnSync(process.execPath, ['--input-type=module', '-e', script, LIB, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
}

it('a broken rules file fails the compile step with file:line: and the problem', () => {
  const file = path.join(dir, 'broken.yaml');
  const text = SHIPPED.replace('maxBytes: 20 GiB', 'maxBytes: 20 GB');
  writeFileSync(file, text);
  const line = text.slice(0, text.indexOf('maxBytes: 20 GB')).split('\n').length;
  const result = runModule(
    'const { compileUploadRules } = await import(process.argv[1]); await compileUploadRules(process.argv[2]);',
    file,
  );
  expect(result.status).not.toBe(0);
  expect(result.stderr).toContain(`${file}:${line}: types.video/mp4.maxBytes "20 GB" is not a size`);
});

it('a broken rules file fails a bundle build through the plugin, at its line', () => {
  const file = path.join(dir, 'broken-plugin.yaml');
  const text = SHIPPED.replace('maxFilesPerRequest: 10', 'maxFilesPerRequest: ten');
  writeFileSync(file, text);
  const line = text.slice(0, text.indexOf('maxFilesPerRequest: ten')).split('\n').length;
  const script = `
    const { uploadRulesPlugin } = await import(process.argv[1]);
    const esbuild = await import('esbuild');
    try {
      await esbuild.build({ entryPoints: ['edge-functions/presign/index.ts'], bundle: true, platform: 'node', write: false, logLevel: 'silent', plugins: [uploadRulesPlugin({ file: process.argv[2] })] });
      console.log('BUILT');
    } catch (error) { console.log(error.message); process.exitCode = 1; }
    esbuild.stop();`;
  const result = runModule(script, file);
  expect(result.status).toBe(1);
  expect(result.stdout).not.toContain('BUILT');
  expect(result.stdout).toMatch(
    new RegExp(
      `broken-plugin\\.yaml:${line}:0: ERROR: \\[plugin: upload-rules\\] invalid upload rules: maxFilesPerRequest must be a whole number from 1 to 10`,
    ),
  );
});

it('a type removed from the file is refused by the built edge validation and the built site check', () => {
  const file = path.join(dir, 'no-gif.yaml');
  writeFileSync(file, SHIPPED.replace('  image/gif:\n    extensions: [gif]\n    maxBytes: 10 MiB\n', ''));
  const entry = path.join(dir, 'entry.ts');
  writeFileSync(
    entry,
    `import { validatePresignRequest } from ${JSON.stringify(path.join(ROOT, 'edge-functions/core/presign-request'))};
     import { DEFAULT_UPLOAD_RULES } from ${JSON.stringify(path.join(ROOT, 'edge-functions/core/upload-rules'))};
     import { checkFile } from ${JSON.stringify(path.join(ROOT, 'client/core/file-check'))};
     const outcome = (f: () => unknown) => { try { f(); return 'accepted'; } catch (e) { return (e as { code?: string }).code; } };
     const file = (name: string, type: string) => ({ name, size: 1000, type });
     console.log(JSON.stringify({
       edgeGif: outcome(() => validatePresignRequest({ files: [file('cat.gif', 'image/gif')] }, DEFAULT_UPLOAD_RULES)),
       siteGif: outcome(() => checkFile(file('cat.gif', 'image/gif'), DEFAULT_UPLOAD_RULES)),
       edgePng: outcome(() => validatePresignRequest({ files: [file('cat.png', 'image/png')] }, DEFAULT_UPLOAD_RULES)),
       sitePng: outcome(() => checkFile(file('cat.png', 'image/png'), DEFAULT_UPLOAD_RULES)),
     }));`,
  );
  const outfile = path.join(dir, 'out.js');
  const script = `
    const { uploadRulesPlugin } = await import(process.argv[1]);
    const esbuild = await import('esbuild');
    await esbuild.build({ entryPoints: [process.argv[3]], outfile: process.argv[4], bundle: true, platform: 'node', format: 'cjs', logLevel: 'silent', plugins: [uploadRulesPlugin({ file: process.argv[2] })] });
    esbuild.stop();`;
  execFileSync(process.execPath, ['--input-type=module', '-e', script, LIB, file, entry, outfile], { cwd: ROOT });
  const bundle = readFileSync(outfile, 'utf8');
  expect(bundle).toMatch(/"image\/png":\s*\{/);
  expect(bundle).not.toMatch(/"image\/gif":\s*\{/);
  // The rules arrive as data: neither the validator nor the YAML parser is bundled.
  expect(bundle).not.toMatch(/LineCounter|parseDocument|UploadRulesError/);
  const result = JSON.parse(execFileSync(process.execPath, [outfile], { encoding: 'utf8' })) as unknown;
  expect(result).toEqual({ edgeGif: 'UNSUPPORTED_TYPE', siteGif: 'UNSUPPORTED_TYPE', edgePng: 'accepted', sitePng: 'accepted' });
});
