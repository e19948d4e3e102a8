/**
 * The inspector's boundaries: its environment (checked once, every problem
 * listed) and the S3 notification (keys decoded as S3 encodes them; only
 * ObjectCreated records under the upload prefix of the upload bucket).
 */
import { INSPECTOR_ENV, parseInspectorConfig } from '../../../origin/inspector/core/config';
import { InspectorConfigError } from '../../../origin/inspector/core/errors';
import { quarantineKeyFor } from '../../../origin/inspector/core/object-keys';
import { encodeEventKey, recordTargets } from '../../../origin/inspector/s3-event';
import { objectCreatedEvent } from './support/sample-files';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const BUCKET = 'edge-upload-uploads-111111111111-eu-west-1';
const KMS = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const config = parseInspectorConfig({ [INSPECTOR_ENV.bucket]: BUCKET, [INSPECTOR_ENV.kmsKeyId]: KMS });

describe('parseInspectorConfig', () => {
  it('takes the bucket and the key, and defaults the prefixes', () => {
    expect(config).toEqual({ bucket: BUCKET, uploadPrefix: 'uploads/', quarantinePrefix: 'quarantine/', kmsKeyId: KMS });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      parseInspectorConfig({ [INSPECTOR_ENV.uploadPrefix]: '../x', [INSPECTOR_ENV.kmsKeyId]: 'alias/nope' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InspectorConfigError);
    expect((error as InspectorConfigError).problems).toEqual([
      'UPLOAD_BUCKET is required',
      'UPLOAD_PREFIX must be a key prefix such as "uploads/" (letters, digits, _ . -, ending in /)',
      'UPLOAD_KMS_KEY_ID must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)',
    ]);
  });

  it('refuses a quarantine prefix that overlaps the upload prefix (quarantined copies would be inspected again)', () => {
    expect(() => parseInspectorConfig({ UPLOAD_BUCKET: BUCKET, UPLOAD_KMS_KEY_ID: KMS, QUARANTINE_PREFIX: 'uploads/quarantine/' })).toThrow(
      /must not overlap/,
    );
    expect(() => parseInspectorConfig({ UPLOAD_BUCKET: BUCKET, UPLOAD_KMS_KEY_ID: KMS, UPLOAD_PREFIX: 'quarantine/' })).toThrow(
      /must not overlap/,
    );
  });
});

describe('quarantineKeyFor', () => {
  it('keeps the rest of the key after the upload prefix', () => {
    expect(quarantineKeyFor('uploads/u/2026/11/29/id/a.png', 'uploads/', 'quarantine/')).toBe('quarantine/u/2026/11/29/id/a.png');
    expect(quarantineKeyFor('site/a.png', 'uploads/', 'quarantine/')).toBeUndefined();
    expect(quarantineKeyFor('uploads/', 'uploads/', 'quarantine/')).toBeUndefined();
  });
});

describe('recordTargets', () => {
  const fixtureText = readFileSync(path.join(__dirname, '..', '..', 'fixtures', 's3', 'object-created-post.json'), 'utf8');

  it('decodes the key of the recorded-shape event as S3 encodes it (+ is a space, %XX UTF-8)', () => {
    const targets = recordTargets(JSON.parse(fixtureText), config);
    expect(targets).toEqual([
      {
        action: 'inspect',
        bucket: BUCKET,
        key: 'uploads/0f5e8c1a-5b7d-4c2e-9a31-7d2b6e4f8a90/2026/11/29/0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d/Holiday Photo été.png',
        eventName: 'ObjectCreated:Post',
      },
    ]);
    // encodeEventKey (the local stack's) writes keys exactly as the fixture has them.
    const record = (JSON.parse(fixtureText) as { Records: Array<{ s3: { object: { key: string } } }> }).Records[0]!;
    expect(encodeEventKey((targets[0] as { key: string }).key)).toBe(record.s3.object.key);
  });

  it('skips other buckets, other prefixes, other events, and what is not an S3 event, saying why', () => {
    const why = (event: unknown) => recordTargets(event, config).map((t) => (t.action === 'skip' ? t.why : 'inspect'));
    expect(why(objectCreatedEvent('someone-elses-bucket', 'uploads/u/a.png'))).toEqual(['not the upload bucket']);
    expect(why(objectCreatedEvent(BUCKET, 'quarantine/u/a.png'))).toEqual(['not under uploads/']);
    expect(why(objectCreatedEvent(BUCKET, 'uploads/u/a.png', 'ObjectRemoved:Delete'))).toEqual(['not an ObjectCreated event']);
    expect(why({ Service: 'Amazon S3', Event: 's3:TestEvent' })).toEqual(['not an S3 event notification (no Records)']);
    expect(why({ Records: [{ eventSource: 'aws:sqs' }, null] })).toEqual(['not an S3 record', 'not an S3 record']);
    const bad = objectCreatedEvent(BUCKET, 'uploads/u/a.png');
    bad.Records[0]!.s3.object.key = 'uploads/%E0%A4%A.png';
    expect(why(bad)).toEqual(['the key is not valid URL encoding']);
  });
});
