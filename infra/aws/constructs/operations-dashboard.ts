/**
 * `<appName>-operations`: the one CloudWatch dashboard a security team and an
 * operator open first (README, "Operations"). It lives in the app's region,
 * and every widget names the region of its metrics, because they are spread:
 *
 * - WAF (CLOUDFRONT scope) and the distribution: us-east-1;
 * - presign (Lambda@Edge): the region of the regional edge cache that ran
 *   each request, so one series per region in `edgeRegions`;
 * - the auth API, the inspector and its dead-letter queue: the app's region.
 *
 * The handlers' metrics are found with SEARCH expressions (their outcomes
 * are error codes: listing them here would go stale); WAF's are listed per
 * rule from the rules file, so a rule added to the file is on the dashboard
 * at the next deploy.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FirewallRule } from '../../firewall/rule-model';
import { EDGE_REGION } from '../app-config';
import { ConstructPropsError } from '../errors';
import {
  AUTH_METRIC_ROUTES,
  DIMENSION,
  INSPECTOR_ROUTE,
  METRIC,
  METRIC_NAMESPACE,
  PRESIGN_ROUTES,
  routeSearch,
} from '../operations-metrics';
import { authUnavailableExpression, WAF_ALL_RULES } from './operations-alarms';

export interface OperationsDashboardProps {
  readonly appName: string;
  /** The web ACL's metric name (its `WebACL` dimension). */
  readonly webAclMetricName: string;
  /** The firewall rules file's rules: one WAF metric per rule, named after it. */
  readonly wafRules: ReadonlyArray<Pick<FirewallRule, 'name' | 'action' | 'type'>>;
  readonly distributionId: string;
  readonly deadLetterQueue: sqs.IQueue;
  /** Where the presign Lambda@Edge's metrics land (config `edgeMetricRegions`). */
  readonly edgeRegions: readonly string[];
}

const PERIOD = Duration.minutes(5);
const WIDTH = 24;

export class OperationsDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    if (props.edgeRegions.length === 0) throw new ConstructPropsError('OperationsDashboard', 'edgeRegions must name at least one region');
    const appRegion = Stack.of(this).region;
    const waf = (metricName: string, rule: string, label: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/WAFV2',
        metricName,
        // CLOUDFRONT scope: WebACL and Rule only, no Region dimension; the metrics are in us-east-1.
        dimensionsMap: { WebACL: props.webAclMetricName, Rule: rule },
        statistic: cloudwatch.Stats.SUM,
        period: PERIOD,
        region: EDGE_REGION,
        label,
      });
    const cloudFront = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/CloudFront',
        metricName,
        dimensionsMap: { DistributionId: props.distributionId, Region: 'Global' },
        statistic,
        period: PERIOD,
        region: EDGE_REGION,
      });
    const search = (expression: string, label: string, region: string) =>
      new cloudwatch.MathExpression({ expression, usingMetrics: {}, label, period: PERIOD, searchRegion: region });
    const own = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: METRIC_NAMESPACE,
        metricName,
        dimensionsMap: { [DIMENSION.route]: INSPECTOR_ROUTE },
        statistic: cloudwatch.Stats.SUM,
        period: PERIOD,
        label: metricName,
      });
    const seconds = PERIOD.toSeconds();
    const blockRules = props.wafRules.filter((rule) => rule.action === 'block');

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${props.appName}-operations`,
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.TextWidget({
            width: WIDTH,
            height: 4,
            markdown: [
              `# ${props.appName}: operations`,
              `**Where the numbers come from.** WAF and the distribution: us-east-1. Auth API, upload inspector, dead-letter queue: ${appRegion}. ` +
                `Presign (Lambda@Edge) writes its logs and metrics in the region of the edge cache that ran each request; this dashboard covers **${props.edgeRegions.join(', ')}** ` +
                '(config `edgeMetricRegions`). Traffic served from another region is not shown here: look for the log group `/aws/lambda/us-east-1.' +
                `${props.appName}-presign\` there and add the region.`,
              `Alarms: us-east-1 (edge 5xx, WAF block spike) and ${appRegion} (quarantine, auth unavailable, dead letters), one SNS topic in each. Count-mode rules are how a rule change is tried: see "WAF: counted per rule".`,
            ].join('\n\n'),
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'WAF: blocked per rule (us-east-1)',
            width: 8,
            stacked: true,
            left: props.wafRules.map((rule) => waf('BlockedRequests', rule.name, rule.name)),
          }),
          new cloudwatch.GraphWidget({
            title: 'WAF: counted per rule (count mode: would have blocked)',
            width: 8,
            stacked: true,
            left: props.wafRules.map((rule) =>
              waf('CountedRequests', rule.name, `${rule.name}${rule.action === 'count' ? ' (count mode)' : ''}`),
            ),
          }),
          new cloudwatch.GraphWidget({
            title: 'WAF: allowed and blocked, whole web ACL',
            width: 8,
            left: [
              waf('AllowedRequests', WAF_ALL_RULES, 'allowed'),
              waf('BlockedRequests', WAF_ALL_RULES, `blocked (${blockRules.length} blocking rules)`),
            ],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Distribution: 4xx and 5xx (% of requests, us-east-1)',
            width: 12,
            left: [cloudFront('4xxErrorRate', cloudwatch.Stats.AVERAGE), cloudFront('5xxErrorRate', cloudwatch.Stats.AVERAGE)],
            leftYAxis: { min: 0, max: 100, label: '%', showUnits: false },
            right: [cloudFront('Requests', cloudwatch.Stats.SUM)],
          }),
          new cloudwatch.GraphWidget({
            title: `Inspector: uploads verified and quarantined (${appRegion})`,
            width: 6,
            left: [own(METRIC.verified), own(METRIC.quarantined)],
          }),
          new cloudwatch.GraphWidget({
            title: 'Inspector: dead-letter queue depth',
            width: 6,
            left: [
              props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
                statistic: cloudwatch.Stats.MAXIMUM,
                period: PERIOD,
                label: 'messages',
              }),
            ],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: `Presign: requests by outcome, per edge region (${props.edgeRegions.length} regions)`,
            width: 12,
            left: props.edgeRegions.map((region) =>
              search(
                routeSearch(METRIC.requests, PRESIGN_ROUTES, 'Sum', seconds, true),
                `${region} \${PROP('Dim.Route')} \${PROP('Dim.Outcome')}`,
                region,
              ),
            ),
          }),
          new cloudwatch.GraphWidget({
            title: 'Presign: latency p50 and p99 (ms), per edge region',
            width: 12,
            left: props.edgeRegions.flatMap((region) =>
              (['p50', 'p99'] as const).map((stat) =>
                search(
                  routeSearch(METRIC.latency, PRESIGN_ROUTES, stat, seconds, false),
                  `${region} ${stat} \${PROP('Dim.Route')}`,
                  region,
                ),
              ),
            ),
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: `Auth: requests by outcome (${appRegion})`,
            width: 8,
            left: [
              search(
                routeSearch(METRIC.requests, AUTH_METRIC_ROUTES, 'Sum', seconds, true),
                "${PROP('Dim.Route')} ${PROP('Dim.Outcome')}",
                appRegion,
              ),
            ],
          }),
          new cloudwatch.GraphWidget({
            title: 'Auth: unavailable (503 AUTH_UNAVAILABLE)',
            width: 8,
            left: [authUnavailableExpression()],
          }),
          new cloudwatch.GraphWidget({
            title: 'Auth: latency p50 and p99 (ms)',
            width: 8,
            left: (['p50', 'p99'] as const).map((stat) =>
              search(routeSearch(METRIC.latency, AUTH_METRIC_ROUTES, stat, seconds, false), `${stat} \${PROP('Dim.Route')}`, appRegion),
            ),
          }),
        ],
      ],
    });
  }
}
