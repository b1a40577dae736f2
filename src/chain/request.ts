/**
 * One query on its way through a server block's plugin chain: the parsed question, the raw
 * bytes, where it came from and how large an answer may be.
 */
import { CLASSIC_UDP_SIZE } from '../wire/constants.js';
import type { Query } from '../wire/query.js';

export type Transport = 'udp' | 'tcp';

export class DnsRequest {
  /** Largest answer the client accepts: 65535 over TCP, else the EDNS size or 512. */
  readonly maxSize: number;
  /** Name of the plugin that wrote the answer; set by the plugin, read by metrics. */
  answeredBy = '';
  /** Zone of the server block that took the query ('' for the root zone), set by the router. */
  zone = '';

  constructor(
    readonly query: Query,
    readonly wire: Buffer,
    readonly transport: Transport,
    readonly clientAddress: string,
    readonly clientPort: number,
    /** `process.hrtime.bigint()` when the query arrived, for the duration metric. */
    readonly startedAt: bigint,
    /**
     * True for the server's own start-up rehearsal of its answer path (server/rehearsal.ts):
     * plugins with effects outside the reply (metrics, query logs, the cache, upstreams)
     * let such a query pass without a trace.
     */
    readonly rehearsal = false,
  ) {
    this.maxSize =
      transport === 'tcp' ? 65535 : Math.min(query.edns ? query.edns.udpSize : CLASSIC_UDP_SIZE, 65535);
  }

  /** 1 for IPv4 clients and 2 for IPv6, as CoreDNS's `family` metric label. */
  get family(): 1 | 2 {
    return this.clientAddress.includes(':') && !this.clientAddress.startsWith('::ffff:') ? 2 : 1;
  }
}
