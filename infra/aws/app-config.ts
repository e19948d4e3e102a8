/**
 * The one typed configuration of the AWS deployment, read from the CDK
 * context: the `edgeUpload` object in cdk.json, where each field can be
 * overridden for one run on the command line (`npx cdk deploy -c region=us-west-2`).
 * Everything is `unknown` until checked here; every problem is reported at
 * once, naming the cdk.json key, before any construct is built.
 */
import path from 'node:path';
import { PriceClass } from 'aws-cdk-lib/aws-cloudfront';
import { uploadBucketNameProblem } from './bucket-name';
import { defaultEdgeMetricRegions } from './operations-metrics';
import { AppConfigError } from './errors';
import { SECURE_DEFAULTS } from './secure-defaults';

/** The context key in cdk.json that holds the settings. */
export const CONFIG_CONTEXT_KEY = 'edgeUpload';

/**
 * An account id that exists nowhere: lets `synth` run in CI and on laptops
 * with no credentials. A deploy with it fails at once (the CLI's credentials
 * are for another account), so it can never deploy anything by accident.
 */
export const PLACEHOLDER_ACCOUNT = '111111111111';

/** Lambda@Edge functions, CLOUDFRONT-scope web ACLs and CloudFront's certificates live here, and only here. */
export const EDGE_REGION = 'us-east-1';

export interface CustomDomain {
  /** The site's host name, e.g. `uploads.example.com`; CloudFront answers for it. */
  readonly domainName: string;
  /** An ACM certificate in us-east-1 that covers `domainName`. */
  readonly certificateArn: string;
}

/** Cognito's mail through Amazon SES (EmailSendingAccount DEVELOPER) instead of its built-in, capped sender. */
export interface SesEmail {
  /** A verified SES identity (an address or a domain): `arn:aws:ses:<region>:<account>:identity/<identity>`. */
  readonly sesIdentityArn: string;
  /** The From address: the identity itself, or an address at the identity's domain. */
  readonly from: string;
}

export interface AppConfig {
  /** Prefix of stack and resource names: lower-case letters, digits and hyphens. */
  readonly appName: string;
  readonly account: string;
  /** True when no account was given and none came from credentials: good for synth only. */
  readonly accountIsPlaceholder: boolean;
  /** The app's region: data, identity, the auth API and the distribution's stack. */
  readonly region: string;
  readonly customDomain: CustomDomain | undefined;
  readonly priceClass: PriceClass;
  /** Origins besides the site's own that may POST to the upload bucket (e.g. a staging site). */
  readonly extraCorsOrigins: readonly string[];
  /** Absolute path of the firewall rules file (docs/firewall.md). */
  readonly firewallRulesFile: string;
  /** Globally unique; derived from appName, account and region unless set. */
  readonly uploadBucketName: string;
  /**
   * The origin-verify secret's version that CloudFront sends and the regional web ACL accepts
   * (README, "Rotating the origin secret"); undefined: the version current at deploy time.
   */
  readonly originVerifySecretVersionId: string | undefined;
  /** During a rotation, the version the web ACL still accepts while CloudFront propagates the new one. */
  readonly originVerifyPreviousSecretVersionId: string | undefined;
  /** SES for the pool's mail; undefined: Cognito's built-in email, for trials only (synth warns). */
  readonly email: SesEmail | undefined;
  /** Whether CloudFront answers over IPv6 too (off by default: per-IP rules count each IPv6 address apart). */
  readonly enableIpv6: boolean;
  /** Subscribed to both alarm topics (the app region's and us-east-1's); undefined: no subscription. */
  readonly alarmEmail: string | undefined;
  /** Where the presign Lambda@Edge writes its logs and metrics, as the dashboard covers them (README, "Operations"). */
  readonly edgeMetricRegions: readonly string[];
  /** Bring your own pool: an existing user pool in the app region; undefined: the data stack creates one. */
  readonly existingUserPool: ExistingUserPool | undefined;
  /**
   * Your app's origins: /presign* answers their CORS preflights at the edge and
   * marks its answers for them, and the upload bucket's CORS admits them.
   */
  readonly allowedOrigins: readonly string[];
  /** Deploy the regional auth API and the /auth/* behaviour (off: you bring your own sign-in). */
  readonly withAuthApi: boolean;
  /** Deploy the web app to the site bucket (off: nothing is served outside /presign* and /auth/*). */
  readonly withSite: boolean;
}

export interface ExistingUserPool {
  /** `<region>_<id>`, in the app region. */
  readonly userPoolId: string;
  /** The app clients whose access tokens the edge trusts; the auth API (if any) signs in with the first. */
  readonly clientIds: readonly string[];
}

/** The settings a person writes, all optional here; `parseAppConfig` says which are required. */
const FIELDS = [
  'appName',
  'account',
  'region',
  'domainName',
  'certificateArn',
  'priceClass',
  'extraCorsOrigins',
  'firewallRulesFile',
  'uploadBucketName',
  'originVerifySecretVersionId',
  'originVerifyPreviousSecretVersionId',
  'sesIdentityArn',
  'emailFrom',
  'enableIpv6',
  'alarmEmail',
  'edgeMetricRegions',
  'existingUserPoolId',
  'existingUserPoolClientIds',
  'allowedOrigins',
  'withAuthApi',
  'withSite',
] as const;
type Field = (typeof FIELDS)[number];

const DEFAULTS = Object.freeze({
  appName: 'edge-upload',
  priceClass: PriceClass.PRICE_CLASS_100,
  firewallRulesFile: 'infra/firewall/firewall-rules.yaml',
});

const APP_NAME = /^[a-z][a-z0-9-]{1,22}[a-z0-9]$/;
const ACCOUNT = /^\d{12}$/;
/** Partitions without S3 Transfer Acceleration (China, GovCloud, ISO). */
const NO_TRANSFER_ACCELERATION = /^(cn|us-gov|us-iso[a-z]?)-/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/**
 * Opt-in regions (disabled by default in an account). CloudFront does not deliver standard logs
 * to buckets in them (CloudFront Developer Guide, "Choosing an Amazon S3 bucket for your standard
 * logs"), and the access-log bucket lives in the app's region.
 */
const OPT_IN_REGIONS: ReadonlySet<string> = new Set([
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
]);
/** Secrets Manager version ids (a UUID when Secrets Manager makes them; 32 to 64 characters). */
const SECRET_VERSION_ID = /^[A-Za-z0-9-]{32,64}$/;
/** A Cognito user pool id: `<region>_<9 or so letters and digits>`. */
const USER_POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d{1,2})_[A-Za-z0-9]{1,55}$/;
/** A Cognito app client id (Cognito makes 26 lower-case letters and digits; its API allows `[\w+]+`). */
const CLIENT_ID = /^[\w+]{1,128}$/;
const HOST_NAME = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const CERTIFICATE_ARN = new RegExp(`^arn:aws:acm:${EDGE_REGION}:\\d{12}:certificate/[0-9a-f-]{36}$`);
const PRICE_CLASSES: readonly string[] = [PriceClass.PRICE_CLASS_100, PriceClass.PRICE_CLASS_200, PriceClass.PRICE_CLASS_ALL];
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const SES_IDENTITY_ARN = /^arn:aws:ses:([a-z0-9-]+):(\d{12}):identity\/(.+)$/;
const EMAIL_ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+)$/;
/**
 * Cognito sends with SES in the pool's own region, or (for pools in some
 * regions) in one of these three, its original SES regions
 * ("Email settings for Amazon Cognito user pools").
 */
export const COGNITO_ALTERNATE_SES_REGIONS: readonly string[] = Object.freeze(['us-east-1', 'us-west-2', 'eu-west-1']);

export interface AppConfigSources {
  /** Reads one context value (App.node.tryGetContext). */
  readonly context: (key: string) => unknown;
  /** The process environment (CDK_DEFAULT_ACCOUNT comes from the CLI's credentials). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Relative paths in the config are relative to this folder (the project root). */
  readonly projectRoot: string;
}

export function parseAppConfig(sources: AppConfigSources): AppConfig {
  const problems: string[] = [];
  const raw = mergeSettings(sources.context, problems);
  const where = (field: Field): string => `${CONFIG_CONTEXT_KEY}.${field}`;
  const text = (field: Field): string | undefined => {
    const value = raw[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() !== value || value === '') {
      problems.push(`${where(field)} must be a non-empty string without surrounding spaces`);
      return undefined;
    }
    return value;
  };

  const appName = text('appName') ?? DEFAULTS.appName;
  if (!APP_NAME.test(appName)) {
    problems.push(
      `${where('appName')} must be 3 to 24 lower-case letters, digits or hyphens, starting with a letter (it prefixes stack and bucket names)`,
    );
  }

  const region = text('region');
  if (region === undefined) problems.push(`${where('region')} is required: the AWS region for the data and the auth API, e.g. "eu-west-1"`);
  else if (!REGION.test(region)) problems.push(`${where('region')} must be an AWS region such as eu-west-1 (got "${region}")`);
  else if (NO_TRANSFER_ACCELERATION.test(region)) {
    problems.push(
      `${where('region')} "${region}" has no S3 Transfer Acceleration, which the upload endpoint relies on; choose a commercial region`,
    );
  } else if (OPT_IN_REGIONS.has(region)) {
    problems.push(
      `${where('region')} "${region}" is an opt-in region: CloudFront cannot deliver its standard logs to the access-log bucket there; choose a region enabled by default, such as eu-west-1`,
    );
  }

  const givenAccount = text('account') ?? nonEmpty(sources.env.CDK_DEFAULT_ACCOUNT);
  const account = givenAccount ?? PLACEHOLDER_ACCOUNT;
  if (!ACCOUNT.test(account)) problems.push(`${where('account')} must be a 12-digit AWS account id`);

  const domainName = text('domainName');
  const certificateArn = text('certificateArn');
  let customDomain: CustomDomain | undefined;
  if (domainName !== undefined || certificateArn !== undefined) {
    if (domainName === undefined)
      problems.push(`${where('certificateArn')} is set but ${where('domainName')} is not: set both, or neither`);
    else if (!HOST_NAME.test(domainName))
      problems.push(`${where('domainName')} must be a lower-case host name such as uploads.example.com`);
    if (certificateArn === undefined) {
      problems.push(
        `${where('domainName')} needs ${where('certificateArn')}: an ACM certificate in ${EDGE_REGION} that covers it (CloudFront only uses certificates from ${EDGE_REGION})`,
      );
    } else if (!CERTIFICATE_ARN.test(certificateArn)) {
      problems.push(
        `${where('certificateArn')} must be an ACM certificate ARN in ${EDGE_REGION} (arn:aws:acm:${EDGE_REGION}:<account>:certificate/<id>): CloudFront only uses certificates from ${EDGE_REGION}`,
      );
    }
    if (domainName !== undefined && certificateArn !== undefined) customDomain = { domainName, certificateArn };
  }

  const priceClassText = text('priceClass') ?? DEFAULTS.priceClass;
  if (!PRICE_CLASSES.includes(priceClassText)) problems.push(`${where('priceClass')} must be one of ${PRICE_CLASSES.join(', ')}`);
  const priceClass = priceClassText as PriceClass;

  const extraCorsOrigins = parseOrigins(raw.extraCorsOrigins, where('extraCorsOrigins'), problems);

  const firewallRulesFile = path.resolve(sources.projectRoot, text('firewallRulesFile') ?? DEFAULTS.firewallRulesFile);

  const uploadBucketName = text('uploadBucketName') ?? `${appName}-uploads-${account}-${region ?? 'region'}`;
  const bucketProblem = uploadBucketNameProblem(uploadBucketName);
  if (bucketProblem !== undefined) {
    const origin =
      raw.uploadBucketName === undefined
        ? `the derived upload bucket name "${uploadBucketName}" (set ${where('uploadBucketName')})`
        : where('uploadBucketName');
    problems.push(`${origin}: ${bucketProblem}`);
  }

  const versionId = (field: 'originVerifySecretVersionId' | 'originVerifyPreviousSecretVersionId'): string | undefined => {
    const value = text(field);
    if (value !== undefined && !SECRET_VERSION_ID.test(value)) {
      problems.push(`${where(field)} must be a Secrets Manager version id (the VersionId that put-secret-value printed)`);
    }
    return value;
  };
  const originVerifySecretVersionId = versionId('originVerifySecretVersionId');
  const originVerifyPreviousSecretVersionId = versionId('originVerifyPreviousSecretVersionId');
  if (originVerifyPreviousSecretVersionId !== undefined && originVerifySecretVersionId === undefined) {
    problems.push(
      `${where('originVerifyPreviousSecretVersionId')} needs ${where('originVerifySecretVersionId')}: the new version CloudFront sends`,
    );
  }
  if (originVerifyPreviousSecretVersionId !== undefined && originVerifyPreviousSecretVersionId === originVerifySecretVersionId) {
    problems.push(`${where('originVerifyPreviousSecretVersionId')} must differ from ${where('originVerifySecretVersionId')}`);
  }
  const email = parseSesEmail(text('sesIdentityArn'), text('emailFrom'), region, where, problems);

  const enableIpv6 = parseBoolean(raw.enableIpv6, where('enableIpv6'), problems) ?? SECURE_DEFAULTS.cloudFront.enableIpv6;

  const alarmEmail = text('alarmEmail');
  if (alarmEmail !== undefined && !EMAIL_ADDRESS.test(alarmEmail)) {
    problems.push(
      `${where('alarmEmail')} must be a plain email address with a lower-case domain, such as ops@example.com (got "${alarmEmail}")`,
    );
  }
  const edgeMetricRegions =
    parseRegions(raw.edgeMetricRegions, where('edgeMetricRegions'), problems) ??
    (PRICE_CLASSES.includes(priceClass) ? defaultEdgeMetricRegions(priceClass) : []);

  const existingUserPool = parseExistingUserPool(text('existingUserPoolId'), raw.existingUserPoolClientIds, region, where, problems);
  const allowedOrigins = parseOrigins(raw.allowedOrigins, where('allowedOrigins'), problems);
  const withAuthApi = parseBoolean(raw.withAuthApi, where('withAuthApi'), problems) ?? true;
  const withSite = parseBoolean(raw.withSite, where('withSite'), problems) ?? true;
  if (withSite && !withAuthApi) {
    problems.push(
      `${where('withSite')} needs ${where('withAuthApi')}: the web app signs in through the auth API; with your own sign-in, pass -c withSite=false too`,
    );
  }
  if (!withSite && allowedOrigins.length === 0 && extraCorsOrigins.length === 0) {
    problems.push(
      `${where('withSite')} is false, so the upload bucket's CORS would admit no origin: set ${where('allowedOrigins')} to your app's origins`,
    );
  }

  if (problems.length > 0) throw new AppConfigError(problems);
  return Object.freeze({
    appName,
    account,
    accountIsPlaceholder: givenAccount === undefined,
    region: region ?? '',
    customDomain: customDomain === undefined ? undefined : Object.freeze(customDomain),
    priceClass,
    extraCorsOrigins: Object.freeze(extraCorsOrigins),
    firewallRulesFile,
    uploadBucketName,
    originVerifySecretVersionId,
    originVerifyPreviousSecretVersionId,
    email: email === undefined ? undefined : Object.freeze(email),
    enableIpv6,
    alarmEmail,
    edgeMetricRegions: Object.freeze([...edgeMetricRegions]),
    existingUserPool,
    allowedOrigins: Object.freeze(allowedOrigins),
    withAuthApi,
    withSite,
  });
}

/** `-c existingUserPoolId=<id> -c existingUserPoolClientIds=<id>,<id>`: both, or neither. */
function parseExistingUserPool(
  userPoolId: string | undefined,
  clientIdsValue: unknown,
  region: string | undefined,
  where: (field: Field) => string,
  problems: string[],
): ExistingUserPool | undefined {
  if (userPoolId === undefined && clientIdsValue === undefined) return undefined;
  if (userPoolId === undefined) {
    problems.push(`${where('existingUserPoolClientIds')} needs ${where('existingUserPoolId')}: the pool the clients belong to`);
    return undefined;
  }
  const before = problems.length;
  const poolRegion = USER_POOL_ID.exec(userPoolId)?.[1];
  if (poolRegion === undefined)
    problems.push(`${where('existingUserPoolId')} must be a Cognito user pool id such as eu-west-1_AbCdEfGhI (got "${userPoolId}")`);
  else if (region !== undefined && poolRegion !== region) {
    problems.push(
      `${where('existingUserPoolId')} is in ${poolRegion}: the pool must be in the app region (${region}), where the auth API and the data stack are`,
    );
  }
  const items = listItems(clientIdsValue);
  if (!Array.isArray(items) || items.length === 0) {
    problems.push(
      `${where('existingUserPoolId')} needs ${where('existingUserPoolClientIds')}: the app client ids whose access tokens the edge trusts (one or more, comma-separated)`,
    );
    return undefined;
  }
  const clientIds: string[] = [];
  items.forEach((item: unknown, index) => {
    if (typeof item !== 'string' || !CLIENT_ID.test(item))
      problems.push(`${where('existingUserPoolClientIds')}[${index}] must be a Cognito app client id (got ${JSON.stringify(item)})`);
    else if (!clientIds.includes(item)) clientIds.push(item);
  });
  return problems.length === before ? Object.freeze({ userPoolId, clientIds: Object.freeze(clientIds) }) : undefined;
}

/** A list of regions (from the command line, one comma-separated string); undefined when not set. */
function parseRegions(value: unknown, where: string, problems: string[]): string[] | undefined {
  if (value === undefined) return undefined;
  const items = listItems(value);
  if (!Array.isArray(items) || items.length === 0) {
    problems.push(`${where} must be a non-empty list of AWS regions such as ["us-east-1", "eu-west-1"]`);
    return undefined;
  }
  const regions: string[] = [];
  items.forEach((item: unknown, index) => {
    if (typeof item !== 'string' || !REGION.test(item))
      problems.push(`${where}[${index}] must be an AWS region such as eu-west-1 (got ${JSON.stringify(item)})`);
    else if (!regions.includes(item)) regions.push(item);
  });
  return regions;
}

function parseSesEmail(
  arn: string | undefined,
  from: string | undefined,
  region: string | undefined,
  where: (field: Field) => string,
  problems: string[],
): SesEmail | undefined {
  if (arn === undefined && from === undefined) return undefined;
  if (arn === undefined) {
    problems.push(`${where('emailFrom')} needs ${where('sesIdentityArn')}: the ARN of the verified SES identity the address belongs to`);
    return undefined;
  }
  const before = problems.length;
  const match = SES_IDENTITY_ARN.exec(arn);
  const [, sesRegion, , identity] = match ?? [];
  if (match === null || sesRegion === undefined || identity === undefined) {
    problems.push(
      `${where('sesIdentityArn')} must be the ARN of a verified SES identity, arn:aws:ses:<region>:<account>:identity/<address or domain> (got "${arn}")`,
    );
  } else if (region !== undefined && sesRegion !== region && !COGNITO_ALTERNATE_SES_REGIONS.includes(sesRegion)) {
    problems.push(
      `${where('sesIdentityArn')} is in ${sesRegion}: Cognito sends with SES in the pool's region (${region}) or in ${COGNITO_ALTERNATE_SES_REGIONS.join(', ')} only`,
    );
  }
  if (from === undefined) {
    problems.push(
      `${where('sesIdentityArn')} needs ${where('emailFrom')}: the From address of the pool's mail (the identity's address, or one at its domain)`,
    );
  } else {
    const address = EMAIL_ADDRESS.exec(from);
    if (address === null) {
      problems.push(
        `${where('emailFrom')} must be a plain email address with a lower-case domain, such as no-reply@example.com (got "${from}")`,
      );
    } else if (identity !== undefined) {
      const domain = address[1] ?? '';
      const fits = identity.includes('@')
        ? identity.toLowerCase() === from.toLowerCase()
        : domain === identity || domain.endsWith(`.${identity}`);
      if (!fits) {
        problems.push(
          `${where('emailFrom')} "${from}" is not covered by the SES identity "${identity}": use the identity's own address, or an address at its domain`,
        );
      }
    }
  }
  return problems.length === before && from !== undefined ? { sesIdentityArn: arn, from } : undefined;
}

/** true/false, or their text from the command line (`-c enableIpv6=true`). */
function parseBoolean(value: unknown, where: string, problems: string[]): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  problems.push(`${where} must be true or false`);
  return undefined;
}

/** cdk.json's object, then any single field given on the command line (`-c field=value`) on top. */
function mergeSettings(context: (key: string) => unknown, problems: string[]): Partial<Record<Field, unknown>> {
  const base = context(CONFIG_CONTEXT_KEY);
  const merged: Partial<Record<Field, unknown>> = {};
  if (base !== undefined) {
    if (typeof base !== 'object' || base === null || Array.isArray(base)) {
      problems.push(`"${CONFIG_CONTEXT_KEY}" in cdk.json must be an object of settings`);
    } else {
      for (const [key, value] of Object.entries(base)) {
        if ((FIELDS as readonly string[]).includes(key)) merged[key as Field] = value;
        else problems.push(`${CONFIG_CONTEXT_KEY}.${key} is not a setting${suggest(key)}; known settings: ${FIELDS.join(', ')}`);
      }
    }
  }
  for (const field of FIELDS) {
    const override = context(field);
    if (override !== undefined) merged[field] = override;
  }
  return merged;
}

function parseOrigins(value: unknown, where: string, problems: string[]): string[] {
  if (value === undefined) return [];
  const items = listItems(value);
  if (!Array.isArray(items)) {
    problems.push(`${where} must be a list of origins such as ["https://staging.example.com"]`);
    return [];
  }
  const origins: string[] = [];
  items.forEach((item: unknown, index) => {
    const problem = originProblem(item);
    if (problem !== undefined) problems.push(`${where}[${index}] ${problem}`);
    else if (!origins.includes(item as string)) origins.push(item as string);
  });
  return origins;
}

function originProblem(item: unknown): string | undefined {
  if (typeof item !== 'string') return 'must be a string';
  let url: URL;
  try {
    url = new URL(item);
  } catch {
    return `must be an origin such as https://staging.example.com (got "${item}")`;
  }
  if (url.origin !== item) return `must be exactly an origin: scheme, host and optional port, no path or trailing slash (got "${item}")`;
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    return `must use https (http only for localhost and 127.0.0.1) (got "${item}")`;
  }
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function suggest(key: string): string {
  const lower = key.toLowerCase();
  const match = FIELDS.find(
    (field) => field.toLowerCase() === lower || field.toLowerCase().startsWith(lower) || lower.startsWith(field.toLowerCase()),
  );
  return match === undefined ? '' : ` (did you mean ${match}?)`;
}

/** A list setting: an array from cdk.json as it is, or, from the command line, one comma-separated string (empty entries dropped). */
function listItems(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
