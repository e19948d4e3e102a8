/**
 * `npm run test:fuzz`: the fast-check suites under test/fuzz, FUZZ_RUNS runs
 * each (default 10,000; FUZZ_SEED replays a failure). In-process, no network.
 * Kept out of the main suite (jest.config.js) because of their length.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/node-version-warning.js'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: true }] },
  testMatch: ['<rootDir>/test/fuzz/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.local/'],
  testTimeout: 10 * 60 * 1000,
};
