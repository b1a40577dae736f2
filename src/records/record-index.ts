/**
 * The in-memory record index: the ClusterStore that sources of cluster state write to, and
 * what the kubernetes plugin reads to answer. Pure data, no I/O.
 *
 * Services are kept by namespace and name, each with its slices and the ready endpoints merged
 * from them (rebuilt when the Service or one of its slices changes, never per query); a reverse
 * map from IP to PTR targets; pods by IP; and the namespaces present. Every change bumps
 * `generation` and calls the change listeners, so caches of encoded answers can drop them.
 */
import type {
  ClusterObject,
  ClusterStore,
  EndpointSliceInfo,
  ObjectKind,
  ServiceInfo,
} from '../cluster/model.js';
import { canonicalIp } from './ip-names.js';
import { PodIndex, type PodRef } from './pod-index.js';
import { ReverseIndex, type ReverseTarget } from './reverse-index.js';
import {
  addressOf,
  mergeEndpoints,
  NO_ENDPOINTS,
  type ServiceRecord,
} from './service-endpoints.js';

export type { ServiceRecord } from './service-endpoints.js';

export interface RecordIndexOptions {
  /** The kinds the source loads; the index is synced when each has been marked synced. */
  readonly kinds: readonly ObjectKind[];
  /** Milliseconds since the epoch; injectable so SOA serials are deterministic in tests. */
  readonly clock?: () => number;
}

interface ServiceSlot {
  /** The Service as last written; undefined while only its slices are known. */
  info: ServiceInfo | undefined;
  readonly slices: Map<string, EndpointSliceInfo>;
  /** What the last rebuild published (its info may be older than `info`). */
  record: ServiceRecord | undefined;
}

export class RecordIndex implements ClusterStore {
  private readonly slots = new Map<string, Map<string, ServiceSlot>>();
  private readonly sliceOwners = new Map<string, Map<string, string>>();
  private readonly serviceCounts = new Map<string, number>();
  private readonly namespaces = new Set<string>();
  private readonly pods = new PodIndex();
  private readonly reverse = new ReverseIndex();
  private readonly syncedKinds = new Set<ObjectKind>();
  private readonly listeners = new Set<() => void>();
  private readonly clock: () => number;
  private gen = 0;
  private changedAt: number;

  constructor(private readonly options: RecordIndexOptions) {
    this.clock = options.clock ?? Date.now;
    this.changedAt = this.clock();
  }

  /** Increments on every change (including a kind becoming synced). */
  get generation(): number {
    return this.gen;
  }

  /** When the data last changed, in ms since the epoch (the SOA serial is its seconds). */
  get lastChange(): number {
    return this.changedAt;
  }

  /** Calls `listener` after every change; returns a function that unsubscribes it. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True once every kind the source loads has been fully listed. */
  synced(): boolean {
    return this.options.kinds.every((kind) => this.syncedKinds.has(kind));
  }

  upsert(object: ClusterObject): void {
    this.apply(object);
    this.changed();
  }

  remove(kind: ObjectKind, key: string): void {
    const slash = key.indexOf('/');
    const namespace = slash < 0 ? '' : key.slice(0, slash);
    const name = slash < 0 ? key : key.slice(slash + 1);
    if (kind === 'Service') this.removeService(namespace, name);
    else if (kind === 'EndpointSlice') this.removeSlice(namespace, name);
    else if (kind === 'Pod') this.pods.remove(namespace, name);
    else this.namespaces.delete(name);
    this.changed();
  }

  replaceAll(kind: ObjectKind, objects: readonly ClusterObject[]): void {
    if (kind === 'Service') this.clearServices();
    else if (kind === 'EndpointSlice') this.clearSlices();
    else if (kind === 'Pod') this.pods.clear();
    else this.namespaces.clear();
    for (const object of objects) if (object.kind === kind) this.apply(object, false);
    if (kind === 'Service' || kind === 'EndpointSlice') this.refreshAll();
    this.changed();
  }

  markSynced(kind: ObjectKind): void {
    if (this.syncedKinds.has(kind)) return;
    this.syncedKinds.add(kind);
    this.changed();
  }

  /** The Service `namespace/name` (both lower case), or undefined. */
  service(namespace: string, name: string): ServiceRecord | undefined {
    return this.slots.get(namespace)?.get(name)?.record;
  }

  /** Up to `limit` published Services, in no particular order (for the start-up rehearsal). */
  sampleServices(limit: number): ServiceRecord[] {
    const out: ServiceRecord[] = [];
    for (const byName of this.slots.values()) {
      for (const slot of byName.values()) {
        if (out.length >= limit) return out;
        if (slot.record !== undefined) out.push(slot.record);
      }
    }
    return out;
  }

  /** True when a Namespace object of that name is known. */
  hasNamespace(namespace: string): boolean {
    return this.namespaces.has(namespace);
  }

  /** Number of Services in a namespace. */
  serviceCount(namespace: string): number {
    return this.serviceCounts.get(namespace) ?? 0;
  }

  /** PTR targets for an address (any spelling), ClusterIPs before endpoints. */
  reverseTargets(ip: string): readonly ReverseTarget[] {
    return this.reverse.lookup(canonicalIp(ip));
  }

  /** The pod with this IP (any spelling), for autopath; see PodIndex.byAddress. */
  podByIp(ip: string): PodRef | undefined {
    return this.pods.byAddress(canonicalIp(ip));
  }

  /** True when a pod in `namespace` has this IP (`pods verified`). */
  podExists(namespace: string, ip: string): boolean {
    return this.pods.existsIn(namespace, canonicalIp(ip));
  }

  /** Sizes, for tests and the memory benchmark. */
  stats(): { services: number; pods: number; reverse: number; namespaces: number } {
    let services = 0;
    for (const count of this.serviceCounts.values()) services += count;
    const pods = this.pods.size;
    return { services, pods, reverse: this.reverse.size, namespaces: this.namespaces.size };
  }

  private apply(object: ClusterObject, refresh = true): void {
    switch (object.kind) {
      case 'Service':
        return this.putService(object.value, refresh);
      case 'EndpointSlice':
        return this.putSlice(object.value, refresh);
      case 'Pod':
        return this.pods.upsert(object.value);
      case 'Namespace':
        this.namespaces.add(object.value.name);
    }
  }

  private putService(info: ServiceInfo, refresh: boolean): void {
    const slot = this.slot(info.namespace, info.name);
    if (!slot.info) this.countService(info.namespace, 1);
    slot.info = info;
    if (refresh) this.refresh(info.namespace, info.name, slot);
  }

  private removeService(namespace: string, name: string): void {
    const slot = this.slots.get(namespace)?.get(name);
    if (!slot?.info) return;
    slot.info = undefined;
    this.countService(namespace, -1);
    this.refresh(namespace, name, slot);
  }

  private putSlice(slice: EndpointSliceInfo, refresh: boolean): void {
    const owners = this.sliceOwners.get(slice.namespace);
    const previous = owners?.get(slice.name);
    // A slice relabelled to another Service leaves its old one.
    if (previous !== undefined && previous !== slice.serviceName) {
      this.removeSlice(slice.namespace, slice.name);
    }
    let names = this.sliceOwners.get(slice.namespace);
    if (!names) this.sliceOwners.set(slice.namespace, (names = new Map()));
    names.set(slice.name, slice.serviceName);
    const slot = this.slot(slice.namespace, slice.serviceName);
    slot.slices.set(slice.name, slice);
    if (refresh) this.refresh(slice.namespace, slice.serviceName, slot);
  }

  private removeSlice(namespace: string, sliceName: string): void {
    const owners = this.sliceOwners.get(namespace);
    const serviceName = owners?.get(sliceName);
    if (!owners || serviceName === undefined) return;
    owners.delete(sliceName);
    if (owners.size === 0) this.sliceOwners.delete(namespace);
    const slot = this.slots.get(namespace)?.get(serviceName);
    if (!slot) return;
    slot.slices.delete(sliceName);
    this.refresh(namespace, serviceName, slot);
  }

  private clearServices(): void {
    for (const names of this.slots.values()) {
      for (const slot of names.values()) slot.info = undefined;
    }
    this.serviceCounts.clear();
  }

  private clearSlices(): void {
    for (const names of this.slots.values()) for (const slot of names.values()) slot.slices.clear();
    this.sliceOwners.clear();
  }

  private refreshAll(): void {
    for (const [namespace, names] of [...this.slots]) {
      for (const [name, slot] of [...names]) this.refresh(namespace, name, slot);
    }
  }

  /** Rebuilds one Service's merged endpoints and reverse entries from its slot. */
  private refresh(namespace: string, name: string, slot: ServiceSlot): void {
    const old = slot.record;
    if (old) this.reverse.removeService(old, ptrAddresses(old));
    const info = slot.info;
    if (!info) {
      slot.record = undefined;
      if (slot.slices.size === 0) this.dropSlot(namespace, name);
      return;
    }
    const endpoints = slot.slices.size > 0 ? mergeEndpoints(slot.slices.values()) : NO_ENDPOINTS;
    slot.record = { info, endpoints };
    this.reverse.addService(slot.record, ptrAddresses(slot.record));
  }

  private slot(namespace: string, name: string): ServiceSlot {
    let names = this.slots.get(namespace);
    if (!names) this.slots.set(namespace, (names = new Map()));
    let slot = names.get(name);
    if (!slot) names.set(name, (slot = { info: undefined, slices: new Map(), record: undefined }));
    return slot;
  }

  private dropSlot(namespace: string, name: string): void {
    const names = this.slots.get(namespace);
    names?.delete(name);
    if (names?.size === 0) this.slots.delete(namespace);
  }

  private countService(namespace: string, delta: number): void {
    const count = (this.serviceCounts.get(namespace) ?? 0) + delta;
    if (count > 0) this.serviceCounts.set(namespace, count);
    else this.serviceCounts.delete(namespace);
  }

  private changed(): void {
    this.gen++;
    this.changedAt = this.clock();
    for (const listener of this.listeners) listener();
  }
}

/** The addresses that name a Service in PTR answers: ClusterIPs and ready endpoints. */
function ptrAddresses(record: ServiceRecord): Set<string> {
  const { info, endpoints } = record;
  const addresses = new Set<string>();
  if (info.kind === 'ExternalName') return addresses;
  if (info.kind === 'ClusterIP') for (const ip of info.clusterIPs) addresses.add(canonicalIp(ip));
  for (const endpoint of endpoints.ready) addresses.add(addressOf(endpoint));
  return addresses;
}
