/**
 * Forwarding-loop detection, as CoreDNS's loop plugin does it: at start, a query for
 * `<random>.<random>.<zone>` type HINFO goes down the chain. If that same name arrives at
 * this handler as an incoming query more than twice, our queries reach ourselves again
 * (typically a resolv.conf that points at a loopback resolver) and the process must stop:
 * serving would only spin queries until they time out. A probe that gets an answer other than
 * SERVFAIL proves there is no loop and turns the check off; failed probes are retried every
 * 0.5 s for 30 s.
 *
 * The probes we send are handed to the next plugin directly and never counted: only a probe
 * that comes back through a listener is evidence of a loop. An upstream that is down answers
 * every probe SERVFAIL (or not at all), which is not a loop.
 */
import type { Logger } from 'pino';
import type { Closable, Handler, Reply } from '../../chain/handler.js';
import { DnsRequest } from '../../chain/request.js';
import { ClusterDnsError } from '../../errors.js';
import { Rcode } from '../../wire/constants.js';
import { parseQuery } from '../../wire/query.js';
import { encodeProbe } from './probe-query.js';

const HINFO = 13;
const MAX_SEEN = 2;
const RETRY_MS = 500;
const GIVE_UP_MS = 30_000;

export interface LoopDeps {
  readonly logger: Logger;
  /** Called once when a loop is found; the default logs at error and exits with status 1. */
  readonly onLoop?: (error: ClusterDnsError) => void;
  readonly random?: () => number;
  /** Delay before the first probe, so the listeners are up (tests shorten it). */
  readonly firstProbeMs?: number;
}

export class LoopHandler implements Handler, Closable {
  readonly name = 'loop';
  readonly probeName: string;
  private seen = 0;
  private done = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly startedAt = Date.now();

  constructor(
    private readonly zone: string,
    private readonly next: Handler,
    private readonly deps: LoopDeps,
  ) {
    const random = deps.random ?? Math.random;
    const label = (): string => String(Math.floor(random() * 2 ** 52));
    this.probeName = zone === '' ? `${label()}.${label()}` : `${label()}.${label()}.${zone}`;
    this.schedule(deps.firstProbeMs ?? 100);
  }

  serve(request: DnsRequest): Reply | Promise<Reply> {
    if (this.done || request.query.type !== HINFO || request.query.name !== this.probeName) {
      return this.next.serve(request);
    }
    this.seen++;
    if (this.seen > MAX_SEEN) this.loopFound(request);
    return this.next.serve(request);
  }

  close(): void {
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    if (this.done) return;
    this.timer = setTimeout(() => void this.probe(), ms);
    this.timer.unref();
  }

  private async probe(): Promise<void> {
    const wire = encodeProbe(this.probeName, HINFO);
    const parsed = parseQuery(wire);
    if (!parsed.ok) return;
    const request = new DnsRequest(parsed.query, wire, 'udp', '', 0, process.hrtime.bigint());
    let rcode: number = Rcode.SERVFAIL;
    try {
      // Straight to `next`: our own probe going out must not count as one coming back.
      const reply = await this.next.serve(request);
      if (reply && reply.length >= 4) rcode = reply[3] & 0xf;
    } catch {
      rcode = Rcode.SERVFAIL;
    }
    if (this.done) return;
    if (rcode !== Rcode.SERVFAIL) {
      // Answered without coming back to us: no loop; stop looking (CoreDNS disables itself).
      this.done = true;
      return;
    }
    if (Date.now() - this.startedAt < GIVE_UP_MS) this.schedule(RETRY_MS);
  }

  private loopFound(request: DnsRequest): void {
    if (this.done) return;
    this.close();
    const upstreams = upstreamLabels(this.next);
    const from = `${request.clientAddress}:${request.clientPort}`;
    const zone = this.zone === '' ? '.' : `${this.zone}.`;
    const error = new ClusterDnsError(
      'LOOP_DETECTED',
      `forwarding loop detected for zone "${zone}": ` +
        `the probe "${this.probeName}. HINFO" came back ` +
        `from ${from} via upstream ${upstreams.join(', ') || 'unknown'}; ` +
        'point forward at a resolver that does not send queries back to this server',
    );
    if (this.deps.onLoop) this.deps.onLoop(error);
    else defaultOnLoop(this.deps.logger, error, upstreams);
  }
}

/** The forward plugin's upstream labels when `next` is one (duck-typed: no import upward). */
function upstreamLabels(next: Handler): string[] {
  const upstreams = (next as { upstreams?: readonly { label: string }[] }).upstreams;
  return Array.isArray(upstreams) ? upstreams.map((u) => u.label) : [];
}

function defaultOnLoop(logger: Logger, err: ClusterDnsError, upstreams: string[]): void {
  logger.error({ err, code: err.code, upstreams }, 'forwarding loop detected, exiting');
  process.exit(1);
}
