/**
 * The pure parts of the guard's "your files" support: which GET is a
 * GetObject (held to the read rule), the read decision, x-amz-tagging and
 * GetObjectTagging XML, and ListObjectsV2 on s3rver's version 1 listing.
 */
import { continuationTokenFor, listV2Request, listV2Result } from '../../../../infra/local/post-policy-guard/list-objects-v2';
import {
  checkVerified,
  isGetObject,
  parseTaggingHeader,
  parseTaggingXml,
  readDecision,
  taggingXml,
} from '../../../../infra/local/post-policy-guard/object-tags';

const rule = { uploadPrefix: 'uploads/', quarantinePrefix: 'quarantine/', verifiedTag: { key: 'verified', value: 'true' } };

it('tells GetObject from the GET subresources', () => {
  expect(isGetObject('')).toBe(true);
  expect(isGetObject('response-content-disposition=attachment&x-id=GetObject&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD')).toBe(true);
  expect(isGetObject('tagging=')).toBe(false);
  expect(isGetObject('acl')).toBe(false);
  expect(isGetObject('uploadId=abc')).toBe(false);
  // x-id is only the SDK's hint: without the tagging subresource, S3 (and s3rver) answer with the object.
  expect(isGetObject('x-id=GetObjectTagging')).toBe(true);
});

it('decides reads as the bucket policy does', () => {
  expect(readDecision('quarantine/a/b.png', rule)).toBe('deny');
  expect(readDecision('uploads/a/b.png', rule)).toBe('tags');
  expect(readDecision('other/b.png', rule)).toBe('allow');
  expect(() => checkVerified(undefined, rule)).toThrow(expect.objectContaining({ code: 'AccessDenied', status: 403 }));
  expect(() => checkVerified(new Map([['verified', 'TRUE']]), rule)).toThrow(expect.objectContaining({ code: 'AccessDenied' }));
  expect(() => checkVerified(new Map([['verified', 'true']]), rule)).not.toThrow();
});

it("reads x-amz-tagging within S3's limits and round-trips the XML, escapes included", () => {
  const tags = parseTaggingHeader('quarantine-reason=TYPE_MISMATCH&note=a%20%3C%26%3E%20b');
  expect([...tags]).toEqual([
    ['quarantine-reason', 'TYPE_MISMATCH'],
    ['note', 'a <&> b'],
  ]);
  expect([...parseTaggingXml(taggingXml(tags))]).toEqual([...tags]);
  expect(() => parseTaggingHeader('a=1&a=2')).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  expect(() => parseTaggingHeader(`${'k'.repeat(129)}=v`)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  expect(() => parseTaggingHeader(`k=${'v'.repeat(257)}`)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  expect(() => parseTaggingHeader(Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&'))).toThrow(
    expect.objectContaining({ code: 'InvalidArgument' }),
  );
});

it('lists version 2 on version 1: marker from the token, KeyCount and the next token from the last key', () => {
  const token = continuationTokenFor('uploads/a/2.png');
  const request = listV2Request(`list-type=2&max-keys=2&prefix=uploads%2Fa%2F&continuation-token=${encodeURIComponent(token)}`);
  expect(Object.fromEntries(new URLSearchParams(request.v1Query))).toEqual({
    'max-keys': '2',
    prefix: 'uploads/a/',
    marker: 'uploads/a/2.png',
  });
  const v1 =
    '<ListBucketResult><Name>b</Name><Prefix>uploads/a/</Prefix><Marker>uploads/a/2.png</Marker><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>' +
    '<Contents><Key>uploads/a/3 &amp; 4.png</Key><Owner><ID>x</ID></Owner></Contents><Contents><Key>uploads/a/5.png</Key></Contents></ListBucketResult>';
  const v2 = listV2Result(v1, request);
  expect(v2).toContain(`<ContinuationToken>${token}</ContinuationToken>`);
  expect(v2).toContain(`<NextContinuationToken>${continuationTokenFor('uploads/a/5.png')}</NextContinuationToken>`);
  expect(v2).toContain('<KeyCount>2</KeyCount>');
  expect(v2).not.toMatch(/<Marker>|<Owner>/);
  expect(listV2Result(v1.replace('<IsTruncated>true', '<IsTruncated>false'), request)).not.toContain('NextContinuationToken');
  expect(() => listV2Request('list-type=2&continuation-token=%25%25not-base64')).toThrow(
    expect.objectContaining({ code: 'InvalidArgument' }),
  );
});
