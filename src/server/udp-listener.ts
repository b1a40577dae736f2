/**
 * The UDP half of a DNS listener, and the choice of how it does its I/O: the batch socket
 * (recvmmsg/sendmmsg through the native addon) where it can be loaded, node:dgram otherwise.
 * Both answer every datagram through the same dispatcher, so answers do not depend on it, with
 * one exception: the batch socket drops a datagram larger than its 4096-octet slot (no DNS query
 * is that large; node:dgram would hand it whole to the parser, which ignores trailing bytes).
 *
 * A `serve --workers` worker on a configured port binds its own batch socket with SO_REUSEPORT,
 * so the kernel spreads client flows over one socket per worker (docs/workers.md).
 */
import cluster from 'node:cluster';
import type { Logger } from 'pino';
import { batchUdpAddon } from './batch-udp-addon.js';
import { BatchUdpListener } from './batch-udp-listener.js';
import { DgramUdpListener } from './dgram-udp-listener.js';
import type { QueryDispatcher } from './query-dispatcher.js';
import type { RehearsalPlan } from './rehearsal.js';

export interface UdpListener {
  /** The port actually bound. */
  readonly port: number;
  /** The address actually bound (`::` for every interface). */
  readonly address: string;
  /**
   * Answers the plan's queries (in turn, repeating) through this listener's own path, keeps
   * nothing of them and returns how many were answered. Called only while the dispatcher is
   * marked `rehearsing` (DnsListener.rehearse), which is what keeps every reply unsent.
   */
  rehearse(plan: RehearsalPlan): number;
  close(): Promise<void>;
}

/** `batch`: recvmmsg/sendmmsg where available; `dgram`: node:dgram always. */
export type UdpIo = 'batch' | 'dgram';

export const UDP_IO_MODES: readonly UdpIo[] = ['batch', 'dgram'];

let fallbackReported = false;

/**
 * Binds UDP on host:port (host '' = every interface, dual-stack); rejects with the system error.
 * A lone process binds exclusively; a worker joins the other workers' SO_REUSEPORT group (port
 * given) or shares the primary's socket (port 0, `dgram`, or no addon).
 */
export function bindUdpListener(
  host: string,
  port: number,
  io: UdpIo,
  dispatcher: QueryDispatcher,
  logger: Logger,
): Promise<UdpListener> {
  // Port 0 means "any free port", and separate SO_REUSEPORT sockets would each get a different
  // one: only the primary's shared node:dgram socket gives every worker the same port.
  const sharedSocket = cluster.isWorker && port === 0;
  if (io === 'dgram' || sharedSocket) return DgramUdpListener.bind(host, port, dispatcher, logger);
  const addon = batchUdpAddon();
  if (addon instanceof Error) {
    if (!fallbackReported) {
      fallbackReported = true;
      logger.warn({ reason: addon.message }, 'batch UDP unavailable; serving UDP with node:dgram');
    }
    return DgramUdpListener.bind(host, port, dispatcher, logger);
  }
  const reusePort = cluster.isWorker;
  return Promise.resolve().then(() =>
    BatchUdpListener.bind(addon, host, port, reusePort, dispatcher, logger),
  );
}
