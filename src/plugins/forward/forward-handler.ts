/**
 * The forward plugin's handler: sends queries under FROM (minus `except`) to the upstreams and
 * passes their answers back. Upstreams are tried in policy order, skipping those marked down;
 * when all are down one is tried anyway. Each attempt is bounded by the read timeout and the
 * whole query by a deadline, after which the answer is SERVFAIL: never a hang.
 */
import type { Handler, Reply } from '../../chain/handler.js';
import type { DnsRequest } from '../../chain/request.js';
import { Flag, RRClass, Rcode, rcodeName } from '../../wire/constants.js';
import { encodeError } from '../../wire/message-writer.js';
import type { Logger } from 'pino';
import { inZone } from './directive-args.js';
import { fitReply } from './fit-reply.js';
import type { ForwardConfig } from './forward-config.js';
import type { ForwardMetrics } from './forward-metrics.js';
import { UpstreamPolicy } from './upstream-policy.js';
import { Upstream, type Protocol } from './upstream.js';

export interface ForwardDeps {
  readonly logger: Logger;
  readonly metrics: ForwardMetrics;
  readonly random?: () => number;
  readonly now?: () => number;
}

export class ForwardHandler implements Handler {
  readonly name = 'forward';
  readonly upstreams: readonly Upstream[];
  private readonly policy: UpstreamPolicy<Upstream>;
  private readonly random: () => number;
  private readonly now: () => number;
  private inFlight = 0;

  constructor(
    private readonly config: ForwardConfig,
    private readonly next: Handler,
    private readonly deps: ForwardDeps,
  ) {
    this.random = deps.random ?? Math.random;
    this.now = deps.now ?? Date.now;
    this.policy = new UpstreamPolicy(config.policy, this.random);
    const hooks = {
      random: deps.random,
      onHealthCheckFailure: (up: Upstream) => {
        deps.metrics.healthcheckFailures.inc({ proxy_name: 'forward', to: up.label });
        // Once per outage, not per probe: the metric counts every failed check.
        if (up.fails === config.maxFails) deps.logger.warn({ upstream: up.label }, 'upstream down');
      },
      onRecovered: (up: Upstream) => {
        deps.logger.info({ upstream: up.label }, 'upstream healthy again');
      },
    };
    this.upstreams = config.upstreams.map((address) => new Upstream(address, config, hooks));
  }

  serve(request: DnsRequest): Reply | Promise<Reply> {
    if (!this.handles(request.query.name)) return this.next.serve(request);
    // The start-up rehearsal never leaves the process.
    if (request.rehearsal) return this.error(request, Rcode.REFUSED);
    // CHAOS questions (version.bind, id.server) would disclose the upstream's software; they
    // are answered by the chaos plugin or refused, never forwarded.
    if (request.query.class === RRClass.CH) {
      request.answeredBy = this.name;
      return this.error(request, Rcode.REFUSED);
    }
    const limit = this.config.maxConcurrent;
    if (limit > 0 && this.inFlight >= limit) {
      this.deps.metrics.maxConcurrentRejects.inc();
      return this.error(request, Rcode.REFUSED);
    }
    this.inFlight++;
    return this.forward(request).finally(() => this.inFlight--);
  }

  close(): void {
    for (const upstream of this.upstreams) upstream.close();
  }

  private handles(name: string): boolean {
    if (!inZone(name, this.config.from)) return false;
    return !this.config.except.some((zone) => inZone(name, zone));
  }

  private async forward(request: DnsRequest): Promise<Reply> {
    request.answeredBy = 'forward';
    const reply = await this.tryUpstreams(request);
    if (!reply) return this.error(request, Rcode.SERVFAIL);
    return fitReply(request, reply);
  }

  private async tryUpstreams(request: DnsRequest): Promise<Buffer | null> {
    const deadline = this.now() + this.config.deadlineMs;
    for (const upstream of this.candidates()) {
      const left = deadline - this.now();
      if (left <= 0) break;
      const timeout = Math.min(left, this.config.readTimeoutMs);
      const reply = await this.attempt(upstream, request, timeout);
      if (reply) return reply;
    }
    return null;
  }

  /** Healthy upstreams in policy order; all of them when none is healthy (CoreDNS does so). */
  private candidates(): Upstream[] {
    const ordered = this.policy.order(this.upstreams);
    const healthy = ordered.filter((up) => !up.isDown());
    if (healthy.length > 0) return healthy;
    this.deps.metrics.healthcheckBroken.inc();
    return ordered;
  }

  /** One upstream, with a TCP retry when a UDP reply came back truncated. */
  private async attempt(
    upstream: Upstream,
    request: DnsRequest,
    timeoutMs: number,
  ): Promise<Buffer | null> {
    const started = process.hrtime.bigint();
    const { wire, query } = request;
    let protocol = this.protocolFor(request);
    try {
      let reply = await upstream.exchange(wire, query.questionEnd, protocol, timeoutMs);
      if (protocol === 'udp' && this.shouldRetryTcp(upstream, request, reply)) {
        protocol = 'tcp';
        reply = await upstream.exchange(wire, query.questionEnd, protocol, timeoutMs);
      }
      this.observe(upstream, reply, started);
      return reply;
    } catch (err) {
      this.deps.logger.debug({ upstream: upstream.label, err }, 'upstream exchange failed');
      upstream.startHealthChecks();
      return null;
    }
  }

  /** force_tcp wins; prefer_udp uses UDP; otherwise the client's own transport (CoreDNS). */
  private protocolFor(request: DnsRequest): Protocol {
    if (this.config.forceTcp) return 'tcp';
    if (this.config.preferUdp) return 'udp';
    return request.transport;
  }

  /**
   * A truncated UDP reply is retried over TCP only for a TCP client (prefer_udp sent it over
   * UDP): a UDP client gets the TC answer and retries over TCP itself, which then goes to the
   * upstream over TCP, as in CoreDNS.
   */
  private shouldRetryTcp(upstream: Upstream, request: DnsRequest, reply: Buffer): boolean {
    if ((reply.readUInt16BE(2) & Flag.TC) === 0 || upstream.address.tls) return false;
    return request.transport === 'tcp';
  }

  private observe(upstream: Upstream, reply: Buffer, started: bigint): void {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rcode = rcodeName(reply.readUInt16BE(2) & 0xf);
    this.deps.metrics.requestDuration.cell('forward', upstream.label, rcode).observe(seconds);
  }

  private error(request: DnsRequest, rcode: number): Buffer {
    request.answeredBy = 'forward';
    const { query } = request;
    const reply = encodeError(request.wire, query.questionEnd, rcode, query.edns);
    reply.writeUInt16BE(reply.readUInt16BE(2) | Flag.RA, 2);
    return reply;
  }
}
