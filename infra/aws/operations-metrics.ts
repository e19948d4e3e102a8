/**
 * The names the handlers' one log line per request carries in CloudWatch
 * Embedded Metric Format (infra/aws/README.md, "Operations"), as the dashboard
 * and the alarms read them, and where those metrics land. Pure: names and
 * region lists, no constructs.
 *
 * - namespace `EdgeUpload`; dimension sets `[Route]` and `[Route, Outcome]`,
 *   `Outcome` = `OK` or the error code (`AUTH_UNAVAILABLE`, …);
 * - `Requests` (Count) and `LatencyMs` (Milliseconds) for every route;
 *   `Verified` / `Quarantined` (Count, `[Route]`, Route `inspector`).
 *
 * Route and outcome are both bounded sets (the routes below, the error codes of
 * each deployable), so the number of metrics is finite: README, "Operations:
 * what logging and metrics cost".
 */
import { PriceClass } from 'aws-cdk-lib/aws-cloudfront';
import { AUTH_ROUTES } from '../../edge-functions/core/auth-routes';
import { AUTH_UNAVAILABLE } from '../../edge-functions/contract/http-errors';

export const METRIC_NAMESPACE = 'EdgeUpload';

export const METRIC = Object.freeze({
  requests: 'Requests',
  latency: 'LatencyMs',
  verified: 'Verified',
  quarantined: 'Quarantined',
});

export const DIMENSION = Object.freeze({ route: 'Route', outcome: 'Outcome' });

export const OUTCOME_OK = 'OK';
/** 503 from the auth API when Cognito cannot be reached (origin/README.md). */
export const OUTCOME_AUTH_UNAVAILABLE = AUTH_UNAVAILABLE.code;

/** The presign Lambda@Edge's routes (docs/http-api.md): its metrics land in the region of each request. */
export const PRESIGN_ROUTES: readonly string[] = Object.freeze([
  '/presign',
  '/presign/multipart',
  '/presign/multipart/parts',
  '/presign/files',
  '/presign/files/access',
]);

/** The auth API's routes (regional Lambda: its metrics land in the app's region). */
export const AUTH_METRIC_ROUTES: readonly string[] = Object.freeze(Object.keys(AUTH_ROUTES));

/** The upload inspector's Route value (app region). */
export const INSPECTOR_ROUTE = 'inspector';

/**
 * Lambda@Edge runs a viewer-request function in the AWS region of the
 * regional edge cache nearest the edge location, and writes its logs (and so
 * its EMF metrics) there. The regions with a regional edge cache, grouped by
 * the cheapest price class whose edge locations use them: PriceClass_100 is
 * North America and Europe, PriceClass_200 adds Asia, the Middle East and
 * Africa, PriceClass_All adds South America and Oceania. A guess AWS may move;
 * `edgeMetricRegions` in cdk.json overrides it (README, "Operations").
 */
const EDGE_CACHE_REGIONS: ReadonlyArray<readonly [PriceClass, readonly string[]]> = [
  [PriceClass.PRICE_CLASS_100, ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-central-1']],
  [PriceClass.PRICE_CLASS_200, ['ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-southeast-1']],
  [PriceClass.PRICE_CLASS_ALL, ['sa-east-1', 'ap-southeast-2']],
];

export function defaultEdgeMetricRegions(priceClass: PriceClass): string[] {
  const order = EDGE_CACHE_REGIONS.map(([pc]) => pc);
  const upTo = order.indexOf(priceClass);
  if (upTo < 0) throw new Error(`unknown price class ${priceClass}`);
  return EDGE_CACHE_REGIONS.slice(0, upTo + 1).flatMap(([, regions]) => regions);
}

/**
 * A CloudWatch SEARCH expression for `metric` with the `[Route, Outcome]` (or `[Route]`) dimension set, limited to
 * `routes`. SEARCH finds every outcome that ever occurred without listing the error codes here.
 */
export function routeSearch(
  metric: string,
  routes: readonly string[],
  statistic: string,
  periodSeconds: number,
  byOutcome: boolean,
): string {
  const schema = byOutcome ? `{${METRIC_NAMESPACE},${DIMENSION.outcome},${DIMENSION.route}}` : `{${METRIC_NAMESPACE},${DIMENSION.route}}`;
  const routeFilter = routes.map((route) => `${DIMENSION.route}="${route}"`).join(' OR ');
  return `SEARCH('${schema} MetricName="${metric}" (${routeFilter})', '${statistic}', ${periodSeconds})`;
}
