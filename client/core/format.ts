/**
 * Numbers as people read them on the upload screen. Sizes say KB, MB and GB
 * (steps of 1,024, as file managers show them), not KiB and MiB: the upload
 * rules' limits (10 MiB) then read as the round numbers people expect (10 MB).
 */

const UNITS = ['KB', 'MB', 'GB', 'TB'] as const;

/** "512 bytes", "340 KB", "1.2 MB"; a whole number has no needless ".0" ("10 MB"). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${Math.max(0, Math.round(bytes))} ${bytes === 1 ? 'byte' : 'bytes'}`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = value >= 100 || Number.isInteger(value) ? String(Math.round(value)) : value.toFixed(1);
  return `${shown} ${UNITS[unit]}`;
}

/** "1.2 MB/s", "340 KB/s", "512 bytes/s". */
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
