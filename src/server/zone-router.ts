/**
 * Picks the server block of a listener that serves a query: the block whose zone is the
 * longest suffix of the query name, the root zone '' matching every name (CoreDNS semantics).
 */
import { notServed } from '../chain/assemble-terminal.js';
import type { Route } from '../chain/assemble.js';
import type { Handler, Reply } from '../chain/handler.js';
import type { DnsRequest } from '../chain/request.js';

/** Asynchronous queries still running on one configuration generation. */
export class InFlight {
  count = 0;
}

export class ZoneRouter implements Handler {
  readonly name = 'router';
  private readonly zones: string[];
  private readonly handlers: Handler[];

  constructor(
    routes: readonly Route[],
    /** Shared by every router of one configuration generation. */
    readonly inFlight: InFlight,
  ) {
    const sorted = [...routes].sort((a, b) => b.zone.length - a.zone.length);
    this.zones = sorted.map((r) => r.zone);
    this.handlers = sorted.map((r) => r.handler);
  }

  /** Sets `request.zone` and calls the block's chain; REFUSED when no block serves the name. */
  serve(request: DnsRequest): Reply | Promise<Reply> {
    const name = request.query.name;
    const zones = this.zones;
    for (let i = 0; i < zones.length; i++) {
      if (inZone(name, zones[i])) {
        request.zone = zones[i];
        return this.handlers[i].serve(request);
      }
    }
    return notServed.serve(request);
  }
}

/** True when `name` is `zone` or below it; escaped names never hold a bare '.' in a label. */
function inZone(name: string, zone: string): boolean {
  if (zone === '') return true;
  if (name.length === zone.length) return name === zone;
  return (
    name.length > zone.length &&
    name.charCodeAt(name.length - zone.length - 1) === 46 &&
    name.endsWith(zone)
  );
}
