/**
 * A bounds-checked walk over the records of a DNS reply in wire format, without decoding
 * names or data: where each record's TTL and data sit, so that plugins can work on a reply
 * in place (the cache rewrites TTLs, loadbalance permutes addresses).
 */
import { HEADER_SIZE, MAX_LABEL_OCTETS, RRType } from './constants.js';

/** One record of a reply: offsets into the message, never copies. */
export interface ScannedRecord {
  /** 0 answer, 1 authority, 2 additional. */
  readonly section: 0 | 1 | 2;
  readonly nameOffset: number;
  readonly type: number;
  readonly ttlOffset: number;
  readonly ttl: number;
  readonly rdataOffset: number;
  readonly rdlength: number;
}

export interface ScannedReply {
  readonly id: number;
  readonly flags: number;
  readonly rcode: number;
  /** Offset just past the (single) question. */
  readonly questionEnd: number;
  readonly records: readonly ScannedRecord[];
}

/**
 * Scans a reply with exactly one question. Returns null when the message is malformed: a
 * name runs past the end, a label type is reserved, or a record's data overruns the message.
 */
export function scanReply(wire: Buffer): ScannedReply | null {
  if (wire.length < HEADER_SIZE) return null;
  if (wire.readUInt16BE(4) !== 1) return null;
  const questionName = skipName(wire, HEADER_SIZE);
  if (questionName < 0 || questionName + 4 > wire.length) return null;
  const counts = [wire.readUInt16BE(6), wire.readUInt16BE(8), wire.readUInt16BE(10)];
  const records: ScannedRecord[] = [];
  let pos = questionName + 4;
  for (let section = 0; section < 3; section++) {
    for (let i = 0; i < counts[section]; i++) {
      const nameEnd = skipName(wire, pos);
      if (nameEnd < 0 || nameEnd + 10 > wire.length) return null;
      const rdlength = wire.readUInt16BE(nameEnd + 8);
      const rdataOffset = nameEnd + 10;
      if (rdataOffset + rdlength > wire.length) return null;
      records.push({
        section: section as 0 | 1 | 2,
        nameOffset: pos,
        type: wire.readUInt16BE(nameEnd),
        ttlOffset: nameEnd + 4,
        ttl: wire.readUInt32BE(nameEnd + 4),
        rdataOffset,
        rdlength,
      });
      pos = rdataOffset + rdlength;
    }
  }
  const flags = wire.readUInt16BE(2);
  return {
    id: wire.readUInt16BE(0),
    flags,
    rcode: rcodeOf(wire, flags, records),
    questionEnd: questionName + 4,
    records,
  };
}

/** The full rcode: the header's 4 bits plus the OPT record's upper 8 bits (RFC 6891 §6.1.3). */
function rcodeOf(wire: Buffer, flags: number, records: readonly ScannedRecord[]): number {
  let rcode = flags & 0xf;
  for (const rr of records) {
    if (rr.section === 2 && rr.type === RRType.OPT) rcode |= wire[rr.ttlOffset] << 4;
  }
  return rcode;
}

/** Returns the offset after a possibly compressed name, or -1 when it is malformed. */
export function skipName(wire: Buffer, start: number): number {
  let pos = start;
  for (let guard = 0; guard < 128; guard++) {
    if (pos >= wire.length) return -1;
    const len = wire[pos];
    if (len === 0) return pos + 1;
    if (len >= 0xc0) return pos + 2 <= wire.length ? pos + 2 : -1;
    if (len > MAX_LABEL_OCTETS) return -1;
    pos += len + 1;
  }
  return -1;
}

/**
 * Reads a possibly compressed name as lower-case text (labels joined by '.'), following at
 * most 64 pointers, each pointing backwards. Returns null when malformed. Used off the hot path
 * only (grouping records by owner).
 */
export function readName(wire: Buffer, start: number): string | null {
  let pos = start;
  let text = '';
  for (let jumps = 0; jumps < 64;) {
    if (pos >= wire.length) return null;
    const len = wire[pos];
    if (len === 0) return text;
    if (len >= 0xc0) {
      if (pos + 2 > wire.length) return null;
      const target = ((len & 0x3f) << 8) | wire[pos + 1];
      if (target >= pos) return null;
      pos = target;
      jumps++;
      continue;
    }
    if (len > MAX_LABEL_OCTETS || pos + 1 + len > wire.length) return null;
    const label = wire.toString('latin1', pos + 1, pos + 1 + len).toLowerCase();
    text = text === '' ? label : `${text}.${label}`;
    pos += len + 1;
  }
  return null;
}
