/**
 * Whether the storage's metadata calls (lstat, realpath, the partials folder) run
 * synchronously. On a local filesystem such a call takes microseconds and its
 * async form costs ten times that in thread-pool round trips: a small-file RETR
 * made nine of them, a fifth of the gateway's CPU per file (issue 7). On a network
 * mount one call can take milliseconds, and a synchronous one holds every session
 * of the gateway that long. So calls run synchronously while they are fast, and
 * asynchronously for a while once they are slow; then synchronous calls are tried again.
 *
 * "Slow" is a moving average, not one call: on a busy machine a fast call is now and
 * then descheduled for milliseconds (measured: that alone sent a loaded gateway async
 * most of the time). A single call slower than `stallMs` switches at once.
 */
export class FsPace {
  private asyncUntil = Number.NEGATIVE_INFINITY;
  private averageMs = 0;

  constructor(
    /** A moving average of synchronous calls above this means a slow filesystem. */
    private readonly slowAverageMs = 1,
    /** How long calls stay async once the filesystem was found slow. */
    private readonly asyncForMs = 30_000,
    private readonly now: () => number = () => performance.now(),
    /** One call this slow is a stall: async at once. */
    private readonly stallMs = 50,
  ) {}

  /** Runs `sync` while the filesystem is fast, `async` while it is slow; a failure of either propagates. */
  async run<T>(sync: () => T, async: () => Promise<T>): Promise<T> {
    if (this.now() < this.asyncUntil) return async();
    const started = this.now();
    try {
      return sync();
    } finally {
      const ended = this.now();
      this.record(ended - started, ended);
    }
  }

  /** True while calls run synchronously. */
  get synchronous(): boolean {
    return this.now() >= this.asyncUntil;
  }

  private record(tookMs: number, at: number): void {
    // Weight 1/16: about twenty consistently slow calls, or a few very slow ones, switch.
    this.averageMs += (tookMs - this.averageMs) / 16;
    if (this.averageMs > this.slowAverageMs || tookMs > this.stallMs) {
      this.asyncUntil = at + this.asyncForMs;
      this.averageMs = 0;
    }
  }
}
