/** Numbers as people read them on the upload screen. */
import { formatBytes } from '../../edge-functions/core/upload-rules';

export { formatBytes };

/** "1.2 MiB/s", "340.0 KiB/s", "512 bytes/s". */
export function formatSpeed(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/**
 * Time left, rounded the way a person estimates: seconds under a minute
 * (to the next 5 from 10 s, so the number does not flicker), then minutes,
 * then hours and minutes.
 */
export function formatTimeLeft(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 1) return 'less than a second left';
  if (seconds < 10) return `${Math.ceil(seconds)} s left`;
  if (seconds < 55) return `${Math.ceil(seconds / 5) * 5} s left`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min left`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h left` : `${hours} h ${rest} min left`;
}

/** "42%" (floored: 100% only when everything has gone). */
export function formatPercent(fraction: number): string {
  return `${Math.floor(Math.min(1, Math.max(0, fraction)) * 100)}%`;
}
