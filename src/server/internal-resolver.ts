/**
 * Runs a query for another name through the server's own routing, from inside a plugin: the
 * mechanism for an ExternalName whose target lies in a stub domain (issue 5), where the
 * kubernetes plugin must ask the block that serves the target (its `forward` to the stub's
 * server) and put the result in its own answer. Plugins reach it as `PluginContext.resolve`.
 *
 * The chain assembly creates one resolver per chain; the server binds it to the router of the
 * chain's listener once that generation's routers exist, so a name is answered by the block
 * that would answer it from a client on the same listener (CoreDNS's `upstream` does the
 * same through its own server). Internal queries carry the asker's client address, transport
 * (so `forward` picks the protocol it would for the client) and DO and CD bits, advertise an
 * EDNS size of 65535 so no plugin truncates them (the asking plugin fits the final answer to
 * its client), and nest at most MAX_INTERNAL_DEPTH deep, so CNAME loops across blocks end.
 */
import { randomInt } from 'node:crypto';
import type { Handler, Reply } from '../chain/handler.js';
import { DnsRequest } from '../chain/request.js';
import { Flag, HEADER_SIZE, RRClass } from '../wire/constants.js';
import { encodeName } from '../wire/name-encode.js';
import { parseQuery } from '../wire/query.js';

export const MAX_INTERNAL_DEPTH = 4;
const OPT_DO = 0x8000;

/**
 * How deep each internal request is. One map for the process, not one per resolver: a query
 * nests through the resolvers of several chains (a loop across blocks), and each must see the
 * depth the others counted.
 */
const depths = new WeakMap<DnsRequest, number>();

export class InternalResolver {
  private router: Handler | null = null;

  /** Sets the handler that routes by zone (the listener's router). */
  bind(router: Handler): void {
    this.router = router;
  }

  /**
   * Resolves `name` (query-name text) and `type` as if asked by `origin`'s client. Returns the
   * reply's wire, or null when unbound, too deep, the name is not encodable, or the chain
   * failed or dropped the query.
   */
  async resolve(name: string, type: number, origin: DnsRequest): Promise<Reply> {
    const depth = (depths.get(origin) ?? 0) + 1;
    if (this.router === null || depth > MAX_INTERNAL_DEPTH) return null;
    const wire = buildQuery(name, type, origin);
    if (wire === null) return null;
    const parsed = parseQuery(wire);
    if (!parsed.ok) return null;
    const request = new DnsRequest(
      parsed.query,
      wire,
      origin.transport,
      origin.clientAddress,
      origin.clientPort,
      process.hrtime.bigint(),
    );
    depths.set(request, depth);
    try {
      return await this.router.serve(request);
    } catch {
      return null;
    }
  }
}

function buildQuery(name: string, type: number, origin: DnsRequest): Buffer | null {
  const encoded = encodeName(name);
  if (encoded === null) return null;
  const wire = Buffer.alloc(HEADER_SIZE + encoded.length + 4 + 11);
  wire.writeUInt16BE(randomInt(65536), 0);
  wire.writeUInt16BE(Flag.RD | (origin.query.flags & Flag.CD), 2);
  wire.writeUInt16BE(1, 4);
  wire.writeUInt16BE(1, 10);
  encoded.copy(wire, HEADER_SIZE);
  let pos = HEADER_SIZE + encoded.length;
  wire.writeUInt16BE(type, pos);
  wire.writeUInt16BE(RRClass.IN, pos + 2);
  pos += 4;
  // OPT (RFC 6891 §6.1.2): root owner, 65535 bytes, version 0, DO as the asker set it.
  wire.writeUInt16BE(41, pos + 1);
  wire.writeUInt16BE(65535, pos + 3);
  wire.writeUInt32BE(origin.query.edns?.dnssecOk ? OPT_DO : 0, pos + 5);
  return wire;
}
