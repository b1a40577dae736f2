/**
 * TCP attackers for the starvation tests: many clients that each trickle one byte at a time,
 * reconnecting when the server closes them; and a flood that opens connections as fast as it
 * can. Both run until stopped and count what they did.
 */
import { WEB_NAME } from '../conformance/cluster-fixture.js';
import { buildQuery } from '../conformance/query-builder.js';
import { frame } from '../conformance/wire-client.js';
import { TcpPeer } from './tcp-peer.js';

export interface AttackCounts {
  connections: number;
  /** Connections the server closed while the attack ran. */
  closedByServer: number;
  bytes: number;
}

export interface Attack {
  readonly counts: AttackCounts;
  stop(): Promise<void>;
}

/** `clients` connections, each writing one byte of a query every `everyMs`, forever. */
export function trickle(port: number, clients: number, everyMs: number): Attack {
  const counts: AttackCounts = { connections: 0, closedByServer: 0, bytes: 0 };
  const message = frame(buildQuery({ name: WEB_NAME }));
  let running = true;
  const peers = new Set<TcpPeer>();
  const one = async (): Promise<void> => {
    while (running) {
      const peer = await TcpPeer.connect(port).catch(() => null);
      if (peer === null) continue;
      counts.connections++;
      peers.add(peer);
      for (let i = 0; running && !peer.closed; i = (i + 1) % message.length) {
        peer.write(message.subarray(i, i + 1));
        counts.bytes++;
        await new Promise((r) => setTimeout(r, everyMs));
      }
      if (peer.closed && running) counts.closedByServer++;
      peers.delete(peer);
      peer.destroy();
    }
  };
  const loops = Array.from({ length: clients }, () => one());
  return {
    counts,
    async stop() {
      running = false;
      for (const peer of peers) peer.destroy();
      await Promise.all(loops);
    },
  };
}

/** Opens connections `parallel` at a time and keeps them, until `total` were opened. */
export function connectionFlood(port: number, total: number, parallel: number): Attack {
  const counts: AttackCounts = { connections: 0, closedByServer: 0, bytes: 0 };
  const peers: TcpPeer[] = [];
  let running = true;
  const one = async (): Promise<void> => {
    while (running && counts.connections < total) {
      counts.connections++;
      const peer = await TcpPeer.connect(port).catch(() => null);
      if (peer) peers.push(peer);
    }
  };
  const loops = Array.from({ length: parallel }, () => one());
  return {
    counts,
    async stop() {
      running = false;
      await Promise.all(loops);
      counts.closedByServer = peers.filter((p) => p.closed).length;
      for (const peer of peers) peer.destroy();
    },
  };
}
