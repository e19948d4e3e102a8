/** The one mapper from a thrown value to S3's <Error> document, and the 201 PostResponse. */
import { EntityTooLargeError, PolicyConditionFailedError, PolicyExpiredError } from '../../../../infra/local/post-policy-guard/errors';
import { errorResponse, postResponseXml, xmlEscape } from '../../../../infra/local/post-policy-guard/s3-xml';

describe('errorResponse', () => {
  it("writes S3's error document with the code, message, details and request id", () => {
    const response = errorResponse(new EntityTooLargeError(68, 69), 'REQ0001');
    expect(response.status).toBe(400);
    expect(response.headers).toMatchObject({ 'Content-Type': 'application/xml', 'x-amz-request-id': 'REQ0001' });
    expect(response.body).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>EntityTooLarge<\/Code><Message>Your proposed upload exceeds the maximum allowed size<\/Message><ProposedSize>69<\/ProposedSize><MaxSizeAllowed>68<\/MaxSizeAllowed><RequestId>REQ0001<\/RequestId><HostId>[A-Za-z0-9+/=]+<\/HostId><\/Error>$/,
    );
  });

  it("uses S3's words for a policy refusal and escapes what it echoes", () => {
    expect(errorResponse(new PolicyExpiredError('2026-11-29T12:00:00Z'), 'R').body).toContain(
      '<Code>AccessDenied</Code><Message>Invalid according to Policy: Policy expired.</Message>',
    );
    expect(errorResponse(new PolicyConditionFailedError('["eq", "$key", "<a&b>"]'), 'R').body).toContain(
      '<Message>Invalid according to Policy: Policy Condition failed: [&quot;eq&quot;, &quot;$key&quot;, &quot;&lt;a&amp;b&gt;&quot;]</Message>',
    );
  });

  it('turns anything unexpected into a generic 500 that says nothing of it', () => {
    for (const thrown of [new Error('secret internals at /srv/x.ts:12'), 'a string', undefined, { code: 'AccessDenied', status: 403 }]) {
      const response = errorResponse(thrown, 'R');
      expect(response.status).toBe(500);
      expect(response.body).toContain('<Code>InternalError</Code>');
      expect(response.body).not.toContain('secret');
    }
  });
});

describe('xml', () => {
  it('escapes markup and drops characters XML cannot carry', () => {
    expect(xmlEscape(`<a href="x">'&'</a>\u0000\u0007ok\u{1F600}`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;ok\u{1F600}',
    );
  });

  it('PostResponse has Location, Bucket, Key and the quoted ETag', () => {
    expect(postResponseXml({ location: 'http://127.0.0.1:4569/b/a%20b', bucket: 'b', key: 'a b', etag: '"abc"' })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>http://127.0.0.1:4569/b/a%20b</Location><Bucket>b</Bucket><Key>a b</Key><ETag>&quot;abc&quot;</ETag></PostResponse>',
    );
  });
});
