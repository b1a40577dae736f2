/**
 * Response classes of the `log` plugin's `class` option, as CoreDNS classifies replies:
 * success (an answer), denial (NXDOMAIN, or NOERROR without answer records: NODATA), and
 * error (SERVFAIL, REFUSED, NOTIMP, FORMERR and every other rcode).
 */
import { Rcode } from '../../wire/constants.js';

export type ResponseClass = 'success' | 'denial' | 'error';

export const RESPONSE_CLASSES: readonly ResponseClass[] = ['success', 'denial', 'error'];

export function classifyReply(reply: Buffer): ResponseClass {
  const rcode = reply[3] & 0x0f;
  if (rcode === Rcode.NXDOMAIN) return 'denial';
  if (rcode !== Rcode.NOERROR) return 'error';
  return reply.readUInt16BE(6) > 0 ? 'success' : 'denial';
}
