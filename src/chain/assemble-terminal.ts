/**
 * The handler at the end of a chain (what answers when no plugin does), and the error reply
 * the server also uses for names that no server block serves.
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
