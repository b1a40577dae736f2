/**
 * Logs query failures once and folds repeats: the first failure with a given message is logged
 * at once; further ones within the window are only counted and reported in one summary line
 * when the window closes. A storm of identical failures therefore costs one line per window.
 */
import type { Logger } from 'pino';

/** Distinct messages tracked at once; beyond it new messages share one bucket. */
const MAX_TRACKED = 256;
const OVERFLOW_KEY = '(other messages)';

interface Bucket {
  readonly firstAt: number;
  repeats: number;
}

export class FailureLog {
  private readonly buckets = new Map<string, Bucket>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly logger: Logger,
    private readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records one failure of the query for `name`/`type`. */
  record(err: unknown, name: string, type: number): void {
    const message = err instanceof Error ? err.message : String(err);
    const tracked = this.buckets.size < MAX_TRACKED || this.buckets.has(message);
    const key = tracked ? message : OVERFLOW_KEY;
    const bucket = this.buckets.get(key);
    if (bucket) {
      bucket.repeats++;
      return;
    }
    this.buckets.set(key, { firstAt: this.now(), repeats: 0 });
    const stack = err instanceof Error ? err.stack : undefined;
    this.logger.error({ err: message, stack, name, type }, 'query failed');
    this.timer ??= setInterval(() => this.flush(), Math.max(100, this.windowMs / 4)).unref();
  }

  /** Ends the windows that are over, logging a summary for those that saw repeats. */
  flush(): void {
    const now = this.now();
    for (const [message, bucket] of this.buckets) {
      if (now - bucket.firstAt < this.windowMs) continue;
      this.buckets.delete(message);
      if (bucket.repeats > 0) {
        this.logger.error(
          { err: message, repeats: bucket.repeats, windowMs: this.windowMs },
          'query failures repeated',
        );
      }
    }
    if (this.buckets.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
