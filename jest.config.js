/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/node-version-warning.js'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: true }],
    // @noble/hashes ships ES modules only; jest runs CommonJS, so its files are compiled like our own.
    '/@noble/hashes/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' }, diagnostics: false }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@noble/hashes/)'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // test/system/e2e (a browser) and test/system/conformance (radosgw) have their own configs.
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '<rootDir>/test/system/conformance/', '<rootDir>/test/system/e2e/'],
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.local/'],
};
