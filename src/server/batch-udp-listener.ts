/**
 * A DNS listener on the native batch UDP socket: the kernel hands over up to `addon.batch`
 * datagrams per system call, `onBatch` answers them all in one JavaScript call, and the replies
 * written into the reply slots leave in one more system call (native/batch_udp.cc). On loopback
 * the system calls are most of the cost of a query (docs/performance.md), so this halves it.
 *
 * Each query is copied out of its slot before it is answered, because an answer that waits
 * (forwarding) keeps the request's bytes while the slot is refilled by the next batch.
 */
import type { Logger } from 'pino';
import type { Reply } from '../chain/handler.js';
import { type BatchEndpoint, type BatchUdpAddon, META_INTS } from './batch-udp-addon.js';
import type { QueryDispatcher } from './query-dispatcher.js';
import { REHEARSAL_CLIENT_PORT, type RehearsalPlan } from './rehearsal.js';
import type { UdpListener } from './udp-listener.js';

/** The two client addresses of the rehearsal's queries, as the address words are laid out. */
const LOOPBACK = Uint8Array.of(127, 0, 0, 1);
const LOOPBACK_2 = Uint8Array.of(127, 0, 0, 2);

export class BatchUdpListener implements UdpListener {
  private closed = false;
  private readonly slot: number;
  private readonly queries: Buffer;
  private readonly meta: Int32Array;
  private readonly metaBytes: Uint8Array;
  private readonly replies: Buffer;
  private readonly replyLength: Int32Array;
  /**
   * The last peer address seen, as raw words and as text, so a run of queries from one client
   * (the usual case: a node-local cache, a busy pod) formats its address once.
   */
  private lastFamily = 0;
  /** Address words and scope id of the last peer. */
  private readonly lastWords = new Int32Array(5);
  private lastText = '';

  private constructor(
    private readonly addon: BatchUdpAddon,
    private readonly endpoint: BatchEndpoint,
    private readonly dispatcher: QueryDispatcher,
    private readonly logger: Logger,
  ) {
    this.slot = addon.slot;
    this.queries = Buffer.alloc(addon.batch * addon.slot);
    this.meta = new Int32Array(addon.batch * META_INTS);
    this.metaBytes = new Uint8Array(this.meta.buffer);
    this.replies = Buffer.alloc(addon.batch * addon.slot);
    this.replyLength = new Int32Array(addon.batch);
  }

  /**
   * Binds and starts receiving; throws the system error (EADDRINUSE, EACCES...). With
   * `reusePort` the socket sets SO_REUSEPORT before binding, so it may join other sockets of the
   * same user on that port (each `serve --workers` worker holds one; the kernel hashes each
   * client address and port to one of them); without it the bind is exclusive.
   */
  static bind(
    addon: BatchUdpAddon,
    host: string,
    port: number,
    reusePort: boolean,
    dispatcher: QueryDispatcher,
    logger: Logger,
  ): BatchUdpListener {
    const endpoint = addon.open(host === '' ? '::' : host, port, reusePort);
    const listener = new BatchUdpListener(addon, endpoint, dispatcher, logger);
    try {
      addon.start(
        endpoint,
        listener.queries,
        listener.meta,
        listener.replies,
        listener.replyLength,
        listener.onBatch,
      );
    } catch (err) {
      addon.close(endpoint);
      throw err;
    }
    return listener;
  }

  get port(): number {
    return this.addon.localAddress(this.endpoint)[1];
  }

  get address(): string {
    return this.addon.localAddress(this.endpoint)[0];
  }

  /**
   * Fills the query slots with the plan's queries, as from 127.0.0.1, and runs the batch code on
   * them, batch after batch, exactly as for received datagrams. Afterwards no reply length is
   * left set (the next real batch sends only its own replies) and the peer memo is cleared.
   * The caller marks the dispatcher as rehearsing, which also keeps `onBatch` from sending.
   */
  rehearse(plan: RehearsalPlan): number {
    const { queries, deadline, maxQueries } = plan;
    const { slot, meta, metaBytes } = this;
    const batch = this.replyLength.length;
    let answered = 0;
    try {
      while (answered < maxQueries && process.hrtime.bigint() < deadline) {
        const count = Math.min(batch, maxQueries - answered);
        for (let i = 0; i < count; i++) {
          const wire = queries[(answered + i) % queries.length];
          this.queries.set(wire, i * slot);
          const base = i * META_INTS;
          meta[base] = wire.length;
          meta[base + 1] = REHEARSAL_CLIENT_PORT + (i & 3);
          meta[base + 2] = 4;
          meta[base + 3] = 0;
          // Two client addresses in runs of 16, so both sides of the peer memo are compiled.
          metaBytes.set((i & 16) === 0 ? LOOPBACK : LOOPBACK_2, (base + 4) * 4);
          meta[base + 8] = 0;
        }
        this.onBatch(count);
        answered += count;
      }
    } finally {
      this.replyLength.fill(0);
      this.lastFamily = 0;
      this.lastWords.fill(0);
      this.lastText = '';
    }
    return answered;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.addon.close(this.endpoint);
    // libuv closes the socket at the end of this loop turn: resolve once it has, so the port
    // can be bound again.
    return new Promise((resolve) => setImmediate(resolve));
  }

  /** Answers slots 0..count-1; replies that fit a slot are left there for the batch send. */
  private readonly onBatch = (count: number): void => {
    const { meta, slot, queries, replies, replyLength } = this;
    for (let i = 0; i < count; i++) {
      const base = i * META_INTS;
      // A datagram larger than a slot (4096 octets: no DNS query is that large) arrives cut
      // short; it is dropped rather than answered from a partial message.
      if (meta[base + 3] !== 0) continue;
      const length = meta[base];
      const wire = Buffer.allocUnsafe(length);
      // A byte loop: for a query of a few dozen octets, Buffer#copy's checks and view cost more.
      for (let b = 0, from = i * slot; b < length; b++) wire[b] = queries[from + b];
      const port = meta[base + 1];
      const address = this.peerAddress(i, base);
      const reply = this.dispatcher.answer(wire, 'udp', address, port);
      if (reply === null) continue;
      if (reply instanceof Promise) {
        if (!this.dispatcher.rehearsing) reply.then((late) => this.sendNow(late, address, port));
      } else if (reply.length <= slot) {
        replies.set(reply, i * slot);
        replyLength[i] = reply.length;
      } else if (!this.dispatcher.rehearsing) {
        this.sendNow(reply, address, port);
      }
    }
  };

  private sendNow(reply: Reply, address: string, port: number): void {
    if (reply === null || this.closed) return;
    const result = this.addon.sendTo(this.endpoint, reply, address, port);
    // A lost reply (full buffer, unreachable client) is a lost datagram: the client retries.
    if (result < 0) this.logger.debug({ errno: result }, 'udp send failed');
  }

  private peerAddress(slotIndex: number, base: number): string {
    const meta = this.meta;
    const family = meta[base + 2];
    const words = this.lastWords;
    if (family === this.lastFamily && meta[base + 4] === words[0]) {
      if (family === 4) return this.lastText;
      if (
        meta[base + 5] === words[1] &&
        meta[base + 6] === words[2] &&
        meta[base + 7] === words[3] &&
        meta[base + 8] === words[4]
      ) {
        return this.lastText;
      }
    }
    this.lastFamily = family;
    for (let w = 0; w < 5; w++) words[w] = meta[base + 4 + w];
    if (family === 4) {
      const b = this.metaBytes;
      const at = (base + 4) * 4;
      this.lastText = `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
    } else {
      this.lastText = this.addon.formatAddress(this.endpoint, slotIndex);
    }
    return this.lastText;
  }
}
