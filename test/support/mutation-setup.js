// Set by jest.mutation.config.js: the CloudFront Functions' suites load their
// TypeScript source in-process instead of the built dist/ file, so that the
// mutants Stryker puts in the source are what the tests run.
process.env.CLOUDFRONT_FUNCTIONS_UNDER_TEST = 'source';

// esbuild's buildSync otherwise keeps a worker thread and a service process
// per module registry: jest gives each test file a new registry, and Stryker
// runs the suites thousands of times in one worker, so services piled up
// (dozens of `esbuild --service` processes, 3.5 GB in the worker, a load of
// 40 on two cores). Without worker threads each buildSync is one short
// child process that ends with the call.
process.env.ESBUILD_WORKER_THREADS = '0';
