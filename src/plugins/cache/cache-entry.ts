/**
 * A stored answer: the reply's bytes plus where its TTL fields are, so that a hit is a copy
 * and a few integer writes, never a decode.
 *
 * Classes follow RFC 2308 and CoreDNS: NOERROR with answers is `success`; NXDOMAIN and NODATA
 * are `denial`, kept for min(SOA TTL, SOA MINIMUM) (RFC 2308 §5); SERVFAIL is kept only for the
 * `servfail` duration; every other rcode (REFUSED, NOTIMP, FORMERR...) is not stored.
 */
import { Flag, HEADER_SIZE, Rcode, RRType } from '../../wire/constants.js';
import type { CacheConfig, CacheSection } from './cache-config.js';
import { scanReply, type ScannedRecord } from '../../wire/reply-scan.js';

export type EntryKind = 'success' | 'denial';

export interface CacheEntry {
  readonly kind: EntryKind;
  readonly servfail: boolean;
  /** The reply as received; never modified after storing. */
  readonly wire: Buffer;
  /** Offsets of every record TTL except OPT's. */
  readonly ttlOffsets: Uint32Array;
  /** The TTLs as received, for `keepttl`. */
  readonly originalTtls: Uint32Array;
  readonly storedAt: number;
  /** The entry's TTL in seconds, after caps. */
  readonly ttl: number;
  readonly expiresAt: number;
  /** Prefetch bookkeeping. */
  hits: number;
  lastHit: number;
  refreshing: boolean;
}

export type Classified =
  | { readonly store: true; readonly entry: CacheEntry }
  | { readonly store: false; readonly reason: 'malformed' | 'truncated' | 'rcode' | 'mismatch' };

/**
 * Decides whether and how to keep `reply` to the query whose question is bytes
 * [12, questionEnd) of `queryWire`. `reply` is copied.
 */
export function classifyReply(
  reply: Buffer,
  queryWire: Buffer,
  questionEnd: number,
  config: CacheConfig,
  now: number,
): Classified {
  const scan = scanReply(reply);
  if (!scan) return { store: false, reason: 'malformed' };
  if ((scan.flags & Flag.TC) !== 0) return { store: false, reason: 'truncated' };
  if (scan.questionEnd !== questionEnd || !sameQuestion(reply, queryWire, questionEnd)) {
    return { store: false, reason: 'mismatch' };
  }
  const answers = scan.records.filter((rr) => rr.section === 0 && rr.type !== RRType.OPT).length;
  const ttlRecords = scan.records.filter((rr) => rr.type !== RRType.OPT);
  let kind: EntryKind;
  let ttl: number;
  const servfail = scan.rcode === Rcode.SERVFAIL;
  if (servfail) {
    if (config.servfailMs <= 0) return { store: false, reason: 'rcode' };
    kind = 'denial';
    ttl = Math.ceil(config.servfailMs / 1000);
  } else if (scan.rcode === Rcode.NOERROR && answers > 0) {
    kind = 'success';
    ttl = clamp(minTtl(ttlRecords.map((rr) => rr.ttl)), config.success);
  } else if (scan.rcode === Rcode.NOERROR || scan.rcode === Rcode.NXDOMAIN) {
    kind = 'denial';
    ttl = clamp(negativeTtl(reply, scan.records) ?? config.denial.minTtl, config.denial);
  } else {
    return { store: false, reason: 'rcode' };
  }
  const entry: CacheEntry = {
    kind,
    servfail,
    wire: withoutEdnsOptions(reply, scan.records),
    ttlOffsets: Uint32Array.from(ttlRecords.map((rr) => rr.ttlOffset)),
    originalTtls: Uint32Array.from(ttlRecords.map((rr) => rr.ttl)),
    storedAt: now,
    ttl,
    expiresAt: servfail ? now + config.servfailMs : now + ttl * 1000,
    hits: 0,
    lastHit: now,
    refreshing: false,
  };
  return { store: true, entry };
}

function minTtl(ttls: readonly number[]): number {
  let min = Infinity;
  for (const t of ttls) if (t < min) min = t;
  return min === Infinity ? 0 : min;
}

function clamp(ttl: number, section: CacheSection): number {
  return Math.max(section.minTtl, Math.min(ttl, section.maxTtl));
}

/** min(SOA TTL, SOA MINIMUM) of the first SOA in the authority section (RFC 2308 §5). */
function negativeTtl(reply: Buffer, records: readonly ScannedRecord[]): number | null {
  for (const rr of records) {
    if (rr.section !== 1 || rr.type !== RRType.SOA || rr.rdlength < 22) continue;
    const minimum = reply.readUInt32BE(rr.rdataOffset + rr.rdlength - 4);
    return Math.min(rr.ttl, minimum);
  }
  return null;
}

/** Question bytes equal ignoring ASCII case. */
function sameQuestion(a: Buffer, b: Buffer, end: number): boolean {
  for (let i = HEADER_SIZE; i < end; i++) {
    let x = a[i];
    let y = b[i];
    if (x === y) continue;
    if (x >= 0x41 && x <= 0x5a) x += 0x20;
    if (y >= 0x41 && y <= 0x5a) y += 0x20;
    if (x !== y) return false;
  }
  return true;
}

/**
 * A copy of the reply whose OPT record carries no options. Options are per exchange (a DNS
 * cookie echoes one client's cookie, RFC 7873 §5.2; NSID, padding): replaying them to other
 * askers would be wrong. The OPT record is normally last; when it is not, the reply is kept
 * as it is.
 */
function withoutEdnsOptions(reply: Buffer, records: readonly ScannedRecord[]): Buffer {
  const opt = records.find((rr) => rr.section === 2 && rr.type === RRType.OPT);
  if (!opt || opt.rdlength === 0 || opt.rdataOffset + opt.rdlength !== reply.length) {
    return Buffer.from(reply);
  }
  const out = Buffer.from(reply.subarray(0, opt.rdataOffset));
  out.writeUInt16BE(0, opt.rdataOffset - 2);
  return out;
}
