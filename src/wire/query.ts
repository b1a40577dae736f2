/**
 * The parsed form of an incoming DNS query: header, the one question, and the EDNS OPT record.
 *
 * Parsing is hand-written because it runs for every packet: it reads only what the answer path
 * needs and bounds-checks every byte of untrusted input before use. Full message decoding
 * (for forwarded answers, tests and tools) uses the dns-packet library instead.
 */
import {
  Flag,
  HEADER_SIZE,
  MAX_LABEL_OCTETS,
  MAX_NAME_OCTETS,
  Opcode,
  RRType,
  Rcode,
} from './constants.js';

/** EDNS(0) parameters of a query (RFC 6891 §6.1.2, §6.1.3). */
export interface Edns {
  /** The requestor's UDP payload size; values under 512 are read as 512 (RFC 6891 §6.2.5). */
  readonly udpSize: number;
  readonly version: number;
  /** DNSSEC OK bit (RFC 3225). */
  readonly dnssecOk: boolean;
  /** Offset and length of the OPT RDATA (the options) in the query, for forwarding. */
  readonly optionsOffset: number;
  readonly optionsLength: number;
}

/** A query that passed parsing: exactly one question, opcode QUERY, QR clear. */
export interface Query {
  readonly id: number;
  /** The raw 16-bit flags word of the query header. */
  readonly flags: number;
  /**
   * The question name in lower case, labels joined by '.', without the trailing dot; the root
   * is ''. Octets other than letters, digits, '-', '_' and '*' are written as `\DDD`, so the
   * string maps to one wire name only.
   */
  readonly name: string;
  readonly type: number;
  readonly class: number;
  /** Offset just past the question: bytes [12, questionEnd) are echoed verbatim in answers. */
  readonly questionEnd: number;
  /** Number of labels in the name (0 for the root). */
  readonly labelCount: number;
  readonly edns: Edns | null;
}

/**
 * Why a packet could not be parsed into a Query. `drop` means no header could be trusted and
 * nothing must be sent; otherwise the rcode to answer with (FORMERR, NOTIMP, BADVERS).
 */
export interface QueryError {
  readonly drop: boolean;
  readonly rcode: number;
  readonly reason: string;
  /** The OPT record, when one was read: FORMERR and BADVERS answers then carry OPT too. */
  readonly edns: Edns | null;
}

export type ParseResult = { ok: true; query: Query } | { ok: false; error: QueryError };

const DROP_SHORT: ParseResult = fail(true, Rcode.FORMERR, 'shorter than a DNS header');
const DROP_RESPONSE: ParseResult = fail(true, Rcode.FORMERR, 'QR bit set: a response');

/** Parses a query packet. Never throws: every outcome is a value. */
export function parseQuery(buf: Buffer): ParseResult {
  if (buf.length < HEADER_SIZE) return DROP_SHORT;
  const flags = buf.readUInt16BE(2);
  if ((flags & Flag.QR) !== 0) return DROP_RESPONSE;

  const opcode = (flags >> 11) & 0xf;
  if (opcode !== Opcode.QUERY) return notImplemented(buf, opcode);
  const qdcount = buf.readUInt16BE(4);
  if (qdcount !== 1) return fail(false, Rcode.FORMERR, `QDCOUNT ${qdcount}`);

  const name = readQuestionName(buf, HEADER_SIZE);
  if (typeof name === 'string') return fail(false, Rcode.FORMERR, name);
  if (name.end + 4 > buf.length) return fail(false, Rcode.FORMERR, 'question truncated');
  const type = buf.readUInt16BE(name.end);
  const qclass = buf.readUInt16BE(name.end + 2);
  const questionEnd = name.end + 4;

  const edns = readEdns(buf, questionEnd);
  if (typeof edns === 'string') return fail(false, Rcode.FORMERR, edns);
  if (edns !== null && edns.version !== 0) {
    return { ok: false, error: { drop: false, rcode: Rcode.BADVERS, reason: 'EDNS version', edns } };
  }
  const query: Query = {
    id: buf.readUInt16BE(0),
    flags,
    name: name.text,
    type,
    class: qclass,
    questionEnd,
    labelCount: name.labels,
    edns,
  };
  return { ok: true, query };
}

/**
 * NOTIMP for an opcode other than QUERY. When the question and OPT record can be read, the
 * answer echoes the question and carries OPT, as RFC 6891 §7 asks of any answer to an EDNS
 * query; when they cannot, it is a bare header.
 */
function notImplemented(buf: Buffer, opcode: number): ParseResult {
  const reason = `opcode ${opcode}`;
  if (buf.readUInt16BE(4) !== 1) return fail(false, Rcode.NOTIMP, reason);
  const name = readQuestionName(buf, HEADER_SIZE);
  if (typeof name === 'string' || name.end + 4 > buf.length) {
    return fail(false, Rcode.NOTIMP, reason);
  }
  const edns = readEdns(buf, name.end + 4);
  const found = typeof edns === 'string' ? null : edns;
  return { ok: false, error: { drop: false, rcode: Rcode.NOTIMP, reason, edns: found } };
}

function fail(drop: boolean, rcode: number, reason: string): ParseResult {
  return { ok: false, error: { drop, rcode, reason, edns: null } };
}

interface NameRead {
  text: string;
  end: number;
  labels: number;
}

/** Scratch space for the lower-cased name: one buffer, reused by every parse. */
const scratch = Buffer.alloc(MAX_NAME_OCTETS);
const latin1Slice = (Buffer.prototype as unknown as LatinSlice).latin1Slice;
interface LatinSlice {
  latin1Slice(this: Buffer, start: number, end: number): string;
}

/**
 * Reads the question name. Compression pointers are refused: in the question they could only
 * point into the header, so a pointer there is malformed (RFC 1035 §4.1.4).
 *
 * The common case (letters, digits, '-', '_', '*') is copied lower-cased into a scratch buffer
 * with '.' between labels and turned into a string with one call; names with other octets
 * take the escaping path.
 */
function readQuestionName(buf: Buffer, start: number): NameRead | string {
  let pos = start;
  let out = 0;
  let labels = 0;
  let plain = true;
  for (;;) {
    if (pos >= buf.length) return 'name truncated';
    const len = buf[pos];
    if (len === 0) break;
    if (len > MAX_LABEL_OCTETS) return len >= 0xc0 ? 'pointer in question' : 'bad label type';
    // Wire length of the name so far: the text plus its first length octet and the root.
    if (out + (labels > 0 ? 1 : 0) + len + 2 > MAX_NAME_OCTETS) return 'name over 255 octets';
    const end = pos + 1 + len;
    if (end > buf.length) return 'label truncated';
    if (labels > 0) scratch[out++] = 0x2e;
    for (let i = pos + 1; i < end; i++) {
      let c = buf[i];
      if (c >= 0x41 && c <= 0x5a) c += 0x20;
      else if (!isPlainOctet(c)) plain = false;
      scratch[out++] = c;
    }
    labels++;
    pos = end;
  }
  const text = plain ? latin1Slice.call(scratch, 0, out) : escapedName(buf, start);
  return { text, end: pos + 1, labels };
}

/** The name with octets outside [a-z0-9-_*] written as `\DDD`; input already validated. */
function escapedName(buf: Buffer, start: number): string {
  let text = '';
  let pos = start;
  for (let len = buf[pos]; len !== 0; len = buf[pos]) {
    if (pos !== start) text += '.';
    for (let i = pos + 1; i <= pos + len; i++) {
      let c = buf[i];
      if (c >= 0x41 && c <= 0x5a) c += 0x20;
      text += isPlainOctet(c) ? String.fromCharCode(c) : '\\' + String(c).padStart(3, '0');
    }
    pos += len + 1;
  }
  return text;
}

function isPlainOctet(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f || c === 0x2a
  );
}

/**
 * Finds the OPT record among the additional records. Answer and authority records (not
 * expected in a query) are skipped with bounds checks. Returns null when there is no OPT, or a
 * reason string when the records are malformed or there is more than one OPT (RFC 6891 §6.1.1).
 */
function readEdns(buf: Buffer, start: number): Edns | null | string {
  const ancount = buf.readUInt16BE(6);
  const nscount = buf.readUInt16BE(8);
  const arcount = buf.readUInt16BE(10);
  if (ancount + nscount + arcount === 0) return null;
  let pos = start;
  let edns: Edns | null = null;
  const total = ancount + nscount + arcount;
  for (let i = 0; i < total; i++) {
    const nameEnd = skipName(buf, pos);
    if (nameEnd < 0) return 'malformed record name';
    if (nameEnd + 10 > buf.length) return 'record truncated';
    const type = buf.readUInt16BE(nameEnd);
    const rdlength = buf.readUInt16BE(nameEnd + 8);
    const rdata = nameEnd + 10;
    if (rdata + rdlength > buf.length) return 'record data truncated';
    if (type === RRType.OPT && i >= ancount + nscount) {
      if (edns !== null) return 'more than one OPT';
      if (nameEnd !== pos + 1) return 'OPT owner is not the root';
      if (!optionsAreFramed(buf, rdata, rdlength)) return 'malformed EDNS option';
      const ttl = buf.readUInt32BE(nameEnd + 4);
      edns = {
        udpSize: Math.max(512, buf.readUInt16BE(nameEnd + 2)),
        version: (ttl >>> 16) & 0xff,
        dnssecOk: (ttl & 0x8000) !== 0,
        optionsOffset: rdata,
        optionsLength: rdlength,
      };
    }
    pos = rdata + rdlength;
  }
  return edns;
}

/** Returns the offset after a possibly compressed name, or -1 when it is malformed. */
function skipName(buf: Buffer, start: number): number {
  let pos = start;
  let octets = 1;
  for (;;) {
    if (pos >= buf.length) return -1;
    const len = buf[pos];
    if (len === 0) return pos + 1;
    if (len >= 0xc0) {
      if (pos + 2 > buf.length) return -1;
      const target = ((len & 0x3f) << 8) | buf[pos + 1];
      return pointedNameIsValid(buf, target, pos, octets) ? pos + 2 : -1;
    }
    if (len > MAX_LABEL_OCTETS) return -1;
    octets += len + 1;
    if (octets > MAX_NAME_OCTETS) return -1;
    pos += len + 1;
  }
}

/**
 * Checks the name a compression pointer leads to: every pointer must point strictly before
 * the one that led to it (so a chain cannot loop or point forward), labels must be well
 * formed, and the whole name at most 255 octets (RFC 1035 §4.1.4, §3.1).
 */
function pointedNameIsValid(buf: Buffer, target: number, from: number, octets: number): boolean {
  let pos = target;
  let limit = from;
  for (;;) {
    if (pos < HEADER_SIZE || pos >= limit) return false;
    const len = buf[pos];
    if (len === 0) return true;
    if (len >= 0xc0) {
      if (pos + 2 > buf.length) return false;
      limit = pos;
      pos = ((len & 0x3f) << 8) | buf[pos + 1];
      continue;
    }
    if (len > MAX_LABEL_OCTETS) return false;
    octets += len + 1;
    if (octets > MAX_NAME_OCTETS) return false;
    pos += len + 1;
  }
}

/** True when the OPT RDATA is a sequence of whole options (RFC 6891 §6.1.2). */
function optionsAreFramed(buf: Buffer, start: number, length: number): boolean {
  const end = start + length;
  let pos = start;
  while (pos < end) {
    if (pos + 4 > end) return false;
    pos += 4 + buf.readUInt16BE(pos + 2);
  }
  return pos === end;
}
