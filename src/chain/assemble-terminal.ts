/**
 * The handlers at the ends of a chain: what answers when no plugin does, and when no server
 * block serves the name.
 */
import { encodeError } from '../wire/message-writer.js';
import { Rcode } from '../wire/constants.js';
import type { Handler, Reply } from './handler.js';
import type { DnsRequest } from './request.js';

/** An error answer echoing the question and the client's OPT record. */
export function errorReply(request: DnsRequest, rcode: number): Reply {
  const query = request.query;
  return encodeError(request.wire, query.questionEnd, rcode, query.edns);
}

/**
 * The last link of every chain: a query that every plugin passed on gets SERVFAIL, as CoreDNS
 * answers when a plugin calls a next plugin that does not exist.
 */
export const chainEnd: Handler = {
  name: 'chain-end',
  serve(request: DnsRequest): Reply {
    return errorReply(request, Rcode.SERVFAIL);
  },
};

/** Answers names that no server block of the listener serves: REFUSED, as CoreDNS does. */
export const notServed: Handler = {
  name: 'no-zone',
  serve(request: DnsRequest): Reply {
    return errorReply(request, Rcode.REFUSED);
  },
};
