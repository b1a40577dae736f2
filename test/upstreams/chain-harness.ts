/**
 * Runs plugin handlers in-process behind real UDP and TCP listeners on loopback, so tests can
 * query them with dig and dns-packet before (and besides) the full `clusterdns` process:
 * directives built in code, a PluginContext with a fresh registry, and a server loop that
 * parses with the contract's parseQuery and answers SERVFAIL when a handler throws.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { pino } from 'pino';
import type { Closable, Handler, Reply } from '../../src/chain/handler.js';
import type { BlockInfo, PluginContext, PluginSetup } from '../../src/chain/plugin.js';
import { DnsRequest } from '../../src/chain/request.js';
import type { Directive } from '../../src/config/directive.js';
import { createRegistry, type Registry } from '../../src/metrics/registry.js';
import { Rcode } from '../../src/wire/constants.js';
import { encodeError } from '../../src/wire/message-writer.js';
import { parseQuery } from '../../src/wire/query.js';

/** A directive as the Corefile parser would produce it, at `test.Corefile:line`. */
export function directive(
  name: string,
  args: readonly string[] = [],
  block: Directive[] = [],
  line = 1,
): Directive {
  return { name, args, block, file: 'test.Corefile', line };
}

/** The end of a chain: REFUSED for everything, as a server with no plugin for the name. */
export const refuseAll: Handler = {
  name: 'end',
  serve(request: DnsRequest): Reply {
    return encodeError(request.wire, request.query.questionEnd, Rcode.REFUSED, request.query.edns);
  },
};

export class TestContext implements PluginContext {
  readonly logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  readonly metrics: Registry = createRegistry();
  readonly closables: Closable[] = [];
  readonly shared = {
    acquire: <T extends Closable>(_key: string, create: () => T): T => create(),
  };

  constructor(readonly block: BlockInfo = { zones: [''], port: 53, server: 'dns://:53' }) {}

  addReadiness(): void {}

  addClosable(resource: Closable): void {
    this.closables.push(resource);
  }

  async close(): Promise<void> {
    for (const c of this.closables.splice(0)) await c.close();
  }

  /** The value of one metric sample, or undefined. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
    const family = (await this.metrics.getMetricsAsJSON()).find((m) => m.name === name);
    const sample = family?.values.find((v) =>
      Object.entries(labels).every(
        ([k, val]) => String((v.labels as Record<string, unknown>)[k]) === val,
      ),
    );
    return sample?.value;
  }
}

/** Parses and creates one plugin in front of `next`. */
export function build<C>(
  setup: PluginSetup<C>,
  d: Directive,
  next: Handler,
  context: TestContext,
): Handler {
  return setup.create(setup.parse(d, context.block), next, context);
}

/** Serves `handler` on 127.0.0.1 UDP and TCP (same port). */
export class ChainServer {
  private readonly sockets = new Set<net.Socket>();
  private closed = false;

  private constructor(
    private readonly udp: dgram.Socket,
    private readonly tcp: net.Server,
    readonly port: number,
    private readonly handler: () => Handler,
  ) {
    udp.on('message', (msg, rinfo) => {
      void this.answer(msg, 'udp', rinfo.address, rinfo.port).then((out) => {
        if (out && !this.closed) udp.send(out, rinfo.port, rinfo.address);
      });
    });
    tcp.on('connection', (socket) => this.onTcp(socket));
  }

  /** `handler` is read per query, so a test may swap the chain. */
  static async start(handler: () => Handler): Promise<ChainServer> {
    for (;;) {
      const udp = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
      const port = udp.address().port;
      const tcp = net.createServer();
      const ok = await new Promise<boolean>((resolve) => {
        tcp.once('error', () => resolve(false));
        tcp.listen(port, '127.0.0.1', () => resolve(true));
      });
      if (ok) return new ChainServer(udp, tcp, port, handler);
      udp.close();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.udp.close(() => resolve()));
    await new Promise<void>((resolve) => this.tcp.close(() => resolve()));
  }

  private async answer(
    msg: Buffer,
    transport: 'udp' | 'tcp',
    address: string,
    port: number,
  ): Promise<Buffer | null> {
    const parsed = parseQuery(msg);
    if (!parsed.ok) {
      if (parsed.error.drop) return null;
      return encodeError(msg, 12, parsed.error.rcode, null);
    }
    const request = new DnsRequest(
      parsed.query,
      msg,
      transport,
      address,
      port,
      process.hrtime.bigint(),
    );
    try {
      return await this.handler().serve(request);
    } catch {
      return encodeError(msg, parsed.query.questionEnd, Rcode.SERVFAIL, parsed.query.edns);
    }
  }

  private onTcp(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= buffered.readUInt16BE(0) + 2) {
        const msg = Buffer.from(buffered.subarray(2, buffered.readUInt16BE(0) + 2));
        buffered = buffered.subarray(msg.length + 2);
        void this.answer(msg, 'tcp', socket.remoteAddress ?? '', socket.remotePort ?? 0).then(
          (out) => {
            if (!out || socket.destroyed) return;
            const frame = Buffer.alloc(out.length + 2);
            frame.writeUInt16BE(out.length, 0);
            out.copy(frame, 2);
            socket.write(frame);
          },
        );
      }
    });
  }
}
