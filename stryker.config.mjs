// Mutation testing (`npm run test:mutation`, see BENCHMARKS.md "Mutation
// testing"): the edge core, both CloudFront Functions and origin/core, against
// the in-process unit suites of jest.mutation.config.js. Too slow for every CI
// run; run it before resolving a change to these files. One group at a time:
//   npm run test:mutation -- --mutate 'origin/core/**/*.ts'
// The machine is shared: one test process, per-test coverage so each mutant
// runs only the tests that reach it, and an incremental file so a re-run only
// tests the mutants whose code or tests changed.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  // findRelatedTests: a static mutant (a module-level constant such as a regex) runs only the
  // suites that import its file, not all of them.
  jest: { configFile: 'jest.mutation.config.js', enableFindRelatedTests: true },
  coverageAnalysis: 'perTest',
  checkers: [],
  concurrency: 1,
  mutate: [
    'edge-functions/core/**/*.ts',
    // Only reads the rules file at test time; every bundle replaces it with data.
    '!edge-functions/core/upload-rules-source.ts',
    'edge-functions/cloudfront-functions/**/*.ts',
    'origin/core/**/*.ts',
  ],
  // Other groups' sandboxes (.stryker-tmp-*) are never copied into this one.
  ignorePatterns: ['dist', 'cdk.out', '.local', 'coverage', 'test-results', 'site', 'docs', '.stryker-tmp*', 'reports'],
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  timeoutMS: 10000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
