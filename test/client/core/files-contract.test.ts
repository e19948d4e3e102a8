import { QUARANTINE_REASONS } from '../../../origin/inspector/core/inspection';
import { UnexpectedResponseError } from '../../../client/core/errors';
import {
  fileNameOf,
  parseFilesAccess,
  parseFilesListing,
  parseListObjects,
  parseTagging,
  quarantineKeyOf,
  rejectionText,
  uploadedAt,
  uploadKeyOf,
} from '../../../client/core/files-contract';

const KEY = 'uploads/sub-1/2026/01/02/0b7e2a4c-1f2d-4c3b-9a8e-1234567890ab/holiday.png';
const signed = (method: string) => ({ method, url: `https://bucket.s3.test/x?sig=1&m=${method}` });

describe('the /presign/files answers', () => {
  it('reads the two list URLs and the access URLs of each key asked for', () => {
    const listing = parseFilesListing(200, { list: signed('GET'), quarantined: signed('GET'), expiresAt: '2026-01-02T03:09:05Z' });
    expect(listing.list.url).toContain('m=GET');
    expect(listing.expiresAt).toBe(Date.UTC(2026, 0, 2, 3, 9, 5));
    const access = parseFilesAccess(
      200,
      { files: [{ key: KEY, get: signed('GET'), tagging: signed('GET'), delete: signed('DELETE') }], expiresAt: '2026-01-02T03:09:05Z' },
      [KEY],
    );
    expect(access.get(KEY)?.delete.method).toBe('DELETE');
  });

  it('refuses answers of the wrong shape: a missing or extra key, a wrong method, a non-http URL', () => {
    const file = { key: KEY, get: signed('GET'), tagging: signed('GET'), delete: signed('DELETE') };
    const at = '2026-01-02T03:09:05Z';
    expect(() => parseFilesAccess(200, { files: [], expiresAt: at }, [KEY])).toThrow(UnexpectedResponseError);
    expect(() => parseFilesAccess(200, { files: [{ ...file, key: 'uploads/other/x' }], expiresAt: at }, [KEY])).toThrow(
      UnexpectedResponseError,
    );
    expect(() => parseFilesAccess(200, { files: [{ ...file, delete: signed('GET') }], expiresAt: at }, [KEY])).toThrow(
      UnexpectedResponseError,
    );
    expect(() =>
      parseFilesListing(200, { list: { method: 'GET', url: 'javascript:alert(1)' }, quarantined: signed('GET'), expiresAt: at }),
    ).toThrow(UnexpectedResponseError);
    expect(() => parseFilesListing(200, { list: signed('GET'), quarantined: signed('GET') })).toThrow(UnexpectedResponseError);
  });
});

describe('S3 XML', () => {
  it('reads ListObjectsV2: keys (with entities), sizes, dates and the continuation token only when truncated', () => {
    const xml = `<?xml version="1.0"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>true</IsTruncated>
      <Contents><Key>uploads/s/2026/01/02/id/a&amp;b.png</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified><Size>42</Size></Contents>
      <Contents><Key>uploads/s/2026/01/02/id2/no-size.png</Key></Contents>
      <NextContinuationToken>tok/+=</NextContinuationToken></ListBucketResult>`;
    const page = parseListObjects(xml);
    expect(page.objects).toEqual([{ key: 'uploads/s/2026/01/02/id/a&b.png', size: 42, lastModified: Date.UTC(2026, 0, 2, 3, 4, 5) }]);
    expect(page.nextContinuationToken).toBe('tok/+=');
    expect(
      parseListObjects(
        '<ListBucketResult><IsTruncated>false</IsTruncated><NextContinuationToken>x</NextContinuationToken></ListBucketResult>',
      ).nextContinuationToken,
    ).toBeUndefined();
    expect(() => parseListObjects('<Error><Code>AccessDenied</Code></Error>')).toThrow(UnexpectedResponseError);
  });

  it('reads the inspector’s tags: verified, a quarantine reason, or nothing yet', () => {
    const tagging = (tags: string) => `<Tagging><TagSet>${tags}</TagSet></Tagging>`;
    expect(parseTagging(tagging('<Tag><Key>verified</Key><Value>true</Value></Tag>'))).toEqual({ status: 'verified' });
    expect(parseTagging(tagging('<Tag><Key>quarantine-reason</Key><Value>TYPE_MISMATCH</Value></Tag>'))).toEqual({
      status: 'rejected',
      reason: 'TYPE_MISMATCH',
    });
    expect(parseTagging(tagging(''))).toEqual({ status: 'checking' });
    expect(parseTagging(tagging('<Tag><Key>verified</Key><Value>false</Value></Tag>'))).toEqual({ status: 'checking' });
  });
});

describe('keys', () => {
  it('gives the name, the date, and the quarantine twin of an upload key', () => {
    expect(fileNameOf(KEY)).toBe('holiday.png');
    expect(uploadedAt(KEY, undefined)).toBe(Date.UTC(2026, 0, 2));
    expect(uploadedAt(KEY, 5)).toBe(5);
    const moved = quarantineKeyOf(KEY);
    expect(moved).toBe('quarantine/sub-1/2026/01/02/0b7e2a4c-1f2d-4c3b-9a8e-1234567890ab/holiday.png');
    expect(uploadKeyOf(moved ?? '')).toBe(KEY);
    expect(quarantineKeyOf('uploads/sub-1/not-a-key')).toBeUndefined();
  });
});

describe('rejection reasons in plain words', () => {
  it('has a sentence for every reason the inspector can give, with no codes or MIME types in it', () => {
    for (const reason of Object.keys(QUARANTINE_REASONS)) {
      const text = rejectionText(reason);
      expect(text).not.toBe(rejectionText('SOMETHING_NEW'));
      expect(text).not.toMatch(/[A-Z]{2,}_|\w+\/[\w.+-]+|MiB|Content-Type/);
      expect(text).toMatch(/^[A-Z].*\.$/);
    }
    expect(rejectionText('constructor')).toBe('The file did not pass the safety check.');
  });
});
