/**
 * Answers one DNS message for a listener: parse, route to a server block, run its chain, and
 * hold the one failure boundary of the query.
 *
 * `answer` never throws and its promise never rejects: a throw or rejection in any plugin
 * becomes SERVFAIL, counted in `coredns_panics_total` and logged once (repeats folded). The
 * synchronous path allocates only the request and the reply, and awaits nothing; only a
 * chain that returns a Promise is awaited.
 */
import { errorReply } from '../chain/assemble-terminal.js';
import type { Reply } from '../chain/handler.js';
import { DnsRequest, type Transport } from '../chain/request.js';
import { Flag, HEADER_SIZE, Rcode } from '../wire/constants.js';
import { encodeError } from '../wire/message-writer.js';
import { parseQuery, type QueryError } from '../wire/query.js';
import type { FailureLog } from './failure-log.js';
import type { ServerMetrics } from './server-metrics.js';
import type { InFlight, ZoneRouter } from './zone-router.js';

export class QueryDispatcher {
  /**
   * Set by the listener while it rehearses the answer path: requests are marked `rehearsal`,
   * and the listener sends none of the replies.
   */
  rehearsing = false;

  constructor(
    /** Swapped whole by a reload; a query keeps the router it started with. */
    public router: ZoneRouter,
    private readonly metrics: ServerMetrics,
    private readonly failures: FailureLog,
  ) {}

  /** The reply to send (null: send nothing), or a promise of it for asynchronous chains. */
  answer(
    wire: Buffer,
    transport: Transport,
    address: string,
    port: number,
  ): Reply | Promise<Reply> {
    const parsed = parseQuery(wire);
    if (!parsed.ok) {
      const reply = this.malformed(wire, parsed.error);
      if (reply !== null && this.router.watchesDropped) {
        this.router.reportDropped(malformedRequest(wire, transport, address, port), reply);
      }
      return reply;
    }
    const request = new DnsRequest(
      parsed.query,
      wire,
      transport,
      unmapIPv4(address),
      port,
      process.hrtime.bigint(),
      this.rehearsing,
    );
    const router = this.router;
    let result: Reply | Promise<Reply>;
    try {
      result = router.serve(request);
    } catch (err) {
      return this.fail(err, request);
    }
    if (result instanceof Promise) return this.settle(result, request, router.inFlight);
    return fitReply(result, request);
  }

  private async settle(
    pending: Promise<Reply>,
    request: DnsRequest,
    inFlight: InFlight,
  ): Promise<Reply> {
    inFlight.count++;
    try {
      return fitReply(await pending, request);
    } catch (err) {
      return this.fail(err, request);
    } finally {
      inFlight.count--;
    }
  }

  private fail(err: unknown, request: DnsRequest): Reply {
    this.metrics.panics.inc();
    this.failures.record(err, request.query.name, request.query.type);
    return errorReply(request, Rcode.SERVFAIL);
  }

  /** FORMERR/NOTIMP/BADVERS where a header can be trusted; nothing for the rest. */
  private malformed(wire: Buffer, error: QueryError): Reply {
    if (error.drop) {
      this.metrics.countMalformed(wire.length < HEADER_SIZE ? 'short' : 'response');
      return null;
    }
    if (error.rcode === Rcode.NOTIMP) this.metrics.countMalformed('opcode');
    else if (error.rcode === Rcode.BADVERS) this.metrics.countMalformed('edns_version');
    else this.metrics.countMalformed('formerr');
    const questionEnd = error.rcode === Rcode.FORMERR ? HEADER_SIZE : questionEndOf(wire);
    return encodeError(wire, questionEnd, error.rcode, error.edns);
  }
}

/**
 * The safety net for size: a reply larger than the client accepts (its UDP size, or the 65535
 * octets a TCP frame can carry) is replaced by its header and question with TC set, so a UDP
 * client retries over TCP (RFC 1035 §4.2.1, RFC 7766 §5). Plugins are expected to fit their
 * answers already (`request.maxSize`).
 */
export function fitReply(reply: Reply, request: DnsRequest): Reply {
  if (reply === null || reply.length <= request.maxSize) return reply;
  const query = request.query;
  const flags = reply.length >= HEADER_SIZE ? reply.readUInt16BE(2) : Flag.QR;
  const header = encodeError(request.wire, query.questionEnd, flags & 0xf, query.edns);
  header.writeUInt16BE(flags | Flag.TC, 2);
  return header;
}

/**
 * A stand-in request for an answered malformed packet, so metrics can count it: no question
 * (name '', type 0, which metrics label "other"), the header's ID and flags.
 */
function malformedRequest(
  wire: Buffer,
  transport: Transport,
  address: string,
  port: number,
): DnsRequest {
  const query = {
    id: wire.readUInt16BE(0),
    flags: wire.readUInt16BE(2),
    name: '',
    type: 0,
    class: 0,
    questionEnd: HEADER_SIZE,
    labelCount: 0,
    edns: null,
  };
  return new DnsRequest(query, wire, transport, unmapIPv4(address), port, process.hrtime.bigint());
}

/**
 * A dual-stack socket reports IPv4 clients as `::ffff:a.b.c.d`; plugins match clients against
 * pod IPs and networks, so they get the plain IPv4 form.
 */
function unmapIPv4(address: string): string {
  if (address.charCodeAt(0) !== 58 || !address.startsWith('::ffff:') || !address.includes('.')) {
    return address;
  }
  return address.slice(7);
}

/**
 * End of the single question of a message whose header is sound, or the header size when the
 * question cannot be read (then the error answer carries no question).
 */
function questionEndOf(wire: Buffer): number {
  if (wire.readUInt16BE(4) !== 1) return HEADER_SIZE;
  let pos = HEADER_SIZE;
  while (pos < wire.length) {
    const len = wire[pos];
    if (len === 0) return pos + 5 <= wire.length ? pos + 5 : HEADER_SIZE;
    if (len > 63) return HEADER_SIZE;
    pos += len + 1;
  }
  return HEADER_SIZE;
}
