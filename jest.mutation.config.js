/**
 * The jest run Stryker uses (stryker.config.mjs, `npm run test:mutation`):
 * only the in-process unit suites that reach the mutated sources, so each
 * mutant runs in milliseconds. No timed (`*.linear`), property or fuzz
 * suites (presigned-post.differential runs 1000 SDK comparisons): they are slow,
 * and the rules suites pin the same behaviour case by case.
 * The CloudFront Functions' suites run against their TypeScript source
 * in-process (test/support/cloudfront-functions-source.ts), because the
 * built dist/ file is never mutated.
 */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  setupFiles: [...base.setupFiles, '<rootDir>/test/support/mutation-setup.js'],
  testMatch: [
    '<rootDir>/test/edge-functions/core/{edge-config,file-name,presign-request,safe-json,token-verifier}.test.ts',
    '<rootDir>/test/edge-functions/presign/handler.test.ts',
    // Large files, your files, CORS and metrics: their handler and unit suites.
    '<rootDir>/test/edge-functions/core/{multipart-create-url,multipart-ticket-claims,multipart-ticket,token-refusal-reasons}.test.ts',
    '<rootDir>/test/edge-functions/presign/{cors,metrics,multipart-handler,user-files-handler}.test.ts',
    '<rootDir>/test/edge-functions/core/*.rules.test.ts',
    '<rootDir>/test/origin/core/{config,cookies,error-response,password-policy,validation}.test.ts',
    '<rootDir>/test/origin/core/*.rules.test.ts',
    '<rootDir>/test/origin/auth/{cognito-errors,logging,request-checks,routes}.test.ts',
    '<rootDir>/test/edge-functions/cloudfront-functions/{auth-guard,site-router}.test.ts',
    '<rootDir>/test/edge-functions/cloudfront-functions/*.rules.test.ts',
  ],
};
