/**
 * The Kubernetes API as a source of cluster state: one reflector per watched resource
 * (Services, EndpointSlices, Namespaces, and Pods when a feature needs them), writing stripped
 * objects through the namespace and visibility filters into the record index.
 *
 * `start` returns at once. Until every resource has been listed once, `synced()` is false (the
 * kubernetes plugin answers SERVFAIL instead of NXDOMAIN, `ready` reports not ready). After
 * that, an API outage leaves the last known state in the store: answers keep coming from it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { ClusterSource, SourceOptions } from '../source.js';
import type { ClusterStore, ObjectKind } from '../model.js';
import { counter, gauge, type Registry } from '../../metrics/registry.js';
import { ClusterDnsError } from '../../errors.js';
import type { ApiConfig } from './api-config.js';
import { ApiClient } from './api-client.js';
import { ApiHealth } from './api-health.js';
import { Backoff } from './backoff.js';
import { loadConnection } from './connection.js';
import { Reflector, type ReflectorEvents, type ReflectorTuning } from './reflector.js';
import { RESOURCES, type Resource } from './resources.js';
import { VisibilityStore } from './visibility-store.js';

/** Extras beyond the ClusterSource contract: metrics and timing (tests shorten it). */
export interface ApiSourceExtras {
  readonly metrics?: Registry;
  readonly tuning?: Partial<ReflectorTuning>;
  readonly random?: () => number;
}

export class ApiSource implements ClusterSource {
  private readonly reflectors: Reflector[] = [];
  private readonly syncedKinds = new Set<ObjectKind>();
  private readonly kinds: readonly ObjectKind[];
  private readonly health: ApiHealth;
  private readonly syncedGauge;
  private client: ApiClient | null = null;
  private readonly closing = new AbortController();
  private started = 0;

  constructor(
    private readonly config: ApiConfig,
    private readonly options: SourceOptions,
    private readonly store: ClusterStore,
    private readonly logger: Logger,
    private readonly extras: ApiSourceExtras = {},
  ) {
    this.kinds = watchedKinds(options.kinds);
    const registry = extras.metrics;
    const outages = registry
      ? counter(registry, {
          name: 'clusterdns_kubernetes_api_outages_total',
          help: 'Periods during which Kubernetes API requests failed.',
        })
      : null;
    this.syncedGauge = registry
      ? gauge(registry, {
          name: 'clusterdns_kubernetes_synced',
          help: '1 once every watched Kubernetes resource has been listed, else 0.',
        })
      : null;
    this.syncedGauge?.set(0);
    this.health = new ApiHealth(logger, outages, () => this.synced());
  }

  start(): void {
    this.started = Date.now();
    void this.connect();
  }

  synced(): boolean {
    return this.syncedKinds.size === this.kinds.length;
  }

  close(): void {
    this.closing.abort();
    for (const reflector of this.reflectors) reflector.close();
    this.client?.close();
  }

  /**
   * Loads the connection. A configuration that can't be loaded is logged once as an error
   * and retried: the file may be mounted late (a Secret volume still syncing).
   */
  private async connect(): Promise<void> {
    const backoff = new Backoff({ initialMs: 1000, maxMs: 30_000, random: this.extras.random });
    const signal = this.closing.signal;
    for (let logged = false; !signal.aborted; logged = true) {
      try {
        const connection = await loadConnection(this.config);
        if (signal.aborted) return;
        this.logger.info({ ...connection.description, kinds: this.kinds }, 'kubernetes api source');
        return this.startReflectors(new ApiClient(connection));
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        const code = err instanceof ClusterDnsError ? err.code : 'KUBE_CONFIG';
        if (!logged) this.logger.error({ code, reason }, 'kubernetes config unusable');
        await sleep(backoff.next(), undefined, { signal }).catch(() => undefined);
      }
    }
  }

  private startReflectors(client: ApiClient): void {
    this.client = client;
    const tuning = this.tuning();
    const gate = this.options.labelSelector !== '';
    const store = new VisibilityStore(this.syncTracking(), this.options.namespaces, gate);
    const events = this.reflectorEvents();
    for (const kind of this.kinds) {
      const resource = RESOURCES[kind];
      const selector = resource.selector ? this.options[resource.selector] : '';
      const reflector = new Reflector(
        resource, selector, client, store, events, tuning, this.logger,
      );
      this.reflectors.push(reflector);
      reflector.start();
    }
  }

  /** Wraps the store so markSynced also updates this source's state. */
  private syncTracking(): ClusterStore {
    const store = this.store;
    return {
      upsert: (object) => store.upsert(object),
      remove: (kind, key) => store.remove(kind, key),
      replaceAll: (kind, objects) => store.replaceAll(kind, objects),
      markSynced: (kind) => {
        store.markSynced(kind);
        if (this.syncedKinds.has(kind)) return;
        this.syncedKinds.add(kind);
        if (!this.synced()) return;
        this.syncedGauge?.set(1);
        this.logger.info({ durationMs: Date.now() - this.started }, 'kubernetes synced');
      },
    };
  }

  private reflectorEvents(): ReflectorEvents {
    return {
      failed: (resource, error) => this.health.failed(resource, error),
      healthy: (resource) => this.health.healthy(resource),
      listed: (resource, count, elapsedMs) =>
        this.logger.debug({ resource: resource.kind, count, elapsedMs }, 'kubernetes listed'),
      invalid: (resource: Resource, name, error) =>
        this.logger.warn(
          { resource: resource.kind, name, reason: error.message },
          'kubernetes object skipped',
        ),
    };
  }

  private tuning(): ReflectorTuning {
    const random = this.extras.random ?? Math.random;
    // Like client-go, each watch asks for a timeout between 5 and 10 minutes so restarts of
    // many clients spread out; the watchdog allows twice that before calling a stream dead.
    const timeout = this.extras.tuning?.watchTimeoutSeconds ?? Math.round(300 + 300 * random());
    return {
      pageSize: 0,
      listIdleTimeoutMs: 60_000,
      backoff: { initialMs: 500, maxMs: 30_000, random },
      ...this.extras.tuning,
      watchTimeoutSeconds: timeout,
      watchdogMs: this.extras.tuning?.watchdogMs ?? timeout * 2000,
    };
  }
}

/** The kinds to watch, in a fixed order: those requested (Pods only when a feature needs them). */
function watchedKinds(requested: readonly ObjectKind[]): ObjectKind[] {
  const all: ObjectKind[] = ['Namespace', 'Service', 'EndpointSlice', 'Pod'];
  return all.filter((kind) => requested.includes(kind));
}
