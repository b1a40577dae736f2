/**
 * A query autopath sends down its own chain for another name: the client's query with only the
 * question name changed, so the plugins after autopath answer it exactly as if the client had
 * asked it (same client address, transport, RD and DO bits).
 */
import { DnsRequest } from '../../chain/request.js';
import { HEADER_SIZE } from '../../wire/constants.js';
import { encodeName } from '../../wire/name-encode.js';
import { parseQuery } from '../../wire/query.js';

/** The UDP size the internal query advertises, so no plugin truncates the answer it builds. */
const INTERNAL_UDP_SIZE = 65535;
const OPT_DO = 0x8000;

/**
 * The request for `name` (query-name text: lower case, `\DDD` escapes), derived from
 * `original`; null when the name cannot be a query (over 255 octets, bad label).
 */
export function internalRequest(original: DnsRequest, name: string): DnsRequest | null {
  const encodedName = encodeName(name);
  if (encodedName === null) return null;
  const question = Buffer.alloc(encodedName.length + 4);
  encodedName.copy(question);
  question.writeUInt16BE(original.query.type, encodedName.length);
  question.writeUInt16BE(original.query.class, encodedName.length + 2);
  const header = Buffer.alloc(HEADER_SIZE);
  original.wire.copy(header, 0, 0, 4);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(1, 10);
  const wire = Buffer.concat([header, question, optRecord(original.query.edns?.dnssecOk ?? false)]);
  const parsed = parseQuery(wire);
  if (!parsed.ok) return null;
  const request = new DnsRequest(
    parsed.query,
    wire,
    original.transport,
    original.clientAddress,
    original.clientPort,
    original.startedAt,
  );
  request.zone = original.zone;
  return request;
}

/** An OPT pseudo-record (RFC 6891 §6.1.2): root owner, our UDP size, version 0, no options. */
function optRecord(dnssecOk: boolean): Buffer {
  const opt = Buffer.alloc(11);
  opt.writeUInt16BE(41, 1);
  opt.writeUInt16BE(INTERNAL_UDP_SIZE, 3);
  opt.writeUInt32BE(dnssecOk ? OPT_DO : 0, 5);
  return opt;
}
