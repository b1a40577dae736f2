/**
 * A minimal stub-resolver transport: one question over UDP, retried over TCP when the answer
 * is truncated, as the C libraries do. Used by the `lookup` command; not a server component.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type Answer, type DecodedPacket } from 'dns-packet';

export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

export interface ExchangeOptions {
  readonly timeoutMs: number;
  /** Query ID; injectable so tests can be deterministic. */
  readonly id: number;
  /** Send an OPT record advertising this UDP size (glibc `edns0` uses 1200); 0 for none. */
  readonly ednsSize: number;
}

/** One finished exchange: the reply, or why there is none. */
export type Exchange =
  | { readonly ok: true; readonly transport: 'udp' | 'tcp'; readonly reply: DecodedPacket }
  | {
      readonly ok: false;
      readonly transport: 'udp' | 'tcp';
      readonly failure: 'timeout' | 'refused';
    };

/** The reply's rcode (low 4 header bits; extended rcodes are not needed here). */
export function replyRcode(reply: DecodedPacket): number {
  return (reply.flags ?? 0) & 0xf;
}

/** Builds a query with RD set, as stub resolvers send. */
export function buildQuery(name: string, type: 'A' | 'AAAA', options: ExchangeOptions): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: options.id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
    additionals:
      options.ednsSize > 0
        ? [
            {
              type: 'OPT',
              name: '.',
              udpPayloadSize: options.ednsSize,
              flags: 0,
            } as unknown as Answer,
          ]
        : [],
  });
}

/** Sends over UDP, then over TCP if the reply has TC set. Never rejects. */
export async function exchange(
  server: ServerAddress,
  query: Buffer,
  options: ExchangeOptions,
): Promise<Exchange> {
  const udp = await exchangeUdp(server, query, options);
  if (!udp.ok || !udp.reply.flag_tc) return udp;
  return exchangeTcp(server, query, options);
}

function exchangeUdp(
  server: ServerAddress,
  query: Buffer,
  options: ExchangeOptions,
): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(net.isIPv6(server.host) ? 'udp6' : 'udp4');
    const finish = (result: Exchange): void => {
      clearTimeout(timer);
      socket.close();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish({ ok: false, transport: 'udp', failure: 'timeout' }),
      options.timeoutMs,
    );
    socket.on('error', (err: NodeJS.ErrnoException) =>
      finish({
        ok: false,
        transport: 'udp',
        failure: err.code === 'ECONNREFUSED' ? 'refused' : 'timeout',
      }),
    );
    socket.on('message', (message: Buffer) => {
      const reply = decodeReply(message, options.id);
      // A reply that is malformed or for another ID is ignored, as resolvers do.
      if (reply) finish({ ok: true, transport: 'udp', reply });
    });
    // connect() makes the kernel report ICMP port unreachable as ECONNREFUSED.
    socket.connect(server.port, server.host, () => socket.send(query));
  });
}

function exchangeTcp(
  server: ServerAddress,
  query: Buffer,
  options: ExchangeOptions,
): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = net.connect(server.port, server.host);
    let received = Buffer.alloc(0);
    const finish = (result: Exchange): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish({ ok: false, transport: 'tcp', failure: 'timeout' }),
      options.timeoutMs,
    );
    socket.on('error', (err: NodeJS.ErrnoException) =>
      finish({
        ok: false,
        transport: 'tcp',
        failure: err.code === 'ECONNREFUSED' ? 'refused' : 'timeout',
      }),
    );
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
      const reply = decodeReply(received.subarray(2, 2 + received.readUInt16BE(0)), options.id);
      if (reply) finish({ ok: true, transport: 'tcp', reply });
      else finish({ ok: false, transport: 'tcp', failure: 'timeout' });
    });
  });
}

function decodeReply(message: Buffer, id: number): DecodedPacket | null {
  try {
    const reply = dnsPacket.decode(message);
    return reply.id === id && reply.type === 'response' ? reply : null;
  } catch {
    return null;
  }
}
