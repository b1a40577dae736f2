/**
 * The running server: listeners, the current configuration generation, reload and shutdown.
 *
 * A reload builds the new generation fully (every chain, every HTTP listen), opens listeners
 * for new addresses, then swaps routers whole; queries already running finish on the old
 * chains, which are retired afterwards. A failed build changes nothing, is logged with its
 * file:line reason and counted in `coredns_reload_failed_total`.
 */
import type { Logger } from 'pino';
import { assemble } from '../chain/assemble.js';
import type { Readiness } from '../chain/handler.js';
import type { PluginRegistry } from '../chain/plugin-registry.js';
import { SharedResourcePool } from '../chain/shared-resources.js';
import { ConfigError } from '../errors.js';
import { counter, gauge, type Registry } from '../metrics/registry.js';
import { DnsListener, type ListenerDeps } from './dns-listener.js';
import { FailureLog } from './failure-log.js';
import { Generation, type LoadedConfig, type ProcessState } from './generation.js';
import type { ListenAddress } from './listen-address.js';
import { REHEARSAL_BUDGET_MS, REHEARSAL_MAX_QUERIES, rehearsalQueries } from './rehearsal.js';
import { ServerMetrics } from './server-metrics.js';
import { DEFAULT_TCP_LIMITS, type TcpLimits } from './tcp-listener.js';
import type { UdpIo } from './udp-listener.js';
import { ZoneRouter } from './zone-router.js';

/** How long a retiring generation may keep running queries before it is closed anyway. */
const RETIRE_GRACE_MS = 10_000;
/** How long shutdown waits for running queries once listeners stop taking new ones. */
const SHUTDOWN_GRACE_MS = 2_000;
/** How often the start-up rehearsal checks whether the cluster data has loaded. */
const REHEARSAL_POLL_MS = 10;

export interface InstanceOptions {
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly plugins: PluginRegistry;
  /** Reads the configuration; throws ConfigError (file:line) when it is invalid. */
  readonly load: () => LoadedConfig;
  /** `serve --listen`; null to listen where the server blocks say. */
  readonly listen: readonly ListenAddress[] | null;
  readonly tcpLimits?: TcpLimits;
  /** How UDP is received and sent (default `batch`, node:dgram where it is unavailable). */
  readonly udpIo?: UdpIo;
}

/** A bound listener as reported in the "serving" log line. */
export interface BoundAddress {
  readonly address: string;
  readonly port: number;
}

export class Instance implements ProcessState {
  draining = false;
  private readonly listeners = new Map<string, DnsListener>();
  private readonly pool = new SharedResourcePool();
  private readonly deps: ListenerDeps;
  private current: Generation | null = null;
  private reloadChain: Promise<unknown> = Promise.resolve();
  /**
   * True once the answer path has been rehearsed. It is rehearsed once per process: a reload
   * builds new chains of the same, already compiled code, and takes the rehearsal over only
   * when it replaces a generation that had not rehearsed yet (e.g. reloaded before the sync).
   */
  private rehearsed = false;
  private stopping: Promise<void> | null = null;
  private readonly reloadFailed;
  private readonly reloadVersion;

  constructor(private readonly options: InstanceOptions) {
    this.deps = {
      logger: options.logger,
      metrics: new ServerMetrics(options.metrics),
      failures: new FailureLog(options.logger),
      tcpLimits: options.tcpLimits ?? DEFAULT_TCP_LIMITS,
      udpIo: options.udpIo ?? 'batch',
    };
    this.reloadFailed = counter(options.metrics, {
      name: 'coredns_reload_failed_total',
      help: 'Counter of the number of failed reload attempts.',
    });
    this.reloadVersion = gauge(options.metrics, {
      name: 'coredns_reload_version_info',
      help:
        'A metric with a constant 1 value labeled by hash, ' +
        'and value which type of hash generated.',
      labelNames: ['hash', 'value'],
    });
  }

  /** Builds the configuration and binds every listener; throws when either fails. */
  async start(): Promise<BoundAddress[]> {
    const generation = await this.build();
    try {
      await this.apply(generation);
    } catch (err) {
      await generation.retire();
      throw err;
    }
    return this.bound();
  }

  /** True once the first configuration serves. */
  get started(): boolean {
    return this.current !== null;
  }

  /** The addresses and ports actually bound, in configuration order. */
  bound(): BoundAddress[] {
    return [...this.listeners.values()].map((l) => l.bound);
  }

  /** Readiness sources of the running generation. */
  readiness(): readonly Readiness[] {
    return this.current?.readiness ?? [];
  }

  requestReload(reason: string): void {
    void this.reload(reason);
  }

  /** Reloads the configuration; resolves true when the new one serves. Never rejects. */
  reload(reason: string): Promise<boolean> {
    const run = this.reloadChain.then(() => this.reloadNow(reason));
    this.reloadChain = run;
    return run;
  }

  /**
   * Shuts down: readiness fails at once; with a lameduck DNS keeps answering for that long;
   * then listeners close and everything the chains hold is released.
   */
  shutdown(): Promise<void> {
    this.stopping ??= this.stopNow();
    return this.stopping;
  }

  private async reloadNow(reason: string): Promise<boolean> {
    if (this.draining) return false;
    const log = this.options.logger;
    let generation: Generation;
    try {
      generation = await this.build();
      await this.apply(generation).catch(async (err: unknown) => {
        await generation.retire();
        throw err;
      });
    } catch (err) {
      this.reloadFailed.inc();
      log.error({ reason, ...describe(err) }, 'reload failed; keeping the running configuration');
      return false;
    }
    log.info({ reason, listeners: this.bound() }, 'config reloaded');
    return true;
  }

  /** Reads the configuration and builds every chain, awaiting the plugins' startup work. */
  private async build(): Promise<Generation> {
    const config = this.options.load();
    const generation = new Generation(config, this.pool.scope());
    try {
      generation.plans = assemble(config.blocks, {
        registry: this.options.plugins,
        logger: this.options.logger,
        metrics: this.options.metrics,
        shared: generation.shared,
        lifecycle: generation.lifecycle(this),
        addReadiness: (source) => generation.readiness.push(source),
        addClosable: (resource) => generation.closables.push(resource),
        listen: this.options.listen,
      });
      await Promise.all(generation.startup);
    } catch (err) {
      await generation.retire();
      throw err;
    }
    return generation;
  }

  /** Opens new listeners, then swaps every router at once and retires the old generation. */
  private async apply(generation: Generation): Promise<void> {
    const routers = new Map(
      generation.plans.map((plan) => {
        const router = new ZoneRouter(plan.routes, generation.inFlight, plan.dropped);
        for (const resolver of plan.resolvers) resolver.bind(router);
        return [plan.key, router];
      }),
    );
    const opened = new Map<string, DnsListener>();
    try {
      for (const plan of generation.plans) {
        if (this.listeners.has(plan.key)) continue;
        const router = routers.get(plan.key) as ZoneRouter;
        opened.set(plan.key, await DnsListener.open(plan.address, router, this.deps));
      }
    } catch (err) {
      await Promise.all([...opened.values()].map((l) => l.close()));
      throw err;
    }
    const removed: DnsListener[] = [];
    for (const [key, listener] of this.listeners) {
      const router = routers.get(key);
      if (router) {
        listener.swap(router);
        continue;
      }
      removed.push(listener);
      this.listeners.delete(key);
    }
    for (const [key, listener] of opened) this.listeners.set(key, listener);
    const old = this.current;
    this.current = generation;
    this.recordVersion(generation);
    if (!this.rehearsed) this.rehearseWhenReady(generation);
    if (old) void this.retire(old, removed);
  }

  /**
   * Rehearses the answer path (server/rehearsal.ts) once every other readiness source is ready:
   * only then does the cluster data that the questions come from exist. Until the rehearsal has
   * run, readiness reports `rehearsal` as not ready (the `ready` plugin remembers a source once
   * it was ready, so it must not be reported ready before), and no replica takes traffic cold.
   */
  private rehearseWhenReady(generation: Generation): void {
    const others = [...generation.readiness];
    generation.readiness.push({ name: 'rehearsal', ready: () => this.rehearsed });
    const attempt = (): void => {
      if (this.current !== generation || this.draining || this.rehearsed) return;
      if (!others.every((source) => source.ready())) {
        setTimeout(attempt, REHEARSAL_POLL_MS).unref();
        return;
      }
      this.rehearse(generation);
      this.rehearsed = true;
    };
    attempt();
  }

  /**
   * Rehearses each listener's answer path with its chains' own questions. It runs in one turn
   * of the event loop, so a query that arrives meanwhile waits for it, at most
   * REHEARSAL_BUDGET_MS.
   */
  private rehearse(generation: Generation): void {
    const started = process.hrtime.bigint();
    const deadline = started + BigInt(REHEARSAL_BUDGET_MS * 1e6);
    let answered = 0;
    for (const plan of generation.plans) {
      const listener = this.listeners.get(plan.key);
      const questions = plan.rehearsals.flatMap((source) => source());
      if (listener === undefined || questions.length === 0) continue;
      const queries = rehearsalQueries(questions);
      answered += listener.rehearse({ queries, deadline, maxQueries: REHEARSAL_MAX_QUERIES });
    }
    if (answered === 0) return;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    this.options.logger.info({ queries: answered, ms: Math.round(ms) }, 'answer path rehearsed');
  }

  private async retire(old: Generation, removed: readonly DnsListener[]): Promise<void> {
    await old.settled(RETIRE_GRACE_MS);
    await Promise.all(removed.map((l) => l.close()));
    for (const err of await old.retire()) {
      this.options.logger.warn(describe(err), 'closing the previous configuration failed');
    }
  }

  private recordVersion(generation: Generation): void {
    this.reloadVersion.reset();
    if (generation.config.digest)
      this.reloadVersion.labels('sha512', generation.config.digest).set(1);
  }

  private async stopNow(): Promise<void> {
    this.draining = true;
    const lameduckMs = this.current?.lameduckMs ?? 0;
    this.options.logger.info({ lameduckMs }, 'shutting down');
    if (lameduckMs > 0) await new Promise((resolve) => setTimeout(resolve, lameduckMs));
    await this.reloadChain;
    await this.current?.settled(SHUTDOWN_GRACE_MS);
    await Promise.all([...this.listeners.values()].map((l) => l.close()));
    this.listeners.clear();
    await this.current?.retire();
    this.current = null;
    this.deps.failures.close();
  }
}

/** Log fields for an error: the ConfigError's file and line, or the message. */
function describe(err: unknown): Record<string, unknown> {
  if (err instanceof ConfigError) {
    return { err: err.message, code: err.code, file: err.position.file, line: err.position.line };
  }
  if (err instanceof Error) return { err: err.message, code: (err as { code?: string }).code };
  return { err: String(err) };
}
