/**
 * us-east-1, after the web stack: the alarms on what CloudFront and the
 * CLOUDFRONT web ACL measure, whose metrics exist only in us-east-1 (an alarm
 * cannot watch another region's metric), with their own alarm topic. Not in
 * the edge stack: the distribution's id only exists once the web stack does,
 * and the web stack already reads from the edge stack.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { AppConfig } from '../app-config';
import { AlarmTopic } from '../constructs/alarm-topic';
import { EdgeAlarms } from '../constructs/operations-alarms';

export interface EdgeAlarmsStackProps extends StackProps {
  readonly config: AppConfig;
  /** From the edge stack: the web ACL's metric name (fixed at synth). */
  readonly webAclMetricName: string;
  /** From the web stack (a cross-region reference). */
  readonly distributionId: string;
}

export class EdgeAlarmsStack extends Stack {
  public readonly topic: AlarmTopic;
  public readonly alarms: EdgeAlarms;

  constructor(scope: Construct, id: string, props: EdgeAlarmsStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.topic = new AlarmTopic(this, 'Alarms', {
      appName: config.appName,
      ...(config.alarmEmail === undefined ? {} : { email: config.alarmEmail }),
    });
    this.alarms = new EdgeAlarms(this, 'EdgeAlarms', {
      appName: config.appName,
      topic: this.topic,
      distributionId: props.distributionId,
      webAclMetricName: props.webAclMetricName,
    });

    new CfnOutput(this, 'AlarmTopicArn', { value: this.topic.topic.topicArn, description: `Alarms of ${this.region}` });
  }
}
