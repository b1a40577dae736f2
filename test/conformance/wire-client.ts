/**
 * Raw DNS over UDP and TCP for the hardening tests (conformance, fuzz, abuse): send exact
 * bytes, get the reply bytes or null when none came in time, and read a reply's header and
 * OPT record bit by bit, so tests can assert what dig would hide or normalize.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Answer } from 'dns-packet';

export type Transport = 'udp' | 'tcp';

/** Sends one datagram; the first reply, or null when none came within `timeoutMs`. */
export function udpExchange(
  port: number,
  packet: Buffer,
  timeoutMs = 2000,
  host = '127.0.0.1',
  from?: string,
): Promise<Buffer | null> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  return new Promise((resolve) => {
    const finish = (reply: Buffer | null): void => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.on('message', (msg) => finish(msg));
    socket.on('error', () => finish(null));
    const send = (): void => socket.send(packet, port, host);
    if (from === undefined) send();
    else socket.bind({ address: from, port: 0 }, send);
  });
}

/** Frames a message with its 2-octet length (RFC 1035 §4.2.2). */
export function frame(message: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(message.length, 0);
  return Buffer.concat([length, message]);
}

/**
 * Sends one message on a new TCP connection; the first framed reply, or null when none came in
 * time or the server closed the connection first.
 */
export function tcpExchange(
  port: number,
  packet: Buffer,
  timeoutMs = 2000,
  host = '127.0.0.1',
  from?: string,
): Promise<Buffer | null> {
  return new Promise((resolve) => {
    let pending = Buffer.alloc(0);
    const options = { port, host, localAddress: from };
    const socket = net.connect(options, () => socket.write(frame(packet)));
    const finish = (reply: Buffer | null): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      if (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        finish(pending.subarray(2, 2 + pending.readUInt16BE(0)));
      }
    });
    socket.on('close', () => finish(null));
    socket.on('error', () => finish(null));
  });
}

export function exchange(
  transport: Transport,
  port: number,
  packet: Buffer,
  timeoutMs = 2000,
  host = '127.0.0.1',
  from?: string,
): Promise<Buffer | null> {
  return transport === 'udp'
    ? udpExchange(port, packet, timeoutMs, host, from)
    : tcpExchange(port, packet, timeoutMs, host, from);
}

/** The OPT record of a reply, field by field (RFC 6891 §6.1.2, §6.1.3). */
export interface OptView {
  readonly udpSize: number;
  /** The upper 8 bits of the extended rcode. */
  readonly extendedRcode: number;
  readonly version: number;
  /** The 16 flag bits: DO is 0x8000, the rest must be zero. */
  readonly flags: number;
  /** Option codes in order. */
  readonly options: readonly number[];
}

/** A reply's header, counts, full rcode and OPT. */
export interface ReplyView {
  readonly id: number;
  readonly flags: number;
  readonly qr: boolean;
  readonly opcode: number;
  readonly aa: boolean;
  readonly tc: boolean;
  readonly rd: boolean;
  readonly ra: boolean;
  /** The 3 reserved header bits (Z, AD, CD positions are 0x0040, 0x0020, 0x0010). */
  readonly z: boolean;
  /** The full rcode: header bits plus the OPT's extended rcode bits. */
  readonly rcode: number;
  readonly qdcount: number;
  readonly ancount: number;
  readonly nscount: number;
  readonly arcount: number;
  readonly opt: OptView | null;
}

/** Reads a reply's header and OPT record. Throws on a reply that is itself malformed. */
export function viewReply(buf: Buffer): ReplyView {
  if (buf.length < 12) throw new Error(`reply of ${buf.length} octets`);
  const flags = buf.readUInt16BE(2);
  const counts = [4, 6, 8, 10].map((at) => buf.readUInt16BE(at));
  const opt = findOpt(buf, counts);
  return {
    id: buf.readUInt16BE(0),
    flags,
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    z: (flags & 0x0040) !== 0,
    rcode: (flags & 0xf) | ((opt?.extendedRcode ?? 0) << 4),
    qdcount: counts[0],
    ancount: counts[1],
    nscount: counts[2],
    arcount: counts[3],
    opt,
  };
}

function findOpt(buf: Buffer, counts: readonly number[]): OptView | null {
  let pos = 12;
  for (let i = 0; i < counts[0]; i++) pos = skipName(buf, pos) + 4;
  const records = counts[1] + counts[2] + counts[3];
  let opt: OptView | null = null;
  for (let i = 0; i < records; i++) {
    const nameEnd = skipName(buf, pos);
    const type = buf.readUInt16BE(nameEnd);
    const rdlength = buf.readUInt16BE(nameEnd + 8);
    const rdata = nameEnd + 10;
    if (rdata + rdlength > buf.length) throw new Error('record data beyond the reply');
    if (type === 41) {
      const options: number[] = [];
      for (let at = rdata; at + 4 <= rdata + rdlength; at += 4 + buf.readUInt16BE(at + 2)) {
        options.push(buf.readUInt16BE(at));
      }
      opt = {
        udpSize: buf.readUInt16BE(nameEnd + 2),
        extendedRcode: buf[nameEnd + 4],
        version: buf[nameEnd + 5],
        flags: buf.readUInt16BE(nameEnd + 6),
        options,
      };
    }
    pos = rdata + rdlength;
  }
  return opt;
}

function skipName(buf: Buffer, start: number): number {
  let pos = start;
  for (;;) {
    if (pos >= buf.length) throw new Error('name beyond the reply');
    const len = buf[pos];
    if (len === 0) return pos + 1;
    if (len >= 0xc0) return pos + 2;
    pos += len + 1;
  }
}

/** Records decoded by dns-packet as `name ttl type data` lines (TXT data joined by spaces). */
export function renderRecords(records: readonly Answer[] | undefined): string[] {
  return (records ?? []).map((rr) => {
    const { ttl, data } = rr as { ttl?: number; data?: unknown };
    const text = Array.isArray(data) ? data.map(String).join(' ') : String(data);
    return `${rr.name} ${ttl} ${rr.type} ${text}`;
  });
}
