/**
 * SigV4 for POST policies: each case computes the expected signing key on its
 * own (the four HMACs of the AWS documentation), so a cache that ignored the
 * secret, the day or the region would be caught inside one test, whatever ran
 * before it.
 */
import { createHmac } from 'node:crypto';
import { amzDate, credentialScope, isoSeconds, signHex, signingKey, SIGV4_ALGORITHM } from '../../../edge-functions/core/sigv4';

function expectedKey(secret: string, shortDate: string, region: string, service: string): Buffer {
  const step = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
  return step(step(step(step(`AWS4${secret}`, shortDate), region), service), 'aws4_request');
}

describe('signingKey', () => {
  it('derives the documented key, and a new one whenever the secret, the day, the region or the service changes', () => {
    const sequence: Array<[string, string, string, string]> = [
      ['secret-one', '20261129', 'eu-west-1', 's3'],
      ['secret-one', '20261129', 'eu-west-1', 's3'],
      ['secret-one', '20261130', 'eu-west-1', 's3'],
      ['secret-one', '20261130', 'us-east-1', 's3'],
      ['secret-two', '20261130', 'us-east-1', 's3'],
      ['secret-two', '20261130', 'us-east-1', 'sts'],
      ['secret-one', '20261129', 'eu-west-1', 's3'],
    ];
    for (const [secret, day, region, service] of sequence) {
      expect(signingKey(secret, day, region, service).equals(expectedKey(secret, day, region, service))).toBe(true);
    }
  });

  it('signs with HMAC-SHA256 in lower-case hex', () => {
    const key = expectedKey('s', '20261129', 'eu-west-1', 's3');
    expect(signHex(key, 'policy')).toBe(createHmac('sha256', key).update('policy', 'utf8').digest('hex'));
    expect(signHex(key, 'policy')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('dates and scope', () => {
  it('writes X-Amz-Date and ISO seconds without milliseconds', () => {
    const now = new Date('2026-11-29T12:05:09.123Z');
    expect(amzDate(now)).toBe('20261129T120509Z');
    expect(isoSeconds(now)).toBe('2026-11-29T12:05:09Z');
  });

  it('scopes a credential to day, region and service', () => {
    expect(credentialScope('20261129', 'eu-west-1', 's3')).toBe('20261129/eu-west-1/s3/aws4_request');
    expect(SIGV4_ALGORITHM).toBe('AWS4-HMAC-SHA256');
  });
});
