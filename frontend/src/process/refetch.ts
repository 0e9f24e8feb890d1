// Refetch keeps a view's server data fresh without holding anything up:
// poke() asks again after a short quiet time (plan events come in
// bursts), and while the page is visible it asks again every so often
// (the text changes without plan events). One request at a time; a
// request asked for meanwhile runs after it. Answers are the loader's to
// apply; it drops what is older than the latest.
export class Refetch {
  private debounce: ReturnType<typeof setTimeout> | null = null;
  private readonly timer: ReturnType<typeof setInterval>;
  private running: Promise<void> | null = null;
  private again = false;
  private alive = true;

  constructor(
    private readonly load: () => Promise<void>,
    private readonly quietMs: number,
    everyMs: number,
  ) {
    this.timer = setInterval(() => {
      if (typeof document === 'undefined' || document.visibilityState === 'visible') this.now();
    }, everyMs);
  }

  /** poke asks again once nothing else asked for quietMs. */
  poke(): void {
    if (!this.alive) return;
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = null;
      this.now();
    }, this.quietMs);
  }

  /** now asks at once (or right after the request under way). */
  now(): void {
    if (!this.alive) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.load()
      .catch(() => undefined)
      .finally(() => {
        this.running = null;
        if (this.again && this.alive) {
          this.again = false;
          this.now();
        }
      });
  }

  destroy(): void {
    this.alive = false;
    if (this.debounce) clearTimeout(this.debounce);
    clearInterval(this.timer);
  }
}
