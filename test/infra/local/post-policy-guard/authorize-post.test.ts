/**
 * The pure core of the POST-policy guard: every condition type S3 supports
 * for POST, case-insensitive field names, expiry, the signature, extra
 * fields, x-ignore-, ${filename}, keys, SSE and the success action. Policies
 * are really signed (sigv4.ts), nothing is mocked.
 */
import { createPresignedPost } from '../../../../edge-functions/core/presigned-post';
import {
  authorizePost,
  checkFileSize,
  fileBaseName,
  MAX_POST_OBJECT_BYTES,
} from '../../../../infra/local/post-policy-guard/authorize-post';
import {
  AccessDeniedError,
  AuthorizationQueryParametersError,
  EntityTooLargeError,
  EntityTooSmallError,
  ExtraInputFieldsError,
  InvalidAccessKeyIdError,
  InvalidArgumentError,
  InvalidPolicyDocumentError,
  InvalidRequestError,
  InvalidStorageClassError,
  InvalidTokenError,
  KeyTooLongError,
  MissingKeyFieldError,
  PolicyConditionFailedError,
  PolicyExpiredError,
  SignatureDoesNotMatchError,
} from '../../../../infra/local/post-policy-guard/errors';
import { FormFields } from '../../../../infra/local/post-policy-guard/form-fields';
import { signPolicy, type Field } from '../../../support/post-forms';

const credentials = { accessKeyId: 'AKIDLOCALGUARDTEST01', secretAccessKey: 'local-guard-secret-0000000000000000000001' };
const region = 'eu-west-1';
const config = { credentials, region };
const bucket = 'edge-upload-local';
const now = new Date('2026-11-29T12:00:00Z');

interface Form {
  readonly conditions: readonly unknown[];
  readonly fields: readonly Field[];
  readonly signed?: Partial<Parameters<typeof signPolicy>[0]>;
  readonly filename?: string;
  readonly at?: Date;
  readonly urlBucket?: string;
}

function authorize(form: Form) {
  const signed = signPolicy({ conditions: form.conditions, credentials, region, now, ...form.signed });
  const fields = FormFields.of([...form.fields, ...signed]);
  return authorizePost({ bucket: form.urlBucket ?? bucket, fields, filename: form.filename ?? 'holiday.png', now: form.at ?? now }, config);
}

const keyed = (key: string, extra: readonly unknown[] = []) => ({
  conditions: [{ bucket }, { key }, ...extra],
  fields: [['key', key]] as Field[],
});

describe('a form signed by the edge (createPresignedPost)', () => {
  const presigned = createPresignedPost({
    bucket,
    region,
    key: 'uploads/sub/2026/11/29/id/holiday.png',
    fields: {
      'Content-Type': 'image/png',
      'x-amz-meta-userid': 'sub',
      success_action_status: '201',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': 'kms-key-1',
    },
    contentLength: [68, 68],
    credentials: { ...credentials, sessionToken: undefined },
    now,
    ttlSeconds: 300,
  });
  const request = (entries: Iterable<Field>, at = now) => ({ bucket, fields: FormFields.of(entries), filename: 'holiday.png', now: at });

  it('is accepted as is, with the stored headers, SSE and 201', () => {
    const upload = authorizePost(request(Object.entries(presigned.fields)), config);
    expect(upload.key).toBe('uploads/sub/2026/11/29/id/holiday.png');
    expect([upload.minSize, upload.maxSize]).toEqual([68, 68]);
    expect(upload.success).toEqual({ kind: 'status', status: 201 });
    expect(upload.metadata.headers).toMatchObject({ 'content-type': 'image/png', 'x-amz-meta-userid': 'sub' });
    expect(upload.metadata.encryption).toEqual({
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': 'kms-key-1',
    });
  });

  it('is accepted up to the expiration second and refused after it', () => {
    expect(() => authorizePost(request(Object.entries(presigned.fields), new Date(presigned.expiresAt)), config)).not.toThrow();
    const late = new Date(new Date(presigned.expiresAt).getTime() + 1000);
    expect(() => authorizePost(request(Object.entries(presigned.fields), late), config)).toThrow(PolicyExpiredError);
    expect(() => authorizePost(request(Object.entries(presigned.fields), late), config)).toThrow(
      'Invalid according to Policy: Policy expired.',
    );
  });

  it.each([
    ['key', 'uploads/other.png'],
    ['Content-Type', 'text/html'],
    ['x-amz-meta-userid', 'someone-else'],
    ['success_action_status', '200'],
    ['x-amz-server-side-encryption', 'AES256'],
  ])('refuses a changed %s with "Policy Condition failed"', (name, value) => {
    const entries = Object.entries(presigned.fields).map(([n, v]): Field => [n, n === name ? value : v]);
    expect(() => authorizePost(request(entries), config)).toThrow(PolicyConditionFailedError);
  });

  it('refuses a field left out (its exact-match condition sees an empty value)', () => {
    const entries = Object.entries(presigned.fields).filter(([n]) => n !== 'x-amz-meta-userid');
    expect(() => authorizePost(request(entries), config)).toThrow('Policy Condition failed: ["eq", "$x-amz-meta-userid", "sub"]');
  });
});

describe('condition types', () => {
  it('exact match as an object', () => {
    expect(authorize(keyed('a/b.png')).key).toBe('a/b.png');
    expect(() => authorize({ ...keyed('a/b.png'), fields: [['key', 'a/c.png']] })).toThrow(PolicyConditionFailedError);
  });

  it('["eq", "$field", value]', () => {
    const form = {
      conditions: [{ bucket }, ['eq', '$key', 'e/1'], ['eq', '$acl', 'private']],
      fields: [
        ['key', 'e/1'],
        ['acl', 'private'],
      ] as Field[],
    };
    expect(authorize(form).key).toBe('e/1');
    expect(() =>
      authorize({
        ...form,
        fields: [
          ['key', 'e/1'],
          ['acl', 'public-read'],
        ],
      }),
    ).toThrow('Policy Condition failed: ["eq", "$acl", "private"]');
    expect(() =>
      authorize({
        ...form,
        fields: [
          ['key', 'E/1'],
          ['acl', 'private'],
        ],
      }),
    ).toThrow(PolicyConditionFailedError);
  });

  it('["starts-with", "$field", prefix]', () => {
    const form = { conditions: [{ bucket }, ['starts-with', '$key', 'user/eric/']], fields: [['key', 'user/eric/photo.png']] as Field[] };
    expect(authorize(form).key).toBe('user/eric/photo.png');
    expect(() => authorize({ ...form, fields: [['key', 'user/ericX/photo.png']] })).toThrow('["starts-with", "$key", "user/eric/"]');
    expect(() => authorize({ ...form, fields: [['key', 'USER/eric/photo.png']] })).toThrow(PolicyConditionFailedError);
  });

  it('["starts-with", "$field", ""] allows any value, and an absent field', () => {
    const form = {
      conditions: [{ bucket }, ['starts-with', '$key', ''], ['starts-with', '$x-amz-meta-tag', '']],
      fields: [
        ['key', 'anything/at/all'],
        ['x-amz-meta-tag', 'whatever'],
      ] as Field[],
    };
    expect(authorize(form).key).toBe('anything/at/all');
    expect(authorize({ ...form, fields: [['key', 'x']] }).key).toBe('x');
  });

  it('["content-length-range", min, max] bounds the file, inclusive; several ranges intersect', () => {
    const upload = authorize({
      ...keyed('r/1', [
        ['content-length-range', 10, 100],
        ['content-length-range', '20', '200'],
      ]),
    });
    expect([upload.minSize, upload.maxSize]).toEqual([20, 100]);
    expect(() => checkFileSize(upload, 20)).not.toThrow();
    expect(() => checkFileSize(upload, 100)).not.toThrow();
    expect(() => checkFileSize(upload, 101)).toThrow(EntityTooLargeError);
    expect(() => checkFileSize(upload, 19)).toThrow(EntityTooSmallError);
  });

  it("without content-length-range the file may be empty and up to S3's 5 GiB", () => {
    const upload = authorize(keyed('r/2'));
    expect([upload.minSize, upload.maxSize]).toEqual([0, MAX_POST_OBJECT_BYTES]);
  });

  it('a condition on a field the form does not send fails unless it allows the empty string', () => {
    expect(() => authorize(keyed('m/1', [{ 'x-amz-meta-userid': 'sub' }]))).toThrow(PolicyConditionFailedError);
    expect(() => authorize(keyed('m/1', [['eq', '$x-amz-meta-userid', 'sub']]))).toThrow(PolicyConditionFailedError);
    expect(authorize(keyed('m/1', [['eq', '$x-amz-meta-note', '']])).key).toBe('m/1');
  });

  it('bucket is checked against the bucket in the URL', () => {
    expect(() => authorize({ ...keyed('b/1'), urlBucket: 'another-bucket' })).toThrow(`["eq", "$bucket", "${bucket}"]`);
    expect(authorize({ conditions: [['starts-with', '$bucket', 'edge-'], { key: 'b/1' }], fields: [['key', 'b/1']] }).bucket).toBe(bucket);
    expect(() => authorize({ conditions: [['starts-with', '$bucket', 'other-'], { key: 'b/1' }], fields: [['key', 'b/1']] })).toThrow(
      PolicyConditionFailedError,
    );
  });

  it('a bucket field in the form is one more field the policy must name', () => {
    expect(
      authorize({
        ...keyed('b/2'),
        fields: [
          ['bucket', bucket],
          ['key', 'b/2'],
        ],
      }).key,
    ).toBe('b/2');
    expect(() =>
      authorize({
        conditions: [{ key: 'b/2' }],
        fields: [
          ['bucket', bucket],
          ['key', 'b/2'],
        ],
      }),
    ).toThrow(ExtraInputFieldsError);
  });
});

describe('field names are case-insensitive, values are not', () => {
  it('in the form', () => {
    const form = {
      conditions: [{ bucket }, { key: 'c/1' }, { 'Content-Type': 'image/png' }],
      fields: [
        ['KEY', 'c/1'],
        ['content-type', 'image/png'],
      ] as Field[],
    };
    const upload = authorize({ ...form, signed: { fieldPrefix: 'x-amz-', policyFieldName: 'policy' } });
    expect(upload.metadata.headers['content-type']).toBe('image/png');
    expect(() =>
      authorize({
        ...form,
        fields: [
          ['key', 'c/1'],
          ['content-type', 'IMAGE/PNG'],
        ],
      }),
    ).toThrow(PolicyConditionFailedError);
  });

  it('in the policy', () => {
    const form = {
      conditions: [{ BUCKET: bucket }, ['EQ', '$Key', 'c/2'], ['Starts-With', '$CONTENT-TYPE', 'image/']],
      fields: [
        ['key', 'c/2'],
        ['Content-Type', 'image/webp'],
      ] as Field[],
    };
    expect(authorize(form).key).toBe('c/2');
  });
});

describe('fields the policy does not name', () => {
  it('are refused, all of them named in the message', () => {
    const form = {
      ...keyed('x/1'),
      fields: [
        ['key', 'x/1'],
        ['x-amz-meta-extra', 'yes'],
        ['acl', 'public-read'],
      ] as Field[],
    };
    expect(() => authorize(form)).toThrow('Invalid according to Policy: Extra input fields: x-amz-meta-extra, acl');
  });

  it('except x-ignore-* (any case), policy, x-amz-signature and file', () => {
    const form = {
      ...keyed('x/2'),
      fields: [
        ['key', 'x/2'],
        ['x-ignore-tracking', '1'],
        ['X-Ignore-Other', '2'],
      ] as Field[],
    };
    expect(authorize(form).key).toBe('x/2');
  });

  it('the SigV4 fields themselves must be in the policy', () => {
    expect(() => authorize({ ...keyed('x/3'), signed: { bindSigV4Fields: false } })).toThrow(
      /Extra input fields: X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date/,
    );
  });
});

describe('${filename}', () => {
  const form = { conditions: [{ bucket }, ['starts-with', '$key', 'user/eric/']], fields: [['key', 'user/eric/${filename}']] as Field[] };

  it('is replaced by the file name before the conditions are checked', () => {
    expect(authorize({ ...form, filename: 'photo 1.png' }).key).toBe('user/eric/photo 1.png');
  });

  it('keeps only the text after the last slash or backslash', () => {
    expect(authorize({ ...form, filename: 'C:\\Users\\eric\\photo.png' }).key).toBe('user/eric/photo.png');
    expect(authorize({ ...form, filename: '../../etc/passwd' }).key).toBe('user/eric/passwd');
    expect(fileBaseName(undefined)).toBe('');
  });

  it('is matched against the expanded key, so an exact condition on the expanded key holds', () => {
    expect(authorize({ conditions: [{ bucket }, { key: 'k/a.png' }], fields: [['key', 'k/${filename}']], filename: 'a.png' }).key).toBe(
      'k/a.png',
    );
    expect(() =>
      authorize({ conditions: [{ bucket }, { key: 'k/${filename}' }], fields: [['key', 'k/${filename}']], filename: 'a.png' }),
    ).toThrow(PolicyConditionFailedError);
  });
});

describe('the signature', () => {
  it('a policy changed after signing is SignatureDoesNotMatch', () => {
    const signed = signPolicy({ conditions: [{ bucket }, { key: 's/1' }], credentials, region, now });
    const tampered = signed.map(
      ([n, v]): Field => [
        n,
        n === 'Policy' ? Buffer.from(Buffer.from(v, 'base64').toString().replace('s/1', 's/2')).toString('base64') : v,
      ],
    );
    const request = { bucket, fields: FormFields.of([['key', 's/2'], ...tampered]), filename: 'x', now };
    expect(() => authorizePost(request, config)).toThrow(SignatureDoesNotMatchError);
  });

  it('another secret is SignatureDoesNotMatch; another key id is InvalidAccessKeyId', () => {
    expect(() => authorize({ ...keyed('s/2'), signed: { credentials: { ...credentials, secretAccessKey: 'not-the-secret' } } })).toThrow(
      SignatureDoesNotMatchError,
    );
    expect(() => authorize({ ...keyed('s/3'), signed: { credentials: { ...credentials, accessKeyId: 'AKIDSOMEONEELSE00001' } } })).toThrow(
      InvalidAccessKeyIdError,
    );
  });

  it('a signature of another length or case does not match', () => {
    const signed = signPolicy({ conditions: [{ bucket }, { key: 's/4' }], credentials, region, now });
    for (const change of [(s: string) => s.slice(1), (s: string) => s.toUpperCase(), (s: string) => `${s}0`]) {
      const fields = FormFields.of([['key', 's/4'], ...signed.map(([n, v]): Field => [n, n === 'X-Amz-Signature' ? change(v) : v])]);
      expect(() => authorizePost({ bucket, fields, filename: 'x', now }, config)).toThrow(SignatureDoesNotMatchError);
    }
  });

  it('the credential scope must name this region, s3 and aws4_request, and the X-Amz-Date day', () => {
    expect(() => authorize({ ...keyed('s/5'), signed: { region: 'us-east-1' } })).toThrow(
      "the region 'us-east-1' is wrong; expecting 'eu-west-1'",
    );
    const signed = signPolicy({ conditions: [{ bucket }, { key: 's/6' }], credentials, region, now });
    const withCredential = (credential: (v: string) => string, date = (v: string) => v) =>
      FormFields.of([
        ['key', 's/6'],
        ...signed.map(([n, v]): Field => [n, n === 'X-Amz-Credential' ? credential(v) : n === 'X-Amz-Date' ? date(v) : v]),
      ]);
    const attempt = (fields: FormFields) => () => authorizePost({ bucket, fields, filename: 'x', now }, config);
    expect(attempt(withCredential((v) => v.replace('/s3/', '/ec2/')))).toThrow(AuthorizationQueryParametersError);
    expect(attempt(withCredential((v) => v.replace('aws4_request', 'aws4_reques')))).toThrow(AuthorizationQueryParametersError);
    expect(attempt(withCredential((v) => v.split('/').slice(0, 4).join('/')))).toThrow('mal-formed');
    expect(
      attempt(
        withCredential(
          (v) => v,
          (d) => `20200101${d.slice(8)}`,
        ),
      ),
    ).toThrow('not the same as X-Amz-Date');
    expect(
      attempt(
        withCredential(
          (v) => v,
          () => '2026-11-29T12:00:00Z',
        ),
      ),
    ).toThrow('ISO8601 Long Format');
  });

  it('only AWS4-HMAC-SHA256', () => {
    const signed = signPolicy({ conditions: [{ bucket }, { key: 's/7' }], credentials, region, now });
    const fields = FormFields.of([['key', 's/7'], ...signed.map(([n, v]): Field => [n, n === 'X-Amz-Algorithm' ? 'AWS4-HMAC-SHA1' : v])]);
    expect(() => authorizePost({ bucket, fields, filename: 'x', now }, config)).toThrow(InvalidArgumentError);
  });

  it('no policy is an anonymous upload: AccessDenied; a policy without its signature fields is InvalidArgument', () => {
    expect(() => authorizePost({ bucket, fields: FormFields.of([['key', 'a']]), filename: 'x', now }, config)).toThrow(AccessDeniedError);
    const signed = signPolicy({ conditions: [{ bucket }, { key: 'a' }], credentials, region, now });
    for (const name of ['X-Amz-Signature', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Algorithm']) {
      const fields = FormFields.of([['key', 'a'], ...signed.filter(([n]) => n !== name)]);
      expect(() => authorizePost({ bucket, fields, filename: 'x', now }, config)).toThrow(
        `must contain a field named '${name.toLowerCase()}'`,
      );
    }
  });
});

describe('x-amz-security-token', () => {
  const temporary = { credentials: { ...credentials, sessionToken: 'session-token-1' }, region };
  const form = (token?: string) => {
    const tokenFields: Field[] = token === undefined ? [] : [['x-amz-security-token', token]];
    const signed = signPolicy({
      conditions: [{ bucket }, { key: 't/1' }, ...(token === undefined ? [] : [{ 'x-amz-security-token': token }])],
      credentials,
      region,
      now,
    });
    return { bucket, fields: FormFields.of([['key', 't/1'], ...tokenFields, ...signed]), filename: 'x', now };
  };

  it('temporary credentials need their own token in the form', () => {
    expect(authorizePost(form('session-token-1'), temporary).key).toBe('t/1');
    expect(() => authorizePost(form('another-token'), temporary)).toThrow(InvalidTokenError);
    expect(() => authorizePost(form(), temporary)).toThrow(InvalidAccessKeyIdError);
  });

  it('long-term credentials take no token', () => {
    expect(() => authorizePost(form('session-token-1'), config)).toThrow(InvalidTokenError);
  });
});

describe('the key field', () => {
  it('is required before the file', () => {
    expect(() => authorize({ conditions: [{ bucket }], fields: [] })).toThrow(MissingKeyFieldError);
    expect(() => authorize({ conditions: [{ bucket }], fields: [] })).toThrow("Bucket POST must contain a field named 'key'.");
  });

  it('may not be empty or longer than 1024 bytes', () => {
    expect(() => authorize({ conditions: [{ bucket }, ['starts-with', '$key', '']], fields: [['key', '']] })).toThrow(
      'User key must have a length greater than 0.',
    );
    expect(() =>
      authorize({ conditions: [{ bucket }, ['starts-with', '$key', '']], fields: [['key', '${filename}']], filename: '' }),
    ).toThrow(InvalidArgumentError);
    const long = `${'é'.repeat(512)}x`;
    expect(() => authorize({ conditions: [{ bucket }, ['starts-with', '$key', '']], fields: [['key', long]] })).toThrow(KeyTooLongError);
  });

  it('may not hold what s3rver cannot store safely', () => {
    for (const key of ['../escape', 'a/./b', 'a/../../b', 'nul\0byte', `${'s'.repeat(240)}/x`]) {
      expect(() => authorize({ conditions: [{ bucket }, ['starts-with', '$key', '']], fields: [['key', key]] })).toThrow(
        InvalidArgumentError,
      );
    }
  });
});

describe('the policy document', () => {
  it('must be base64 JSON with an expiration and a list of known conditions', () => {
    const withPolicy = (policy: string) => {
      const signed = signPolicy({ conditions: [], credentials, region, now });
      return () =>
        authorizePost(
          {
            bucket,
            fields: FormFields.of([['key', 'p/1'], ...signed.map(([n, v]): Field => [n, n === 'Policy' ? policy : v])]),
            filename: 'x',
            now,
          },
          config,
        );
    };
    // A document the signature does not cover is refused before it is read.
    expect(withPolicy(Buffer.from('{}').toString('base64'))).toThrow(SignatureDoesNotMatchError);
    expect(() => authorize({ ...keyed('p/2'), signed: { expiration: 'tomorrow' } })).toThrow(InvalidPolicyDocumentError);
    expect(() => authorize({ ...keyed('p/3', [['matches', '$key', 'p/3']]) })).toThrow("Invalid Condition Type: 'matches'");
    expect(() => authorize({ ...keyed('p/4', [['eq', 'key', 'p/4']]) })).toThrow(InvalidPolicyDocumentError);
    expect(() => authorize({ ...keyed('p/5', [['content-length-range', -1, 10]]) })).toThrow(InvalidPolicyDocumentError);
    expect(() => authorize({ ...keyed('p/6', [{ 'x-amz-meta-n': 5 }]) })).toThrow(InvalidPolicyDocumentError);
  });
});

describe('what is stored', () => {
  it('Content-Type defaults to binary/octet-stream; metadata names are lower-cased; non-ASCII values are RFC 2047-encoded', () => {
    const upload = authorize({
      ...keyed('h/1', [
        ['starts-with', '$X-Amz-Meta-Caption', ''],
        ['starts-with', '$Cache-Control', ''],
      ]),
      fields: [
        ['key', 'h/1'],
        ['X-Amz-Meta-Caption', 'Café ☕'],
        ['Cache-Control', 'max-age=60'],
      ],
    });
    expect(upload.metadata.headers).toEqual({
      'content-type': 'binary/octet-stream',
      'cache-control': 'max-age=60',
      'x-amz-meta-caption': `=?UTF-8?B?${Buffer.from('Café ☕').toString('base64')}?=`,
    });
  });

  it('SSE fields are checked like S3 and kept as reserved metadata for s3rver', () => {
    const sse = (fields: Field[]) =>
      authorize({
        ...keyed(
          'h/2',
          fields.map(([n, v]) => ({ [n]: v })),
        ),
        fields: [['key', 'h/2'], ...fields],
      });
    const upload = sse([
      ['x-amz-server-side-encryption', 'aws:kms'],
      ['x-amz-server-side-encryption-aws-kms-key-id', 'key-1'],
    ]);
    expect(upload.metadata.encryption).toEqual({
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': 'key-1',
    });
    expect(upload.metadata.headers).toMatchObject({
      'x-amz-meta-edge-upload-local-sse': 'aws:kms',
      'x-amz-meta-edge-upload-local-sse-aws-kms-key-id': 'key-1',
    });
    expect(() => sse([['x-amz-server-side-encryption', 'rot13']])).toThrow('The encryption method specified is not supported');
    expect(() => sse([['x-amz-server-side-encryption-aws-kms-key-id', 'key-1']])).toThrow(InvalidArgumentError);
    expect(() => sse([['x-amz-server-side-encryption-customer-algorithm', 'AES256']])).toThrow(InvalidRequestError);
  });

  it("a form cannot forge the reserved metadata; storage classes are S3's", () => {
    expect(() =>
      authorize({
        ...keyed('h/3', [{ 'x-amz-meta-edge-upload-local-sse': 'aws:kms' }]),
        fields: [
          ['key', 'h/3'],
          ['x-amz-meta-edge-upload-local-sse', 'aws:kms'],
        ],
      }),
    ).toThrow(InvalidArgumentError);
    expect(() =>
      authorize({
        ...keyed('h/4', [{ 'x-amz-storage-class': 'CHEAP' }]),
        fields: [
          ['key', 'h/4'],
          ['x-amz-storage-class', 'CHEAP'],
        ],
      }),
    ).toThrow(InvalidStorageClassError);
  });
});

describe('the success action', () => {
  const action = (fields: Field[]) =>
    authorize({
      ...keyed(
        'o/1',
        fields.map(([n, v]) => ({ [n]: v })),
      ),
      fields: [['key', 'o/1'], ...fields],
    }).success;

  it('success_action_status 200, 201 or 204; anything else or nothing is 204', () => {
    expect(action([['success_action_status', '201']])).toEqual({ kind: 'status', status: 201 });
    expect(action([['success_action_status', '200']])).toEqual({ kind: 'status', status: 200 });
    expect(action([['success_action_status', '204']])).toEqual({ kind: 'status', status: 204 });
    expect(action([['success_action_status', '302']])).toEqual({ kind: 'status', status: 204 });
    expect(action([])).toEqual({ kind: 'status', status: 204 });
  });

  it('success_action_redirect wins when it is a URL S3 can read; otherwise it is as if absent', () => {
    expect(
      action([
        ['success_action_redirect', 'https://site.test/done?x=1'],
        ['success_action_status', '201'],
      ]),
    ).toEqual({ kind: 'redirect', url: 'https://site.test/done?x=1' });
    expect(
      action([
        ['success_action_redirect', 'not a url'],
        ['success_action_status', '201'],
      ]),
    ).toEqual({ kind: 'status', status: 201 });
  });
});
