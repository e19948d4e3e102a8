import { formatPercent, formatSpeed, formatTimeLeft } from '../../../client/core/format';
import { fractionDone, MIN_SPEED_SPAN_MS, SPEED_WINDOW_MS, TransferStats } from '../../../client/core/transfer-stats';

const KiB = 1024;

describe('TransferStats', () => {
  it('reports no speed until the samples span enough time to mean something', () => {
    const stats = new TransferStats();
    stats.record(0, 0);
    stats.record(100, 500 * KiB); // the first burst fills OS buffers: not a speed
    expect(stats.bytesPerSecond()).toBeUndefined();
    expect(stats.secondsLeft(1000 * KiB)).toBeUndefined();
    stats.record(MIN_SPEED_SPAN_MS, 600 * KiB);
    expect(stats.bytesPerSecond()).toBeCloseTo((600 * KiB * 1000) / MIN_SPEED_SPAN_MS);
  });

  it('measures over the last window only, so it follows a connection that slows down', () => {
    const stats = new TransferStats();
    // 10 s at 1 MiB/s, then 10 s at 100 KiB/s.
    let loaded = 0;
    for (let t = 0; t <= 10_000; t += 500) {
      stats.record(t, loaded);
      loaded += 512 * KiB;
    }
    loaded -= 512 * KiB;
    expect(stats.bytesPerSecond()).toBeCloseTo(1024 * KiB, -2);
    for (let t = 10_500; t <= 20_000; t += 500) {
      loaded += 50 * KiB;
      stats.record(t, loaded);
    }
    expect(stats.bytesPerSecond()).toBeCloseTo(100 * KiB, -2);
    // Time left follows the current speed: 1 MiB more at 100 KiB/s is about 10 s.
    expect(stats.secondsLeft(loaded + 1024 * KiB)).toBeCloseTo(10.24, 1);
  });

  it('keeps the window covered: the oldest sample kept is at or before the window start', () => {
    const stats = new TransferStats(1000, 100);
    stats.record(0, 0);
    stats.record(5000, 5000); // a long silence, then progress
    expect(stats.bytesPerSecond()).toBeCloseTo(1000);
  });

  it('starts over when a transfer restarts (a retry sends from zero)', () => {
    const stats = new TransferStats();
    stats.record(0, 0);
    stats.record(2000, 2000 * KiB);
    stats.record(2100, 0);
    expect(stats.bytesPerSecond()).toBeUndefined();
    stats.reset();
    expect(stats.bytesPerSecond()).toBeUndefined();
  });

  it('says 0 s left when everything has gone, and nothing for a stalled transfer', () => {
    const stats = new TransferStats();
    stats.record(0, 10);
    stats.record(SPEED_WINDOW_MS, 10);
    expect(stats.secondsLeft(100)).toBeUndefined();
    stats.record(SPEED_WINDOW_MS + 10, 100);
    expect(stats.secondsLeft(100)).toBe(0);
  });
});

describe('fractionDone', () => {
  it('is loaded / total, clamped to [0, 1], and 0 for an unknown total', () => {
    expect(fractionDone(50, 200)).toBe(0.25);
    expect(fractionDone(300, 200)).toBe(1);
    expect(fractionDone(-1, 200)).toBe(0);
    expect(fractionDone(5, 0)).toBe(0);
    expect(fractionDone(5, NaN)).toBe(0);
  });
});

describe('formatting', () => {
  it('speeds in binary units per second', () => {
    expect(formatSpeed(512)).toBe('512 bytes/s');
    expect(formatSpeed(1.5 * 1024 * 1024)).toBe('1.5 MB/s');
    expect(formatSpeed(340.2 * 1024)).toBe('340 KB/s');
  });

  it('time left as a person estimates it, without flicker', () => {
    expect(formatTimeLeft(0.4)).toBe('less than a second left');
    expect(formatTimeLeft(7.2)).toBe('8 s left');
    expect(formatTimeLeft(11)).toBe('15 s left');
    expect(formatTimeLeft(14.9)).toBe('15 s left');
    expect(formatTimeLeft(56)).toBe('1 min left');
    expect(formatTimeLeft(61)).toBe('2 min left');
    expect(formatTimeLeft(3600)).toBe('1 h left');
    expect(formatTimeLeft(3700)).toBe('1 h 2 min left');
    expect(formatTimeLeft(Infinity)).toBe('');
    expect(formatTimeLeft(-3)).toBe('');
  });

  it('percent floored, so 100% means done', () => {
    expect(formatPercent(0.999)).toBe('99%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0.4217)).toBe('42%');
    expect(formatPercent(2)).toBe('100%');
  });
});
