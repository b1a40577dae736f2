/**
 * The fast path: encoded answers kept by (name, type, EDNS present, DO bit), replayed for the
 * next asker with its ID, RD/CD bits and question bytes patched in.
 *
 * Replaying is exact because an answer's bytes depend on the query only through those parts:
 * the question is copied verbatim (same lower-cased name, so same length; the asker's letter
 * case comes along, and owner names compressed to it follow), the flags take RD and CD from
 * the query, and the OPT record depends only on the DO bit. Only complete answers are kept
 * (no TC, every additional record present), and one is replayed only when it fits the
 * asker's size limit, so the general path would have written the same bytes.
 */
import type { DnsRequest } from '../../chain/request.js';
import { HEADER_SIZE } from '../../wire/constants.js';
import type { Query } from '../../wire/query.js';

/** Bits of header byte 2 and byte 3 that come from the query: RD (0x01) and CD (0x10). */
const RD_BIT = 0x01;
const CD_BIT = 0x10;

export class AnswerCache {
  private readonly entries = new Map<string, Buffer>();
  private generation = -1;

  constructor(private readonly maxEntries = 10_000) {}

  get size(): number {
    return this.entries.size;
  }

  /** Drops every entry when the data generation moved on since the last call. */
  sync(generation: number): void {
    if (generation === this.generation) return;
    this.entries.clear();
    this.generation = generation;
  }

  /** A reply for the request from a kept answer, or null. Allocates only the reply. */
  reply(request: DnsRequest, key: string): Buffer | null {
    const kept = this.entries.get(key);
    if (kept === undefined || kept.length > request.maxSize) return null;
    const wire = request.wire;
    const out = Buffer.allocUnsafe(kept.length);
    // TypedArray set and a byte loop rather than Buffer#copy: for answers of a hundred octets
    // copy's argument checks and the view it makes cost more than the copying (profile in
    // docs/performance.md).
    out.set(kept);
    out[0] = wire[0];
    out[1] = wire[1];
    out[2] = (kept[2] & ~RD_BIT) | (wire[2] & RD_BIT);
    out[3] = (kept[3] & ~CD_BIT) | (wire[3] & CD_BIT);
    const questionEnd = request.query.questionEnd;
    for (let i = HEADER_SIZE; i < questionEnd; i++) out[i] = wire[i];
    return out;
  }

  /**
   * Keeps an encoded answer when it is complete: not truncated, and with all `additional`
   * records written (the writer drops additional records that do not fit without TC).
   */
  keep(key: string, query: Query, wire: Buffer, truncated: boolean, additional: number): void {
    if (truncated) return;
    const arcount = wire.readUInt16BE(10);
    if (arcount !== additional + (query.edns ? 1 : 0)) return;
    // Bounded by clearing: the hot set refills at once, and a flood of random names cannot
    // make the cache grow.
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, Buffer.from(wire));
  }
}

/** The cache key of a query: type, EDNS state and the lower-cased name. */
export function answerKey(query: Query): string {
  const edns = query.edns === null ? 0 : query.edns.dnssecOk ? 2 : 1;
  return `${query.type}/${edns}/${query.name}`;
}
