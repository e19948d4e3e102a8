/**
 * The browser end-to-end suite (`npm run test:e2e`): Debian's Chromium via
 * playwright-core against a local stack each test file starts on free ports.
 * One worker: the suites start whole stacks and browsers, and timing-sensitive
 * steps (a throttled upload) should not compete for the CPU.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/node-version-warning.js'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: true }] },
  testMatch: ['<rootDir>/test/system/e2e/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.local/'],
  testTimeout: 120_000,
  maxWorkers: 1,
};
