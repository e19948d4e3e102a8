// Every `*.ts` file a comment names must exist, so a header naming a file
// cannot outlive the file's rename. A name is looked up
// next to the commenting file, then from the repository root, then (a bare
// name) anywhere in the same top-level folder (edge-functions/, origin/, …);
// a test may name its source file bare. Prints one line per missing name and exits 1.
// `node scripts/check-comment-paths.mjs`; test/scripts/check-comment-paths.test.ts runs it.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Names of other projects' files that comments cite on purpose. */
const FOREIGN = new Set(['safe-json-parse.ts']);

const COMMENT = /\/\*[\s\S]*?\*\/|\/\/[^\n]*/g;
const TS_PATH = /(?<![\w./*<-])((?:\.{1,2}\/)?[\w.-]+(?:\/[\w.-]+)*\.ts)\b/g;

export function missingCommentPaths() {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.mjs', '*.js'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((file) => file !== '' && !file.startsWith('node_modules/') && existsSync(path.join(root, file)));
  const tsFiles = files.filter((file) => file.endsWith('.ts'));
  const top = (file) => file.split('/')[0];
  const baseNames = new Set(tsFiles.map((file) => `${top(file)}/${path.basename(file)}`));
  const anyBaseName = new Set(tsFiles.map((file) => path.basename(file)));
  const missing = [];
  for (const file of files) {
    const text = readFileSync(path.join(root, file), 'utf8');
    for (const comment of text.match(COMMENT) ?? []) {
      for (const [, name] of comment.matchAll(TS_PATH)) {
        if (name.endsWith('.d.ts') || FOREIGN.has(path.basename(name))) continue;
        if (existsSync(path.join(root, path.dirname(file), name)) || existsSync(path.join(root, name))) continue;
        if (!name.includes('/') && baseNames.has(`${top(file)}/${name}`)) continue;
        if (!name.includes('/') && top(file) === 'test' && anyBaseName.has(name)) continue;
        if (name.includes('<') || name.includes('*')) continue;
        missing.push(`${file}: ${name}`);
      }
    }
  }
  return [...new Set(missing)];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const missing = missingCommentPaths();
  for (const line of missing) console.log(line);
  process.exit(missing.length === 0 ? 0 : 1);
}
