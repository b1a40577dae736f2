/**
 * A ClusterStore (our own interface) that records every call and keeps the objects per kind,
 * for tests of cluster sources.
 */
import type { ClusterObject, ClusterStore, ObjectKind } from '../../src/cluster/model.js';
import { objectKey } from '../../src/cluster/strip.js';

export type StoreCall =
  | { readonly op: 'upsert'; readonly object: ClusterObject }
  | { readonly op: 'remove'; readonly kind: ObjectKind; readonly key: string }
  | {
      readonly op: 'replaceAll';
      readonly kind: ObjectKind;
      readonly objects: readonly ClusterObject[];
    }
  | { readonly op: 'markSynced'; readonly kind: ObjectKind };

export class RecordingStore implements ClusterStore {
  readonly calls: StoreCall[] = [];
  readonly synced = new Set<ObjectKind>();
  private readonly objects = new Map<ObjectKind, Map<string, ClusterObject>>();
  /** Called after each replaceAll, e.g. to time when a change arrived. */
  onReplace: (kind: ObjectKind) => void = () => {};

  upsert(object: ClusterObject): void {
    this.calls.push({ op: 'upsert', object });
    this.kind(object.kind).set(objectKey(object), object);
  }

  remove(kind: ObjectKind, key: string): void {
    this.calls.push({ op: 'remove', kind, key });
    this.kind(kind).delete(key);
  }

  replaceAll(kind: ObjectKind, objects: readonly ClusterObject[]): void {
    this.calls.push({ op: 'replaceAll', kind, objects });
    const map = new Map(objects.map((object) => [objectKey(object), object] as const));
    this.objects.set(kind, map);
    this.onReplace(kind);
  }

  markSynced(kind: ObjectKind): void {
    this.calls.push({ op: 'markSynced', kind });
    this.synced.add(kind);
  }

  /** The keys of a kind, sorted. */
  keys(kind: ObjectKind): string[] {
    return [...this.kind(kind).keys()].sort();
  }

  /** The stored object of a kind and key. */
  get(kind: ObjectKind, key: string): ClusterObject | undefined {
    return this.kind(kind).get(key);
  }

  /** How many calls of one operation were made. */
  count(op: StoreCall['op']): number {
    return this.calls.filter((call) => call.op === op).length;
  }

  private kind(kind: ObjectKind): Map<string, ClusterObject> {
    let map = this.objects.get(kind);
    if (map === undefined) this.objects.set(kind, (map = new Map()));
    return map;
  }
}
