/**
 * With a custom domain: the site's origin is known at synth, so the
 * distribution takes the name and certificate with TLS 1.2 as the minimum,
 * and the auth Lambda and the upload bucket's CORS name it literally.
 */
import { synthTemplates, resourceNamed, type StackTemplates } from './support/synth-app';

const DOMAIN = 'uploads.example.com';
const CERT = 'arn:aws:acm:us-east-1:111111111111:certificate/12345678-1234-1234-1234-123456789012';

let t: StackTemplates;
beforeAll(() => {
  t = synthTemplates({
    context: { domainName: DOMAIN, certificateArn: CERT, extraCorsOrigins: 'https://staging.example.com', priceClass: 'PriceClass_All' },
  });
});

it('serves the domain with its us-east-1 certificate, SNI and TLS 1.2 at least', () => {
  const config = resourceNamed(t.web, 'AWS::CloudFront::Distribution', 'CdnDistribution').properties.DistributionConfig as Record<
    string,
    unknown
  >;
  expect(config.Aliases).toEqual([DOMAIN]);
  expect(config.ViewerCertificate).toEqual({
    AcmCertificateArn: CERT,
    MinimumProtocolVersion: 'TLSv1.2_2021',
    SslSupportMethod: 'sni-only',
  });
  expect(config.PriceClass).toBe('PriceClass_All');
});

it('gives the auth Lambda the domain as its site origin', () => {
  t.web.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { SITE_ORIGIN: `https://${DOMAIN}` } } });
});

it('lets the domain and the extra origins POST to the upload bucket', () => {
  t.uploads.hasResourceProperties('AWS::S3::Bucket', {
    CorsConfiguration: {
      CorsRules: [
        {
          AllowedMethods: ['GET', 'PUT', 'POST', 'DELETE'],
          AllowedOrigins: [`https://${DOMAIN}`, 'https://staging.example.com'],
          AllowedHeaders: ['content-type', 'content-md5', 'x-amz-*'],
          ExposedHeaders: ['ETag', 'Location'],
          MaxAge: 3600,
        },
      ],
    },
  });
});

it('no longer needs the default-certificate acknowledgement', () => {
  const distribution = Object.values(t.web.findResources('AWS::CloudFront::Distribution'))[0] as { Metadata?: Record<string, unknown> };
  expect(JSON.stringify(distribution.Metadata ?? {})).not.toContain('CFR4');
});
