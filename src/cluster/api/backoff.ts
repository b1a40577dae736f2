/**
 * Capped, jittered exponential backoff for API retries.
 *
 * The delay doubles from `initialMs` up to `maxMs`; each delay is drawn uniformly from
 * [delay/2, delay] ("equal jitter") so many clients restarted together do not retry in step.
 */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Returns a number in [0, 1); injectable for deterministic tests. */
  readonly random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly random: () => number;

  constructor(private readonly options: BackoffOptions) {
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next retry; each call counts one more failure. */
  next(): number {
    const ceiling = Math.min(this.options.maxMs, this.options.initialMs * 2 ** this.attempt);
    if (ceiling < this.options.maxMs) this.attempt++;
    return Math.round(ceiling / 2 + (ceiling / 2) * this.random());
  }

  /** Forgets past failures after a success. */
  reset(): void {
    this.attempt = 0;
  }
}
