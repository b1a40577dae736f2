/**
 * ExternalName targets outside the plugin's zones: the CNAME answer is completed with the
 * target's records, resolved through the server's own routing (`PluginContext.resolve`), so a
 * target in a stub domain is answered by that block's `forward` and any other name by the
 * block that serves it (usually the root block's `forward`). Issue 5: "An ExternalName Service
 * whose target lies in a stub domain resolves through that stub, in one answer."
 *
 * Choices:
 * - AA is set only when the whole answer is ours: the CNAME alone (a chase that brought
 *   nothing). Once the outcome comes from elsewhere (the target's records, or its negative
 *   answer with its zone's SOA), AA is clear.
 *   RFC 1035 §4.1.1 ties AA to the query name only, but caches and clients read it for the
 *   whole answer, and the target's data is not ours to vouch for.
 * - The rcode is the target's for NOERROR and NXDOMAIN (RFC 6604 §2.1: the rcode describes the
 *   last name of the chain), with the target zone's SOA in authority for a negative answer.
 *   Any other outcome (SERVFAIL, REFUSED, no reply, nesting too deep) answers the CNAME alone,
 *   as before this chase existed: the client can still follow it itself.
 * - A chase that comes back with a name already in our answer is a CNAME loop (ExternalNames
 *   pointing at each other across blocks): the CNAME alone answers. Nesting also ends in the
 *   internal resolver after a few levels, whatever the names.
 * - Such answers hold data with upstream TTLs, so the handler never keeps them in its
 *   fast-path answer cache (whose entries live until the cluster data changes).
 */
import type { InternalResolve } from '../../chain/plugin.js';
import type { DnsRequest } from '../../chain/request.js';
import { answerRecords } from '../../wire/answer-records.js';
import { Rcode, RRType } from '../../wire/constants.js';
import type { Answer } from '../../wire/record.js';
import { matchZone } from './zone-names.js';

/**
 * The name to chase: the target of the CNAME that ends a NOERROR answer when it lies outside
 * `zones` and the question is for data (not CNAME or ANY, whose answer is the CNAME itself).
 * Null when there is nothing to chase.
 */
export function externalTarget(
  answer: Answer,
  type: number,
  zones: readonly string[],
): string | null {
  if (type === RRType.CNAME || type === RRType.ANY || answer.rcode !== Rcode.NOERROR) return null;
  const last = answer.answer[answer.answer.length - 1];
  if (last === undefined || last.type !== RRType.CNAME) return null;
  return matchZone(last.target, zones) === undefined ? last.target : null;
}

/** `answer` completed with `target`'s records for the question's type (see the file comment). */
export async function chaseTarget(
  answer: Answer,
  target: string,
  request: DnsRequest,
  resolve: InternalResolve,
): Promise<Answer> {
  const reply = await resolve(target, request.query.type, request);
  const chased = reply === null ? null : answerRecords(reply);
  if (chased === null) return answer;
  if (chased.rcode !== Rcode.NOERROR && chased.rcode !== Rcode.NXDOMAIN) return answer;
  const owners = new Set(answer.answer.map((r) => r.name));
  if (chased.records.some((r) => owners.has(r.name))) return answer;
  const negative = chased.records.length === 0;
  if (negative && chased.rcode === Rcode.NOERROR && chased.soa.length === 0) return answer;
  return {
    rcode: chased.rcode,
    authoritative: false,
    answer: [...answer.answer, ...chased.records],
    authority: negative ? chased.soa : [],
    additional: answer.additional,
  };
}
