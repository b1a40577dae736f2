/**
 * A fuzz campaign against a running clusterdns: batches of mutated and random packets over
 * UDP and TCP, and after each batch a probe that must get the correct answer and a reading of
 * the server's resident memory. Every reply that comes back must itself be a well-formed
 * response. Shared by the long run (bench/fuzz/run.ts) and the short test (test/fuzz/).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { createPrng } from '../lib/prng.js';
import { frame, viewReply } from '../../test/conformance/wire-client.js';
import { mutate, type Strategy } from './mutator.js';
import { rssKb } from './rss.js';
import { seedQueries } from './seed-queries.js';

export interface CampaignOptions {
  readonly port: number;
  readonly host?: string;
  readonly pid: number;
  readonly packets: number;
  readonly batchSize: number;
  readonly seed: number;
  /**
   * UDP packets per second: sending faster than the server reads only fills its socket
   * buffer and the kernel drops the excess unread, which fuzzes nothing.
   */
  readonly udpRate: number;
  /** Every n-th batch goes over TCP (one connection per batch); the rest over UDP. */
  readonly tcpEvery: number;
  /** Resolves with its retry count when the server still answers correctly, rejects otherwise. */
  readonly probe: (transport: 'udp' | 'tcp') => Promise<number>;
  /** Called after each batch, e.g. to print progress. */
  readonly onBatch?: (progress: CampaignResult) => void;
}

export interface CampaignResult {
  sent: { udp: number; tcp: number };
  replies: { udp: number; tcp: number };
  /** Replies that were not well-formed DNS responses (must stay 0). */
  badReplies: number;
  batches: number;
  /** Probes that needed a second or third try (a UDP drop under the flood). */
  probeRetries: number;
  strategies: Partial<Record<Strategy, number>>;
  rss: { startKb: number; maxKb: number; endKb: number; perBatchKb: number[] };
  durationMs: number;
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const random = createPrng(options.seed);
  const seeds = seedQueries();
  const startKb = rssKb(options.pid);
  const result: CampaignResult = {
    sent: { udp: 0, tcp: 0 },
    replies: { udp: 0, tcp: 0 },
    badReplies: 0,
    batches: 0,
    probeRetries: 0,
    strategies: {},
    rss: { startKb, maxKb: startKb, endKb: startKb, perBatchKb: [] },
    durationMs: 0,
  };
  const started = Date.now();
  const udp = await UdpBlaster.open(
    options.host ?? '127.0.0.1',
    options.port,
    options.udpRate,
    (reply) => countReply(result, 'udp', reply),
  );
  try {
    while (result.sent.udp + result.sent.tcp < options.packets) {
      const left = options.packets - result.sent.udp - result.sent.tcp;
      const batch = Array.from({ length: Math.min(options.batchSize, left) }, () => {
        const mutation = mutate(seeds, random);
        result.strategies[mutation.strategy] = (result.strategies[mutation.strategy] ?? 0) + 1;
        return mutation.packet;
      });
      const transport = (result.batches + 1) % options.tcpEvery === 0 ? 'tcp' : 'udp';
      if (transport === 'udp') await udp.send(batch);
      else await tcpBatch(options, batch, (reply) => countReply(result, 'tcp', reply));
      result.sent[transport] += batch.length;
      result.batches++;
      result.probeRetries += await options.probe(transport);
      const kb = rssKb(options.pid);
      result.rss.perBatchKb.push(kb);
      result.rss.maxKb = Math.max(result.rss.maxKb, kb);
      result.rss.endKb = kb;
      options.onBatch?.(result);
    }
  } finally {
    udp.close();
  }
  result.durationMs = Date.now() - started;
  return result;
}

function countReply(result: CampaignResult, transport: 'udp' | 'tcp', reply: Buffer): void {
  result.replies[transport]++;
  try {
    if (!viewReply(reply).qr) result.badReplies++;
  } catch {
    result.badReplies++;
  }
}

/** One UDP socket that sends batches and counts whatever comes back. */
class UdpBlaster {
  private constructor(
    private readonly socket: dgram.Socket,
    private readonly host: string,
    private readonly port: number,
    private readonly rate: number,
  ) {}

  static open(
    host: string,
    port: number,
    rate: number,
    onReply: (reply: Buffer) => void,
  ): Promise<UdpBlaster> {
    const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.on('message', onReply);
    socket.on('error', () => undefined);
    return new Promise((resolve) =>
      socket.bind(0, () => resolve(new UdpBlaster(socket, host, port, rate))),
    );
  }

  /** Sends every packet, 50 at a time at the set rate, then leaves 20 ms for the last replies. */
  async send(packets: readonly Buffer[]): Promise<void> {
    const started = Date.now();
    for (let i = 0; i < packets.length; i += 50) {
      const slice = packets.slice(i, i + 50);
      await Promise.all(
        slice.map(
          (p) => new Promise<void>((r) => this.socket.send(p, this.port, this.host, () => r())),
        ),
      );
      const due = started + ((i + slice.length) * 1000) / this.rate;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    }
    await new Promise((r) => setTimeout(r, 20));
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * Sends a batch over TCP, each packet framed with its true length. The server closes a
 * connection after a frame too short for a DNS header (framing can no longer be trusted), so
 * the batch is cut after each such frame and every piece goes on its own connection.
 */
async function tcpBatch(
  options: CampaignOptions,
  packets: readonly Buffer[],
  onReply: (reply: Buffer) => void,
): Promise<void> {
  let piece: Buffer[] = [];
  for (const packet of packets) {
    piece.push(packet);
    if (packet.length >= 12) continue;
    await tcpPiece(options, piece, onReply);
    piece = [];
  }
  if (piece.length > 0) await tcpPiece(options, piece, onReply);
}

/** One connection: writes the packets, half-closes, waits for the server to close (≤ 5 s). */
function tcpPiece(
  options: CampaignOptions,
  packets: readonly Buffer[],
  onReply: (r: Buffer) => void,
): Promise<void> {
  return new Promise((resolve) => {
    let pending = Buffer.alloc(0);
    const socket = net.connect({ port: options.port, host: options.host ?? '127.0.0.1' }, () => {
      socket.end(Buffer.concat(packets.map(frame)));
    });
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        onReply(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        pending = pending.subarray(2 + pending.readUInt16BE(0));
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
