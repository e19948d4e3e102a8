/**
 * The app's region, after everything else: the operations dashboard, and the
 * alarms on what runs in this region (quarantine, auth unavailable, the
 * inspector's dead letters) with this region's alarm topic. It reads the
 * distribution's id and the dead-letter queue from the stacks before it;
 * nothing reads from it.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { FirewallRules } from '../../firewall/rule-model';
import type { AppConfig } from '../app-config';
import { AlarmTopic } from '../constructs/alarm-topic';
import { AppRegionAlarms } from '../constructs/operations-alarms';
import { OperationsDashboard } from '../constructs/operations-dashboard';

export interface OperationsStackProps extends StackProps {
  readonly config: AppConfig;
  readonly firewallRules: FirewallRules;
  /** From the edge stack: the web ACL's metric name (fixed at synth). */
  readonly webAclMetricName: string;
  /** From the web stack. */
  readonly distributionId: string;
  /** From the uploads stack. */
  readonly deadLetterQueue: sqs.IQueue;
}

export class OperationsStack extends Stack {
  public readonly topic: AlarmTopic;
  public readonly alarms: AppRegionAlarms;
  public readonly dashboard: OperationsDashboard;

  constructor(scope: Construct, id: string, props: OperationsStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.topic = new AlarmTopic(this, 'Alarms', {
      appName: config.appName,
      ...(config.alarmEmail === undefined ? {} : { email: config.alarmEmail }),
    });
    this.alarms = new AppRegionAlarms(this, 'AppAlarms', {
      appName: config.appName,
      topic: this.topic,
      deadLetterQueue: props.deadLetterQueue,
    });
    this.dashboard = new OperationsDashboard(this, 'Operations', {
      appName: config.appName,
      webAclMetricName: props.webAclMetricName,
      wafRules: props.firewallRules.rules,
      distributionId: props.distributionId,
      deadLetterQueue: props.deadLetterQueue,
      edgeRegions: config.edgeMetricRegions,
    });

    new CfnOutput(this, 'DashboardName', {
      value: this.dashboard.dashboard.dashboardName,
      description: 'CloudWatch dashboard: open this first',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.topic.topic.topicArn, description: `Alarms of ${this.region}` });
  }
}
