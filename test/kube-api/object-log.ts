/**
 * The test API server's storage: objects per resource with etcd-like resourceVersions, and
 * the event log a watch replays from. Events older than the compaction floor are gone, so a
 * watch or continue token from before it gets 410 Gone, as from a real API server.
 */

export type ResourceName = 'services' | 'endpointslices' | 'namespaces' | 'pods';

export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
};

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface LoggedEvent {
  readonly version: number;
  readonly resource: ResourceName;
  readonly type: EventType;
  readonly object: KubeObject;
  /** The object before a MODIFIED event (to tell selector transitions apart). */
  readonly previous: KubeObject | null;
}

export const TYPE_META: Readonly<Record<ResourceName, { apiVersion: string; kind: string }>> = {
  services: { apiVersion: 'v1', kind: 'Service' },
  endpointslices: { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' },
  namespaces: { apiVersion: 'v1', kind: 'Namespace' },
  pods: { apiVersion: 'v1', kind: 'Pod' },
};

export function keyOf(object: KubeObject): string {
  const { namespace, name } = object.metadata;
  return namespace ? `${namespace}/${name}` : name;
}

export class ObjectLog {
  version = 1;
  /** Events with a version at or below this are compacted away. */
  floor = 1;
  private readonly objects = new Map<ResourceName, Map<string, KubeObject>>();
  private readonly events: LoggedEvent[] = [];
  private readonly listeners = new Set<(event: LoggedEvent) => void>();

  /** Loads objects in bulk without events (a cluster that existed before any watch). */
  load(resource: ResourceName, objects: readonly KubeObject[]): void {
    const map = this.map(resource);
    for (const object of objects) {
      object.metadata.resourceVersion = String(++this.version);
      map.set(keyOf(object), object);
    }
    this.floor = this.version;
  }

  /** Creates or replaces an object and logs ADDED or MODIFIED. */
  put(resource: ResourceName, object: KubeObject): LoggedEvent {
    const map = this.map(resource);
    const previous = map.get(keyOf(object)) ?? null;
    const stored: KubeObject = { ...object, metadata: { ...object.metadata } };
    stored.metadata.resourceVersion = String(++this.version);
    map.set(keyOf(stored), stored);
    return this.emit(resource, previous ? 'MODIFIED' : 'ADDED', stored, previous);
  }

  /** Deletes an object and logs DELETED; false when it did not exist. */
  delete(resource: ResourceName, key: string): boolean {
    const map = this.map(resource);
    const previous = map.get(key);
    if (!previous) return false;
    map.delete(key);
    const gone: KubeObject = { ...previous, metadata: { ...previous.metadata } };
    gone.metadata.resourceVersion = String(++this.version);
    this.emit(resource, 'DELETED', gone, previous);
    return true;
  }

  get(resource: ResourceName, key: string): KubeObject | undefined {
    return this.map(resource).get(key);
  }

  /** Every object of a resource, in key order (a consistent snapshot of references). */
  snapshot(resource: ResourceName): KubeObject[] {
    return [...this.map(resource).values()];
  }

  /** Events after `version`, or null when that version is compacted away. */
  since(version: number): LoggedEvent[] | null {
    if (version < this.floor) return null;
    return this.events.filter((event) => event.version > version);
  }

  /** Forgets all events so far: older versions now get 410 Gone. */
  compact(): void {
    this.events.length = 0;
    this.floor = this.version;
  }

  subscribe(listener: (event: LoggedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(
    resource: ResourceName,
    type: EventType,
    object: KubeObject,
    previous: KubeObject | null,
  ): LoggedEvent {
    const event = { version: this.version, resource, type, object, previous };
    this.events.push(event);
    for (const listener of this.listeners) listener(event);
    return event;
  }

  private map(resource: ResourceName): Map<string, KubeObject> {
    let map = this.objects.get(resource);
    if (!map) this.objects.set(resource, (map = new Map()));
    return map;
  }
}
