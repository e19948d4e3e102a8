/**
 * Where objects live in the upload bucket: new uploads under the upload
 * prefix (`uploads/<sub>/<date>/<id>/<name>`, docs/http-api.md), and quarantined ones
 * under the quarantine prefix with the same rest of the key, so the user, the
 * date and the upload id stay readable: `quarantine/<sub>/<date>/<id>/<name>`.
 */

/** Where an upload goes when it fails inspection; undefined for a key outside the upload prefix. */
export function quarantineKeyFor(key: string, uploadPrefix: string, quarantinePrefix: string): string | undefined {
  if (!key.startsWith(uploadPrefix) || key.length === uploadPrefix.length) return undefined;
  return `${quarantinePrefix}${key.slice(uploadPrefix.length)}`;
}
