/**
 * The built CloudFront Functions as CloudFront will receive them
 * (dist/edge-functions/*.js, written by scripts/build/cloudfront-functions.mjs):
 * within its size budget (BENCHMARKS.md), plain scripts with a top-level
 * `function handler`, nothing but runtime 2.0 syntax, and the auth contract
 * compiled in from its one definition.
 */
import * as acorn from 'acorn';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUTH_METHOD, AUTH_ROUTES, MAX_AUTH_BODY_BYTES } from '../../../edge-functions/core/auth-routes';
import { assertRuntime20Syntax } from '../../support/cloudfront-functions-sandbox';

/** BENCHMARKS.md budgets: each CloudFront Function source ≤ 2 KB (the AWS limit is 10 KB). */
const BUDGET_BYTES = 2048;

const FUNCTIONS = ['site-router', 'auth-guard'] as const;

function built(name: (typeof FUNCTIONS)[number]): string {
  const path = join(__dirname, '..', '..', '..', 'dist', 'edge-functions', `${name}.js`);
  if (!existsSync(path)) {
    throw new Error(`${path} does not exist: build it first with \`npm run build\` (or \`node scripts/build.mjs cloudfront-functions\`)`);
  }
  return readFileSync(path, 'utf8');
}

describe.each(FUNCTIONS)('dist/edge-functions/%s.js', (name) => {
  const source = built(name);

  it(`is at most ${BUDGET_BYTES} bytes`, () => {
    expect(Buffer.byteLength(source, 'utf8')).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it('is a plain script with a top-level function handler and no module syntax or require', () => {
    const program = acorn.parse(source, { ecmaVersion: 'latest', sourceType: 'script' });
    const topLevelHandler = program.body.find(
      (node): node is acorn.FunctionDeclaration => node.type === 'FunctionDeclaration' && node.id.name === 'handler',
    );
    expect(topLevelHandler?.params).toHaveLength(1);
    expect(source).not.toMatch(/\b(?:import|export)\b/);
    expect(source).not.toMatch(/\brequire\s*\(/);
  });

  it('uses only syntax that runtime 2.0 lists', () => {
    expect(() => assertRuntime20Syntax(source, `${name}.js`)).not.toThrow();
  });
});

describe('dist/edge-functions/auth-guard.js', () => {
  it('carries the auth contract of edge-functions/core/auth-routes.ts', () => {
    const source = built('auth-guard');
    for (const route of Object.keys(AUTH_ROUTES)) expect(source).toContain(JSON.stringify(route));
    expect(source).toContain(JSON.stringify(AUTH_METHOD));
    expect(source).toContain(String(MAX_AUTH_BODY_BYTES));
  });
});
