/**
 * The structure of a JSON value as a sorted list of key paths
 * (`Records.0.cf.request.headers.host.0.value`), to compare two events'
 * shapes while ignoring their values. `collapse` names the maps whose own
 * keys vary from request to request (header names, cookie names); their
 * entries' paths are written with `*` instead.
 */
export function keyPaths(value: unknown, collapse: readonly string[] = [], prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => keyPaths(item, collapse, `${prefix}${index}.`));
  if (value === null || typeof value !== 'object') return prefix === '' ? [] : [prefix.slice(0, -1)];
  const paths = new Set<string>();
  if (prefix !== '') paths.add(prefix.slice(0, -1));
  const here = prefix.slice(0, -1).split('.').pop() ?? '';
  for (const [key, inner] of Object.entries(value)) {
    const name = collapse.includes(here) ? '*' : key;
    for (const path of keyPaths(inner, collapse, `${prefix}${name}.`)) paths.add(path);
  }
  return [...paths].sort();
}
