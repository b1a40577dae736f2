/**
 * A DNS listener: UDP and TCP on the same address and port, routing to a swappable router.
 *
 * Port 0 picks a free port: UDP is bound first and TCP then takes the same number, trying
 * again with another port when TCP finds it taken. An empty host binds every interface,
 * IPv6 and IPv4 on one dual-stack socket, or IPv4 only where the host has no IPv6.
 */
import type net from 'node:net';
import type { Logger } from 'pino';
import { ClusterDnsError } from '../errors.js';
import type { FailureLog } from './failure-log.js';
import { formatListenAddress, type ListenAddress } from './listen-address.js';
import { QueryDispatcher } from './query-dispatcher.js';
import type { RehearsalPlan } from './rehearsal.js';
import type { ServerMetrics } from './server-metrics.js';
import { TcpListener, type TcpLimits } from './tcp-listener.js';
import { bindUdpListener, type UdpIo, type UdpListener } from './udp-listener.js';
import type { ZoneRouter } from './zone-router.js';

const PORT_ATTEMPTS = 20;

export interface ListenerDeps {
  readonly logger: Logger;
  readonly metrics: ServerMetrics;
  readonly failures: FailureLog;
  readonly tcpLimits: TcpLimits;
  readonly udpIo: UdpIo;
}

export class DnsListener {
  private constructor(
    /** The configured address (port 0 stays 0): the identity of this listener across reloads. */
    readonly configured: ListenAddress,
    private readonly dispatcher: QueryDispatcher,
    private readonly udp: UdpListener,
    readonly tcp: TcpListener,
  ) {}

  /** Binds UDP and TCP; rejects with a LISTEN error naming the address. */
  static async open(
    address: ListenAddress,
    router: ZoneRouter,
    deps: ListenerDeps,
  ): Promise<DnsListener> {
    const dispatcher = new QueryDispatcher(router, deps.metrics, deps.failures);
    const { udp, tcp } = await bindPair(address, dispatcher, deps).catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new ClusterDnsError(
        'LISTEN',
        `cannot listen on ${formatListenAddress(address)}: ${code}`,
        {
          cause: err,
        },
      );
    });
    return new DnsListener(
      address,
      dispatcher,
      udp,
      new TcpListener(tcp, dispatcher, deps.tcpLimits),
    );
  }

  /** Routes new queries to `router`; queries already running finish on the old one. */
  swap(router: ZoneRouter): void {
    this.dispatcher.router = router;
  }

  /** Rehearses the answer path over UDP (server/rehearsal.ts); returns the queries answered. */
  rehearse(plan: RehearsalPlan): number {
    this.dispatcher.rehearsing = true;
    try {
      return this.udp.rehearse(plan);
    } finally {
      this.dispatcher.rehearsing = false;
    }
  }

  /** The address and port actually bound. */
  get bound(): { address: string; port: number } {
    return { address: this.udp.address, port: this.udp.port };
  }

  async close(): Promise<void> {
    await Promise.all([this.udp.close(), this.tcp.close()]);
  }
}

interface BoundPair {
  readonly udp: UdpListener;
  readonly tcp: net.Server;
}

async function bindPair(
  address: ListenAddress,
  dispatcher: QueryDispatcher,
  deps: ListenerDeps,
): Promise<BoundPair> {
  if (address.host !== '') return bindSameHost(address.host, address.port, dispatcher, deps);
  try {
    return await bindSameHost('', address.port, dispatcher, deps);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL') throw err;
    return bindSameHost('0.0.0.0', address.port, dispatcher, deps);
  }
}

async function bindSameHost(
  host: string,
  port: number,
  dispatcher: QueryDispatcher,
  deps: ListenerDeps,
): Promise<BoundPair> {
  for (let attempt = 1; ; attempt++) {
    const udp = await bindUdpListener(host, port, deps.udpIo, dispatcher, deps.logger);
    try {
      const tcp = await TcpListener.listen(host, udp.port);
      return { udp, tcp };
    } catch (err) {
      await udp.close();
      const retry = port === 0 && (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!retry || attempt >= PORT_ATTEMPTS) throw err;
    }
  }
}
