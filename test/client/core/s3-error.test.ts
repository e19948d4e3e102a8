import fc from 'fast-check';
import {
  EntityTooLargeError,
  ExtraInputFieldsError,
  InternalError,
  PolicyExpiredError,
  ServiceUnavailableError,
  SignatureDoesNotMatchError,
  CorsForbiddenError,
} from '../../../infra/local/post-policy-guard/errors';
import { errorResponse } from '../../../infra/local/post-policy-guard/s3-xml';
import { S3ServiceError } from '../../../client/core/errors';
import { parseS3ErrorXml, s3ErrorFromResponse } from '../../../client/core/s3-error';

/** The local POST-policy guard's real answer for a refusal (it answers in S3's XML shapes). */
function guardAnswer(error: Error): { status: number; body: string } {
  const response = errorResponse(error, 'A1B2C3D4E5F60718');
  return { status: response.status, body: response.body };
}

describe('parseS3ErrorXml', () => {
  it('reads Code, Message and RequestId, unescaping entities', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy Condition failed: [&quot;eq&quot;, &quot;$key&quot;, &quot;a&amp;b&lt;c&gt;&#39;&#x41;&quot;]</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>x</HostId></Error>';
    expect(parseS3ErrorXml(xml)).toEqual({
      code: 'AccessDenied',
      message: 'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "a&b<c>\'A"]',
      requestId: '4442587FB7D0A2F9',
    });
  });

  it('finds nothing in a body that is not an S3 error document', () => {
    expect(parseS3ErrorXml('<html><body>502 Bad Gateway</body></html>')).toEqual({
      code: undefined,
      message: undefined,
      requestId: undefined,
    });
    expect(parseS3ErrorXml('')).toEqual({ code: undefined, message: undefined, requestId: undefined });
  });
});

describe('s3ErrorFromResponse: the guard’s refusals in words', () => {
  it('an expired policy: readable, with S3’s words and request id kept, not transient', () => {
    const { status, body } = guardAnswer(new PolicyExpiredError('2026-11-29T12:05:00Z'));
    const error = s3ErrorFromResponse(status, body);
    expect(error).toBeInstanceOf(S3ServiceError);
    expect(error).toMatchObject({
      status: 403,
      code: 'AccessDenied',
      s3Message: 'Invalid according to Policy: Policy expired.',
      requestId: 'A1B2C3D4E5F60718',
      transient: false,
      message: 'The storage service refused the upload: its permission did not match this file or had expired.',
    });
  });

  it.each([
    [new EntityTooLargeError(10, 12), 'EntityTooLarge', /larger than when it was chosen/, false],
    [new ExtraInputFieldsError(['x-amz-meta-extra']), 'AccessDenied', /refused the upload/, false],
    [new SignatureDoesNotMatchError('AKIA', 'policy', 'sig'), 'SignatureDoesNotMatch', /did not accept the upload permission/, false],
    [new CorsForbiddenError('POST'), 'AccessForbidden', /CORS/, false],
    [new ServiceUnavailableError(), 'ServiceUnavailable', /unavailable right now/, true],
    [new InternalError(), 'InternalError', /internal error/, true],
  ])('%p → %s', (refusal, code, message, transient) => {
    const { status, body } = guardAnswer(refusal);
    const error = s3ErrorFromResponse(status, body);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.transient).toBe(transient);
  });

  it('SlowDown is transient even though S3 sends it with 503, and RequestTimeout with 400', () => {
    expect(
      s3ErrorFromResponse(503, '<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>').transient,
    ).toBe(true);
    expect(s3ErrorFromResponse(400, '<Error><Code>RequestTimeout</Code></Error>')).toMatchObject({
      transient: true,
      message: expect.stringMatching(/stopped waiting/),
    });
  });

  it('an unknown code is named; a code that is an Object.prototype key is just a code', () => {
    expect(s3ErrorFromResponse(400, '<Error><Code>BrandNewError</Code></Error>').message).toBe(
      'The storage service refused the upload (BrandNewError).',
    );
    expect(s3ErrorFromResponse(400, '<Error><Code>constructor</Code></Error>').message).toBe(
      'The storage service refused the upload (constructor).',
    );
  });

  it('a body that is not XML (a proxy’s page) still gives a sentence with the status', () => {
    expect(s3ErrorFromResponse(502, '<html>Bad gateway</html>')).toMatchObject({
      code: undefined,
      transient: true,
      message: 'The storage service had a problem (HTTP 502).',
    });
    expect(s3ErrorFromResponse(403, '')).toMatchObject({ transient: false, message: 'The storage service refused the upload (HTTP 403).' });
  });

  it('any status and any body give an S3ServiceError with a message, never a throw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `<Error><Code>${s}</Code><Message>${s}</Message></Error>`),
        ),
        (status, body) => {
          const error = s3ErrorFromResponse(status, body);
          expect(error).toBeInstanceOf(S3ServiceError);
          expect(typeof error.message).toBe('string');
          expect(error.message.length).toBeGreaterThan(0);
          expect(error.transient).toBe(
            status >= 500 ||
              ['InternalError', 'ServiceUnavailable', 'SlowDown', 'RequestTimeout', 'RequestTimeTooSkewed', 'OperationAborted'].includes(
                error.code ?? '',
              ),
          );
        },
      ),
      { numRuns: 1000 },
    );
  });
});
