/**
 * Speed and time left for one transfer, from the progress events it fires.
 *
 * Speed is measured over a sliding window of recent samples rather than since
 * the start, so it follows a connection that speeds up or slows down, and it
 * is not reported until the window holds enough time to mean something (the
 * first events of an upload often arrive in a burst as the OS buffers fill).
 */

/** How far back the speed looks. A few seconds: steady numbers that still follow real changes. */
export const SPEED_WINDOW_MS = 5_000;
/** No speed (and no time left) until samples span this long. */
export const MIN_SPEED_SPAN_MS = 750;

interface Sample {
  readonly at: number;
  readonly loaded: number;
}

export class TransferStats {
  private samples: Sample[] = [];

  constructor(
    private readonly windowMs = SPEED_WINDOW_MS,
    private readonly minSpanMs = MIN_SPEED_SPAN_MS,
  ) {}

  /** Records that `loaded` bytes had gone at time `at` (ms). Going backwards (a restart) starts over. */
  record(at: number, loaded: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last !== undefined && (loaded < last.loaded || at < last.at)) this.samples = [];
    this.samples.push({ at, loaded });
    // Keep one sample at or before the window's start, so the window is always fully covered.
    const start = at - this.windowMs;
    while (this.samples.length > 2 && (this.samples[1]?.at ?? Infinity) <= start) this.samples.shift();
  }

  reset(): void {
    this.samples = [];
  }

  /** Bytes per second over the window, or undefined while there is too little to go on. */
  bytesPerSecond(): number | undefined {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (first === undefined || last === undefined) return undefined;
    const span = last.at - first.at;
    if (span < this.minSpanMs) return undefined;
    return ((last.loaded - first.loaded) * 1000) / span;
  }

  /** Seconds until `total` at the current speed; undefined when unknown, 0 when done. */
  secondsLeft(total: number): number | undefined {
    const last = this.samples[this.samples.length - 1];
    if (last !== undefined && last.loaded >= total) return 0;
    const speed = this.bytesPerSecond();
    if (speed === undefined || speed <= 0 || last === undefined) return undefined;
    return (total - last.loaded) / speed;
  }
}

/** A fraction in [0, 1] of `loaded` over `total` (0 when the total is unknown). */
export function fractionDone(loaded: number, total: number): number {
  if (!(total > 0)) return 0;
  return Math.min(1, Math.max(0, loaded / total));
}
