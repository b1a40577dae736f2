/**
 * A ClusterStore in front of the record index that drops what the source's options hide:
 * objects outside the `namespaces` list, and EndpointSlices whose Service is not visible.
 *
 * Namespaces are filtered on the client: the API is watched cluster-wide, one stream per
 * resource, and hidden objects are dropped as they arrive (they cost bandwidth, not memory).
 * Per-namespace watches would multiply streams and make a re-list of one namespace replace
 * only part of a kind.
 *
 * The Service label selector is applied by the API to Services, but a slice carries its
 * controller's labels, not its Service's. So slices are held back here until their Service
 * is visible, and withdrawn when it stops being visible (the API sends DELETED when a Service
 * stops matching a watch's selector). Without a selector, slices pass straight through and
 * nothing is held.
 */
import type { ClusterObject, ClusterStore, EndpointSliceInfo, ObjectKind } from '../model.js';
import { objectKey } from '../strip.js';

type SliceObject = Extract<ClusterObject, { kind: 'EndpointSlice' }>;

export class VisibilityStore implements ClusterStore {
  private readonly namespaces: ReadonlySet<string> | null;
  /** Keys (`ns/name`) of visible Services; kept only when slices are gated. */
  private readonly services = new Set<string>();
  /** Every known slice by slice key, and slice keys by Service key; only when gated. */
  private readonly slices = new Map<string, SliceObject>();
  private readonly byService = new Map<string, Set<string>>();
  private slicesListed = false;

  constructor(
    private readonly target: ClusterStore,
    namespaces: readonly string[],
    private readonly gateSlices: boolean,
  ) {
    this.namespaces = namespaces.length > 0 ? new Set(namespaces) : null;
  }

  upsert(object: ClusterObject): void {
    if (!this.visibleNamespace(object)) return;
    if (!this.gateSlices) return this.target.upsert(object);
    if (object.kind === 'Service') return this.addService(object);
    if (object.kind === 'EndpointSlice') return this.addSlice(object);
    this.target.upsert(object);
  }

  remove(kind: ObjectKind, key: string): void {
    if (this.gateSlices && kind === 'Service') this.dropService(key);
    if (this.gateSlices && kind === 'EndpointSlice') this.forgetSlice(key);
    this.target.remove(kind, key);
  }

  replaceAll(kind: ObjectKind, objects: readonly ClusterObject[]): void {
    const visible = objects.filter((object) => this.visibleNamespace(object));
    if (!this.gateSlices || (kind !== 'Service' && kind !== 'EndpointSlice')) {
      return this.target.replaceAll(kind, visible);
    }
    if (kind === 'Service') {
      this.services.clear();
      for (const object of visible) this.services.add(objectKey(object));
      this.target.replaceAll(kind, visible);
    } else {
      this.slices.clear();
      this.byService.clear();
      for (const object of visible) this.rememberSlice(object as SliceObject);
      this.slicesListed = true;
    }
    if (this.slicesListed) this.target.replaceAll('EndpointSlice', this.visibleSlices());
  }

  markSynced(kind: ObjectKind): void {
    this.target.markSynced(kind);
  }

  private visibleNamespace(object: ClusterObject): boolean {
    if (this.namespaces === null) return true;
    const namespace = object.kind === 'Namespace' ? object.value.name : object.value.namespace;
    return this.namespaces.has(namespace);
  }

  private addService(object: ClusterObject): void {
    const key = objectKey(object);
    const wasVisible = this.services.has(key);
    this.services.add(key);
    this.target.upsert(object);
    if (wasVisible) return;
    for (const slice of this.slicesOf(key)) this.target.upsert(slice);
  }

  private dropService(key: string): void {
    if (!this.services.delete(key)) return;
    for (const slice of this.slicesOf(key)) this.target.remove('EndpointSlice', objectKey(slice));
  }

  private addSlice(object: SliceObject): void {
    const key = this.rememberSlice(object);
    if (this.services.has(serviceKey(object.value))) this.target.upsert(object);
    else this.target.remove('EndpointSlice', key);
  }

  /** Records a slice, moving it when its service-name label changed; returns its key. */
  private rememberSlice(object: SliceObject): string {
    const key = objectKey(object);
    this.forgetSlice(key);
    this.slices.set(key, object);
    const service = serviceKey(object.value);
    const keys = this.byService.get(service) ?? new Set<string>();
    keys.add(key);
    this.byService.set(service, keys);
    return key;
  }

  private forgetSlice(key: string): void {
    const old = this.slices.get(key);
    if (!old) return;
    this.slices.delete(key);
    const service = serviceKey(old.value);
    const keys = this.byService.get(service);
    keys?.delete(key);
    if (keys?.size === 0) this.byService.delete(service);
  }

  private slicesOf(service: string): SliceObject[] {
    const keys = this.byService.get(service) ?? new Set<string>();
    return [...keys].map((key) => this.slices.get(key)).filter((s) => s !== undefined);
  }

  private visibleSlices(): SliceObject[] {
    return [...this.slices.values()].filter((slice) => this.services.has(serviceKey(slice.value)));
  }
}

function serviceKey(slice: EndpointSliceInfo): string {
  return `${slice.namespace}/${slice.serviceName}`;
}
