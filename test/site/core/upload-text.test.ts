import { FileRejectedError, NetworkError } from '../../../client/core/errors';
import { passwordAcceptable, passwordChecklist } from '../../../site/core/password-checklist';
import { s3ErrorFromResponse } from '../../../client/core/s3-error';
import type { UploadSnapshot } from '../../../client/core/upload-queue';
import { milestoneReached, summaryText, uploadErrorDetail, uploadStatusText } from '../../../site/core/upload-text';
import { formatBytes } from '../../../client/core/format';

const MiB = 1024 * 1024;

function upload(overrides: Partial<UploadSnapshot>): UploadSnapshot {
  return {
    id: 'id',
    name: 'holiday.png',
    size: 4 * MiB,
    type: 'image/png',
    state: 'queued',
    sent: 0,
    bytesPerSecond: undefined,
    secondsLeft: undefined,
    error: undefined,
    key: undefined,
    multipart: false,
    notice: undefined,
    retries: 0,
    retryAt: undefined,
    ...overrides,
  };
}

describe('uploadStatusText', () => {
  it('says what each state means', () => {
    expect(uploadStatusText(upload({ state: 'queued' }))).toBe('Waiting…');
    expect(uploadStatusText(upload({ state: 'signing' }))).toBe('Preparing…');
    expect(uploadStatusText(upload({ state: 'uploading', sent: MiB }))).toBe('25%');
    expect(uploadStatusText(upload({ state: 'uploading', sent: MiB, bytesPerSecond: 512 * 1024, secondsLeft: 6 }))).toBe(
      '25% · 512 KB/s · 6 s left',
    );
    expect(uploadStatusText(upload({ state: 'uploading', sent: 4 * MiB }))).toBe('Finishing…');
    // Sent is not uploaded: the inspector may still reject the file.
    expect(uploadStatusText(upload({ state: 'done' }))).toBe('Sent. Checking the file…');
    expect(uploadStatusText(upload({ state: 'done' }), { status: 'checking', reason: undefined, gaveUp: false })).toBe(
      'Sent. Checking the file…',
    );
    expect(uploadStatusText(upload({ state: 'done' }), { status: 'checking', reason: undefined, gaveUp: true })).toMatch(
      /taking longer than usual: reload the page later/,
    );
    expect(uploadStatusText(upload({ state: 'done' }), { status: 'verified', reason: undefined, gaveUp: false })).toBe(
      'Uploaded and checked',
    );
    expect(uploadStatusText(upload({ state: 'done' }), { status: 'rejected', reason: 'TYPE_MISMATCH', gaveUp: false })).toBe(
      'Rejected: The content is a different kind of file than its name says. Save it in the right format and upload it again.',
    );
    expect(uploadStatusText(upload({ state: 'cancelled' }))).toBe('Cancelled');
  });

  it('gives the reason for a refusal or a failure, and the count while retrying', () => {
    expect(
      uploadStatusText(
        upload({
          state: 'rejected',
          error: new FileRejectedError('FILE_TOO_LARGE', 'big.png is 11.0 MiB; the limit for image/png is 10 MiB.'),
        }),
      ),
    ).toBe('big.png is 11.0 MiB; the limit for image/png is 10 MiB.');
    expect(
      uploadStatusText(upload({ state: 'waiting', retries: 1, error: new NetworkError('The connection to the storage service failed.') })),
    ).toBe('The connection to the storage service failed. Trying again shortly (1 of 3).');
    expect(uploadStatusText(upload({ state: 'signing', retries: 2 }))).toBe('Retrying (2 of 3)…');
    expect(uploadStatusText(upload({ state: 'failed', error: new Error('a bug') }))).toBe(
      'Something went wrong on this page. Reload it and try again.',
    );
  });
});

describe('uploadErrorDetail', () => {
  it('shows S3’s own words for a failed upload', () => {
    const error = s3ErrorFromResponse(
      403,
      '<Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy expired.</Message><RequestId>ABC</RequestId></Error>',
    );
    expect(uploadErrorDetail(upload({ state: 'failed', error }))).toBe(
      'S3 AccessDenied · Invalid according to Policy: Policy expired. · request ABC',
    );
    expect(uploadErrorDetail(upload({ state: 'failed', error: new NetworkError() }))).toBeUndefined();
    expect(uploadErrorDetail(upload({ state: 'waiting', error }))).toBeUndefined();
  });
});

describe('summaryText', () => {
  it('counts and, while files move, bytes, speed and time left', () => {
    expect(
      summaryText({
        files: 0,
        done: 0,
        failed: 0,
        refused: 0,
        active: 0,
        bytesTotal: 0,
        bytesSent: 0,
        bytesPerSecond: undefined,
        secondsLeft: undefined,
      }),
    ).toBe('No files yet.');
    expect(
      summaryText({
        files: 5,
        done: 2,
        failed: 1,
        refused: 0,
        active: 2,
        bytesTotal: 12 * MiB,
        bytesSent: 4 * MiB,
        bytesPerSecond: 1.1 * MiB,
        secondsLeft: 8,
      }),
    ).toBe('2 of 5 sent · 1 failed · 4 MB of 12 MB · 1.1 MB/s · 8 s left');
    expect(
      summaryText({
        files: 3,
        done: 3,
        failed: 0,
        refused: 0,
        active: 0,
        bytesTotal: 3,
        bytesSent: 3,
        bytesPerSecond: undefined,
        secondsLeft: undefined,
      }),
    ).toBe('3 of 3 sent');
    // Refused files are not among the files to upload, and are counted apart.
    expect(
      summaryText({
        files: 13,
        done: 8,
        failed: 0,
        refused: 5,
        active: 0,
        bytesTotal: 8,
        bytesSent: 8,
        bytesPerSecond: undefined,
        secondsLeft: undefined,
      }),
    ).toBe('8 of 8 sent · 5 refused (not uploaded)');
    expect(formatBytes(10 * MiB)).toBe('10 MB');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(512)).toBe('512 bytes');
  });
});

describe('milestoneReached', () => {
  it('announces 25, 50 and 75 percent once each, the highest one crossed', () => {
    expect(milestoneReached(0, 0.1)).toBeUndefined();
    expect(milestoneReached(0.1, 0.3)).toBe(25);
    expect(milestoneReached(0.3, 0.4)).toBeUndefined();
    expect(milestoneReached(0.2, 0.8)).toBe(75);
    expect(milestoneReached(0.8, 1)).toBeUndefined();
  });
});

describe('passwordChecklist', () => {
  it('lists every rule of the policy, none met for an empty password', () => {
    const list = passwordChecklist('');
    expect(list.map((rule) => rule.text)).toEqual([
      'at least 12 characters',
      'an uppercase letter (A-Z)',
      'a lowercase letter (a-z)',
      'a digit (0-9)',
      'a symbol such as ! @ # $ % & * - or a space inside the password',
    ]);
    expect(list.every((rule) => !rule.met)).toBe(true);
  });

  it('ticks rules off as the password grows', () => {
    expect(
      passwordChecklist('abcD')
        .filter((rule) => rule.met)
        .map((rule) => rule.text),
    ).toEqual(['an uppercase letter (A-Z)', 'a lowercase letter (a-z)']);
    expect(passwordChecklist('Correct-Horse-9-Battery').every((rule) => rule.met)).toBe(true);
    expect(passwordAcceptable('Correct-Horse-9-Battery')).toBe(true);
  });

  it('adds the rules only a long or space-edged password breaks, while it breaks them', () => {
    const list = passwordChecklist(' Correct-Horse-9-Battery');
    expect(list.at(-1)).toEqual({ text: 'no space at the start or end', met: false });
    expect(passwordAcceptable(' Correct-Horse-9-Battery')).toBe(false);
  });
});
