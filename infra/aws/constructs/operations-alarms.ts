/**
 * The alarms an operator is woken by, in two constructs because a CloudWatch
 * alarm can only watch metrics of its own region (CDK refuses anything else,
 * and so does CloudWatch):
 *
 * - `EdgeAlarms` (us-east-1, where CloudFront and a CLOUDFRONT web ACL write
 *   their metrics): 5xx at the distribution, a spike in WAF blocks;
 * - `AppRegionAlarms` (the app's region, where the auth API and the inspector
 *   run): any quarantined upload, auth unavailable (503 `AUTH_UNAVAILABLE`),
 *   anything in the inspector's dead-letter queue.
 *
 * Each notifies its region's `AlarmTopic`. Missing data is "not breaching":
 * the EMF metrics only exist once something happened, so no data means
 * nothing went wrong, not that the alarm should sit in INSUFFICIENT_DATA.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AUTH_METRIC_ROUTES, DIMENSION, INSPECTOR_ROUTE, METRIC, METRIC_NAMESPACE, OUTCOME_AUTH_UNAVAILABLE } from '../operations-metrics';
import { ConstructPropsError } from '../errors';
import type { AlarmTopic } from './alarm-topic';

const FIVE_MINUTES = Duration.minutes(5);

/** WAF's Rule dimension value for the whole web ACL. */
export const WAF_ALL_RULES = 'ALL';

export interface EdgeAlarmsProps {
  readonly appName: string;
  readonly topic: AlarmTopic;
  readonly distributionId: string;
  /** The web ACL's metric name (its `WebACL` dimension). */
  readonly webAclMetricName: string;
  /**
   * The distribution's 5xx error rate (%), averaged over 5 minutes, that alarms when two periods in a row reach it.
   * @default 5
   */
  readonly edge5xxPercent?: number;
  /**
   * Requests the web ACL blocks in 5 minutes that count as a spike. The shipped /auth limit alone blocks
   * whatever one IP sends over 100 per 5 minutes; a few hundred is several sources at once.
   * @default 500
   */
  readonly wafBlocksPer5Minutes?: number;
}

export class EdgeAlarms extends Construct {
  public readonly edge5xx: cloudwatch.Alarm;
  public readonly wafBlocks: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: EdgeAlarmsProps) {
    super(scope, id);
    const percent = props.edge5xxPercent ?? 5;
    const blocks = props.wafBlocksPer5Minutes ?? 500;
    if (!(percent > 0 && percent <= 100)) throw new ConstructPropsError('EdgeAlarms', `edge5xxPercent must be in (0, 100], not ${percent}`);
    if (!(Number.isInteger(blocks) && blocks > 0))
      throw new ConstructPropsError('EdgeAlarms', `wafBlocksPer5Minutes must be a positive whole number, not ${blocks}`);

    this.edge5xx = new cloudwatch.Alarm(this, 'Edge5xx', {
      alarmName: `${props.appName}-edge-5xx`,
      alarmDescription: `${props.appName}: the distribution answered 5xx to ${percent}% or more of requests for 10 minutes (presign Lambda@Edge errors, the auth API, the origins)`,
      metric: new cloudwatch.Metric({
        namespace: 'AWS/CloudFront',
        metricName: '5xxErrorRate',
        dimensionsMap: { DistributionId: props.distributionId, Region: 'Global' },
        statistic: cloudwatch.Stats.AVERAGE,
        period: FIVE_MINUTES,
      }),
      threshold: percent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.wafBlocks = new cloudwatch.Alarm(this, 'WafBlocks', {
      alarmName: `${props.appName}-waf-blocks-spike`,
      alarmDescription: `${props.appName}: the edge web ACL blocked ${blocks} or more requests in 5 minutes; the WAF logs (aws-waf-logs-${props.appName}) say by which rule and from where`,
      metric: new cloudwatch.Metric({
        namespace: 'AWS/WAFV2',
        metricName: 'BlockedRequests',
        // A CLOUDFRONT web ACL's metrics have no Region dimension (AWS WAF Developer Guide, "metrics and dimensions").
        dimensionsMap: { WebACL: props.webAclMetricName, Rule: WAF_ALL_RULES },
        statistic: cloudwatch.Stats.SUM,
        period: FIVE_MINUTES,
      }),
      threshold: blocks,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [this.edge5xx, this.wafBlocks]) alarm.addAlarmAction(props.topic.action);
  }
}

export interface AppRegionAlarmsProps {
  readonly appName: string;
  readonly topic: AlarmTopic;
  /** The upload inspector's dead-letter queue. */
  readonly deadLetterQueue: sqs.IQueue;
}

/** `Requests` with Outcome AUTH_UNAVAILABLE, summed over the auth routes: one metric per route, at most 10 in an alarm. */
export function authUnavailableExpression(): cloudwatch.MathExpression {
  const usingMetrics: Record<string, cloudwatch.IMetric> = {};
  AUTH_METRIC_ROUTES.forEach((route, i) => {
    usingMetrics[`route${i}`] = new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName: METRIC.requests,
      dimensionsMap: { [DIMENSION.route]: route, [DIMENSION.outcome]: OUTCOME_AUTH_UNAVAILABLE },
      statistic: cloudwatch.Stats.SUM,
      period: FIVE_MINUTES,
    });
  });
  return new cloudwatch.MathExpression({
    // SUM over the array adds the routes that have data at each time and ignores the rest.
    expression: `SUM([${Object.keys(usingMetrics).join(', ')}])`,
    usingMetrics,
    label: 'auth unavailable (503), all auth routes',
    period: FIVE_MINUTES,
  });
}

export class AppRegionAlarms extends Construct {
  public readonly quarantine: cloudwatch.Alarm;
  public readonly authUnavailable: cloudwatch.Alarm;
  public readonly deadLetters: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: AppRegionAlarmsProps) {
    super(scope, id);
    const atLeastOne = {
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    } as const;

    this.quarantine = new cloudwatch.Alarm(this, 'Quarantine', {
      ...atLeastOne,
      alarmName: `${props.appName}-upload-quarantined`,
      alarmDescription: `${props.appName}: the inspector quarantined an upload (a file that is not what it claims to be); see its log line and quarantine/ in the upload bucket`,
      metric: new cloudwatch.Metric({
        namespace: METRIC_NAMESPACE,
        metricName: METRIC.quarantined,
        dimensionsMap: { [DIMENSION.route]: INSPECTOR_ROUTE },
        statistic: cloudwatch.Stats.SUM,
        period: FIVE_MINUTES,
      }),
    });
    this.authUnavailable = new cloudwatch.Alarm(this, 'AuthUnavailable', {
      ...atLeastOne,
      alarmName: `${props.appName}-auth-unavailable`,
      alarmDescription: `${props.appName}: the auth API answered 503 AUTH_UNAVAILABLE (Cognito unreachable, throttled or failing): nobody can sign in or refresh`,
      metric: authUnavailableExpression(),
    });
    this.deadLetters = new cloudwatch.Alarm(this, 'DeadLetters', {
      ...atLeastOne,
      alarmName: `${props.appName}-inspector-dead-letters`,
      alarmDescription: `${props.appName}: an upload event failed inspection three times and sits in the dead-letter queue; its object stays unverified (unreadable) until it is inspected again`,
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, period: FIVE_MINUTES }),
    });
    for (const alarm of [this.quarantine, this.authUnavailable, this.deadLetters]) alarm.addAlarmAction(props.topic.action);
  }
}
