/**
 * The words on the upload screen for each state of a file and for the whole
 * batch: pure, so the wording is unit-tested and the view only places text.
 */
import { MAX_AUTO_RETRIES } from '../../client/core/backoff';
import { messageFor, S3ServiceError } from '../../client/core/errors';
import { rejectionText } from '../../client/core/files-contract';
import { formatBytes, formatPercent, formatSpeed, formatTimeLeft } from '../../client/core/format';
import { fractionDone } from '../../client/core/transfer-stats';
import type { QueueSummary, UploadSnapshot } from '../../client/core/upload-queue';

/** What the inspector said about a file this page sent (from "Your files"), if anything yet. */
export interface VerdictFacts {
  readonly status: 'checking' | 'verified' | 'rejected';
  readonly reason: string | undefined;
  readonly gaveUp: boolean;
}

/**
 * The status line of one file. A sent file is not "uploaded" until the
 * inspector has verified it: until then it is being checked, and it may
 * still be rejected.
 */
export function uploadStatusText(upload: UploadSnapshot, verdict?: VerdictFacts): string {
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
      return verdictText(verdict);
    case 'failed':
      return messageFor(upload.error);
    case 'cancelled':
      return 'Cancelled';
    case 'paused':
      return `Paused at ${formatPercent(fractionDone(upload.sent, upload.size))}`;
  }
}

/** The status of a stored file, in words: "Checking…", "Verified", "Rejected: <reason in plain words>". */
export function verdictText(verdict: VerdictFacts | undefined): string {
  if (verdict === undefined || verdict.status === 'checking') {
    return verdict?.gaveUp
      ? 'Sent. The safety check is taking longer than usual: reload the page later to see the result.'
      : 'Sent. Checking the file…';
  }
  if (verdict.status === 'verified') return 'Uploaded and checked';
  return `Rejected: ${rejectionText(verdict.reason ?? '')}`;
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
export function unfinishedText(
  record: { readonly file: { readonly name: string; readonly size: number }; readonly ticketExpiresAt: number },
  now: number,
): string {
  const size = formatBytes(record.file.size);
  if (record.ticketExpiresAt <= now)
    return `${record.file.name} (${size}): too old to resume. Pick the file again to upload it from the beginning.`;
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

/** The line above the list: "2 of 5 sent · 1 refused (not uploaded) · 4 MB of 12 MB · 1.1 MB/s · 8 s left". Refused files are counted apart. */
export function summaryText(summary: QueueSummary): string {
  if (summary.files === 0) return 'No files yet.';
  const toUpload = summary.files - summary.refused;
  const parts = toUpload > 0 ? [`${summary.done} of ${toUpload} sent`] : [];
  if (summary.failed > 0) parts.push(`${summary.failed} failed`);
  if (summary.refused > 0) parts.push(`${summary.refused} refused (not uploaded)`);
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
