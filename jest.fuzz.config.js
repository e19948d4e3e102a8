/**
 * `npm run test:fuzz`: only the property suites (`*.property.test.ts`, the
 * fast-check suites beside their units), FUZZ_RUNS runs per property (10,000
 * unless set; FUZZ_SEED replays a failure). `npm test` runs the same suites
 * with test/support/fuzz-settings.ts's smaller default. In-process, no network.
 * @type {import('jest').Config}
 */
// Jest's workers inherit this process's environment.
process.env.FUZZ_RUNS = process.env.FUZZ_RUNS || '10000';
const base = require('./jest.config.js');
module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/**/*.property.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.local/'],
  testTimeout: 10 * 60 * 1000,
};
