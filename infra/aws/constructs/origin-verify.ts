/**
 * Only CloudFront may call the regional auth API. The REST API's own
 * `execute-api` address is public; without this, anyone could call it
 * directly and skip the edge firewall (rate limits, geo, managed rules) and
 * the auth-guard function. CloudFront adds a secret header to every request
 * it forwards to the API, and a REGIONAL web ACL on the API stage blocks
 * every request that does not carry it (AWS's documented pattern for
 * protecting a custom origin). The value lives in Secrets Manager and reaches
 * both sides as a CloudFormation dynamic reference, never as template text.
 */
import { SecretValue } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';
import { firewallBlockBody } from '../../shared/firewall-responses';
import { ConstructPropsError } from '../errors';

export interface OriginVerifyProps {
  readonly appName: string;
  /** The stage that only CloudFront may reach. */
  readonly stage: apigateway.Stage;
  /**
   * The header CloudFront adds (lower case).
   * @default 'x-origin-verify'
   */
  readonly headerName?: string;
  /**
   * The secret version CloudFront sends and the web ACL accepts. Pinning a version id puts it in
   * the template, so putting a new value and deploying with its id moves both sides in one deploy.
   * @default - the version current at deploy time (AWSCURRENT), unpinned
   */
  readonly secretVersionId?: string;
  /**
   * During a rotation: the previous version, still accepted by the web ACL (never sent), so
   * requests from edge locations that CloudFront has not updated yet are not refused.
   * @default - none: only `secretVersionId` is accepted
   */
  readonly previousSecretVersionId?: string;
}

const HEADER_NAME = /^[a-z0-9-]{1,64}$/;
const FORBIDDEN_BODY_KEY = 'forbidden';

export class OriginVerify extends Construct {
  public readonly secret: secretsmanager.Secret;
  public readonly webAcl: wafv2.CfnWebACL;
  public readonly headerName: string;
  /** A dynamic reference to the secret value, for CloudFront's origin custom header. */
  public readonly headerValue: string;

  constructor(scope: Construct, id: string, props: OriginVerifyProps) {
    super(scope, id);
    this.headerName = props.headerName ?? 'x-origin-verify';
    if (!HEADER_NAME.test(this.headerName)) throw new ConstructPropsError('OriginVerify', 'headerName must be a lower-case header name');

    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: `${props.appName}: the header value CloudFront sends to the auth API origin`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    const versionValue = (versionId: string) => SecretValue.secretsManager(this.secret.secretArn, { versionId }).unsafeUnwrap();
    this.headerValue = props.secretVersionId === undefined ? this.secret.secretValue.unsafeUnwrap() : versionValue(props.secretVersionId);
    const accepted = [
      this.headerValue,
      ...(props.previousSecretVersionId === undefined ? [] : [versionValue(props.previousSecretVersionId)]),
    ];

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: `${props.appName}-auth-origin`,
      description: 'Lets only CloudFront reach the auth API stage: every request must carry the origin-verify header',
      scope: 'REGIONAL',
      defaultAction: { block: { customResponse: { responseCode: 403, customResponseBodyKey: FORBIDDEN_BODY_KEY } } },
      customResponseBodies: {
        [FORBIDDEN_BODY_KEY]: { contentType: 'APPLICATION_JSON', content: JSON.stringify(firewallBlockBody(403, undefined)) },
      },
      // No samples: every request here is an /auth/* request, with its Cookie (the refresh token) in clear.
      visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: false, metricName: `${props.appName}-auth-origin` },
      rules: accepted.map((value, index) => ({
        name: index === 0 ? 'from-cloudfront' : 'from-cloudfront-previous-secret',
        priority: index,
        action: { allow: {} },
        statement: {
          byteMatchStatement: {
            fieldToMatch: { singleHeader: { Name: this.headerName } },
            positionalConstraint: 'EXACTLY',
            searchString: value,
            textTransformations: [{ priority: 0, type: 'NONE' }],
          },
        },
        // No sampled requests for this rule: a sample would show the secret header to anyone who can read WAF samples.
        visibilityConfig: {
          cloudWatchMetricsEnabled: true,
          sampledRequestsEnabled: false,
          metricName: index === 0 ? 'from-cloudfront' : 'from-cloudfront-previous-secret',
        },
      })),
    });

    const association = new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
    association.node.addDependency(props.stage);

    acknowledge(this.secret, {
      id: 'AwsSolutions-SMG4',
      reason:
        'The value must change in CloudFront and in the web ACL together, which a rotation Lambda cannot do for CloudFormation-owned resources; ' +
        'rotate it by putting a new value and deploying with its version id pinned, old one still accepted, then unpinning the old (README, "Rotating the origin secret"). It guards reachability, not data.',
    });
  }
}
