/**
 * The "Node ceiling": the least work a Node.js process can do per DNS query, as a yardstick
 * for clusterdns. It reads only the header and the question, answers from precomputed wire
 * responses (patching the ID, the RD bit and the question's case), and builds negative
 * answers with the zone SOA. No EDNS, no TCP, one zone: it is not a DNS server.
 */
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { CeilingRecords } from './ceiling-records.js';
import {
  buildAnswerTable,
  pointer,
  QUESTION_OFFSET,
  resourceRecord,
  TYPE_SOA,
  wireName,
  type AnswerTable,
} from './ceiling-answers.js';

const RCODE_FORMERR = 1;
const RCODE_NXDOMAIN = 3;
const RCODE_NOTIMP = 4;
const RCODE_REFUSED = 5;
const MAX_LABELS = 127;

/** Answers single query datagrams for one zone. */
export class CeilingResponder {
  private readonly table: AnswerTable;
  private readonly zoneKey: string;
  private readonly zoneLabels: number;
  private readonly soaRecord: (apex: number) => Buffer;
  private readonly labelStarts = new Int32Array(MAX_LABELS + 1);

  constructor(records: CeilingRecords) {
    this.table = buildAnswerTable(records);
    const zone = wireName(records.zone);
    this.zoneKey = zone.toString('latin1');
    this.zoneLabels = records.zone.split('.').filter((l) => l !== '').length;
    this.soaRecord = soaWriter(records);
  }

  /** The response for `query`, or undefined when it must be dropped (not a query). */
  respond(query: Buffer): Buffer | undefined {
    if (query.length < QUESTION_OFFSET + 5 || (query[2] & 0x80) !== 0) return undefined;
    if ((query[2] & 0x78) !== 0) return headerOnly(query, RCODE_NOTIMP);
    if (query[4] !== 0 || query[5] !== 1) return headerOnly(query, RCODE_FORMERR);
    const labels = this.scanName(query);
    if (labels < 0) return headerOnly(query, RCODE_FORMERR);
    const nameEnd = this.labelStarts[labels] + 1;
    const questionEnd = nameEnd + 4;
    if (questionEnd > query.length) return headerOnly(query, RCODE_FORMERR);

    const key = query.toString('latin1', QUESTION_OFFSET, nameEnd).toLowerCase();
    const byType = this.table.get(key);
    const ready = byType?.get((query[nameEnd] << 8) | query[nameEnd + 1]);
    if (ready !== undefined) return patched(ready, query, questionEnd);
    const apex = this.apexOffset(key, labels);
    if (apex < 0) return echoQuestion(query, questionEnd, RCODE_REFUSED, []);
    const rcode = byType === undefined ? RCODE_NXDOMAIN : 0;
    return echoQuestion(query, questionEnd, rcode, [this.soaRecord(apex)]);
  }

  /** Records each label's start; returns the label count, or -1 for a malformed name. */
  private scanName(query: Buffer): number {
    let at = QUESTION_OFFSET;
    let count = 0;
    for (;;) {
      this.labelStarts[count] = at;
      const length = query[at];
      if (length === 0) return count;
      if (length > 63 || at + length + 1 >= query.length || count === MAX_LABELS) return -1;
      at += length + 1;
      count++;
    }
  }

  /** Message offset of the zone apex inside the question name, or -1 if not in the zone. */
  private apexOffset(key: string, labels: number): number {
    if (labels < this.zoneLabels) return -1;
    const apex = this.labelStarts[labels - this.zoneLabels];
    const inZone = key.length - (apex - QUESTION_OFFSET) === this.zoneKey.length;
    return inZone && key.endsWith(this.zoneKey) ? apex : -1;
  }
}

/** Copies a precomputed answer and writes the query's ID, RD bit and question bytes in it. */
function patched(ready: Buffer, query: Buffer, questionEnd: number): Buffer {
  const out = Buffer.allocUnsafe(ready.length);
  ready.copy(out, 0);
  out[0] = query[0];
  out[1] = query[1];
  out[2] = ready[2] | (query[2] & 0x01);
  // The question as asked, so the answer echoes its case (RFC 1034 §3.1, DNS 0x20).
  query.copy(out, QUESTION_OFFSET, QUESTION_OFFSET, questionEnd);
  return out;
}

/** Header plus the query's question, with `authority` records after it. */
function echoQuestion(query: Buffer, questionEnd: number, rcode: number, authority: Buffer[]) {
  const out = Buffer.concat([query.subarray(0, questionEnd), ...authority]);
  out[2] = 0x80 | (rcode === RCODE_REFUSED ? 0 : 0x04) | (query[2] & 0x01);
  out[3] = rcode;
  out.writeUInt16BE(1, 4);
  out.writeUInt32BE(authority.length, 6);
  out.writeUInt16BE(0, 10);
  return out;
}

/** A bare header answer, for queries whose question cannot be used. */
function headerOnly(query: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(QUESTION_OFFSET);
  query.copy(out, 0, 0, 2);
  out[2] = 0x80 | (query[2] & 0x79);
  out[3] = rcode;
  return out;
}

/** Builds the zone SOA with its names pointing at the apex found in each question. */
function soaWriter(records: CeilingRecords): (apex: number) => Buffer {
  const { soa, zone } = records;
  const numbers = Buffer.alloc(20);
  [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum].forEach((v, i) =>
    numbers.writeUInt32BE(v, i * 4),
  );
  const prefix = (name: string): Buffer => {
    const full = wireName(name);
    return full.subarray(0, full.length - wireName(zone).length);
  };
  const mname = prefix(soa.mname);
  const rname = prefix(soa.rname);
  return (apex) => {
    const rdata = Buffer.concat([mname, pointer(apex), rname, pointer(apex), numbers]);
    return resourceRecord(pointer(apex), TYPE_SOA, soa.minimum, rdata);
  };
}

/** Binds a ceiling server on `host:port` (0 for any) and resolves with the bound port. */
export function listenCeiling(records: CeilingRecords, host: string, port: number) {
  const responder = new CeilingResponder(records);
  const socket = dgram.createSocket({
    type: host.includes(':') ? 'udp6' : 'udp4',
    recvBufferSize: 4 << 20,
    sendBufferSize: 4 << 20,
  });
  socket.on('message', (query, peer) => {
    const response = responder.respond(query);
    if (response !== undefined) socket.send(response, peer.port, peer.address);
  });
  return new Promise<{ socket: dgram.Socket; port: number }>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      resolve({ socket, port: (socket.address() as AddressInfo).port });
    });
  });
}
