/**
 * Test helpers that speak raw DNS over UDP and TCP with node:dgram and node:net, for the cases
 * dig cannot send (QDCOUNT 0, unknown opcodes, EDNS version 1, responses, garbage).
 */
import dgram from 'node:dgram';
import net from 'node:net';

export interface QueryShape {
  readonly id?: number;
  readonly name?: string;
  readonly type?: number;
  /** The 16-bit flags word; default RD only. */
  readonly flags?: number;
  readonly qdcount?: number;
  /** Add an OPT record with this EDNS version (and payload size). */
  readonly edns?: {
    readonly version?: number;
    readonly udpSize?: number;
    readonly dnssecOk?: boolean;
  };
}

/** Encodes a query; `qdcount` overrides the count (the question is written once regardless). */
export function buildQuery(shape: QueryShape = {}): Buffer {
  const labels = (shape.name ?? 'example.org').split('.').filter(Boolean);
  const parts: Buffer[] = [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(shape.id ?? 0x1234, 0);
  header.writeUInt16BE(shape.flags ?? 0x0100, 2);
  header.writeUInt16BE(shape.qdcount ?? 1, 4);
  header.writeUInt16BE(shape.edns ? 1 : 0, 10);
  parts.push(header);
  if ((shape.qdcount ?? 1) > 0) {
    for (const label of labels)
      parts.push(Buffer.from([label.length]), Buffer.from(label, 'latin1'));
    const tail = Buffer.alloc(5);
    tail.writeUInt16BE(shape.type ?? 1, 1);
    tail.writeUInt16BE(1, 3);
    parts.push(tail);
  }
  if (shape.edns) {
    const opt = Buffer.alloc(11);
    opt.writeUInt16BE(41, 1);
    opt.writeUInt16BE(shape.edns.udpSize ?? 1232, 3);
    opt[6] = shape.edns.version ?? 0;
    opt.writeUInt16BE(shape.edns.dnssecOk ? 0x8000 : 0, 7);
    parts.push(opt);
  }
  return Buffer.concat(parts);
}

/** The header fields tests assert on. */
export interface Header {
  readonly id: number;
  readonly qr: boolean;
  readonly opcode: number;
  readonly tc: boolean;
  readonly rcode: number;
  readonly qdcount: number;
  readonly ancount: number;
  readonly arcount: number;
}

export function readHeader(buf: Buffer): Header {
  const flags = buf.readUInt16BE(2);
  return {
    id: buf.readUInt16BE(0),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    tc: (flags & 0x0200) !== 0,
    rcode: flags & 0xf,
    qdcount: buf.readUInt16BE(4),
    ancount: buf.readUInt16BE(6),
    arcount: buf.readUInt16BE(10),
  };
}

/** Sends one datagram; resolves with the first reply, or null when none came in time. */
export function udpExchange(
  port: number,
  packet: Buffer,
  timeoutMs = 2000,
  host = '127.0.0.1',
): Promise<Buffer | null> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(null), timeoutMs);
    const finish = (reply: Buffer | null): void => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    socket.on('message', (msg) => finish(msg));
    socket.on('error', reject);
    socket.send(packet, port, host);
  });
}

/** Frames a message with its 2-octet length (RFC 1035 §4.2.2). */
export function frame(message: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(message.length, 0);
  return Buffer.concat([length, message]);
}

/** Splits the TCP stream of `socket` into length-framed messages and hands each to `onReply`. */
export function readFramedReplies(socket: net.Socket, onReply: (reply: Buffer) => void): void {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
      const end = 2 + pending.readUInt16BE(0);
      onReply(pending.subarray(2, end));
      pending = pending.subarray(end);
    }
  });
}

/** A TCP client that collects framed replies. */
export class TcpClient {
  readonly replies: Buffer[] = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    readFramedReplies(socket, (reply) => this.replies.push(reply));
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => undefined);
  }

  /** Connects; rejects on error or when the connection is not up within `timeoutMs`. */
  static connect(port: number, host = '127.0.0.1', timeoutMs = 3000): Promise<TcpClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, timeout: timeoutMs }, () => {
        socket.setTimeout(0);
        resolve(new TcpClient(socket));
      });
      socket.once('timeout', () => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      });
      socket.once('error', reject);
    });
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Resolves once `count` replies arrived; rejects after the timeout. */
  async waitReplies(count: number, timeoutMs = 3000): Promise<Buffer[]> {
    await waitUntil(() => this.replies.length >= count, timeoutMs, `${count} replies`);
    return this.replies;
  }

  /** Resolves once the server closed the connection. */
  waitClosed(timeoutMs: number): Promise<void> {
    return waitUntil(() => this.closed, timeoutMs, 'connection closed');
  }

  close(): void {
    this.socket.destroy();
  }
}

export async function waitUntil(
  check: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
