/**
 * Sends one query with dns-packet over UDP and decodes the reply: for waiting until a server
 * answers, and for assertions on exact bytes where dig would hide them.
 */
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

export interface RawQueryOptions {
  readonly port: number;
  readonly host?: string;
  readonly timeoutMs?: number;
  /** Add an OPT record with this UDP size (and DO when `dnssecOk`). */
  readonly ednsSize?: number;
  readonly dnssecOk?: boolean;
  readonly id?: number;
  readonly flags?: number;
}

/** Builds the wire of a query for `name` and `type`. */
export function buildQuery(
  name: string,
  type: dnsPacket.RecordType,
  options: Omit<RawQueryOptions, 'port'> = {},
): Buffer {
  const additionals: dnsPacket.Answer[] = [];
  if (options.ednsSize !== undefined) {
    additionals.push({
      type: 'OPT',
      name: '.',
      udpPayloadSize: options.ednsSize,
      flags: options.dnssecOk ? dnsPacket.DNSSEC_OK : 0,
      options: [],
    } as unknown as dnsPacket.Answer);
  }
  return dnsPacket.encode({
    type: 'query',
    id: options.id ?? 4242,
    flags: options.flags ?? dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
    additionals,
  });
}

/** Sends raw bytes and resolves with the raw reply, or rejects after the timeout. */
export function exchangeUdp(wire: Buffer, options: RawQueryOptions): Promise<Buffer> {
  const socket = dgram.createSocket('udp4');
  return new Promise<Buffer>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no reply within ${options.timeoutMs ?? 3000} ms`));
    }, options.timeoutMs ?? 3000);
    socket.on('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve(msg);
    });
    socket.send(wire, options.port, options.host ?? '127.0.0.1');
  });
}

/** Queries and decodes. */
export async function queryUdp(
  name: string,
  type: dnsPacket.RecordType,
  options: RawQueryOptions,
): Promise<dnsPacket.DecodedPacket & { rcode?: string }> {
  const reply = await exchangeUdp(buildQuery(name, type, options), options);
  return dnsPacket.decode(reply) as dnsPacket.DecodedPacket & { rcode?: string };
}

/** Resolves once something answers on the port, polling for up to `timeoutMs`. */
export async function waitForDns(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await queryUdp('ready.probe.', 'A', { port, timeoutMs: 200 });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
  }
}
