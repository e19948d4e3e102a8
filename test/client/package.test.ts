/**
 * `npm pack` ships the library and nothing else: package.json's exports and
 * types point at files the client build writes, and the tarball holds only
 * dist/client/ (plus the files npm always adds). Builds dist/client/ itself.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(__dirname, '..', '..');

interface PackedFile {
  readonly path: string;
}

describe('the edge-upload/client package', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), 'client'], { cwd: ROOT, stdio: 'pipe' });
  }, 60_000);

  it('exports ./client with types, both written by the build', () => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
      files: string[];
    };
    const client = manifest.exports['./client'] as { types: string; default: string };
    expect(existsSync(path.join(ROOT, client.types))).toBe(true);
    expect(existsSync(path.join(ROOT, client.default))).toBe(true);
    expect(existsSync(path.join(ROOT, manifest.exports['./client/md5-worker.js'] as string))).toBe(true);
    const types = readFileSync(path.join(ROOT, client.types), 'utf8');
    expect(types).toMatch(/export declare function createUploader\(options: UploaderOptions\): Uploader;/);
  });

  it('the ES module loads without a bundler and exports createUploader and the error classes, names kept', () => {
    // In a plain Node child: jest's module system cannot import() an ES module.
    const script = `const m = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist', 'client', 'index.mjs')).href)});
      console.log(JSON.stringify({ createUploader: typeof m.createUploader, name: new m.FileRejectedError('EMPTY_FILE', 'empty').name }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ createUploader: 'function', name: 'FileRejectedError' });
  });

  it('npm pack holds dist/client and nothing else of the repository', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    const [packed] = JSON.parse(out) as { files: PackedFile[] }[];
    const paths = (packed?.files ?? []).map((file) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining(['dist/client/index.mjs', 'dist/client/md5-worker.js', 'dist/client/types/client/index.d.ts']),
    );
    expect(paths.filter((file) => !file.startsWith('dist/client/') && !['package.json', 'README.md', 'LICENSE'].includes(file))).toEqual(
      [],
    );
  });
});
