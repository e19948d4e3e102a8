/**
 * The distribution's behaviours, defined once (docs/http-api.md "Who answers which path"): path pattern,
 * allowed methods, which function runs at the viewer request and which
 * origin stands behind it. Pure data, no CDK import: the CDK distribution
 * (infra/aws/constructs/site-distribution.ts) builds its cache behaviours
 * from this table, and the local edge (infra/local/edge/behaviours.ts) routes
 * by it, adding only its own `/_local/*` paths, which are never deployed.
 *
 * CloudFront matches path patterns case-sensitively against the path without
 * the query string, in the order the behaviours are listed, and falls back
 * to the default behaviour (`*`), which comes last here.
 *
 * `/presign*` is one behaviour for every presign route (`/presign`,
 * `/presign/multipart`, `/presign/multipart/parts`, later `/presign/files`
 * and `/presign/files/access`): the function answers every path it gets,
 * with 404 NOT_FOUND for any other (`/presign/x`, `/presignX`), so a new
 * route needs no change here, and no path under `/presign` can fall through
 * to the site bucket.
 */

/**
 * The method sets CloudFront offers on a behaviour (it has no others):
 * GET+HEAD, GET+HEAD+OPTIONS, or all seven.
 */
export const READ_METHODS = Object.freeze(['GET', 'HEAD'] as const);
export const ALL_METHODS = Object.freeze(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'] as const);
export type AllowedMethods = typeof READ_METHODS | typeof ALL_METHODS;

/** The built CloudFront Functions (edge-functions/cloudfront-functions/). */
export type CloudFrontFunctionName = 'site-router' | 'auth-guard';
/** The built Lambda@Edge functions (edge-functions/presign/). */
export type LambdaEdgeFunctionName = 'presign';

export type ViewerRequestFunction =
  | { readonly type: 'cloudfront-function'; readonly name: CloudFrontFunctionName }
  /** `includeBody`: the function reads the request body (CloudFront passes at most 40 KB of it). */
  | { readonly type: 'lambda-edge'; readonly name: LambdaEdgeFunctionName; readonly includeBody: boolean };

/**
 * - `site`: the site bucket (OAC on AWS, dist/site locally), cached;
 * - `auth-api`: the regional auth API (API Gateway), nothing cached, every viewer header but Host forwarded;
 * - `none`: the viewer-request function answers every request itself. CloudFront
 *   still needs an origin on the behaviour; the site bucket is named and never called.
 */
export type BehaviourOrigin = 'site' | 'auth-api' | 'none';

export type DeployedBehaviourName = 'presign' | 'auth' | 'default';

export interface CloudFrontBehaviour {
  readonly name: DeployedBehaviourName;
  /** As written in the distribution; `*` is the default behaviour. */
  readonly pathPattern: string;
  /** Methods CloudFront forwards on this behaviour. */
  readonly allowedMethods: AllowedMethods;
  readonly viewerRequest: ViewerRequestFunction;
  readonly origin: BehaviourOrigin;
}

export const DEFAULT_PATH_PATTERN = '*';

/** Ordered like the distribution's behaviours: the first match wins; the default (`*`) is last. */
export const CLOUDFRONT_BEHAVIOURS: readonly CloudFrontBehaviour[] = Object.freeze([
  // Lambda@Edge viewer-request answers every method itself (405 for anything but POST) and every
  // path under /presign (404 for unknown ones).
  Object.freeze({
    name: 'presign',
    pathPattern: '/presign*',
    allowedMethods: ALL_METHODS,
    viewerRequest: Object.freeze({ type: 'lambda-edge', name: 'presign', includeBody: true }),
    origin: 'none',
  } as const),
  // The auth-guard CloudFront Function answers unknown routes (404) and wrong methods (405).
  Object.freeze({
    name: 'auth',
    pathPattern: '/auth/*',
    allowedMethods: ALL_METHODS,
    viewerRequest: Object.freeze({ type: 'cloudfront-function', name: 'auth-guard' }),
    origin: 'auth-api',
  } as const),
  Object.freeze({
    name: 'default',
    pathPattern: DEFAULT_PATH_PATTERN,
    allowedMethods: READ_METHODS,
    viewerRequest: Object.freeze({ type: 'cloudfront-function', name: 'site-router' }),
    origin: 'site',
  } as const),
]);

/**
 * A table's ordered behaviours and its default, checked: exactly one `*`,
 * last, and no pattern twice (CloudFront refuses both).
 */
export function splitBehaviours<B extends { readonly pathPattern: string }>(
  table: readonly B[],
): { readonly ordered: readonly B[]; readonly fallback: B } {
  const fallback = table[table.length - 1];
  if (fallback === undefined || fallback.pathPattern !== DEFAULT_PATH_PATTERN) {
    throw new Error(`A behaviour table ends with the default behaviour "${DEFAULT_PATH_PATTERN}".`);
  }
  const ordered = table.slice(0, -1);
  const seen = new Set<string>([DEFAULT_PATH_PATTERN]);
  for (const behaviour of ordered) {
    if (seen.has(behaviour.pathPattern)) throw new Error(`The path pattern "${behaviour.pathPattern}" is in the behaviour table twice.`);
    seen.add(behaviour.pathPattern);
  }
  return { ordered, fallback };
}

/** The first behaviour of `table` whose pattern matches `path` (the default, `*`, matches everything). */
export function behaviourForPath<B extends { readonly pathPattern: string }>(table: readonly B[], path: string): B {
  for (const behaviour of table) if (matchesPathPattern(behaviour.pathPattern, path)) return behaviour;
  return splitBehaviours(table).fallback;
}

/** CloudFront path patterns as the distribution uses them: `*` matches any run of characters, `?` exactly one. */
export function matchesPathPattern(pattern: string, path: string): boolean {
  // Iterative glob match with backtracking to the last `*`: linear in practice, no regex built from data.
  let p = 0;
  let s = 0;
  let star = -1;
  let starAt = 0;
  while (s < path.length) {
    const c = pattern[p];
    if (c === '*') {
      star = p;
      starAt = s;
      p += 1;
    } else if (c !== undefined && (c === '?' || c === path[s])) {
      p += 1;
      s += 1;
    } else if (star !== -1) {
      p = star + 1;
      starAt += 1;
      s = starAt;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p += 1;
  return p === pattern.length;
}
