/**
 * Checks that a reply belongs to the query we sent: QR set, one question, and the question
 * bytes equal to ours ignoring ASCII case; or, for an error rcode only, no question at all.
 * Together with the random ID this is what stops a spoofed or stale datagram from being taken
 * as the answer (RFC 5452 §4.1, §9.1).
 */
import { Flag, HEADER_SIZE } from '../../wire/constants.js';

export function replyMatches(reply: Buffer, sent: Buffer, questionEnd: number): boolean {
  if (reply.length < HEADER_SIZE) return false;
  const flags = reply.readUInt16BE(2);
  if ((flags & Flag.QR) === 0) return false;
  const qdcount = reply.readUInt16BE(4);
  // Some servers answer FORMERR, NOTIMP or REFUSED without echoing the question.
  if (qdcount === 0) return (flags & 0xf) !== 0;
  if (qdcount !== 1 || reply.length < questionEnd) return false;
  for (let i = HEADER_SIZE; i < questionEnd; i++) {
    let a = reply[i];
    let b = sent[i];
    if (a === b) continue;
    if (a >= 0x41 && a <= 0x5a) a += 0x20;
    if (b >= 0x41 && b <= 0x5a) b += 0x20;
    if (a !== b) return false;
  }
  return true;
}
