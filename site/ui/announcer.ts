/**
 * One polite live region for the whole app: uploads finishing or failing,
 * refused files, overall progress milestones. The text is cleared first and
 * set a moment later, so the same sentence twice is still read twice.
 */

/** Long enough for screen readers to notice the region changed. */
const ANNOUNCE_DELAY_MS = 100;

export class Announcer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pending: string[] = [];

  constructor(private readonly region: HTMLElement) {}

  say(text: string): void {
    this.pending.push(text);
    if (this.timer !== undefined) return;
    this.region.textContent = '';
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.region.textContent = this.pending.join(' ');
      this.pending = [];
    }, ANNOUNCE_DELAY_MS);
  }
}
