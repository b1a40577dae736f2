/**
 * Encodes an answer to a parsed query into wire format, with name compression
 * (RFC 1035 §4.1.4) and truncation to the client's size limit.
 *
 * The question is copied byte for byte from the query, so the answer echoes the asker's letter
 * case; owner names equal to the question (or sharing its suffix) are compressed to pointers
 * into it, which echoes that case in the records as well.
 */
import { v4, v6 } from '@leichtgewicht/ip-codec';
import { Flag, HEADER_SIZE, RRClass, RRType, SERVER_UDP_SIZE } from './constants.js';
import { unescapeLabel } from './label-unescape.js';
import type { Query } from './query.js';
import type { Answer, ResourceRecord } from './record.js';

const OPT_SIZE = 11;
const MAX_POINTER = 0x3fff;

/** An encoded answer and whether records were left out for size (TC set). */
export interface EncodedAnswer {
  readonly wire: Buffer;
  readonly truncated: boolean;
}

/**
 * Writes a whole answer. `maxSize` is the client's limit: 512 for UDP without EDNS, the EDNS
 * size for UDP with it, 65535 for TCP. When the answer or authority section does not fit, the
 * records that fit are kept and TC is set; additional records that do not fit are dropped
 * without TC (RFC 2181 §9). `recursionAvailable` sets RA.
 */
export function encodeAnswer(
  query: Query,
  queryWire: Buffer,
  answer: Answer,
  maxSize: number,
  recursionAvailable: boolean,
): EncodedAnswer {
  const w = new MessageWriter(query, queryWire, maxSize);
  const full =
    w.section(answer.answer, 0) && w.section(answer.authority, 1) && w.additional(answer.additional);
  return { wire: w.finish(answer.rcode, answer.authoritative, recursionAvailable, !full), truncated: !full };
}

/**
 * Writes a header-only error answer (FORMERR, NOTIMP, REFUSED, SERVFAIL, BADVERS) echoing the
 * question when one was read. `questionEnd` is 12 when no question could be read.
 */
export function encodeError(
  queryWire: Buffer,
  questionEnd: number,
  rcode: number,
  edns: { dnssecOk: boolean } | null,
): Buffer {
  const hasQuestion = questionEnd > HEADER_SIZE;
  const size = questionEnd + (edns ? OPT_SIZE : 0);
  const buf = Buffer.alloc(size);
  queryWire.copy(buf, 0, 0, questionEnd);
  const qflags = queryWire.readUInt16BE(2);
  buf.writeUInt16BE(Flag.QR | (qflags & (0x7800 | Flag.RD | Flag.CD)) | (rcode & 0xf), 2);
  buf.writeUInt16BE(hasQuestion ? 1 : 0, 4);
  buf.writeUInt32BE(0, 6);
  buf.writeUInt16BE(edns ? 1 : 0, 10);
  if (edns) writeOpt(buf, questionEnd, rcode, edns.dnssecOk);
  return buf;
}

/**
 * Returns `reply` with an OPT record appended (ARCOUNT + 1), for a reply to an EDNS query that
 * came from a server that sent none: RFC 6891 §6.1.1 asks for an OPT in every answer to a
 * query that had one. The rcode's upper bits are taken as 0 (the reply had no OPT to hold them).
 */
export function appendOpt(reply: Buffer, dnssecOk: boolean): Buffer {
  const out = Buffer.allocUnsafe(reply.length + OPT_SIZE);
  reply.copy(out, 0);
  writeOpt(out, reply.length, 0, dnssecOk);
  out.writeUInt16BE(reply.readUInt16BE(10) + 1, 10);
  return out;
}

function writeOpt(buf: Buffer, pos: number, rcode: number, dnssecOk: boolean): number {
  buf[pos] = 0;
  buf.writeUInt16BE(RRType.OPT, pos + 1);
  buf.writeUInt16BE(SERVER_UDP_SIZE, pos + 3);
  // TTL of OPT: extended rcode (upper 8 bits), version 0, DO echoed (RFC 6891 §6.1.3, RFC 3225).
  buf[pos + 5] = (rcode >> 4) & 0xff;
  buf[pos + 6] = 0;
  buf.writeUInt16BE(dnssecOk ? 0x8000 : 0, pos + 7);
  buf.writeUInt16BE(0, pos + 9);
  return pos + OPT_SIZE;
}

/** Section writer with a suffix-to-offset compression table. Used once per answer. */
class MessageWriter {
  private readonly buf: Buffer;
  private pos: number;
  private readonly limit: number;
  private readonly counts = [0, 0, 0];
  private readonly offsets = new Map<string, number>();

  constructor(
    private readonly query: Query,
    queryWire: Buffer,
    maxSize: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(maxSize, query.questionEnd + OPT_SIZE));
    queryWire.copy(this.buf, 0, 0, query.questionEnd);
    this.pos = query.questionEnd;
    this.limit = maxSize - (query.edns ? OPT_SIZE : 0);
    this.rememberQuestion(queryWire);
  }

  /** Writes records of section 0 (answer) or 1 (authority); false when one did not fit. */
  section(records: readonly ResourceRecord[], index: number): boolean {
    for (const rr of records) {
      if (!this.record(rr)) return false;
      this.counts[index]++;
    }
    return true;
  }

  additional(records: readonly ResourceRecord[]): boolean {
    for (const rr of records) {
      if (this.record(rr)) this.counts[2]++;
    }
    return true;
  }

  finish(rcode: number, aa: boolean, ra: boolean, tc: boolean): Buffer {
    const edns = this.query.edns;
    let arcount = this.counts[2];
    if (edns) {
      this.pos = writeOpt(this.buf, this.pos, rcode, edns.dnssecOk);
      arcount++;
    }
    const q = this.query.flags;
    let flags = Flag.QR | (q & (Flag.RD | Flag.CD)) | (rcode & 0xf);
    if (aa) flags |= Flag.AA;
    if (ra) flags |= Flag.RA;
    if (tc) flags |= Flag.TC;
    this.buf.writeUInt16BE(flags, 2);
    this.buf.writeUInt16BE(1, 4);
    this.buf.writeUInt16BE(this.counts[0], 6);
    this.buf.writeUInt16BE(this.counts[1], 8);
    this.buf.writeUInt16BE(arcount, 10);
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  private rememberQuestion(queryWire: Buffer): void {
    let pos = HEADER_SIZE;
    let name = this.query.name;
    while (name !== '') {
      this.offsets.set(name, pos);
      pos += queryWire[pos] + 1;
      const dot = nextDot(name);
      name = dot < 0 ? '' : name.slice(dot + 1);
    }
  }

  /** Writes one record; on overflow rewinds and returns false. */
  private record(rr: ResourceRecord): boolean {
    const start = this.pos;
    const ok = this.tryRecord(rr);
    if (!ok || this.pos > this.limit) {
      this.pos = start;
      return false;
    }
    return true;
  }

  private tryRecord(rr: ResourceRecord): boolean {
    if (!this.name(rr.name, true) || !this.room(10)) return false;
    this.buf.writeUInt16BE(rr.type, this.pos);
    this.buf.writeUInt16BE(RRClass.IN, this.pos + 2);
    this.buf.writeUInt32BE(rr.ttl >>> 0, this.pos + 4);
    const lengthAt = this.pos + 8;
    this.pos += 10;
    const dataStart = this.pos;
    if (!this.rdata(rr)) return false;
    this.buf.writeUInt16BE(this.pos - dataStart, lengthAt);
    return true;
  }

  private rdata(rr: ResourceRecord): boolean {
    switch (rr.type) {
      case RRType.A:
        if (!this.room(4)) return false;
        v4.encode(rr.address, this.buf, this.pos);
        this.pos += 4;
        return true;
      case RRType.AAAA:
        if (!this.room(16)) return false;
        v6.encode(rr.address, this.buf, this.pos);
        this.pos += 16;
        return true;
      case RRType.NS:
      case RRType.CNAME:
      case RRType.PTR:
        return this.name(rr.target, true);
      case RRType.SOA:
        return this.soa(rr.soa);
      case RRType.TXT:
        return this.text(rr.text);
      case RRType.SRV:
        if (!this.room(6)) return false;
        this.buf.writeUInt16BE(rr.srv.priority, this.pos);
        this.buf.writeUInt16BE(rr.srv.weight, this.pos + 2);
        this.buf.writeUInt16BE(rr.srv.port, this.pos + 4);
        this.pos += 6;
        // SRV targets are never compressed (RFC 2782, RFC 3597 §4).
        return this.name(rr.srv.target, false);
    }
  }

  private soa(soa: Extract<ResourceRecord, { type: 6 }>['soa']): boolean {
    if (!this.name(soa.mname, true) || !this.name(soa.rname, true) || !this.room(20)) return false;
    this.buf.writeUInt32BE(soa.serial >>> 0, this.pos);
    this.buf.writeUInt32BE(soa.refresh >>> 0, this.pos + 4);
    this.buf.writeUInt32BE(soa.retry >>> 0, this.pos + 8);
    this.buf.writeUInt32BE(soa.expire >>> 0, this.pos + 12);
    this.buf.writeUInt32BE(soa.minimum >>> 0, this.pos + 16);
    this.pos += 20;
    return true;
  }

  private text(strings: readonly string[]): boolean {
    for (const s of strings) {
      const bytes = Buffer.byteLength(s);
      if (bytes > 255 || !this.room(bytes + 1)) return false;
      this.buf[this.pos] = bytes;
      this.buf.write(s, this.pos + 1);
      this.pos += bytes + 1;
    }
    return true;
  }

  /**
   * Writes a name, compressing its longest suffix already written. With `compress` false the
   * name is written in full but its suffixes are still remembered for later names.
   */
  private name(name: string, compress: boolean): boolean {
    let rest = name;
    while (rest !== '') {
      const known = compress ? this.offsets.get(rest) : undefined;
      if (known !== undefined) {
        if (!this.room(2)) return false;
        this.buf.writeUInt16BE(0xc000 | known, this.pos);
        this.pos += 2;
        return true;
      }
      const dot = nextDot(rest);
      const label = dot < 0 ? rest : rest.slice(0, dot);
      if (this.pos <= MAX_POINTER && !this.offsets.has(rest)) this.offsets.set(rest, this.pos);
      if (!this.label(label)) return false;
      rest = dot < 0 ? '' : rest.slice(dot + 1);
    }
    if (!this.room(1)) return false;
    this.buf[this.pos++] = 0;
    return true;
  }

  private label(label: string): boolean {
    const bytes = label.includes('\\') ? unescapeLabel(label) : null;
    const length = bytes ? bytes.length : label.length;
    if (length > 63 || !this.room(length + 1)) return false;
    this.buf[this.pos] = length;
    if (bytes) bytes.copy(this.buf, this.pos + 1);
    else this.buf.write(label, this.pos + 1, length, 'latin1');
    this.pos += length + 1;
    return true;
  }

  private room(n: number): boolean {
    return this.pos + n <= this.buf.length;
  }
}

/** Index of the first '.' that separates labels (escapes never contain a bare '.'). */
function nextDot(name: string): number {
  return name.indexOf('.');
}
