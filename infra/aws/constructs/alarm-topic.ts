/**
 * The SNS topic a region's alarms notify, and the operator's email on it when
 * one is configured (`-c alarmEmail=<address>`). One per region with alarms,
 * because an alarm can only watch a metric of its own region (CloudFront's and
 * WAF's are in us-east-1, the auth API's and the inspector's in the app's
 * region), and an alarm's SNS action is a topic of that same region.
 *
 * - Encrypted with a customer-managed key (rotated yearly): CloudWatch cannot
 *   publish to a topic encrypted with the AWS-managed `aws/sns` key, whose
 *   policy no one can change. The key lets `cloudwatch.amazonaws.com` use it
 *   only for this account's alarms. It holds nothing worth keeping, so it is
 *   deleted with the stack (after KMS's 7-day waiting period).
 * - The topic policy requires TLS and lets CloudWatch publish only for this
 *   account's alarms in this region.
 * - The email subscription must be confirmed from the mail AWS sends once.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  readonly appName: string;
  /** Subscribed by email when set. */
  readonly email?: string;
}

export class AlarmTopic extends Construct {
  public readonly key: kms.Key;
  public readonly topic: sns.Topic;
  /** For an alarm's `addAlarmAction`. */
  public readonly action: cloudwatchActions.SnsAction;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const alarmsOfThisAccount = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
    };
    const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');

    this.key = new kms.Key(this, 'Key', {
      description: `${props.appName}: encrypts the alarm topic in ${stack.region}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: alarmsOfThisAccount,
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `${props.appName} alarms`,
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: alarmsOfThisAccount,
      }),
    );
    if (props.email !== undefined) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    this.action = new cloudwatchActions.SnsAction(this.topic);
  }
}
