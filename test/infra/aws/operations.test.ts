/**
 * The operations view on AWS (README, "Operations"): the dashboard's widgets
 * and the metrics they read, the alarms (metric, threshold, action) in the
 * region of their metrics, the alarm topics and the email subscription.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AUTH_ROUTES } from '../../../edge-functions/core/auth-routes';
import { PriceClass } from 'aws-cdk-lib/aws-cloudfront';
import { defaultEdgeMetricRegions, PRESIGN_ROUTES } from '../../../infra/aws/operations-metrics';
import { buildTestApp } from './support/synth-app';
import type { EdgeUploadApp } from '../../../infra/aws/app';

interface Widget {
  readonly type: string;
  readonly properties: {
    readonly title?: string;
    readonly markdown?: string;
    readonly region?: string;
    readonly metrics?: ReadonlyArray<ReadonlyArray<unknown>>;
  };
}

/** Resolves the dashboard body's Fn::Join, with every token shown as «token» (they sit inside JSON strings). */
function dashboardWidgets(template: Template): Widget[] {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = (dashboards[0] as { Properties: { DashboardBody: unknown } }).Properties.DashboardBody;
  const text = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const join = (value as Record<string, unknown>)['Fn::Join'] as [string, unknown[]] | undefined;
    if (join !== undefined) return join[1].map(text).join(join[0]);
    return '«token»';
  };
  return (JSON.parse(text(body)) as { widgets: Widget[] }).widgets;
}

function widget(widgets: Widget[], title: RegExp): Widget {
  const found = widgets.filter((w) => w.properties.title !== undefined && title.test(w.properties.title));
  if (found.length !== 1) throw new Error(`expected one widget titled ${title}, found ${found.length}`);
  return found[0]!;
}

/** A widget's metric lines: [namespace, name, dim, value, …, {options}] or [{expression, region}]. */
function metricLines(w: Widget): Array<{ path: unknown[]; options: Record<string, unknown> }> {
  return (w.properties.metrics ?? []).map((line) => {
    const last = line[line.length - 1];
    const hasOptions = typeof last === 'object' && last !== null;
    return { path: (hasOptions ? line.slice(0, -1) : line) as unknown[], options: (hasOptions ? last : {}) as Record<string, unknown> };
  });
}

let built: EdgeUploadApp;
let operations: Template;
let edgeAlarms: Template;
let widgets: Widget[];
beforeAll(() => {
  built = buildTestApp();
  operations = Template.fromStack(built.stacks.operations);
  edgeAlarms = Template.fromStack(built.stacks.edgeAlarms);
  widgets = dashboardWidgets(operations);
});

describe('where things live', () => {
  it('puts the dashboard and the app region alarms in the app region, the CloudFront and WAF alarms in us-east-1', () => {
    expect(built.stacks.operations.region).toBe(built.config.region);
    expect(built.stacks.edgeAlarms.region).toBe('us-east-1');
    operations.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    operations.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'edge-upload-operations' });
    edgeAlarms.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    operations.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    edgeAlarms.resourceCountIs('AWS::CloudWatch::Alarm', 2);
  });
});

describe('the dashboard', () => {
  const rules = () => built.firewallRules.rules;

  it('shows WAF blocked and counted per rule of the rules file, from us-east-1, without a Region dimension', () => {
    for (const [title, metricName] of [
      [/^WAF: blocked per rule/, 'BlockedRequests'],
      [/^WAF: counted per rule/, 'CountedRequests'],
    ] as const) {
      const lines = metricLines(widget(widgets, title));
      expect(lines.map((l) => l.path)).toEqual(
        rules().map((rule) => ['AWS/WAFV2', metricName, 'Rule', rule.name, 'WebACL', 'edge-upload-edge']),
      );
      for (const line of lines) expect(line.options).toMatchObject({ region: 'us-east-1', stat: 'Sum' });
    }
    const whole = metricLines(widget(widgets, /^WAF: allowed and blocked/));
    expect(whole.map((l) => l.path)).toEqual([
      ['AWS/WAFV2', 'AllowedRequests', 'Rule', 'ALL', 'WebACL', 'edge-upload-edge'],
      ['AWS/WAFV2', 'BlockedRequests', 'Rule', 'ALL', 'WebACL', 'edge-upload-edge'],
    ]);
  });

  it("shows the distribution's 4xx and 5xx rates (AWS/CloudFront, Region=Global, us-east-1)", () => {
    const lines = metricLines(widget(widgets, /^Distribution: 4xx and 5xx/));
    expect(lines.map((l) => [l.path[1], l.path[4], l.path[5], l.options.region])).toEqual([
      ['4xxErrorRate', 'Region', 'Global', 'us-east-1'],
      ['5xxErrorRate', 'Region', 'Global', 'us-east-1'],
      ['Requests', 'Region', 'Global', 'us-east-1'],
    ]);
    expect(lines.every((l) => l.path[0] === 'AWS/CloudFront' && l.path[2] === 'DistributionId' && l.path[3] === '«token»')).toBe(true);
  });

  it('searches presign requests by outcome and p50/p99 latency in every edge region of the price class', () => {
    const regions = defaultEdgeMetricRegions(PriceClass.PRICE_CLASS_100);
    expect(built.config.edgeMetricRegions).toEqual(regions);
    const byOutcome = metricLines(widget(widgets, /^Presign: requests by outcome/));
    expect(byOutcome.map((l) => l.options.region ?? built.config.region)).toEqual(regions);
    for (const { options } of byOutcome) {
      expect(options.expression).toContain('SEARCH(\'{EdgeUpload,Outcome,Route} MetricName="Requests"');
      for (const route of PRESIGN_ROUTES) expect(options.expression).toContain(`Route="${route}"`);
      expect(options.expression).not.toContain('/auth/');
    }
    const latency = metricLines(widget(widgets, /^Presign: latency/));
    expect(latency).toHaveLength(regions.length * 2);
    expect(latency.map((l) => String(l.options.expression).match(/'(p50|p99)'/)?.[1])).toEqual(regions.flatMap(() => ['p50', 'p99']));
    expect(latency.every((l) => String(l.options.expression).includes('{EdgeUpload,Route} MetricName="LatencyMs"'))).toBe(true);
  });

  it('says on the dashboard which regions it covers', () => {
    const text = widgets.find((w) => w.type === 'text')?.properties.markdown ?? '';
    expect(text).toContain(built.config.edgeMetricRegions.join(', '));
    expect(text).toContain('edgeMetricRegions');
  });

  it('shows auth outcomes (all eight routes), auth unavailable, uploads verified and quarantined, and the dead-letter queue depth', () => {
    const auth = metricLines(widget(widgets, /^Auth: requests by outcome/))[0]!;
    for (const route of Object.keys(AUTH_ROUTES)) expect(auth.options.expression).toContain(`Route="${route}"`);
    const unavailable = metricLines(widget(widgets, /^Auth: unavailable/));
    expect(unavailable.filter((l) => l.path.includes('AUTH_UNAVAILABLE'))).toHaveLength(8);
    const inspector = metricLines(widget(widgets, /^Inspector: uploads verified/));
    expect(inspector.map((l) => l.path)).toEqual([
      ['EdgeUpload', 'Verified', 'Route', 'inspector'],
      ['EdgeUpload', 'Quarantined', 'Route', 'inspector'],
    ]);
    const dlq = metricLines(widget(widgets, /^Inspector: dead-letter queue/));
    expect(dlq.map((l) => l.path.slice(0, 3))).toEqual([['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName']]);
  });

  it('follows the configured edge regions', () => {
    const custom = buildTestApp({ context: { edgeMetricRegions: 'eu-west-1,ap-southeast-2' } });
    const lines = metricLines(widget(dashboardWidgets(Template.fromStack(custom.stacks.operations)), /^Presign: requests by outcome/));
    expect(lines.map((l) => l.options.region ?? custom.config.region)).toEqual(['eu-west-1', 'ap-southeast-2']);
  });
});

describe('the alarms', () => {
  const alarm = (template: Template, name: string): Record<string, unknown> => {
    const found = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (r) => (r as { Properties: Record<string, unknown> }).Properties,
    );
    const match = found.find((p) => p.AlarmName === name);
    if (match === undefined) throw new Error(`no alarm ${name}`);
    return match;
  };
  const topicRef = (template: Template) => {
    const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
    expect(topics).toHaveLength(1);
    return [{ Ref: topics[0] }];
  };

  it('edge 5xx: the distribution 5xx rate ≥ 5% for two 5-minute periods, in us-east-1', () => {
    expect(alarm(edgeAlarms, 'edge-upload-edge-5xx')).toMatchObject({
      Namespace: 'AWS/CloudFront',
      MetricName: '5xxErrorRate',
      Dimensions: expect.arrayContaining([{ Name: 'Region', Value: 'Global' }, expect.objectContaining({ Name: 'DistributionId' })]),
      Statistic: 'Average',
      Period: 300,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
      AlarmActions: topicRef(edgeAlarms),
    });
  });

  it('WAF block spike: ≥ 500 blocked requests in 5 minutes on the whole web ACL, in us-east-1', () => {
    expect(alarm(edgeAlarms, 'edge-upload-waf-blocks-spike')).toMatchObject({
      Namespace: 'AWS/WAFV2',
      MetricName: 'BlockedRequests',
      Dimensions: [
        { Name: 'Rule', Value: 'ALL' },
        { Name: 'WebACL', Value: 'edge-upload-edge' },
      ],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 500,
      AlarmActions: topicRef(edgeAlarms),
    });
  });

  it('any quarantine, and anything in the dead-letter queue, in the app region', () => {
    expect(alarm(operations, 'edge-upload-upload-quarantined')).toMatchObject({
      Namespace: 'EdgeUpload',
      MetricName: 'Quarantined',
      Dimensions: [{ Name: 'Route', Value: 'inspector' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: topicRef(operations),
    });
    expect(alarm(operations, 'edge-upload-inspector-dead-letters')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Statistic: 'Maximum',
      Threshold: 1,
      AlarmActions: topicRef(operations),
    });
  });

  it('auth unavailable: the sum of AUTH_UNAVAILABLE over the eight auth routes, at least one', () => {
    const props = alarm(operations, 'edge-upload-auth-unavailable');
    expect(props).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: topicRef(operations) });
    const metrics = props.Metrics as Array<{
      Id: string;
      Expression?: string;
      ReturnData?: boolean;
      MetricStat?: { Metric: { Dimensions: Array<{ Name: string; Value: string }> }; Stat: string };
    }>;
    const expression = metrics.find((m) => m.Expression !== undefined)!;
    expect(expression.Expression).toMatch(/^SUM\(\[/);
    const routes = metrics
      .filter((m) => m.MetricStat !== undefined)
      .map((m) => {
        const dims = Object.fromEntries(m.MetricStat!.Metric.Dimensions.map((d) => [d.Name, d.Value]));
        expect(dims.Outcome).toBe('AUTH_UNAVAILABLE');
        return dims.Route;
      });
    expect(routes.sort()).toEqual(Object.keys(AUTH_ROUTES).sort());
  });
});

describe('the alarm topics', () => {
  it('one per region, encrypted with a rotated key CloudWatch may use, TLS only, and CloudWatch may publish', () => {
    for (const template of [operations, edgeAlarms]) {
      template.resourceCountIs('AWS::SNS::Topic', 1);
      template.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlarmsKey'), 'Arn'] },
      });
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      const policies = JSON.stringify(template.findResources('AWS::SNS::TopicPolicy'));
      expect(policies).toContain('aws:SecureTransport');
      expect(policies).toContain('cloudwatch.amazonaws.com');
      expect(JSON.stringify(template.findResources('AWS::KMS::Key'))).toContain('cloudwatch.amazonaws.com');
      template.resourceCountIs('AWS::SNS::Subscription', 0);
    }
  });

  it('-c alarmEmail=<address> subscribes that address in both regions', () => {
    const withEmail = buildTestApp({ context: { alarmEmail: 'ops@example.com' } });
    for (const stack of [withEmail.stacks.operations, withEmail.stacks.edgeAlarms]) {
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::SNS::Subscription', 1);
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'ops@example.com',
        TopicArn: { Ref: Match.stringLikeRegexp('^AlarmsTopic') },
      });
    }
  });
});
