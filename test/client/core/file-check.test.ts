import fc from 'fast-check';
import { InvalidRequestError, EdgeUploadError } from '../../../edge-functions/core/errors';
import { validatePresignRequest } from '../../../edge-functions/core/presign-request';
import { DEFAULT_UPLOAD_RULES, GiB, MiB } from '../../../edge-functions/core/upload-rules';
import { FileRejectedError } from '../../../client/core/errors';
import { acceptAttribute, allowedSummary, checkFile, type FileFacts } from '../../../client/core/file-check';

const rules = DEFAULT_UPLOAD_RULES;

function rejection(file: FileFacts): FileRejectedError {
  try {
    checkFile(file, rules);
  } catch (error) {
    if (error instanceof FileRejectedError) return error;
    throw error;
  }
  throw new Error(`${file.name} was accepted`);
}

describe('checkFile', () => {
  it('accepts each allowed type with each of its extensions, up to its limit', () => {
    expect(checkFile({ name: 'holiday.png', size: 10 * MiB, type: 'image/png' }, rules)).toEqual({
      type: 'image/png',
      safeName: 'holiday.png',
    });
    expect(checkFile({ name: 'Photo.JPG', size: 1, type: 'image/jpeg' }, rules)).toEqual({ type: 'image/jpeg', safeName: 'Photo.jpg' });
    expect(checkFile({ name: 'scan.jpeg', size: 5, type: 'image/jpeg' }, rules).type).toBe('image/jpeg');
    expect(checkFile({ name: 'report.pdf', size: 50 * MiB, type: 'application/pdf' }, rules).type).toBe('application/pdf');
    expect(checkFile({ name: '写真.webp', size: 3, type: 'image/webp' }, rules).safeName).toBe('写真.webp');
  });

  it('refuses a type the rules do not list in plain words, pointing to the one list of allowed kinds instead of repeating it', () => {
    const error = rejection({ name: 'notes.txt', size: 12, type: 'text/plain' });
    expect(error.code).toBe('UNSUPPORTED_TYPE');
    expect(error.message).toBe('notes.txt: this kind of file cannot be uploaded. Pick one of the kinds listed under "Choose files".');
    expect(error.message).not.toContain('text/plain');
    expect(error.transient).toBe(false);
  });

  it('refuses an extension that does not belong to the declared type', () => {
    const error = rejection({ name: 'photo.png.exe', size: 12, type: 'image/png' });
    expect(error.code).toBe('UNSUPPORTED_TYPE');
    expect(error.message).toBe('photo.png.exe: a PNG image must have a name ending in .png. Rename it and add it again.');
  });

  it('refuses an empty file and an oversize one with the sizes in words', () => {
    expect(rejection({ name: 'empty.gif', size: 0, type: 'image/gif' })).toMatchObject({
      code: 'EMPTY_FILE',
      message: 'empty.gif is empty. Check that you picked the right file.',
    });
    expect(rejection({ name: 'big.png', size: 11 * MiB, type: 'image/png' })).toMatchObject({
      code: 'FILE_TOO_LARGE',
      message: 'big.png is 11 MB; PNG images can be up to 10 MB. Make it smaller, or pick another file.',
    });
    expect(rejection({ name: 'book.pdf', size: 50 * MiB + 1, type: 'application/pdf' }).code).toBe('FILE_TOO_LARGE');
  });

  it('does not refuse a large file for being over postMaxBytes: a multipart upload carries it; only the type limit counts', () => {
    expect(checkFile({ name: 'talk.mp4', size: rules.postMaxBytes + 1, type: 'video/mp4' }, rules).type).toBe('video/mp4');
    expect(checkFile({ name: 'talk.mov', size: 20 * GiB, type: 'video/quicktime' }, rules).type).toBe('video/quicktime');
    const error = rejection({ name: 'talk.mov', size: 20 * GiB + 1, type: 'video/quicktime' });
    expect(error.code).toBe('FILE_TOO_LARGE');
    expect(error.message).toBe('talk.mov is 20.0 GB; QuickTime videos can be up to 20 GB. Make it smaller, or pick another file.');
  });

  it('refuses a name with nothing usable in it', () => {
    for (const name of ['...', '.png', '---.pdf', '\u202e\u200b.png']) {
      expect(rejection({ name, size: 5, type: 'image/png' }).code).toBe('INVALID_FILENAME');
    }
  });

  it('takes the type from the extension when the browser reports none (or a generic one)', () => {
    expect(checkFile({ name: 'pic.webp', size: 5, type: '' }, rules).type).toBe('image/webp');
    expect(checkFile({ name: 'doc.pdf', size: 5, type: 'application/octet-stream' }, rules).type).toBe('application/pdf');
    expect(checkFile({ name: 'clip.m4v', size: 5, type: '' }, rules).type).toBe('video/mp4');
    expect(rejection({ name: 'archive.rar', size: 5, type: '' }).message).toMatch(/^archive\.rar: this kind of file cannot be uploaded/);
    expect(rejection({ name: 'noextension', size: 5, type: '' }).code).toBe('UNSUPPORTED_TYPE');
  });

  it('reads the type case-insensitively, as the edge does', () => {
    expect(checkFile({ name: 'a.png', size: 5, type: 'IMAGE/PNG' }, rules).type).toBe('image/png');
  });
});

describe('checkFile against the edge (the one set of rules, seen from both sides)', () => {
  const extensions = ['png', 'jpg', 'jpeg', 'JPG', 'gif', 'webp', 'pdf', 'txt', 'exe', 'svg', ''];
  const types = [
    ...Object.keys(rules.types),
    'IMAGE/PNG',
    'text/plain',
    'image/svg+xml',
    'application/zip',
    'image/png; charset=x',
    ' image/gif ',
  ];
  const sizes = fc.oneof(fc.constantFrom(0, 1, 10 * MiB, 10 * MiB + 1, 50 * MiB, 50 * MiB + 1), fc.integer({ min: 0, max: 60 * MiB }));
  const base = fc.oneof(
    fc.string({ minLength: 1, maxLength: 40 }),
    fc.constantFrom('photo', '..', '...', '-', 'a/b', 'C:\\x\\y', '\u202ertl', 'e\u0301t\u00e9', '写真', ' spaced name '),
    fc.string({ unit: 'grapheme', minLength: 100, maxLength: 200 }),
  );
  const name = fc.tuple(base, fc.constantFrom(...extensions)).map(([stem, ext]) => (ext === '' ? stem : `${stem}.${ext}`));

  it('accepts exactly the files the edge accepts, and refuses the others with the edge’s code', () => {
    fc.assert(
      fc.property(name, sizes, fc.constantFrom(...types), (fileName, size, type) => {
        let edge: string;
        try {
          validatePresignRequest({ files: [{ name: fileName, size, type }] }, rules);
          edge = 'OK';
        } catch (error) {
          if (!(error instanceof EdgeUploadError) || error instanceof InvalidRequestError) throw error;
          edge = error.code;
        }
        let site: string;
        try {
          checkFile({ name: fileName, size, type }, rules);
          site = 'OK';
        } catch (error) {
          if (!(error instanceof FileRejectedError)) throw error;
          site = error.code;
        }
        expect(site).toBe(edge);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('what the picker and the hint say', () => {
  it('lists every allowed type and extension for <input accept>', () => {
    expect(acceptAttribute(rules)).toBe(
      'image/jpeg,.jpg,.jpeg,image/png,.png,image/webp,.webp,image/gif,.gif,application/pdf,.pdf,video/mp4,.mp4,.m4v,video/quicktime,.mov,application/zip,.zip',
    );
  });

  it('groups the types by their size limit', () => {
    expect(allowedSummary(rules)).toBe(
      'JPEG, PNG, WEBP and GIF images up to 10\u00a0MB; PDF documents up to 50\u00a0MB; MP4 and QuickTime videos up to 20\u00a0GB; ZIP archives up to 5\u00a0GB',
    );
  });
});
