/**
 * Turns an upstream's reply into the reply for our client: the client's ID and question bytes
 * (so its letter case is echoed), and, when the reply is larger than the client's UDP limit, a
 * header-only answer with TC set so the client retries over TCP (RFC 1035 §4.2.1, RFC 6891
 * §7). The rest of the upstream's bytes pass through unchanged.
 */
import type { DnsRequest } from '../../chain/request.js';
import { Flag, RRType } from '../../wire/constants.js';
import { appendOpt, encodeError } from '../../wire/message-writer.js';
import { scanReply } from '../../wire/reply-scan.js';

/** Returns a reply for `request`; `reply` may be modified in place. */
export function fitReply(request: DnsRequest, reply: Buffer): Buffer {
  const { query } = request;
  if (reply.readUInt16BE(4) === 0) {
    // An error answer without the question: give the client a whole one with its question.
    const flags = reply.readUInt16BE(2);
    const header = encodeError(request.wire, query.questionEnd, flags & 0xf, query.edns);
    header.writeUInt16BE(header.readUInt16BE(2) | (flags & (Flag.AA | Flag.RA)), 2);
    return header;
  }
  if (request.transport === 'udp' && reply.length > request.maxSize) {
    const flags = reply.readUInt16BE(2);
    const header = encodeError(request.wire, query.questionEnd, flags & 0xf, query.edns);
    header.writeUInt16BE((flags & ~0x000f & 0xffff) | Flag.TC | (flags & 0xf), 2);
    header.writeUInt16BE(query.id, 0);
    return header;
  }
  reply.writeUInt16BE(query.id, 0);
  request.wire.copy(reply, 12, 12, query.questionEnd);
  if (query.edns && !hasOpt(reply)) {
    const withOpt = appendOpt(reply, query.edns.dnssecOk);
    if (request.transport === 'tcp' || withOpt.length <= request.maxSize) return withOpt;
  }
  return reply;
}

/** True when the reply carries an OPT record (or cannot be scanned: then it is left alone). */
function hasOpt(reply: Buffer): boolean {
  if (reply.readUInt16BE(10) === 0) return false;
  const scanned = scanReply(reply);
  return scanned === null || scanned.records.some((r) => r.type === RRType.OPT);
}
