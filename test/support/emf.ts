/**
 * A checker for CloudWatch Embedded Metric Format lines, after the rules of
 * the EMF specification (Amazon CloudWatch User Guide, "Specification:
 * Embedded metric format"), independent of the code that writes the lines:
 *
 * - the line is one JSON object, nothing before or after it;
 * - `_aws` is an object with `Timestamp` (a number: milliseconds since the
 *   epoch) and `CloudWatchMetrics`, an array of MetricDirectives;
 * - a MetricDirective has `Namespace` (a non-empty string), `Dimensions` (an
 *   array of DimensionSets: arrays of at most 30 strings, each naming a
 *   top-level member whose value is a string) and `Metrics` (at most 100
 *   MetricDefinitions: `Name`, a known `Unit` when present, and a top-level
 *   member of that name that is a number, or an array of at most 100 numbers);
 * - no other members in the objects the specification defines.
 *
 * It returns the problems it found, so a failing test says what is wrong.
 */

const UNITS = new Set([
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
]);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function extraKeys(value: Record<string, unknown>, allowed: readonly string[]): string[] {
  return Object.keys(value).filter((key) => !allowed.includes(key));
}

export function emfProblems(line: string): string[] {
  const problems: string[] = [];
  if (line.includes('\n')) problems.push('the line holds a newline');
  let root: unknown;
  try {
    root = JSON.parse(line);
  } catch {
    return [...problems, 'not one JSON value'];
  }
  if (!isObject(root)) return [...problems, 'not a JSON object'];
  const aws = root['_aws'];
  if (!isObject(aws)) return [...problems, '_aws missing or not an object'];
  for (const key of extraKeys(aws, ['Timestamp', 'CloudWatchMetrics'])) problems.push(`_aws has an unknown member ${key}`);
  const timestamp = aws['Timestamp'];
  if (typeof timestamp !== 'number' || !Number.isInteger(timestamp) || timestamp < 0) {
    problems.push('_aws.Timestamp is not a number of milliseconds');
  }
  const directives = aws['CloudWatchMetrics'];
  if (!Array.isArray(directives) || directives.length === 0) return [...problems, '_aws.CloudWatchMetrics is not a non-empty array'];

  for (const [d, directive] of directives.entries()) {
    if (!isObject(directive)) {
      problems.push(`directive ${d} is not an object`);
      continue;
    }
    for (const key of extraKeys(directive, ['Namespace', 'Dimensions', 'Metrics']))
      problems.push(`directive ${d} has an unknown member ${key}`);
    const namespace = directive['Namespace'];
    if (typeof namespace !== 'string' || namespace.length === 0 || namespace.length > 255) problems.push(`directive ${d}: bad Namespace`);
    const dimensionSets = directive['Dimensions'];
    if (!Array.isArray(dimensionSets)) problems.push(`directive ${d}: Dimensions is not an array`);
    else {
      for (const set of dimensionSets) {
        if (!Array.isArray(set)) {
          problems.push(`directive ${d}: a dimension set is not an array`);
          continue;
        }
        if (set.length > 30) problems.push(`directive ${d}: a dimension set has more than 30 dimensions`);
        for (const name of set) {
          if (typeof name !== 'string') problems.push(`directive ${d}: a dimension name is not a string`);
          else if (typeof root[name] !== 'string' || root[name] === '')
            problems.push(`dimension ${name} is not a non-empty top-level string`);
        }
      }
    }
    const metrics = directive['Metrics'];
    if (!Array.isArray(metrics)) {
      problems.push(`directive ${d}: Metrics is not an array`);
      continue;
    }
    if (metrics.length > 100) problems.push(`directive ${d}: more than 100 metrics`);
    for (const metric of metrics) {
      if (!isObject(metric) || typeof metric['Name'] !== 'string' || metric['Name'] === '') {
        problems.push(`directive ${d}: a metric definition without a Name`);
        continue;
      }
      for (const key of extraKeys(metric, ['Name', 'Unit', 'StorageResolution']))
        problems.push(`metric ${metric['Name']} has an unknown member ${key}`);
      const unit = metric['Unit'];
      if (unit !== undefined && (typeof unit !== 'string' || !UNITS.has(unit))) problems.push(`metric ${metric['Name']}: unknown Unit`);
      const value = root[metric['Name']];
      const numeric = typeof value === 'number' && Number.isFinite(value);
      const numbers = Array.isArray(value) && value.length <= 100 && value.every((v) => typeof v === 'number' && Number.isFinite(v));
      if (!numeric && !numbers) problems.push(`metric ${metric['Name']} is not a top-level number`);
    }
  }
  return problems;
}

/** The line parsed, after checking it is valid EMF (throws with every problem otherwise). */
export function parseEmfLine(line: string): Record<string, unknown> {
  const problems = emfProblems(line);
  if (problems.length > 0) throw new Error(`not a valid EMF line (${problems.join('; ')}): ${line.slice(0, 400)}`);
  return JSON.parse(line) as Record<string, unknown>;
}

/** The directive every handler writes (namespace, dimension sets, metrics and units), for exact comparison. */
export function expectedDirectives(extraCounts: readonly string[] = []): unknown {
  return [
    {
      Namespace: 'EdgeUpload',
      Dimensions: [['Route'], ['Route', 'Outcome']],
      Metrics: [
        { Name: 'Requests', Unit: 'Count' },
        { Name: 'LatencyMs', Unit: 'Milliseconds' },
        ...extraCounts.map((Name) => ({ Name, Unit: 'Count' })),
      ],
    },
  ];
}
