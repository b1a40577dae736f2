/**
 * Picks the server block of a listener that serves a query: the block whose zone is the
 * longest suffix of the query name, the root zone '' matching every name (CoreDNS semantics).
 */
import { errorReply } from '../chain/assemble-terminal.js';
import type { Route } from '../chain/assemble.js';
import type { Handler, Reply } from '../chain/handler.js';
import type { DroppedQueryHook } from '../chain/plugin.js';
import type { DnsRequest } from '../chain/request.js';
import { Rcode } from '../wire/constants.js';

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
    /** Told of every query that reaches no chain (metrics of the `dropped` zone). */
    private readonly dropped: DroppedQueryHook | null = null,
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
    // REFUSED, as CoreDNS answers a name that no server block serves.
    const reply = errorReply(request, Rcode.REFUSED);
    this.dropped?.(request, reply);
    return reply;
  }

  /** Reports a query the server answered (or dropped) before any routing, e.g. malformed. */
  reportDropped(request: DnsRequest, reply: Reply): void {
    this.dropped?.(request, reply);
  }

  /** True when some plugin wants to hear of queries that reach no chain. */
  get watchesDropped(): boolean {
    return this.dropped !== null;
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
