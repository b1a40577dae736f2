/**
 * Keeps one resource of the Kubernetes API mirrored in a ClusterStore: a paged LIST, then a
 * WATCH from the list's resourceVersion, resumed from the last version seen whenever the
 * stream ends, re-listed on 410 Gone, retried with backoff on errors, and restarted by a
 * watchdog when it stays open but silent.
 *
 * Every object is stripped as it arrives; only the stripped model objects are kept.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { ClusterObject, ClusterStore } from '../model.js';
import { objectKey, stripObject } from '../strip.js';
import { rawName, rawNamespace } from '../object-meta.js';
import type { ApiClient } from './api-client.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { KubeApiError } from './kube-api-error.js';
import type { Resource } from './resources.js';
import { WatchStream, type WatchEvent } from './watch-stream.js';

export interface ReflectorTuning {
  /** Page size of LIST requests, overriding each resource's own; 0 keeps the resource's. */
  readonly pageSize: number;
  /** `timeoutSeconds` asked of each WATCH; the server ends the stream after it. */
  readonly watchTimeoutSeconds: number;
  /** A watch with no event or bookmark for this long is restarted. */
  readonly watchdogMs: number;
  /** A LIST whose connection sees no bytes for this long fails. */
  readonly listIdleTimeoutMs: number;
  readonly backoff: BackoffOptions;
}

/** What a reflector reports to its source; it handles retries itself. */
export interface ReflectorEvents {
  failed(resource: Resource, error: KubeApiError): void;
  /** The API answered again (a list completed or a watch delivered). */
  healthy(resource: Resource): void;
  listed(resource: Resource, count: number, elapsedMs: number): void;
  invalid(resource: Resource, name: string, error: Error): void;
}

export class Reflector {
  private version = '';
  /** 410s since the last delivered event: a second one in a row waits like any failure. */
  private goneInARow = 0;
  private lastFailure: KubeApiError | null = null;
  private readonly backoff: Backoff;
  private readonly abort = new AbortController();

  constructor(
    private readonly resource: Resource,
    private readonly labelSelector: string,
    private readonly client: ApiClient,
    private readonly store: ClusterStore,
    private readonly events: ReflectorEvents,
    private readonly tuning: ReflectorTuning,
    private readonly logger: Logger,
  ) {
    this.backoff = new Backoff(tuning.backoff);
  }

  start(): void {
    void this.run();
  }

  close(): void {
    this.abort.abort();
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        if (this.version === '') await this.list();
        await this.watch();
      } catch (err) {
        if (this.abort.signal.aborted) return;
        const error = asApiError(err);
        // 410 is the API's normal way to say "too old, list again": re-list at once, unless
        // it repeats (a misbehaving server), which waits like any failure.
        if (error.gone && this.goneInARow++ === 0) {
          this.logger.debug({ resource: this.resource.kind }, 'kubernetes watch expired');
          this.version = '';
          continue;
        }
        if (error.gone) this.version = '';
        this.lastFailure = error;
        this.events.failed(this.resource, error);
        await this.pause(this.backoff.next());
      }
    }
  }

  private async list(): Promise<void> {
    const started = Date.now();
    const objects: ClusterObject[] = [];
    let token = '';
    let version = '';
    do {
      const limit = this.tuning.pageSize || this.resource.pageSize;
      const query: Record<string, string> = { limit: String(limit) };
      if (token) query.continue = token;
      this.addSelector(query);
      const page = await this.client.getJson({
        path: this.resource.path,
        query,
        signal: this.abort.signal,
        idleTimeoutMs: this.tuning.listIdleTimeoutMs,
      });
      const { items, metadata } = readList(page);
      version = metadata.resourceVersion;
      token = metadata.continue;
      for (const item of items) this.stripListItem(item, objects);
    } while (token);
    this.store.replaceAll(this.resource.kind, objects);
    this.store.markSynced(this.resource.kind);
    this.version = version;
    this.recovered();
    this.events.listed(this.resource, objects.length, Date.now() - started);
  }

  private async watch(): Promise<void> {
    const query: Record<string, string> = {
      watch: '1',
      resourceVersion: this.version,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(this.tuning.watchTimeoutSeconds),
    };
    this.addSelector(query);
    const stream = new WatchStream(this.client, this.abort.signal, this.tuning.watchdogMs);
    await stream.open(this.resource.path, query);
    // After a silent watch, an answering server is not enough: wait for data (below).
    if (this.lastFailure?.failure !== 'silent') this.recovered();
    await stream.read((event) => {
      this.recovered();
      this.apply(event);
      this.goneInARow = 0;
    });
  }

  private apply(event: WatchEvent): void {
    const raw = event.object;
    if (event.type === 'ERROR') throw statusError(raw);
    const version = readVersion(raw);
    if (version) this.version = version;
    if (event.type === 'BOOKMARK') return;
    const key = this.keyOf(raw);
    if (event.type === 'DELETED') return this.store.remove(this.resource.kind, key);
    if (event.type !== 'ADDED' && event.type !== 'MODIFIED') return;
    const object = this.strip(raw, key);
    // An object DNS must not serve (a terminating Pod) or can't read leaves no stale entry.
    if (object === null) this.store.remove(this.resource.kind, key);
    else this.store.upsert(object);
  }

  private stripListItem(item: unknown, into: ClusterObject[]): void {
    const object = this.strip(item, this.keyOf(item));
    if (object !== null) into.push(object);
  }

  private strip(raw: unknown, key: string): ClusterObject | null {
    const typed = raw as Record<string, unknown>;
    // List items carry no kind/apiVersion (the list does); watch objects do.
    typed.kind ??= this.resource.kind;
    typed.apiVersion ??= this.resource.apiVersion;
    try {
      const object = stripObject(typed);
      return object && objectKey(object) === key ? object : null;
    } catch (err) {
      this.events.invalid(this.resource, key, err as Error);
      return null;
    }
  }

  private keyOf(raw: unknown): string {
    if (this.resource.kind === 'Namespace') return rawName(raw);
    return `${rawNamespace(raw)}/${rawName(raw)}`;
  }

  private addSelector(query: Record<string, string>): void {
    if (this.labelSelector) query.labelSelector = this.labelSelector;
  }

  private recovered(): void {
    this.backoff.reset();
    if (this.lastFailure === null) return;
    this.lastFailure = null;
    this.events.healthy(this.resource);
  }

  private async pause(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.abort.signal });
    } catch {
      // Closed while waiting: run() sees the aborted signal and stops.
    }
  }
}

interface ListMetadata {
  readonly resourceVersion: string;
  readonly continue: string;
}

function readList(page: unknown): { items: unknown[]; metadata: ListMetadata } {
  const list = page as { items?: unknown; metadata?: Record<string, unknown> } | null;
  const metadata = list?.metadata;
  const version = metadata?.resourceVersion;
  if (!Array.isArray(list?.items) || typeof version !== 'string') {
    throw new KubeApiError('protocol', 200, 'BadList', 'list response lacks items or version');
  }
  const token = typeof metadata?.continue === 'string' ? metadata.continue : '';
  return { items: list.items, metadata: { resourceVersion: version, continue: token } };
}

function readVersion(raw: unknown): string {
  const metadata = (raw as { metadata?: { resourceVersion?: unknown } } | null)?.metadata;
  return typeof metadata?.resourceVersion === 'string' ? metadata.resourceVersion : '';
}

/** An ERROR event carries a Status object: 410 means the version is too old. */
function statusError(raw: unknown): KubeApiError {
  const status = (raw ?? {}) as { code?: unknown; reason?: unknown };
  const code = typeof status.code === 'number' ? status.code : 0;
  const reason = typeof status.reason === 'string' ? status.reason : 'Unknown';
  return new KubeApiError('http', code, reason, `watch ended with ERROR ${code} ${reason}`);
}

function asApiError(err: unknown): KubeApiError {
  if (err instanceof KubeApiError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).name ?? 'Error';
  return new KubeApiError('network', 0, String(code), `API request failed: ${code}`, {
    cause: err,
  });
}
