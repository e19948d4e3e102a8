// One group of stryker.config.mjs: the edge core and both CloudFront Functions,
// with its own incremental file, reports and sandbox, so it can be re-run (or
// run beside the origin group) without touching the other's results.
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  mutate: base.mutate.filter((pattern) => !pattern.includes('origin/')),
  incrementalFile: 'reports/stryker-incremental-edge.json',
  htmlReporter: { fileName: 'reports/mutation/edge.html' },
  jsonReporter: { fileName: 'reports/mutation/edge.json' },
  tempDirName: '.stryker-tmp-edge',
};
