// Set by jest.mutation.config.js: the CloudFront Functions' suites load their
// TypeScript source in-process instead of the built dist/ file, so that the
// mutants Stryker puts in the source are what the tests run.
process.env.CLOUDFRONT_FUNCTIONS_UNDER_TEST = 'source';
