/**
 * Precomputed wire answers for the Node ceiling server: for each name (lower-case wire form,
 * read as latin1) and type, the whole response with ID 0, ready to copy and patch. Owner names
 * are compression pointers into the question, as any compressing server would write them.
 */
import type { CeilingRecords } from './ceiling-records.js';

export const TYPE_A = 1;
export const TYPE_SOA = 6;
export const TYPE_SRV = 33;

/** Offset of the question name in every message (right after the 12-byte header). */
export const QUESTION_OFFSET = 12;

/** name key -> (qtype -> response). */
export type AnswerTable = Map<string, Map<number, Buffer>>;

/** Encodes a presentation name (no trailing dot needed) as lower-case wire labels. */
export function wireName(name: string): Buffer {
  const labels = name
    .toLowerCase()
    .split('.')
    .filter((l) => l !== '');
  const parts = labels.flatMap((l) => [Buffer.from([l.length]), Buffer.from(l, 'latin1')]);
  return Buffer.concat([...parts, Buffer.from([0])]);
}

/** Builds the table of positive answers for every A and SRV record. */
export function buildAnswerTable(records: CeilingRecords): AnswerTable {
  const table: AnswerTable = new Map();
  const ipByName = new Map(records.a.map((r) => [r.name.toLowerCase(), r.ip]));
  const put = (name: Buffer, type: number, answer: Buffer): void => {
    const key = name.toString('latin1');
    const byType = table.get(key) ?? new Map<number, Buffer>();
    byType.set(type, answer);
    table.set(key, byType);
  };
  for (const r of records.a) {
    const name = wireName(r.name);
    const rr = resourceRecord(pointer(QUESTION_OFFSET), TYPE_A, records.ttl, ipv4(r.ip));
    put(name, TYPE_A, Buffer.concat([header(1, 0), question(name, TYPE_A), rr]));
  }
  for (const s of records.srv) {
    const name = wireName(s.name);
    const target = wireName(s.target);
    // RFC 2782: the SRV target is never compressed.
    const rdata = Buffer.concat([u16(s.priority), u16(s.weight), u16(s.port), target]);
    const answer = resourceRecord(pointer(QUESTION_OFFSET), TYPE_SRV, records.ttl, rdata);
    const ip = ipByName.get(s.target.toLowerCase());
    const glue = ip === undefined ? [] : [glueRecord(name, target, ip, records.ttl)];
    const head = header(1, glue.length);
    put(name, TYPE_SRV, Buffer.concat([head, question(name, TYPE_SRV), answer, ...glue]));
  }
  return table;
}

/** The A record for an SRV target, its owner a pointer into the question when it can be. */
function glueRecord(owner: Buffer, target: Buffer, ip: string, ttl: number): Buffer {
  const at = suffixOffset(owner, target);
  const ownerBytes = at < 0 ? target : pointer(QUESTION_OFFSET + at);
  return resourceRecord(ownerBytes, TYPE_A, ttl, ipv4(ip));
}

/** Where `suffix` starts as whole labels inside `name`, or -1. */
function suffixOffset(name: Buffer, suffix: Buffer): number {
  for (let at = 0; at < name.length; at += name[at] + 1) {
    if (name.subarray(at).equals(suffix)) return at;
    if (name[at] === 0) break;
  }
  return -1;
}

// QR and AA set, opcode QUERY, rcode NOERROR; RD is copied from each query when patching.
function header(answers: number, additionals: number): Buffer {
  const h = Buffer.alloc(12);
  h[2] = 0x84;
  h.writeUInt16BE(1, 4);
  h.writeUInt16BE(answers, 6);
  h.writeUInt16BE(additionals, 10);
  return h;
}

function question(name: Buffer, type: number): Buffer {
  return Buffer.concat([name, u16(type), u16(1)]);
}

/** One IN-class record; `owner` is wire bytes (labels or a pointer). */
export function resourceRecord(owner: Buffer, type: number, ttl: number, rdata: Buffer): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(1, 2);
  fixed.writeUInt32BE(ttl, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([owner, fixed, rdata]);
}

export function pointer(offset: number): Buffer {
  return u16(0xc000 | offset);
}

export function u16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value);
  return b;
}

function ipv4(ip: string): Buffer {
  return Buffer.from(ip.split('.').map(Number));
}
