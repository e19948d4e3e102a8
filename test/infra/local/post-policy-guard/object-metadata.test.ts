/** How SSE survives in s3rver: reserved metadata in, SSE headers out, nothing forged. */
import { encryptionFromStore, encryptionToStore } from '../../../../infra/local/post-policy-guard/object-metadata';

describe('SSE through s3rver', () => {
  it('a proxied PUT keeps its SSE headers as reserved metadata and loses forged reserved metadata', () => {
    expect(
      encryptionToStore({
        'content-type': 'image/png',
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': 'k1',
        'x-amz-meta-edge-upload-local-sse-context': 'forged',
        'x-amz-meta-userid': 'sub',
      }),
    ).toEqual({
      'content-type': 'image/png',
      'x-amz-meta-edge-upload-local-sse': 'aws:kms',
      'x-amz-meta-edge-upload-local-sse-aws-kms-key-id': 'k1',
      'x-amz-meta-userid': 'sub',
    });
  });

  it('a proxied answer shows the SSE headers S3 would and hides the reserved metadata', () => {
    expect(
      encryptionFromStore({
        etag: '"x"',
        'x-amz-meta-userid': 'sub',
        'x-amz-meta-edge-upload-local-sse': 'aws:kms',
        'x-amz-meta-edge-upload-local-sse-aws-kms-key-id': 'k1',
        'x-amz-meta-edge-upload-local-unknown': 'dropped',
      }),
    ).toEqual({
      etag: '"x"',
      'x-amz-meta-userid': 'sub',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': 'k1',
    });
  });
});
