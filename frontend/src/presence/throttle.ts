// Throttle runs fn at most once per interval, with the latest arguments:
// the first call goes at once, calls during the interval are folded into
// one trailing call at its end.
export class Throttle<A extends unknown[]> {
  private last = -Infinity;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private args: A | null = null;

  constructor(
    private readonly fn: (...args: A) => void,
    private readonly interval: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  call(...args: A): void {
    this.args = args;
    const wait = this.last + this.interval - this.now();
    if (wait <= 0 && !this.timer) {
      this.fire();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.fire();
    }, Math.max(0, wait));
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.args = null;
  }

  private fire(): void {
    const a = this.args;
    this.args = null;
    if (!a) return;
    this.last = this.now();
    this.fn(...a);
  }
}
