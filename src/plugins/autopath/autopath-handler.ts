/**
 * The autopath handler: server-side search-path completion. When a query's name lies under the
 * first domain of the client's search path, it is the client's first try of a short name; the
 * handler then tries the rest of that path itself and answers with the first name that exists,
 * saving the client's further round trips (CoreDNS plugin/autopath). When none exists the
 * client gets the answer to its own question (NXDOMAIN) and walks on by itself.
 *
 * The other names are asked by sending internal requests (internal-request.ts) down the same
 * `next` handler, so every plugin after autopath (kubernetes, forward, ...) answers them as it
 * would answer the client.
 */
import type { Counter } from 'prom-client';
import type { Handler, Reply } from '../../chain/handler.js';
import type { DnsRequest } from '../../chain/request.js';
import { HEADER_SIZE, Rcode } from '../../wire/constants.js';
import { inZone } from '../kubernetes/zone-names.js';
import { cnameReply } from './cname-reply.js';
import { internalRequest } from './internal-request.js';

export interface AutopathHandlerOptions {
  readonly zones: readonly string[];
  /** The client's search path ending with '' (the bare name), or null when unknown. */
  readonly searchPath: (request: DnsRequest) => readonly string[] | null;
  readonly success: Counter<'server'>;
  readonly server: string;
}

/**
 * Rcodes that mean "not found here, try the next name": NXDOMAIN, and the failures that a
 * CoreDNS plugin returns without writing (SERVFAIL, REFUSED, FORMERR, NOTIMP).
 */
const TRY_NEXT: ReadonlySet<number> = new Set([
  Rcode.NXDOMAIN,
  Rcode.SERVFAIL,
  Rcode.REFUSED,
  Rcode.FORMERR,
  Rcode.NOTIMP,
]);

export class AutopathHandler implements Handler {
  readonly name = 'autopath';

  constructor(
    private readonly next: Handler,
    private readonly options: AutopathHandlerOptions,
  ) {}

  async serve(request: DnsRequest): Promise<Reply> {
    const name = request.query.name;
    if (request.rehearsal) return this.next.serve(request);
    if (!this.options.zones.some((zone) => inZone(name, zone))) return this.next.serve(request);
    // The client's own question goes first, and its search path is looked up only after:
    // right after startup the kubernetes plugin holds queries until the pods are loaded, so
    // the client pod can be found once this first answer is in.
    const firstReply = await this.next.serve(request);
    const search = this.options.searchPath(request);
    if (!search || search.length < 2) return firstReply;
    const first = search[0];
    // Only the first try of the client's walk: `<base>.<first search domain>`.
    if (first === '' || name === first || !inZone(name, first)) return firstReply;
    if (!tryNext(firstReply)) return this.succeeded(firstReply);

    const base = name.slice(0, name.length - first.length - 1);
    for (const domain of search.slice(1)) {
      const candidate = domain === '' ? base : `${base}.${domain}`;
      const internal = internalRequest(request, candidate);
      if (internal === null) continue;
      const reply = await this.next.serve(internal);
      if (tryNext(reply)) continue;
      // Records we cannot re-encode: leave the walk to the client, as if nothing was found.
      const rewritten = cnameReply(request, reply as Buffer, candidate);
      if (rewritten === null) break;
      request.answeredBy = this.name;
      return this.succeeded(rewritten);
    }
    return firstReply;
  }

  private succeeded(reply: Reply): Reply {
    this.options.success.inc({ server: this.options.server });
    return reply;
  }
}

function tryNext(reply: Reply): boolean {
  if (reply === null || reply.length < HEADER_SIZE) return true;
  return TRY_NEXT.has(reply.readUInt16BE(2) & 0xf);
}
