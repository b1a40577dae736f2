/**
 * One upstream server: its transports and its health. A failed exchange starts health checks
 * (`. IN NS` with RD every `health_check` interval); each failed check counts, and the
 * upstream is down once `max_fails` checks in a row have failed. A check that gets any reply
 * marks it healthy and stops the checks (CoreDNS forward README, "health_check").
 */
import fs from 'node:fs';
import type tls from 'node:tls';
import type { ForwardConfig } from './forward-config.js';
import { StreamPool } from './stream-pool.js';
import { UdpChannel } from './udp-channel.js';
import type { UpstreamAddress } from './upstream-address.js';

export type Protocol = 'udp' | 'tcp';

/** `. IN NS` with RD set, ID 0 (replaced per exchange). */
const HEALTH_PROBE = Buffer.from([0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1]);
const HEALTH_PROBE_QUESTION_END = HEALTH_PROBE.length;

export interface UpstreamHooks {
  /** Called for each failed health check, for `coredns_proxy_healthcheck_failures_total`. */
  onHealthCheckFailure(upstream: Upstream): void;
  /** Called when a check succeeds on an upstream that was down. */
  onRecovered(upstream: Upstream): void;
  random?: () => number;
}

export class Upstream {
  /** Failed health checks in a row. */
  fails = 0;
  private readonly udp: UdpChannel | null;
  private readonly stream: StreamPool;
  private checking: NodeJS.Timeout | null = null;
  private probeInFlight = false;

  constructor(
    readonly address: UpstreamAddress,
    private readonly config: ForwardConfig,
    private readonly hooks: UpstreamHooks,
  ) {
    this.udp = address.tls ? null : new UdpChannel(address, hooks.random);
    const tlsOptions = address.tls ? buildTlsOptions(config) : null;
    this.stream = new StreamPool(address, { tls: tlsOptions, expireMs: config.expireMs });
  }

  get label(): string {
    return this.address.label;
  }

  /** Down when health checking is on and `max_fails` checks in a row failed. */
  isDown(): boolean {
    return this.config.maxFails > 0 && this.fails >= this.config.maxFails;
  }

  /** Exchanges one message; TLS upstreams always use their TLS connection. */
  exchange(
    wire: Buffer,
    questionEnd: number,
    protocol: Protocol,
    timeoutMs: number,
  ): Promise<Buffer> {
    if (this.udp && protocol === 'udp') return this.udp.exchange(wire, questionEnd, timeoutMs);
    return this.stream.exchange(wire, questionEnd, timeoutMs);
  }

  /** Starts periodic health checks unless they run already or are disabled. */
  startHealthChecks(): void {
    if (this.config.maxFails === 0 || this.checking) return;
    this.checking = setInterval(() => void this.probe(), this.config.healthCheckMs);
    this.checking.unref();
    void this.probe();
  }

  close(): void {
    if (this.checking) clearInterval(this.checking);
    this.checking = null;
    this.udp?.close();
    this.stream.close();
  }

  private async probe(): Promise<void> {
    if (this.probeInFlight) return;
    this.probeInFlight = true;
    const protocol: Protocol = this.config.forceTcp ? 'tcp' : 'udp';
    const timeout = Math.min(this.config.readTimeoutMs, 1000);
    try {
      await this.exchange(HEALTH_PROBE, HEALTH_PROBE_QUESTION_END, protocol, timeout);
      if (this.isDown()) this.hooks.onRecovered(this);
      this.fails = 0;
      if (this.checking) clearInterval(this.checking);
      this.checking = null;
    } catch {
      this.fails++;
      this.hooks.onHealthCheckFailure(this);
    } finally {
      this.probeInFlight = false;
    }
  }
}

/** Without tls_servername the certificate must name the upstream's IP (RFC 6066 forbids IP SNI). */
function buildTlsOptions(config: ForwardConfig): tls.ConnectionOptions {
  const { certFile, keyFile, caFile, serverName } = config.tls;
  return {
    servername: serverName,
    ca: caFile ? fs.readFileSync(caFile) : undefined,
    cert: certFile ? fs.readFileSync(certFile) : undefined,
    key: keyFile ? fs.readFileSync(keyFile) : undefined,
    rejectUnauthorized: true,
  };
}
