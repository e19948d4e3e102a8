/**
 * The tests of a file are at the same path under `test/` (README.md,
 * "Tests"). Held here for the two folders of pure browser logic, whose
 * suites once all sat under test/site/core/ although most test
 * client/core/: each suite under test/<folder>/ is named after a module of
 * <folder>/ (`upload-queue-multipart.test.ts` → `upload-queue.ts`) and
 * imports it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');

/** The module of `folder` that the suite `file` (under test/<folder>/) is about, or why there is none. */
function mirroredModule(folder: string, file: string, modules: readonly string[], source: string): string {
  const suite = file.replace(/\.test\.ts$/, '');
  const named = modules
    .filter((module) => suite === module || suite.startsWith(`${module}.`) || suite.startsWith(`${module}-`))
    .sort((a, b) => b.length - a.length)[0];
  if (named === undefined) return `test/${folder}/${file}: no ${folder}/<name>.ts for it`;
  const depth = folder.split('/').length + 1;
  const specifier = `${'../'.repeat(depth)}${folder}/${named}`;
  if (!source.includes(`from '${specifier}'`)) return `test/${folder}/${file}: does not import ${folder}/${named}.ts`;
  return `${folder}/${named}.ts`;
}

describe.each(['client/core', 'site/core'])('test/%s/', (folder) => {
  const modules = readdirSync(path.join(ROOT, folder))
    .filter((name) => name.endsWith('.ts'))
    .map((name) => name.slice(0, -'.ts'.length));
  const suiteFolder = path.join(ROOT, 'test', folder);
  const suites = existsSync(suiteFolder) ? readdirSync(suiteFolder).filter((name) => name.endsWith('.test.ts')) : [];

  it('has suites', () => {
    expect(suites.length).toBeGreaterThan(0);
  });

  it.each(suites)('%s tests a module of its mirrored folder', (file) => {
    const source = readFileSync(path.join(ROOT, 'test', folder, file), 'utf8');
    expect(mirroredModule(folder, file, modules, source)).toMatch(new RegExp(`^${folder}/[\\w-]+\\.ts$`));
  });
});

describe('the check', () => {
  const modules = ['upload-queue', 'upload-queue-extra', 'session'];

  it('takes the longest module name the suite starts with, and wants it imported', () => {
    const imports = "import { x } from '../../../client/core/upload-queue';";
    expect(mirroredModule('client/core', 'upload-queue-multipart.test.ts', modules, imports)).toBe('client/core/upload-queue.ts');
    expect(mirroredModule('client/core', 'upload-queue.property.test.ts', modules, imports)).toBe('client/core/upload-queue.ts');
    const both = `${imports}\nimport { y } from '../../../client/core/upload-queue-extra';`;
    expect(mirroredModule('client/core', 'upload-queue-extra.test.ts', modules, both)).toBe('client/core/upload-queue-extra.ts');
    expect(mirroredModule('client/core', 'upload-queue-extra.test.ts', modules, imports)).toMatch(
      /does not import client\/core\/upload-queue-extra\.ts/,
    );
  });

  it('refuses a suite of another folder or no module', () => {
    const clientImport = "import { x } from '../../../client/core/session';";
    expect(mirroredModule('site/core', 'session.test.ts', modules, clientImport)).toMatch(/does not import site\/core\/session\.ts/);
    expect(mirroredModule('site/core', 'api-contract.test.ts', modules, clientImport)).toMatch(/no site\/core\/<name>\.ts/);
  });
});
