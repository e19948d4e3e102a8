/**
 * The guard's preflight answers by the deployed bucket's CORS rule
 * (infra/aws/constructs/upload-bucket.ts, defined in infra/shared/upload-cors.ts):
 * no HEAD, and only content-type, content-md5 and x-amz-* as request headers.
 * It used to allow HEAD and echo any requested header, so the local stack let
 * a browser send what AWS refuses.
 */
import { UPLOAD_CORS_HEADERS, UPLOAD_CORS_METHODS } from '../../../../infra/aws/constructs/upload-bucket';
import { corsConfigurationXml } from '../../../../infra/local/s3rver';
import { ALLOWED_HEADERS, ALLOWED_METHODS, preflightHeaders } from '../../../../infra/local/post-policy-guard/cors';
import { CorsForbiddenError } from '../../../../infra/local/post-policy-guard/errors';

const origin = 'http://127.0.0.1:3000';
const preflight = (method: string, requestHeaders?: string) => preflightHeaders({ origin, method, requestHeaders }, [origin]);

describe('the local preflight follows the AWS bucket rule', () => {
  it("allows exactly the deployed bucket's methods and headers", () => {
    expect([...ALLOWED_METHODS]).toEqual(UPLOAD_CORS_METHODS.map(String));
    expect([...ALLOWED_HEADERS]).toEqual([...UPLOAD_CORS_HEADERS]);
  });

  it('refuses a HEAD preflight, as the bucket rule has no HEAD', () => {
    expect(() => preflight('HEAD')).toThrow(CorsForbiddenError);
    for (const method of ['GET', 'PUT', 'POST', 'DELETE']) expect(() => preflight(method)).not.toThrow();
  });

  it('refuses any requested header outside content-type, content-md5 and x-amz-*', () => {
    for (const header of ['x-requested-with', 'authorization', 'content-encoding', 'cache-control', 'x-amzfoo']) {
      expect(() => preflight('PUT', `content-type, ${header}`)).toThrow(CorsForbiddenError);
    }
  });

  it('allows the headers a presigned create or part carries, compared case-insensitively', () => {
    const headers = preflight('POST', 'Content-Type, CONTENT-MD5, x-amz-meta-userid, X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id');
    expect(headers['Access-Control-Allow-Headers']).toBe(
      'Content-Type, CONTENT-MD5, x-amz-meta-userid, X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id',
    );
  });

  it("gives s3rver's bucket rule the same methods and headers by default", () => {
    const xml = corsConfigurationXml({ allowedOrigins: [origin] });
    expect([...xml.matchAll(/<AllowedMethod>([^<]*)</g)].map((match) => match[1])).toEqual(['GET', 'PUT', 'POST', 'DELETE']);
    expect([...xml.matchAll(/<AllowedHeader>([^<]*)</g)].map((match) => match[1])).toEqual(['content-type', 'content-md5', 'x-amz-*']);
  });
});
