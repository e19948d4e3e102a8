/** Every refusal of the /presign body, with its exact message and file index. */
import { EdgeUploadError, EmptyFileError, InvalidRequestError, UnsupportedTypeError } from '../../../edge-functions/core/errors';
import { safeJsonParse } from '../../../edge-functions/core/safe-json';
import { parsePresignBody, validateFile, validatePresignRequest } from '../../../edge-functions/core/presign-request';
import { DEFAULT_UPLOAD_RULES } from '../../../edge-functions/core/upload-rules';

const rules = DEFAULT_UPLOAD_RULES;
const ID = '0b9a6f2c-1111-4222-8333-444455556666';
/** The base64 MD5 of the empty input: a well-formed digest. */
const MD5 = '1B2M2Y8AsgTpgAmY7PhCfg==';
const png = { name: 'a.png', size: 10, type: 'image/png' };

function refusal(input: unknown): EdgeUploadError {
  try {
    validatePresignRequest(input, rules);
  } catch (error) {
    expect(error).toBeInstanceOf(EdgeUploadError);
    return error as EdgeUploadError;
  }
  throw new Error('expected a refusal');
}

describe('validatePresignRequest: exact refusals', () => {
  it.each([
    ['not an object', [], 'The body must be a JSON object with a "files" array.', undefined],
    ['no files array', { files: {} }, '"files" must be an array.', undefined],
    ['no files', { files: [] }, '"files" must list at least one file.', undefined],
    [
      'too many files',
      { files: Array.from({ length: rules.maxFilesPerRequest + 1 }, () => png) },
      `At most ${rules.maxFilesPerRequest} files per request; got ${rules.maxFilesPerRequest + 1}.`,
      undefined,
    ],
    ['a file that is not an object', { files: [png, 'x'] }, 'File 1 must be an object.', 1],
    ['no name', { files: [{ ...png, name: 1 }] }, 'File 0 needs a "name" string.', 0],
    ['no type', { files: [{ ...png, type: 1 }] }, 'File 0 needs a "type" string.', 0],
    ['an empty type', { files: [{ ...png, type: '' }] }, 'File 0 needs a "type" string.', 0],
    ['a fractional size', { files: [{ ...png, size: 1.5 }] }, 'File 0 needs a "size" that is a whole number of bytes.', 0],
    ['a negative size', { files: [{ ...png, size: -1 }] }, 'File 0 needs a "size" that is a whole number of bytes.', 0],
    ['a size as text', { files: [{ ...png, size: '10' }] }, 'File 0 needs a "size" that is a whole number of bytes.', 0],
    ['an id that is not a UUID', { files: [{ ...png, id: 'x' }] }, 'File 0 has an "id" that is not a UUID v4.', 0],
    ['an id that is not text', { files: [{ ...png, id: 7 }] }, 'File 0 has an "id" that is not a UUID v4.', 0],
    [
      'an md5 with a character before the digest',
      { files: [{ ...png, md5: `x${MD5}` }] },
      'File 0 has an "md5" that is not the base64 of a 16-byte MD5 digest.',
      0,
    ],
    [
      'an md5 with a character after the digest',
      { files: [{ ...png, md5: `${MD5}x` }] },
      'File 0 has an "md5" that is not the base64 of a 16-byte MD5 digest.',
      0,
    ],
    [
      'an md5 given as a one-element array (its text is a digest)',
      { files: [{ ...png, md5: [MD5] }] },
      'File 0 has an "md5" that is not the base64 of a 16-byte MD5 digest.',
      0,
    ],
    [
      'a repeated id',
      {
        files: [
          { ...png, id: ID },
          { ...png, id: ID.toUpperCase() },
        ],
      },
      'File 1 repeats the id of an earlier file.',
      1,
    ],
  ])('refuses %s as INVALID_REQUEST', (_label, input, message, file) => {
    const error = refusal(input);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.message).toBe(message);
    expect(error.file).toBe(file);
  });

  it('says "The file" for the one file of a multipart start (no index)', () => {
    expect(() => validateFile({ ...png, md5: 'x' }, undefined, rules)).toThrow(
      new InvalidRequestError('The file has an "md5" that is not the base64 of a 16-byte MD5 digest.', undefined),
    );
    try {
      validateFile({ ...png, size: -1 }, undefined, rules);
      throw new Error('expected a refusal');
    } catch (error) {
      expect((error as Error).message).toBe('The file needs a "size" that is a whole number of bytes.');
      expect((error as EdgeUploadError).file).toBeUndefined();
    }
  });

  it('takes a well-formed md5', () => {
    expect(validatePresignRequest({ files: [{ ...png, md5: MD5 }] }, rules)[0]?.md5).toBe(MD5);
  });

  it('names the allowed types, and the extensions a type needs', () => {
    const type = refusal({ files: [{ ...png, type: 'image/svg+xml' }] });
    expect(type).toBeInstanceOf(UnsupportedTypeError);
    expect(type.message).toBe(`a.png: files of this type are not accepted; allowed types are ${Object.keys(rules.types).join(', ')}.`);
    const extension = refusal({ files: [{ ...png, name: 'a.gif', type: ' Image/JPEG ' }] });
    expect(extension).toBeInstanceOf(UnsupportedTypeError);
    expect(extension.message).toBe('a.gif: a image/jpeg file must end in .jpg or .jpeg.');
    expect(extension.file).toBe(0);
  });

  it('says which file is empty', () => {
    const error = refusal({ files: [{ ...png, size: 0 }] });
    expect(error).toBeInstanceOf(EmptyFileError);
    expect(error.message).toBe('a.png is empty.');
  });

  it('accepts several files with distinct ids, and files without one', () => {
    const other = '1b9a6f2c-1111-4222-8333-444455556666';
    expect(validatePresignRequest({ files: [{ ...png, id: ID }, { ...png, id: other }, png] }, rules).map((f) => f.id)).toEqual([
      ID,
      other,
      undefined,
    ]);
  });

  it('refuses a body that is not JSON with its own message', () => {
    expect(() => parsePresignBody('{"files":', rules)).toThrow(new InvalidRequestError('The body is not valid JSON.'));
  });
});

describe('safeJsonParse (edge)', () => {
  it('refuses the whole document for a key that could reach a prototype, anywhere', () => {
    const parsed = safeJsonParse('{"a":{"b":4,"constructor":3}}');
    expect(parsed).toEqual({ ok: false, reason: 'unsafe-key', key: 'constructor' });
  });

  it('returns ok: false with the reason for a syntax error', () => {
    expect(safeJsonParse('{')).toStrictEqual({ ok: false, reason: 'syntax' });
  });
});
