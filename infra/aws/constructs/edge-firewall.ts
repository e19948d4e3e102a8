/**
 * The CLOUDFRONT-scope WAF web ACL, generated from the firewall rules file
 * (docs/firewall.md, infra/firewall/README.md) by toWebAclRules: one WAF rule per
 * file rule, each with its own CloudWatch metric (sampled requests only where
 * no credentials can show: web-acl-rules.ts), and the whole ACL logged to
 * CloudWatch Logs. A CLOUDFRONT web ACL exists only in
 * us-east-1, so this construct refuses any other region.
 *
 * Logs: WAF requires the log group's name to start with `aws-waf-logs-`. The
 * Authorization and Cookie headers are redacted: they carry access and
 * refresh tokens, which have no business in a log.
 */
import { ArnFormat, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { FirewallRules } from '../../firewall/rule-model';
import { BODY_INSPECTION_LIMIT_BYTES } from '../../firewall/waf-limits';
import { EDGE_REGION } from '../app-config';
import { ConstructPropsError } from '../errors';
import { toWebAclRules } from '../firewall/web-acl-rules';
import { SECURE_DEFAULTS } from '../secure-defaults';

export interface EdgeFirewallProps {
  /** Names the web ACL, its metric and its log group. */
  readonly appName: string;
  /** The validated rules file (loadFirewallRules). */
  readonly rules: FirewallRules;
  /**
   * Retention of the WAF logs.
   * @default three months
   */
  readonly logRetention?: logs.RetentionDays;
}

/** Headers that carry credentials: never written to the WAF logs. */
export const REDACTED_HEADERS = Object.freeze(['authorization', 'cookie']);

/** WAF's name for the body inspection limit that BODY_INSPECTION_LIMIT_BYTES mirrors. */
const BODY_INSPECTION_LIMIT = 'KB_16';

export class EdgeFirewall extends Construct {
  public readonly webAcl: wafv2.CfnWebACL;
  public readonly logGroup: logs.LogGroup;
  /** For the distribution's `webAclId`. */
  public readonly webAclArn: string;

  constructor(scope: Construct, id: string, props: EdgeFirewallProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (!Token.isUnresolved(stack.region) && stack.region !== EDGE_REGION) {
      throw new ConstructPropsError(
        'EdgeFirewall',
        `a CLOUDFRONT web ACL must be created in ${EDGE_REGION}; this stack is in ${stack.region}`,
      );
    }
    if (BODY_INSPECTION_LIMIT_BYTES !== 16 * 1024) {
      throw new ConstructPropsError(
        'EdgeFirewall',
        `BODY_INSPECTION_LIMIT_BYTES (${BODY_INSPECTION_LIMIT_BYTES}) no longer matches ${BODY_INSPECTION_LIMIT}`,
      );
    }
    const { rules, customResponseBodies } = toWebAclRules(props.rules);
    const name = `${props.appName}-edge`;

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name,
      description: `${props.appName}: generated from ${props.rules.source.split(/[\\/]/).pop() ?? 'the firewall rules file'}`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      rules,
      ...(Object.keys(customResponseBodies).length > 0 ? { customResponseBodies } : {}),
      associationConfig: { requestBody: { CLOUDFRONT: { defaultSizeInspectionLimit: BODY_INSPECTION_LIMIT } } },
      // The web ACL's own samples are the requests no rule matched, /auth/* and /presign included:
      // samples show the Authorization and Cookie headers unredacted, so none are kept.
      visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: false, metricName: name },
    });
    this.webAclArn = this.webAcl.attrArn;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `aws-waf-logs-${props.appName}`,
      retention: props.logRetention ?? SECURE_DEFAULTS.logs.retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group's ARN without the ":*" that CloudFormation's Arn attribute ends with.
      logDestinationConfigs: [
        stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: this.logGroup.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: REDACTED_HEADERS.map((header) => ({ singleHeader: { Name: header } })),
    });
  }
}
