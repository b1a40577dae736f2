/**
 * Encodes an answer of class CH: TXT records owned by the question name. The shared message
 * writer writes class IN only, and CHAOS answers are this plugin's alone, so they are written
 * here: header, the question copied, one TXT record per string group, and the OPT record
 * when the query had one.
 */
import type { DnsRequest } from '../../chain/request.js';
import { Flag, HEADER_SIZE, RRClass, RRType, SERVER_UDP_SIZE } from '../../wire/constants.js';

/** A pointer to the question name, which starts right after the header. */
const QUESTION_POINTER = 0xc000 | HEADER_SIZE;

/**
 * The answer to `request` with one TXT record (TTL 0: identity may change at any restart) per
 * entry of `texts`. When it would exceed the client's size, the answer is left out and TC set.
 */
export function chaosTxtReply(request: DnsRequest, texts: readonly string[]): Buffer {
  const query = request.query;
  const records = texts.map(txtRecord);
  const optSize = query.edns ? 11 : 0;
  const size = query.questionEnd + records.reduce((n, r) => n + r.length, 0) + optSize;
  const truncated = size > request.maxSize;
  const answer = truncated ? [] : records;
  const header = Buffer.alloc(HEADER_SIZE);
  const flags = Flag.QR | Flag.AA | (query.flags & (Flag.RD | Flag.CD)) | (truncated ? Flag.TC : 0);
  header.writeUInt16BE(query.id, 0);
  header.writeUInt16BE(flags, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answer.length, 6);
  header.writeUInt16BE(query.edns ? 1 : 0, 10);
  const question = request.wire.subarray(HEADER_SIZE, query.questionEnd);
  const parts = [header, question, ...answer];
  if (query.edns) parts.push(optRecord(query.edns.dnssecOk));
  return Buffer.concat(parts);
}

function txtRecord(text: string): Buffer {
  const data = Buffer.from(text, 'utf8');
  const rr = Buffer.alloc(12 + 1 + data.length);
  rr.writeUInt16BE(QUESTION_POINTER, 0);
  rr.writeUInt16BE(RRType.TXT, 2);
  rr.writeUInt16BE(RRClass.CH, 4);
  rr.writeUInt32BE(0, 6);
  rr.writeUInt16BE(1 + data.length, 10);
  rr[12] = data.length;
  data.copy(rr, 13);
  return rr;
}

/** OPT with our UDP size, version 0, no extended rcode, DO echoed (RFC 6891, RFC 3225). */
function optRecord(dnssecOk: boolean): Buffer {
  const opt = Buffer.alloc(11);
  opt.writeUInt16BE(RRType.OPT, 1);
  opt.writeUInt16BE(SERVER_UDP_SIZE, 3);
  opt.writeUInt16BE(dnssecOk ? 0x8000 : 0, 7);
  return opt;
}
