/**
 * The edge-upload CDK app: four thin stacks in two regions, in the one order
 * that has no cycle (README, "Stacks and regions"), and two for operations:
 *
 *   data (app region)  →  edge (us-east-1)  →  web (app region)  →  uploads (app region)  →  operations (app region)
 *                                               └→  edge-alarms (us-east-1)
 *
 * Everything comes from one validated config (cdk.json context) and one
 * firewall rules file, both read here, once.
 */
import { Annotations, App, Tags, Token, Validations, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadFirewallRules } from '../firewall/rules';
import type { FirewallRules } from '../firewall/rule-model';
import { EDGE_REGION, parseAppConfig, type AppConfig } from './app-config';
import { findProjectRoot, locateBuildArtifacts, type BuildArtifacts } from './build-artifacts';
import { resourceFingerprint } from './deploy-fingerprint';
import { DataStack } from './stacks/data-stack';
import { EdgeAlarmsStack } from './stacks/edge-alarms-stack';
import { EdgeStack } from './stacks/edge-stack';
import { OperationsStack } from './stacks/operations-stack';
import { UploadsStack } from './stacks/uploads-stack';
import { WebStack } from './stacks/web-stack';

export interface EdgeUploadStacks {
  readonly data: DataStack;
  readonly edge: EdgeStack;
  readonly web: WebStack;
  readonly uploads: UploadsStack;
  readonly operations: OperationsStack;
  readonly edgeAlarms: EdgeAlarmsStack;
}

export interface EdgeUploadApp {
  readonly app: App;
  readonly config: AppConfig;
  readonly firewallRules: FirewallRules;
  readonly artifacts: BuildArtifacts;
  readonly stacks: EdgeUploadStacks;
}

export interface BuildAppOptions {
  /**
   * The app to add the stacks to.
   * @default a new App (which reads the CLI's context, cdk.json included)
   */
  readonly app?: App;
  /**
   * Environment variables (CDK_DEFAULT_ACCOUNT).
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Where the project is.
   * @default found by walking up from this file
   */
  readonly projectRoot?: string;
  /**
   * The built bundles.
   * @default located in the project's dist/ (locateBuildArtifacts)
   */
  readonly artifacts?: BuildArtifacts;
  /**
   * Run cdk-nag's AwsSolutions pack at synth: any unacknowledged finding fails the synth.
   * @default true
   */
  readonly nag?: boolean;
}

export function buildEdgeUploadApp(options: BuildAppOptions = {}): EdgeUploadApp {
  const app = options.app ?? new App();
  const projectRoot = options.projectRoot ?? findProjectRoot();
  const config = parseAppConfig({ context: (key) => app.node.tryGetContext(key), env: options.env ?? process.env, projectRoot });
  const firewallRules = loadFirewallRules(config.firewallRulesFile);
  const artifacts = options.artifacts ?? locateBuildArtifacts(projectRoot);

  const appRegion: Environment = { account: config.account, region: config.region };
  const edgeRegion: Environment = { account: config.account, region: EDGE_REGION };
  const common = { crossRegionReferences: true } as const;
  const name = (part: string): string => `${config.appName}-${part}`;

  const data = new DataStack(app, name('data'), {
    ...common,
    env: appRegion,
    description: `${config.appName}: upload key, user pool, access logs`,
    config,
  });
  const edge = new EdgeStack(app, name('edge'), {
    ...common,
    env: edgeRegion,
    description: `${config.appName}: CloudFront web ACL and presign Lambda@Edge (us-east-1)`,
    config,
    firewallRules,
    artifacts,
    issuer: data.users.issuer,
    jwksUrl: data.users.jwksUrl,
    userPoolClientIds: data.users.clientIds,
    uploadKeyArn: data.uploadKey.key.keyArn,
    // Weak references do not change this template when the pool or client is replaced; this does (README, "Updating a deployment").
    // An existing pool's ids are plain strings in the config, so they change the template themselves.
    dataFingerprint: resourceFingerprint(
      data.users.managed ? [data.users.userPool, data.users.client, data.uploadKey.key] : [data.uploadKey.key],
    ),
  });
  const web = new WebStack(app, name('web'), {
    ...common,
    env: appRegion,
    description: `${config.appName}: site, auth API, CloudFront distribution`,
    config,
    firewallRules,
    artifacts,
    userPool: data.users.userPool,
    userPoolClient: data.users.client,
    refreshTokenValidity: data.users.refreshTokenValidity,
    logBucket: data.accessLogs.bucket,
    // The version travels by its fingerprint, not as a cross-stack reference (constructs/presign-version-parameter.ts):
    // the web stack reads the parameter the edge stack wrote, so the edge stack must be deployed first.
    presignVersionFingerprint: edge.presign.versionFingerprint,
    webAclArn: edge.firewall.webAclArn,
  });
  web.addStackDependency(edge, 'the presign version parameter is written by the edge stack and read by the web stack');
  const uploads = new UploadsStack(app, name('uploads'), {
    ...common,
    env: appRegion,
    description: `${config.appName}: upload bucket and upload inspector`,
    config,
    uploadKey: data.uploadKey.key,
    accessLogBucketName: data.accessLogs.bucket.bucketName,
    siteOrigin: config.withSite ? web.cdn.siteOrigin : undefined,
    inspectorCodeDir: artifacts.inspectorDir,
  });

  // Operations (README, "Operations"): the dashboard and the app region's alarms; the us-east-1 alarms beside the edge.
  const webAclMetricName = edge.firewall.webAcl.visibilityConfig;
  const distributionId = web.cdn.distribution.distributionId;
  const operations = new OperationsStack(app, name('operations'), {
    ...common,
    env: appRegion,
    description: `${config.appName}: operations dashboard, alarms of the app region`,
    config,
    firewallRules,
    webAclMetricName: metricNameOf(webAclMetricName),
    distributionId,
    deadLetterQueue: uploads.inspector.deadLetterQueue,
  });
  const edgeAlarms = new EdgeAlarmsStack(app, name('edge-alarms'), {
    ...common,
    env: edgeRegion,
    description: `${config.appName}: alarms on CloudFront and WAF metrics (us-east-1)`,
    config,
    webAclMetricName: metricNameOf(webAclMetricName),
    distributionId,
  });

  Tags.of(app).add('app', config.appName);
  if (config.accountIsPlaceholder) {
    Annotations.of(data).addInfo(
      `No AWS account given: synthesized for the placeholder account ${config.account}. To deploy, run with credentials (the CLI sets CDK_DEFAULT_ACCOUNT) or pass -c account=<id>.`,
    );
  }
  if (config.email === undefined && config.existingUserPool === undefined) {
    Annotations.of(data).addWarningV2(
      'edge-upload:cognitoBuiltInEmail',
      "For trials only: the user pool sends its mail with Cognito's built-in email, which stops after a few dozen mails a day for the whole deployment, " +
        'and anyone can spend that with /auth/register or /auth/resend. For production pass -c sesIdentityArn=<verified SES identity ARN> -c emailFrom=<address> (README, "Deployment guide").',
    );
  }
  if (config.enableIpv6) {
    Annotations.of(web).addWarningV2(
      'edge-upload:ipv6PerIpLimits',
      'enableIpv6 is on: WAF counts each IPv6 address apart, and one client holds a whole /64, so the per-IP rate rules no longer bound a single client (README, "IPv6").',
    );
  }
  if (artifacts.siteIsPlaceholder && config.withSite) {
    Annotations.of(web).addInfo(
      `dist/site has no index.html: deploying the placeholder page from ${artifacts.siteDir} until the site is built.`,
    );
  }
  if (options.nag ?? true) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }));
  }
  return { app, config, firewallRules, artifacts, stacks: { data, edge, web, uploads, operations, edgeAlarms } };
}

/** The web ACL's metric name, a plain string fixed at synth (so the alarm stacks hold no reference to the edge stack for it). */
function metricNameOf(visibility: unknown): string {
  const name = typeof visibility === 'object' && visibility !== null && 'metricName' in visibility ? visibility.metricName : undefined;
  if (typeof name !== 'string' || Token.isUnresolved(name)) throw new Error('the edge web ACL has no metric name fixed at synth');
  return name;
}
