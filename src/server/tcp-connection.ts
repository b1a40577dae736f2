/**
 * One client TCP connection carrying DNS messages with 2-octet length framing (RFC 1035
 * §4.2.2, RFC 7766). Several queries may be in flight at once and answers go out as they are
 * ready, possibly out of order (RFC 7766 §6.2.1.1).
 *
 * Reading pauses while `maxInFlight` queries are unanswered or while the client does not read
 * our answers; the listener's sweep closes connections that are idle or stuck mid-message.
 */
import type { Socket } from 'node:net';
import type { Reply } from '../chain/handler.js';
import { HEADER_SIZE } from '../wire/constants.js';
import type { QueryDispatcher } from './query-dispatcher.js';

export class TcpConnection {
  /** Bytes received but not yet a whole message. */
  private pending: Buffer | null = null;
  private inFlight = 0;
  private writeBlocked = false;
  private closed = false;
  /** When the last byte was read or written, for the idle timeout. */
  lastActivity: number;
  /** When the first byte of the current unfinished message arrived; 0 when none. */
  partialSince = 0;

  constructor(
    readonly socket: Socket,
    private readonly dispatcher: QueryDispatcher,
    private readonly maxInFlight: number,
    private readonly now: () => number,
    private readonly onActivity: (connection: TcpConnection) => void,
  ) {
    this.lastActivity = now();
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.on('drain', this.onDrain);
    // A reset or a write to a closed socket ends this connection only.
    socket.on('error', () => socket.destroy());
  }

  /** True while our answers wait for the client to read (the socket's buffer is full). */
  get writeStalled(): boolean {
    return this.writeBlocked;
  }

  /** True when nothing is pending: no unanswered query and no partial message. */
  get idle(): boolean {
    return this.inFlight === 0 && this.pending === null;
  }

  /** Closes at once; with `graceful`, sends FIN first and destroys a second later at the latest. */
  close(graceful = false): void {
    this.closed = true;
    if (!graceful) {
      this.socket.destroy();
      return;
    }
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private readonly onData = (chunk: Buffer): void => {
    this.lastActivity = this.now();
    this.pending = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    this.drainMessages();
  };

  /** Answers every whole message received, unless a limit says to wait. */
  private drainMessages(): void {
    while (this.pending !== null && !this.closed) {
      if (this.inFlight >= this.maxInFlight || this.writeBlocked) {
        this.socket.pause();
        return;
      }
      const buf = this.pending;
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) {
        if (this.partialSince === 0) this.partialSince = this.now();
        return;
      }
      const end = 2 + buf.readUInt16BE(0);
      this.pending = end === buf.length ? null : buf.subarray(end);
      this.partialSince = 0;
      this.onActivity(this);
      this.query(buf.subarray(2, end));
    }
  }

  private query(wire: Buffer): void {
    const address = this.socket.remoteAddress ?? '';
    const port = this.socket.remotePort ?? 0;
    const reply = this.dispatcher.answer(wire, 'tcp', address, port);
    if (wire.length < HEADER_SIZE) {
      // Counted as malformed above. A frame too short for a header means the framing is lost
      // (or a client keeping a slot with empty frames): nothing after it can be trusted.
      this.close();
      return;
    }
    if (reply instanceof Promise) {
      this.inFlight++;
      reply.then((late) => {
        this.inFlight--;
        this.write(late);
        this.resumeIfAllowed();
      });
      return;
    }
    this.write(reply);
  }

  private write(reply: Reply): void {
    if (reply === null || this.closed || this.socket.destroyed) return;
    const framed = Buffer.allocUnsafe(reply.length + 2);
    framed.writeUInt16BE(reply.length, 0);
    reply.copy(framed, 2);
    this.lastActivity = this.now();
    if (!this.socket.write(framed)) this.writeBlocked = true;
  }

  private readonly onDrain = (): void => {
    this.writeBlocked = false;
    this.resumeIfAllowed();
  };

  private resumeIfAllowed(): void {
    if (this.closed || this.inFlight >= this.maxInFlight || this.writeBlocked) return;
    this.drainMessages();
    if (this.inFlight < this.maxInFlight && !this.writeBlocked) this.socket.resume();
  }
}
