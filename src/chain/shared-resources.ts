/**
 * Process-wide resources shared by plugins across server blocks and across reloads, counted
 * by reference.
 *
 * Each configuration generation takes a `SharedScope`: what it acquires stays alive while any
 * generation still holds it, so a reload that builds the same Kubernetes watch (same key)
 * reuses the running one instead of opening a second. A resource is closed when the last
 * scope holding it is released.
 */
import type { Closable } from './handler.js';
import type { SharedResources } from './plugin.js';

interface Entry {
  readonly value: Closable;
  holders: number;
}

export class SharedResourcePool {
  private readonly entries = new Map<string, Entry>();

  /** A view for one configuration generation; release it when that generation is retired. */
  scope(): SharedScope {
    return new SharedScope(this);
  }

  /** Number of live resources, for tests and diagnostics. */
  get size(): number {
    return this.entries.size;
  }

  /** @internal Used by SharedScope. */
  hold<T extends Closable>(key: string, create: () => T): T {
    const existing = this.entries.get(key);
    if (existing) {
      existing.holders++;
      return existing.value as T;
    }
    const value = create();
    this.entries.set(key, { value, holders: 1 });
    return value;
  }

  /** @internal The live value for a key, without taking a hold. */
  peek<T extends Closable>(key: string): T | undefined {
    return this.entries.get(key)?.value as T | undefined;
  }

  /** @internal Used by SharedScope; closes the resource when nobody holds it any more. */
  async drop(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.holders--;
    if (entry.holders > 0) return;
    this.entries.delete(key);
    await entry.value.close();
  }
}

/** The SharedResources of one generation: remembers its keys so it can let go of them. */
export class SharedScope implements SharedResources {
  private readonly keys = new Set<string>();
  private released = false;

  constructor(private readonly pool: SharedResourcePool) {}

  acquire<T extends Closable>(key: string, create: () => T): T {
    if (this.released) throw new Error(`shared resource ${key} acquired after release`);
    // A second acquire of the same key in one generation counts once.
    const held = this.keys.has(key) ? this.pool.peek<T>(key) : undefined;
    if (held) return held;
    this.keys.add(key);
    return this.pool.hold(key, create);
  }

  /** Lets go of every resource this generation acquired; errors of closing are collected. */
  async release(): Promise<unknown[]> {
    if (this.released) return [];
    this.released = true;
    const errors: unknown[] = [];
    for (const key of this.keys) {
      try {
        await this.pool.drop(key);
      } catch (err) {
        errors.push(err);
      }
    }
    return errors;
  }
}
