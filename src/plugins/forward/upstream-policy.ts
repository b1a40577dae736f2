/**
 * The order in which upstreams are tried for one query (CoreDNS forward `policy`): `random`
 * shuffles every time, `round_robin` starts one further each query, `sequential` always starts
 * with the first.
 */
import type { Policy } from './forward-config.js';

export class UpstreamPolicy<T> {
  private next = 0;

  constructor(
    private readonly policy: Policy,
    private readonly random: () => number = Math.random,
  ) {}

  order(items: readonly T[]): T[] {
    if (items.length <= 1 || this.policy === 'sequential') return [...items];
    if (this.policy === 'round_robin') {
      const start = this.next++ % items.length;
      return [...items.slice(start), ...items.slice(0, start)];
    }
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}
