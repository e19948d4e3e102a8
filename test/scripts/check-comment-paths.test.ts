/** Every `*.ts` file named in a comment exists (scripts/check-comment-paths.mjs). */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

it('finds no comment naming a missing .ts file', () => {
  const run = spawnSync(process.execPath, [path.join(root, 'scripts', 'check-comment-paths.mjs')], { cwd: root, encoding: 'utf8' });
  expect(run.stdout.split('\n').filter((line) => line !== '')).toEqual([]);
  expect(run.status).toBe(0);
});
