/**
 * One configuration generation: the chains built from one reading of the configuration and
 * everything they hold (closables, readiness sources, shared resources). A reload builds a new
 * generation completely before it replaces the running one; the old one is retired once its
 * in-flight queries have finished.
 */
import type { ListenerPlan } from '../chain/assemble.js';
import type { Closable, Readiness } from '../chain/handler.js';
import type { Lifecycle } from '../chain/plugin.js';
import type { SharedScope } from '../chain/shared-resources.js';
import type { ServerBlock } from '../config/directive.js';
import { digestFiles } from './config-source.js';
import { InFlight } from './zone-router.js';

/** What a configuration loader returns: the blocks and where they came from. */
export interface LoadedConfig {
  readonly blocks: readonly ServerBlock[];
  /** The Corefile and its imports; empty when the configuration came from flags. */
  readonly files: readonly string[];
  /** SHA-512 (hex) of those files as read; '' for flags. */
  readonly digest: string;
}

/** Process-wide state the lifecycle views read. */
export interface ProcessState {
  readonly draining: boolean;
  readiness(): readonly Readiness[];
  requestReload(reason: string): void;
}

export class Generation {
  readonly inFlight = new InFlight();
  readonly closables: Closable[] = [];
  readonly readiness: Readiness[] = [];
  readonly startup: Promise<unknown>[] = [];
  lameduckMs = 0;
  plans: ListenerPlan[] = [];
  private retired = false;

  constructor(
    readonly config: LoadedConfig,
    readonly shared: SharedScope,
  ) {}

  /** The Lifecycle plugins of this generation see. */
  lifecycle(state: ProcessState): Lifecycle {
    const generation = this;
    return {
      get draining() {
        return state.draining;
      },
      readiness: () => state.readiness(),
      setLameduck: (ms) => {
        generation.lameduckMs = Math.max(generation.lameduckMs, ms);
      },
      requestReload: (reason) => state.requestReload(reason),
      configFiles: this.config.files,
      configDigest: this.config.digest,
      readConfigDigest: () => digestFiles(this.config.files),
      addStartup: (task) => {
        // Handled here so a task failing after assembly already threw cannot go unobserved.
        task.catch(() => undefined);
        this.startup.push(task);
      },
    };
  }

  /** Resolves when no asynchronous query runs on this generation, or after `maxWaitMs`. */
  async settled(maxWaitMs: number): Promise<void> {
    const deadline = Date.now() + maxWaitMs;
    while (this.inFlight.count > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Closes what the chains registered and lets go of shared resources; returns close errors. */
  async retire(): Promise<unknown[]> {
    if (this.retired) return [];
    this.retired = true;
    const errors: unknown[] = [];
    for (const resource of this.closables.reverse()) {
      try {
        await resource.close();
      } catch (err) {
        errors.push(err);
      }
    }
    errors.push(...(await this.shared.release()));
    return errors;
  }
}
