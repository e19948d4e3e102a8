/**
 * The path CloudFront matches cache behaviours against.
 *
 * Amazon CloudFront Developer Guide, "Cache behavior settings" → "Path
 * pattern": "CloudFront normalizes URI paths consistent with RFC 3986 and then
 * matches the path with the correct cache behavior. Once the cache behavior
 * is matched, CloudFront sends the raw URI path to the origin. [...] Some
 * characters are normalized and removed from the path, such as multiple
 * slashes (//) or periods (..). This can alter the URL that CloudFront uses to
 * match the intended cache behavior."
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesCacheBehavior.html#DownloadDistValuesPathPattern)
 *
 * AWS names no algorithm beyond that, so this is RFC 3986's own syntax-based
 * normalization of a path (§6.2.2), plus the merging of repeated slashes the
 * guide names:
 * 1. percent-encoding (§6.2.2.1, §6.2.2.2): `%XX` of an unreserved character
 *    (ALPHA, DIGIT, `-`, `.`, `_`, `~`) is decoded (`/%70resign` → `/presign`,
 *    `%2e` → `.`), every other `%XX` keeps its encoding with upper-case hex
 *    (`%2f` → `%2F`, never a separator); a `%` without two hex digits is kept;
 * 2. runs of `/` become one (`//presign` → `/presign`);
 * 3. dot segments are removed (§5.2.4 remove_dot_segments: `/x/../presign` →
 *    `/presign`, `/./presign` → `/presign`, `/../presign` → `/presign`).
 * Case is kept: path patterns are case-sensitive. The query string is not
 * part of the path. Steps 1 before 3 is RFC 3986's order (an encoded dot is a
 * dot); step 2 before 3 is a choice where AWS is silent (`/a//../b` → `/b`).
 *
 * Only the choice of behaviour uses this path. The raw path is what the
 * origin receives, and what the local edge hands to the behaviour's function:
 * AWS documents the origin, not what a viewer-request function sees; the raw
 * path is the stricter assumption for a function that checks its own path.
 */

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

export function normalizePathForMatching(rawPath: string): string {
  return removeDotSegments(mergeSlashes(normalizePercentEncoding(rawPath)));
}

/** RFC 3986 §6.2.2.1 and §6.2.2.2. */
export function normalizePercentEncoding(path: string): string {
  let out = '';
  for (let i = 0; i < path.length; i += 1) {
    const char = path[i] as string;
    const hex = path.slice(i + 1, i + 3);
    if (char !== '%' || !/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out += char;
      continue;
    }
    const decoded = String.fromCharCode(Number.parseInt(hex, 16));
    out += UNRESERVED.test(decoded) ? decoded : `%${hex.toUpperCase()}`;
    i += 2;
  }
  return out;
}

function mergeSlashes(path: string): string {
  let out = '';
  for (const char of path) if (char !== '/' || !out.endsWith('/')) out += char;
  return out;
}

/** RFC 3986 §5.2.4, on an absolute path (segment by segment, same result). */
export function removeDotSegments(path: string): string {
  const segments = path.split('/');
  const output: string[] = [];
  for (let i = 1; i < segments.length; i += 1) {
    const segment = segments[i] as string;
    const last = i === segments.length - 1;
    if (segment === '.' || segment === '..') {
      if (segment === '..') output.pop();
      // A trailing dot segment leaves the path ending in `/` (`/a/b/..` → `/a/`).
      if (last) output.push('');
      continue;
    }
    output.push(segment);
  }
  return `/${output.join('/')}`;
}
