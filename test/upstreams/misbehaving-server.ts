/**
 * A small DNS server for tests, over UDP and TCP on one loopback port, whose behaviour is
 * chosen by the first label of the question name:
 *
 * - `silent.*`: never answers; `slow-MS.*`: answers after MS milliseconds
 * - `trunc.*`: over UDP a TC answer without records, over TCP the full answer
 * - `garbage.*`: random bytes; `spoof.*`: first a reply with a wrong ID and one with a wrong
 *   question, then the right answer 50 ms later
 * - `servfail.*`, `refused.*`: that rcode; `bare.*`: REFUSED without the question;
 * - `noedns.*`: the default answer without an OPT record, as an EDNS-unaware server sends it
 *   `nxdomain.*`: NXDOMAIN with an SOA; `nodata.*`:
 *   NOERROR, no answer, with an SOA
 * - anything else: the records set with `setRecords`, or A 192.0.2.1 TTL 300
 *
 * With `down` set it answers nothing at all. Every query it receives is logged in `queries`.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';

export interface ReceivedQuery {
  readonly name: string;
  readonly type: string;
  readonly transport: 'udp' | 'tcp';
  readonly id: number;
}

export interface SoaSettings {
  readonly ttl: number;
  readonly minimum: number;
}

export class MisbehavingServer {
  readonly queries: ReceivedQuery[] = [];
  down = false;
  /** TCP connections accepted so far. */
  tcpConnections = 0;
  /** When set, every query but the `. NS` health probe gets this rcode and no records. */
  forceRcode: number | null = null;
  soa: SoaSettings = { ttl: 3600, minimum: 60 };
  private readonly records = new Map<string, dnsPacket.Answer[]>();
  private readonly tcpSockets = new Set<net.Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  private constructor(
    private readonly udp: dgram.Socket,
    private readonly tcp: net.Server,
    readonly port: number,
  ) {
    udp.on('message', (msg, rinfo) => this.onUdp(msg, rinfo));
    tcp.on('connection', (socket) => this.onTcp(socket));
  }

  static async start(): Promise<MisbehavingServer> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const udp = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
      const port = udp.address().port;
      const tcp = net.createServer();
      const ok = await new Promise<boolean>((resolve) => {
        tcp.once('error', () => resolve(false));
        tcp.listen(port, '127.0.0.1', () => resolve(true));
      });
      if (ok) return new MisbehavingServer(udp, tcp, port);
      udp.close();
    }
    throw new Error('misbehaving server: no port');
  }

  /** The records answered for `name` (lower case, no trailing dot) and any type. */
  setRecords(name: string, answers: dnsPacket.Answer[]): void {
    this.records.set(name, answers);
  }

  /** How many queries for `name` (case-insensitive) arrived. */
  count(name: string): number {
    return this.queries.filter((q) => q.name.toLowerCase() === name).length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    for (const socket of this.tcpSockets) socket.destroy();
    await new Promise<void>((resolve) => this.udp.close(() => resolve()));
    await new Promise<void>((resolve) => this.tcp.close(() => resolve()));
  }

  private onUdp(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const send = (out: Buffer): void => {
      if (!this.closed) this.udp.send(out, rinfo.port, rinfo.address);
    };
    this.handle(msg, 'udp', send);
  }

  private onTcp(socket: net.Socket): void {
    this.tcpConnections++;
    this.tcpSockets.add(socket);
    socket.on('close', () => this.tcpSockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= buffered.readUInt16BE(0) + 2) {
        const msg = buffered.subarray(2, buffered.readUInt16BE(0) + 2);
        buffered = buffered.subarray(msg.length + 2);
        this.handle(Buffer.from(msg), 'tcp', (out) => {
          const frame = Buffer.alloc(out.length + 2);
          frame.writeUInt16BE(out.length, 0);
          out.copy(frame, 2);
          if (!socket.destroyed) socket.write(frame);
        });
      }
    });
  }

  private handle(msg: Buffer, transport: 'udp' | 'tcp', send: (out: Buffer) => void): void {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    this.queries.push({ name: question.name, type: question.type, transport, id: query.id ?? 0 });
    if (this.down) return;
    const first = question.name.toLowerCase().split('.')[0];
    const slow = /^slow-(\d+)$/.exec(first);
    if (first === 'silent') return;
    if (slow) {
      this.later(Number(slow[1]), () => send(this.answer(query, transport)));
      return;
    }
    if (first === 'bare') {
      const header = Buffer.alloc(12);
      header.writeUInt16BE(query.id ?? 0, 0);
      header.writeUInt16BE(0x8000 | 0x0080 | 5, 2);
      return send(header);
    }
    if (first === 'garbage')
      return send(Buffer.from(Array.from({ length: 40 }, (_, i) => (i * 97 + 13) & 0xff)));
    if (first === 'spoof') {
      const wrongId = this.answer(query, transport);
      wrongId.writeUInt16BE((wrongId.readUInt16BE(0) + 1) & 0xffff, 0);
      send(wrongId);
      send(this.answer({ ...query, questions: [{ ...question, name: 'other.test' }] }, transport));
      this.later(50, () => send(this.answer(query, transport)));
      return;
    }
    send(this.answer(query, transport));
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private answer(query: dnsPacket.DecodedPacket, transport: 'udp' | 'tcp'): Buffer {
    const question = query.questions?.[0] as dnsPacket.Question;
    const name = question.name.toLowerCase();
    const first = name.split('.')[0];
    const edns = query.additionals?.find((rr) => rr.type === 'OPT');
    const base: dnsPacket.Packet = {
      type: 'response',
      id: query.id,
      flags: (query.flags ?? 0) & (dnsPacket.RECURSION_DESIRED | dnsPacket.CHECKING_DISABLED),
      questions: [question],
      answers: [],
      authorities: [],
      // EDNS options are echoed, as a server does with a client cookie (RFC 7873 §5.2).
      additionals: edns && first !== 'noedns'
        ? [
            {
              type: 'OPT',
              name: '.',
              udpPayloadSize: 1232,
              flags: 0,
              options: (edns as { options?: unknown[] }).options ?? [],
            } as unknown as dnsPacket.Answer,
          ]
        : [],
    };
    base.flags = (base.flags ?? 0) | dnsPacket.RECURSION_AVAILABLE;
    const zone = name.split('.').slice(1).join('.') || '.';
    const soa = {
      type: 'SOA',
      name: zone,
      ttl: this.soa.ttl,
      data: {
        mname: `ns.${zone}`,
        rname: `admin.${zone}`,
        serial: 1,
        refresh: 3600,
        retry: 600,
        expire: 86400,
        minimum: this.soa.minimum,
      },
    } as dnsPacket.Answer;
    if (this.forceRcode !== null && name !== '.') {
      return dnsPacket.encode({ ...base, flags: (base.flags ?? 0) | this.forceRcode });
    }
    switch (first) {
      case 'servfail':
        return dnsPacket.encode({ ...base, flags: (base.flags ?? 0) | 2 });
      case 'refused':
        return dnsPacket.encode({ ...base, flags: (base.flags ?? 0) | 5 });
      case 'nxdomain':
        return dnsPacket.encode({ ...base, flags: (base.flags ?? 0) | 3, authorities: [soa] });
      case 'nodata':
        return dnsPacket.encode({ ...base, authorities: [soa] });
      case 'trunc':
        if (transport === 'udp')
          return dnsPacket.encode({
            ...base,
            flags: (base.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE,
          });
        return dnsPacket.encode({ ...base, answers: this.recordsFor(question) });
      default:
        return dnsPacket.encode({ ...base, answers: this.recordsFor(question) });
    }
  }

  private recordsFor(question: dnsPacket.Question): dnsPacket.Answer[] {
    const name = question.name.toLowerCase();
    const set = this.records.get(name);
    if (set) return set.map((rr) => ({ ...rr, name: question.name }) as dnsPacket.Answer);
    if (question.type !== 'A') return [];
    return [{ type: 'A', name: question.name, ttl: 300, data: '192.0.2.1' }];
  }
}
