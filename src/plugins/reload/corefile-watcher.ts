/**
 * Watches the configuration files for the reload plugin: every INTERVAL ± JITTER it hashes
 * them and asks for a reload when the digest differs from the one it last saw. A digest that
 * was already tried is not tried again, so an invalid Corefile is rejected (and counted) once.
 */
import type { Logger } from 'pino';
import type { Closable } from '../../chain/handler.js';
import type { Lifecycle } from '../../chain/plugin.js';
import type { ReloadConfig } from './reload-config.js';

export class CorefileWatcher implements Closable {
  private lifecycle: Lifecycle | null = null;
  private baseline = '';
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly config: ReloadConfig,
    private readonly logger: Logger,
    private readonly random: () => number = Math.random,
  ) {}

  /** Follows a newly built configuration: its files, and its digest as the new baseline. */
  follow(lifecycle: Lifecycle): void {
    this.lifecycle = lifecycle;
    this.baseline = lifecycle.configDigest;
    if (this.timer === null && !this.closed) this.schedule();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    const jitter = (this.random() * 2 - 1) * this.config.jitterMs;
    this.timer = setTimeout(() => this.check(), Math.max(1, this.config.intervalMs + jitter));
    this.timer.unref();
  }

  private check(): void {
    this.timer = null;
    if (this.closed) return;
    this.schedule();
    const lifecycle = this.lifecycle;
    if (!lifecycle || lifecycle.configFiles.length === 0) return;
    let digest: string;
    try {
      digest = lifecycle.readConfigDigest();
    } catch (err) {
      // A ConfigMap update swaps symlinks; a file briefly missing is seen on the next check.
      this.logger.debug({ err: (err as Error).message }, 'corefile unreadable');
      return;
    }
    if (digest === this.baseline) return;
    this.baseline = digest;
    lifecycle.requestReload('corefile changed');
  }
}
