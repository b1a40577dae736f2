/**
 * Folds repeated errors into one summary line per period (`consolidate DURATION REGEXP`): the
 * first matching error starts the period; when it ends one line tells how many matched. With
 * `show_first` the first error is also logged at once, and the summary only if more followed.
 */
import type { Logger } from 'pino';
import { formatDuration } from '../../config/duration.js';

export type FoldLevel = 'error' | 'warn' | 'info' | 'debug';

export interface FoldRule {
  readonly periodMs: number;
  readonly pattern: RegExp;
  /** The expression as written in the Corefile, for the summary line. */
  readonly source: string;
  readonly level: FoldLevel;
  readonly showFirst: boolean;
}

/** Timers, injectable so tests control when a period ends. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** One fold rule's running count. */
export class ErrorFolder {
  private count = 0;
  private timer: unknown = undefined;

  constructor(
    readonly rule: FoldRule,
    private readonly logger: Logger,
    private readonly timers: Timers = realTimers,
  ) {}

  /** True when the message is this rule's to fold. */
  matches(message: string): boolean {
    return this.rule.pattern.test(message);
  }

  /** Counts one matching error; `logFirst` prints it when show_first asks for that. */
  add(logFirst: () => void): void {
    this.count++;
    if (this.count > 1) return;
    if (this.rule.showFirst) logFirst();
    this.timer = this.timers.setTimeout(() => this.flush(), this.rule.periodMs);
  }

  /** Ends the period now: logs the summary if there is one to give. */
  flush(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    const count = this.count;
    this.count = 0;
    if (count === 0 || (this.rule.showFirst && count === 1)) return;
    this.logger[this.rule.level](
      { count, pattern: this.rule.source, period: formatDuration(this.rule.periodMs) },
      'errors folded',
    );
  }
}
