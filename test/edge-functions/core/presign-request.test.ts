import {
  EmptyFileError,
  FileTooLargeError,
  InvalidFilenameError,
  InvalidRequestError,
  UnsupportedTypeError,
  UseMultipartError,
  type EdgeUploadError,
} from '../../../edge-functions/core/errors';
import { parsePresignBody, validatePresignRequest } from '../../../edge-functions/core/presign-request';
import { DEFAULT_UPLOAD_RULES, GiB, MiB } from '../../../edge-functions/core/upload-rules';

const rules = DEFAULT_UPLOAD_RULES;
const file = (overrides: Record<string, unknown> = {}) => ({ name: 'holiday.png', size: 483211, type: 'image/png', ...overrides });
const ID = '0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';

function rejection(input: unknown): EdgeUploadError {
  try {
    validatePresignRequest(input, rules);
  } catch (error) {
    return error as EdgeUploadError;
  }
  throw new Error('expected the request to be refused');
}

describe('validatePresignRequest: what is accepted', () => {
  it('accepts every type of the default rules with a matching extension, at its exact limit (or the POST limit, if lower)', () => {
    const files = Object.entries(rules.types).flatMap(([type, rule]) =>
      rule.extensions.map((extension) =>
        file({ name: `f.${extension.toUpperCase()}`, type, size: Math.min(rule.maxBytes, rules.postMaxBytes) }),
      ),
    );
    for (let start = 0; start < files.length; start += rules.maxFilesPerRequest) {
      const batch = files.slice(start, start + rules.maxFilesPerRequest);
      expect(validatePresignRequest({ files: batch }, rules).map((f) => f.type)).toEqual(batch.map((f) => f.type));
    }
  });

  it('normalizes the declared type and the id', () => {
    const [valid] = validatePresignRequest({ files: [file({ type: ' IMAGE/PNG ', id: ID.toUpperCase() })] }, rules);
    expect(valid).toMatchObject({ type: 'image/png', id: ID, safeName: 'holiday.png', size: 483211 });
  });

  it('leaves the id undefined when the client sends none', () => {
    expect(validatePresignRequest({ files: [file()] }, rules)[0]?.id).toBeUndefined();
  });

  it('accepts exactly maxFilesPerRequest files', () => {
    const files = Array.from({ length: rules.maxFilesPerRequest }, (_, i) => file({ name: `p${i}.png` }));
    expect(validatePresignRequest({ files }, rules)).toHaveLength(rules.maxFilesPerRequest);
  });
});

describe('validatePresignRequest: INVALID_REQUEST', () => {
  it.each([
    ['not an object', 'files'],
    ['an array', [file()]],
    ['null', null],
    ['no files', {}],
    ['files not an array', { files: 'a.png' }],
    ['no files at all', { files: [] }],
    ['too many files', { files: Array.from({ length: rules.maxFilesPerRequest + 1 }, () => file()) }],
    ['a file that is not an object', { files: ['holiday.png'] }],
    ['a missing name', { files: [file({ name: undefined })] }],
    ['a numeric name', { files: [file({ name: 42 })] }],
    ['a missing type', { files: [file({ type: undefined })] }],
    ['a missing size', { files: [file({ size: undefined })] }],
    ['a size as a string', { files: [file({ size: '100' })] }],
    ['a negative size', { files: [file({ size: -1 })] }],
    ['a fractional size', { files: [file({ size: 1.5 })] }],
    ['a huge size', { files: [file({ size: 2 ** 60 })] }],
    ['an infinite size', { files: [file({ size: Infinity })] }],
    ['an id that is not a uuid', { files: [file({ id: 'retry-1' })] }],
    ['a uuid v1 id', { files: [file({ id: 'a8098c1a-f86e-11da-bd1a-00112444be1e' })] }],
    ['a numeric id', { files: [file({ id: 7 })] }],
    ['two files with one id', { files: [file({ id: ID }), file({ id: ID, name: 'other.png' })] }],
  ])('refuses %s', (_label, input) => {
    const error = rejection(input);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.status).toBe(400);
  });

  it('names the failing file', () => {
    expect(rejection({ files: [file(), file({ size: -5 })] }).file).toBe(1);
  });

  it('refuses malformed JSON without throwing a SyntaxError', () => {
    expect(() => parsePresignBody('{"files":[', rules)).toThrow(InvalidRequestError);
  });

  it('refuses a body holding a __proto__ key instead of letting it reach a prototype', () => {
    const body = '{"files":[{"name":"a.png","size":1,"type":"image/png","__proto__":{"polluted":true}}],"__proto__":{"polluted":true}}';
    expect(() => parsePresignBody(body, rules)).toThrow(InvalidRequestError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('validatePresignRequest: per-file codes', () => {
  it('INVALID_FILENAME for an empty name (docs/http-api.md: empty after sanitizing)', () => {
    expect(rejection({ files: [file({ name: '' })] })).toBeInstanceOf(InvalidFilenameError);
  });

  it('INVALID_FILENAME for a name with nothing usable in it', () => {
    const error = rejection({ files: [file({ name: '../../..' })] });
    expect(error).toBeInstanceOf(InvalidFilenameError);
    expect(error).toMatchObject({ status: 400, file: 0 });
  });

  it('UNSUPPORTED_TYPE for a type that is not allowed', () => {
    const error = rejection({ files: [file({ name: 'page.html', type: 'text/html' })] });
    expect(error).toBeInstanceOf(UnsupportedTypeError);
    expect(error).toMatchObject({ status: 415, file: 0 });
  });

  it.each([
    ['an extension of another type', 'photo.jpg', 'image/png'],
    ['a double extension ending in another', 'photo.png.exe', 'image/png'],
    ['no extension', 'photo', 'image/png'],
    ['a type with parameters', 'photo.png', 'image/png; charset=binary'],
  ])('UNSUPPORTED_TYPE for %s', (_label, name, type) => {
    expect(rejection({ files: [file({ name, type })] })).toBeInstanceOf(UnsupportedTypeError);
  });

  it('EMPTY_FILE for size 0', () => {
    const error = rejection({ files: [file({ size: 0 })] });
    expect(error).toBeInstanceOf(EmptyFileError);
    expect(error.status).toBe(400);
  });

  it('FILE_TOO_LARGE one byte over the limit, with a message a person can read', () => {
    const error = rejection({ files: [file({ name: 'photo.png', size: 12 * MiB })] });
    expect(error).toBeInstanceOf(FileTooLargeError);
    expect(error.status).toBe(413);
    expect(error.message).toBe('photo.png is 12.0 MiB; the limit for image/png is 10 MiB.');
    expect(rejection({ files: [file({ type: 'application/pdf', name: 'a.pdf', size: 50 * MiB + 1 })] })).toBeInstanceOf(FileTooLargeError);
  });

  it('USE_MULTIPART (413) for an allowed file over postMaxBytes, with a message that says what to do', () => {
    expect(rules.postMaxBytes).toBe(100 * MiB);
    const atLimit = validatePresignRequest({ files: [file({ name: 'talk.mp4', type: 'video/mp4', size: rules.postMaxBytes })] }, rules);
    expect(atLimit).toHaveLength(1);
    const error = rejection({
      files: [file({ name: 'holiday.png' }), file({ name: 'talk.mp4', type: 'video/mp4', size: rules.postMaxBytes + 1 })],
    });
    expect(error).toBeInstanceOf(UseMultipartError);
    expect(error).toMatchObject({ code: 'USE_MULTIPART', status: 413, file: 1 });
    expect(error.message).toBe('talk.mp4 is larger than 100 MiB: upload it as a multipart upload (POST /presign/multipart).');
  });

  it("FILE_TOO_LARGE, not USE_MULTIPART, over the type's own limit, even far above postMaxBytes", () => {
    const error = rejection({ files: [file({ name: 'talk.mov', type: 'video/quicktime', size: 20 * GiB + 1 })] });
    expect(error).toBeInstanceOf(FileTooLargeError);
    expect(error.message).toBe('talk.mov is 20.0 GiB; the limit for video/quicktime is 20 GiB.');
    expect(rejection({ files: [file({ name: 'a.zip', type: 'application/zip', size: 6 * GiB })] })).toBeInstanceOf(FileTooLargeError);
  });

  it('takes the POST limit from the rules it is given, not a constant', () => {
    const small = { ...rules, postMaxBytes: MiB };
    expect(() => validatePresignRequest({ files: [file({ size: 2 * MiB })] }, small)).toThrow(UseMultipartError);
    expect(validatePresignRequest({ files: [file({ size: MiB })] }, small)).toHaveLength(1);
  });

  it('never echoes control characters or quotes from a hostile name in a message', () => {
    const error = rejection({ files: [file({ name: '"\u0000<script>.exe', type: 'image/png' })] });
    expect(error.message).not.toMatch(/[\u0000"<>]/);
  });
});
