// One group of stryker.config.mjs: origin/core (the auth API's pure core),
// with its own incremental file, reports and sandbox.
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  mutate: base.mutate.filter((pattern) => pattern.includes('origin/')),
  incrementalFile: 'reports/stryker-incremental-origin.json',
  htmlReporter: { fileName: 'reports/mutation/origin.html' },
  jsonReporter: { fileName: 'reports/mutation/origin.json' },
  tempDirName: '.stryker-tmp-origin',
};
