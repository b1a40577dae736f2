/**
 * What `/ready` says: the names of readiness sources that are not ready. Sources that share a
 * name (the same plugin in several blocks) count as one, not ready while any of them is not.
 */
import type { Readiness } from '../../chain/handler.js';

export class ReadinessReport {
  /** Sources seen ready once; in until-ready mode they are not asked again (CoreDNS). */
  private readonly wereReady = new WeakSet<Readiness>();

  constructor(private readonly continuously: boolean) {}

  /** Sorted, unique names of the sources that are not ready. */
  notReady(sources: readonly Readiness[]): string[] {
    const names = new Set<string>();
    for (const source of sources) {
      if (!this.continuously && this.wereReady.has(source)) continue;
      if (source.ready()) this.wereReady.add(source);
      else names.add(source.name);
    }
    return [...names].sort();
  }
}
