/**
 * The typed app config (cdk.json context): defaults, command-line overrides,
 * and one clear message per problem, naming the setting.
 */
import path from 'node:path';
import { PriceClass } from 'aws-cdk-lib/aws-cloudfront';
import { parseAppConfig, PLACEHOLDER_ACCOUNT, type AppConfig } from '../../../infra/aws/app-config';
import { uploadBucketNameProblem } from '../../../infra/aws/bucket-name';
import { AppConfigError } from '../../../infra/aws/errors';
import { cdkJsonContext, PROJECT_ROOT } from './support/synth-app';

const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';

function parse(
  settings: Record<string, unknown> | undefined,
  overrides: Record<string, unknown> = {},
  env: Record<string, string> = {},
): AppConfig {
  const context: Record<string, unknown> = { ...(settings === undefined ? {} : { edgeUpload: settings }), ...overrides };
  return parseAppConfig({ context: (key) => context[key], env, projectRoot: PROJECT_ROOT });
}

function problems(settings: Record<string, unknown> | undefined, overrides: Record<string, unknown> = {}): readonly string[] {
  try {
    parse(settings, overrides);
  } catch (error) {
    if (error instanceof AppConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the config to be refused');
}

describe('the shipped cdk.json', () => {
  it('is a valid config: region eu-west-1, price class 100, the shipped rules file', () => {
    const config = parseAppConfig({ context: (key) => cdkJsonContext()[key], env: {}, projectRoot: PROJECT_ROOT });
    expect(config).toEqual({
      appName: 'edge-upload',
      account: PLACEHOLDER_ACCOUNT,
      accountIsPlaceholder: true,
      region: 'eu-west-1',
      customDomain: undefined,
      priceClass: PriceClass.PRICE_CLASS_100,
      extraCorsOrigins: [],
      firewallRulesFile: path.join(PROJECT_ROOT, 'infra/firewall/firewall-rules.yaml'),
      uploadBucketName: `edge-upload-uploads-${PLACEHOLDER_ACCOUNT}-eu-west-1`,
      email: undefined,
      enableIpv6: false,
      alarmEmail: undefined,
      edgeMetricRegions: ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-central-1'],
      existingUserPool: undefined,
      allowedOrigins: [],
      withAuthApi: true,
      withSite: true,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });
});

describe('sources', () => {
  it('takes the account from the CLI credentials (CDK_DEFAULT_ACCOUNT) when not configured', () => {
    const config = parse({ region: 'eu-west-1' }, {}, { CDK_DEFAULT_ACCOUNT: '123456789012' });
    expect(config.account).toBe('123456789012');
    expect(config.accountIsPlaceholder).toBe(false);
    expect(config.uploadBucketName).toBe('edge-upload-uploads-123456789012-eu-west-1');
  });

  it('lets -c field=value override cdk.json, lists as comma-separated text', () => {
    const config = parse(
      { region: 'eu-west-1' },
      {
        region: 'us-west-2',
        account: '123456789012',
        extraCorsOrigins: 'https://staging.example.com, http://localhost:5173',
        priceClass: 'PriceClass_All',
      },
    );
    expect(config).toMatchObject({
      region: 'us-west-2',
      account: '123456789012',
      priceClass: 'PriceClass_All',
      extraCorsOrigins: ['https://staging.example.com', 'http://localhost:5173'],
    });
  });

  it('accepts a custom domain with a us-east-1 certificate', () => {
    expect(parse({ region: 'eu-west-1', domainName: 'uploads.example.com', certificateArn: CERT }).customDomain).toEqual({
      domainName: 'uploads.example.com',
      certificateArn: CERT,
    });
  });
});

describe('email through SES, and IPv6', () => {
  const SES_DOMAIN = 'arn:aws:ses:eu-west-1:123456789012:identity/example.com';

  it('takes a verified SES identity and a From address it covers', () => {
    expect(parse({ region: 'eu-west-1' }, { sesIdentityArn: SES_DOMAIN, emailFrom: 'no-reply@mail.example.com' }).email).toEqual({
      sesIdentityArn: SES_DOMAIN,
      from: 'no-reply@mail.example.com',
    });
    const address = 'arn:aws:ses:us-east-1:123456789012:identity/Team@Example.com';
    expect(parse({ region: 'eu-west-2', sesIdentityArn: address, emailFrom: 'team@example.com' }).email?.sesIdentityArn).toBe(address);
  });

  it('takes enableIpv6 as a boolean or as command-line text, and is off without it', () => {
    expect(parse({ region: 'eu-west-1' }).enableIpv6).toBe(false);
    expect(parse({ region: 'eu-west-1', enableIpv6: true }).enableIpv6).toBe(true);
    expect(parse({ region: 'eu-west-1', enableIpv6: true }, { enableIpv6: 'false' }).enableIpv6).toBe(false);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an identity without a From address', { sesIdentityArn: SES_DOMAIN }, /sesIdentityArn needs edgeUpload\.emailFrom/],
    ['a From address without an identity', { emailFrom: 'no-reply@example.com' }, /emailFrom needs edgeUpload\.sesIdentityArn/],
    [
      'something that is not an SES identity ARN',
      { sesIdentityArn: 'arn:aws:sns:eu-west-1:123456789012:topic', emailFrom: 'a@example.com' },
      /must be the ARN of a verified SES identity/,
    ],
    [
      'an identity in a region Cognito cannot send from',
      { sesIdentityArn: SES_DOMAIN.replace('eu-west-1', 'ap-south-1'), emailFrom: 'a@example.com' },
      /is in ap-south-1: Cognito sends with SES in the pool's region \(eu-west-1\) or in us-east-1, us-west-2, eu-west-1 only/,
    ],
    [
      'a From address of another domain',
      { sesIdentityArn: SES_DOMAIN, emailFrom: 'a@example.org' },
      /"a@example\.org" is not covered by the SES identity "example\.com"/,
    ],
    ['a look-alike domain', { sesIdentityArn: SES_DOMAIN, emailFrom: 'a@badexample.com' }, /is not covered by the SES identity/],
    [
      'another address than an address identity',
      { sesIdentityArn: 'arn:aws:ses:eu-west-1:123456789012:identity/team@example.com', emailFrom: 'other@example.com' },
      /is not covered by the SES identity "team@example\.com"/,
    ],
    [
      'a From with a display name',
      { sesIdentityArn: SES_DOMAIN, emailFrom: 'Uploads <a@example.com>' },
      /emailFrom must be a plain email address/,
    ],
    ['enableIpv6 that is not a boolean', { enableIpv6: 'yes' }, /edgeUpload\.enableIpv6 must be true or false/],
  ])('refuses %s', (_name, settings, message) => {
    expect(problems({ region: 'eu-west-1', ...settings }).join('\n')).toMatch(message);
  });
});

describe('operations: alarm email and edge metric regions', () => {
  it('takes an alarm email from -c alarmEmail, and refuses what is not an address', () => {
    expect(parse({ region: 'eu-west-1' }, { alarmEmail: 'ops@example.com' }).alarmEmail).toBe('ops@example.com');
    expect(problems({ region: 'eu-west-1' }, { alarmEmail: 'ops at example' })).toEqual([
      'edgeUpload.alarmEmail must be a plain email address with a lower-case domain, such as ops@example.com (got "ops at example")',
    ]);
  });

  it('covers the regional edge caches of the price class unless a list is given', () => {
    const regions = (priceClass: string) => parse({ region: 'eu-west-1', priceClass }).edgeMetricRegions;
    expect(regions('PriceClass_100')).toHaveLength(7);
    expect(regions('PriceClass_200')).toEqual([
      ...regions('PriceClass_100'),
      'ap-south-1',
      'ap-northeast-1',
      'ap-northeast-2',
      'ap-southeast-1',
    ]);
    expect(regions('PriceClass_All')).toEqual([...regions('PriceClass_200'), 'sa-east-1', 'ap-southeast-2']);
    expect(parse({ region: 'eu-west-1' }, { edgeMetricRegions: 'eu-west-1, us-east-1,eu-west-1' }).edgeMetricRegions).toEqual([
      'eu-west-1',
      'us-east-1',
    ]);
    expect(parse({ region: 'eu-west-1', edgeMetricRegions: ['eu-central-1'] }).edgeMetricRegions).toEqual(['eu-central-1']);
    expect(problems({ region: 'eu-west-1', edgeMetricRegions: ['eu-west-1', 'mars'] })).toEqual([
      'edgeUpload.edgeMetricRegions[1] must be an AWS region such as eu-west-1 (got "mars")',
    ]);
    expect(problems({ region: 'eu-west-1', edgeMetricRegions: [] })).toEqual([
      'edgeUpload.edgeMetricRegions must be a non-empty list of AWS regions such as ["us-east-1", "eu-west-1"]',
    ]);
  });
});

describe('refusals name the setting and say what it wants', () => {
  it.each<[string, Record<string, unknown> | undefined, RegExp]>([
    ['no region', {}, /edgeUpload\.region is required/],
    ['no settings at all', undefined, /edgeUpload\.region is required/],
    ['a bad region', { region: 'europe' }, /edgeUpload\.region must be an AWS region such as eu-west-1/],
    ['a China region', { region: 'cn-north-1' }, /has no S3 Transfer Acceleration/],
    ['a GovCloud region', { region: 'us-gov-west-1' }, /has no S3 Transfer Acceleration/],
    [
      'an opt-in region (Cape Town)',
      { region: 'af-south-1' },
      /"af-south-1" is an opt-in region: CloudFront cannot deliver its standard logs/,
    ],
    ['an opt-in region (Hong Kong)', { region: 'ap-east-1' }, /"ap-east-1" is an opt-in region/],
    ['an opt-in region (Milan)', { region: 'eu-south-1' }, /"eu-south-1" is an opt-in region/],
    ['an opt-in region (Bahrain)', { region: 'me-south-1' }, /"me-south-1" is an opt-in region/],
    [
      'an origin secret version that is not a version id',
      { region: 'eu-west-1', originVerifySecretVersionId: 'AWSCURRENT' },
      /originVerifySecretVersionId must be a Secrets Manager version id/,
    ],
    [
      'a previous origin secret version without the new one',
      { region: 'eu-west-1', originVerifyPreviousSecretVersionId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111' },
      /originVerifyPreviousSecretVersionId needs edgeUpload\.originVerifySecretVersionId/,
    ],
    ['a bad account', { region: 'eu-west-1', account: '12345' }, /edgeUpload\.account must be a 12-digit AWS account id/],
    ['an upper-case app name', { region: 'eu-west-1', appName: 'EdgeUpload' }, /edgeUpload\.appName must be 3 to 24 lower-case/],
    ['a domain without a certificate', { region: 'eu-west-1', domainName: 'uploads.example.com' }, /needs edgeUpload\.certificateArn/],
    [
      'a certificate without a domain',
      { region: 'eu-west-1', certificateArn: CERT },
      /certificateArn is set but edgeUpload\.domainName is not/,
    ],
    [
      'a certificate outside us-east-1',
      { region: 'eu-west-1', domainName: 'uploads.example.com', certificateArn: CERT.replace('us-east-1', 'eu-west-1') },
      /CloudFront only uses certificates from us-east-1/,
    ],
    [
      'a bad price class',
      { region: 'eu-west-1', priceClass: 'cheap' },
      /edgeUpload\.priceClass must be one of PriceClass_100, PriceClass_200, PriceClass_All/,
    ],
    [
      'a CORS origin with a path',
      { region: 'eu-west-1', extraCorsOrigins: ['https://example.com/app'] },
      /extraCorsOrigins\[0\] must be exactly an origin/,
    ],
    ['a plain-http CORS origin', { region: 'eu-west-1', extraCorsOrigins: ['http://example.com'] }, /extraCorsOrigins\[0\] must use https/],
    ['CORS origins that are not a list', { region: 'eu-west-1', extraCorsOrigins: 42 }, /extraCorsOrigins must be a list/],
    [
      'a bucket name with dots',
      { region: 'eu-west-1', uploadBucketName: 'uploads.example.com' },
      /edgeUpload\.uploadBucketName: it contains dots/,
    ],
    ['a misspelt setting', { region: 'eu-west-1', regoin: 'x' }, /edgeUpload\.regoin is not a setting/],
    ['a near-miss setting', { region: 'eu-west-1', domain: 'x' }, /did you mean domainName\?/],
    ['an untrimmed value', { region: ' eu-west-1' }, /edgeUpload\.region must be a non-empty string without surrounding spaces/],
  ])('%s', (_name, settings, message) => {
    expect(problems(settings).join('\n')).toMatch(message);
  });

  it('lists every problem at once', () => {
    expect(problems({ region: 'nowhere', account: 'x', priceClass: 'y' })).toHaveLength(3);
  });

  it('derives a valid bucket name even from the longest app name and region', () => {
    const config = parse({ region: 'ap-southeast-2', appName: 'a'.repeat(24) }, { account: '123456789012' });
    expect(uploadBucketNameProblem(config.uploadBucketName)).toBeUndefined();
  });
});

describe('upload bucket names', () => {
  it.each([
    ['my.bucket', /dots/],
    ['ab', /3 to 63/],
    ['UpperCase', /lower-case/],
    ['-leading', /begin and end/],
    ['xn--punycode', /prefix "xn--"/],
    ['name-s3alias', /suffix "-s3alias"/],
    ['a'.repeat(64), /3 to 63/],
  ])('refuses %s', (name, message) => {
    expect(uploadBucketNameProblem(name)).toMatch(message);
  });

  it('accepts a hyphenated name', () => {
    expect(uploadBucketNameProblem('acme-uploads-eu-west-1')).toBeUndefined();
  });
});
