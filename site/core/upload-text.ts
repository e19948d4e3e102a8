/**
 * The words on the upload screen for each state of a file and for the whole
 * batch: pure, so the wording is unit-tested and the view only places text.
 */
import { MAX_AUTO_RETRIES } from './backoff';
import { messageFor, S3ServiceError } from './errors';
import { formatBytes, formatPercent, formatSpeed, formatTimeLeft } from './format';
import { fractionDone } from './transfer-stats';
import type { QueueSummary, UploadSnapshot } from './upload-queue';

/** The status line of one file. */
export function uploadStatusText(upload: UploadSnapshot): string {
  switch (upload.state) {
    case 'rejected':
      return messageFor(upload.error);
    case 'queued':
    case 'ready':
      return upload.retries > 0 ? `Retrying (${upload.retries} of ${MAX_AUTO_RETRIES})…` : 'Waiting…';
    case 'signing':
      return upload.retries > 0 ? `Retrying (${upload.retries} of ${MAX_AUTO_RETRIES})…` : 'Preparing…';
    case 'uploading': {
      if (upload.sent >= upload.size) return 'Finishing…';
      const parts = [formatPercent(fractionDone(upload.sent, upload.size))];
      if (upload.bytesPerSecond !== undefined) parts.push(formatSpeed(upload.bytesPerSecond));
      if (upload.secondsLeft !== undefined) parts.push(formatTimeLeft(upload.secondsLeft));
      return parts.join(' · ');
    }
    case 'waiting':
      return `${messageFor(upload.error)} Trying again shortly (${upload.retries} of ${MAX_AUTO_RETRIES}).`;
    case 'done':
      return 'Uploaded';
    case 'failed':
      return messageFor(upload.error);
    case 'cancelled':
      return 'Cancelled';
    case 'paused':
      return `Paused at ${formatPercent(fractionDone(upload.sent, upload.size))}`;
  }
}

/** What the person should know about a file that is still going (a large upload that started again), or undefined. */
export function uploadNoticeText(upload: UploadSnapshot): string | undefined {
  if (upload.notice === undefined || isFinal(upload)) return undefined;
  return messageFor(upload.notice);
}

function isFinal(upload: UploadSnapshot): boolean {
  return upload.state === 'done' || upload.state === 'failed' || upload.state === 'cancelled' || upload.state === 'rejected';
}

/** The line for an upload left unfinished by an earlier visit (a reload, a closed tab). */
export function unfinishedText(record: { readonly file: { readonly name: string; readonly size: number }; readonly ticketExpiresAt: number }, now: number): string {
  const size = formatBytes(record.file.size);
  if (record.ticketExpiresAt <= now) return `${record.file.name} (${size}): too old to resume. Pick the file again to upload it from the beginning.`;
  return `${record.file.name} (${size}): not finished. Pick the file again to resume.`;
}

/** S3's own words for a failed upload, for the small print under the message; undefined for other errors. */
export function uploadErrorDetail(upload: UploadSnapshot): string | undefined {
  const error = upload.error;
  if (upload.state !== 'failed' || !(error instanceof S3ServiceError) || error.code === undefined) return undefined;
  const parts = [`S3 ${error.code}`];
  if (error.s3Message !== undefined) parts.push(error.s3Message);
  if (error.requestId !== undefined) parts.push(`request ${error.requestId}`);
  return parts.join(' · ');
}

/** The line above the list: "2 of 5 uploaded · 4.0 MiB of 12.0 MiB · 1.1 MiB/s · 8 s left". */
export function summaryText(summary: QueueSummary): string {
  if (summary.files === 0) return 'No files yet.';
  const parts = [`${summary.done} of ${summary.files} uploaded`];
  if (summary.failed > 0) parts.push(`${summary.failed} failed`);
  if (summary.active > 0) {
    parts.push(`${formatBytes(summary.bytesSent)} of ${formatBytes(summary.bytesTotal)}`);
    if (summary.bytesPerSecond !== undefined) parts.push(formatSpeed(summary.bytesPerSecond));
    if (summary.secondsLeft !== undefined) parts.push(formatTimeLeft(summary.secondsLeft));
  }
  return parts.join(' · ');
}

/** Overall progress worth announcing to a screen reader: 25, 50, 75 (percent), or undefined between them. */
export const PROGRESS_MILESTONES: readonly number[] = [25, 50, 75];

export function milestoneReached(previousFraction: number, fraction: number): number | undefined {
  const crossed = PROGRESS_MILESTONES.filter((m) => previousFraction * 100 < m && fraction * 100 >= m);
  return crossed.length > 0 ? crossed[crossed.length - 1] : undefined;
}
