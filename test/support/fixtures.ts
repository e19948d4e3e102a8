/**
 * Loads a recorded event from test/fixtures and returns a deep clone, so a
 * test can vary it without touching the file or other tests' copies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES_DIR = join(__dirname, '..', 'fixtures');

export function loadFixture<T>(relativePath: string): T {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, relativePath), 'utf8')) as T;
}
