/**
 * The security opt-ins of the config: SES for the pool's mail (the default,
 * Cognito's built-in email, is for trials and synth says so) and IPv6 on the
 * distribution (off by default: per-IP rules cannot bound an IPv6 client).
 */
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { resourceNamed, synthTemplates, type StackTemplates } from './support/synth-app';

const SES_IDENTITY = 'arn:aws:ses:eu-west-1:111111111111:identity/example.com';

describe('by default (the shipped cdk.json)', () => {
  let t: StackTemplates;
  beforeAll(() => {
    t = synthTemplates();
  });

  it('synthesizes with Cognito’s built-in email, and warns that this is for trials only', () => {
    const pool = resourceNamed(t.data, 'AWS::Cognito::UserPool', 'UsersUserPool').properties;
    expect(pool.EmailConfiguration).toBeUndefined();
    Annotations.fromStack(t.built.stacks.data).hasWarning('*', Match.stringLikeRegexp('For trials only.*sesIdentityArn'));
  });

  it('serves the distribution over IPv4 only, without an IPv6 warning', () => {
    const config = resourceNamed(t.web, 'AWS::CloudFront::Distribution', 'CdnDistribution').properties.DistributionConfig as Record<
      string,
      unknown
    >;
    expect(config.IPV6Enabled).toBe(false);
    expect(Annotations.fromStack(t.built.stacks.web).findWarning('*', Match.stringLikeRegexp('enableIpv6'))).toEqual([]);
  });
});

describe('with -c sesIdentityArn -c emailFrom -c enableIpv6=true', () => {
  let t: StackTemplates;
  beforeAll(() => {
    t = synthTemplates({ context: { sesIdentityArn: SES_IDENTITY, emailFrom: 'no-reply@example.com', enableIpv6: 'true' } });
  });

  it('sends the pool’s mail through that SES identity (DEVELOPER), and no longer warns', () => {
    t.data.hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: { EmailSendingAccount: 'DEVELOPER', SourceArn: SES_IDENTITY, From: 'no-reply@example.com' },
    });
    expect(Annotations.fromStack(t.built.stacks.data).findWarning('*', Match.stringLikeRegexp('For trials only'))).toEqual([]);
  });

  it('turns IPv6 on, and warns what that costs the per-IP rules', () => {
    const config = resourceNamed(t.web, 'AWS::CloudFront::Distribution', 'CdnDistribution').properties.DistributionConfig as Record<
      string,
      unknown
    >;
    expect(config.IPV6Enabled).toBe(true);
    Annotations.fromStack(t.built.stacks.web).hasWarning('*', Match.stringLikeRegexp('enableIpv6 is on.*/64'));
  });
});
