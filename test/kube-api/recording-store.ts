/**
 * A ClusterStore for in-process tests of sources: keeps the model objects it is given, by kind
 * and key, and records every call, so a test can assert the exact state and the order of
 * writes (e.g. that nothing was removed during an outage).
 */
import type { ClusterObject, ClusterStore, ObjectKind } from '../../src/cluster/model.js';
import { objectKey } from '../../src/cluster/strip.js';

export type StoreCall =
  | { readonly op: 'upsert'; readonly kind: ObjectKind; readonly key: string }
  | { readonly op: 'remove'; readonly kind: ObjectKind; readonly key: string }
  | { readonly op: 'replaceAll'; readonly kind: ObjectKind; readonly count: number }
  | { readonly op: 'markSynced'; readonly kind: ObjectKind };

export class RecordingStore implements ClusterStore {
  readonly calls: StoreCall[] = [];
  readonly synced = new Set<ObjectKind>();
  private readonly objects = new Map<ObjectKind, Map<string, ClusterObject>>();

  upsert(object: ClusterObject): void {
    const key = objectKey(object);
    this.calls.push({ op: 'upsert', kind: object.kind, key });
    this.of(object.kind).set(key, object);
  }

  remove(kind: ObjectKind, key: string): void {
    this.calls.push({ op: 'remove', kind, key });
    this.of(kind).delete(key);
  }

  replaceAll(kind: ObjectKind, objects: readonly ClusterObject[]): void {
    this.calls.push({ op: 'replaceAll', kind, count: objects.length });
    const map = this.of(kind);
    map.clear();
    for (const object of objects) map.set(objectKey(object), object);
  }

  markSynced(kind: ObjectKind): void {
    this.calls.push({ op: 'markSynced', kind });
    this.synced.add(kind);
  }

  /** Sorted keys of one kind. */
  keys(kind: ObjectKind): string[] {
    return [...this.of(kind).keys()].sort();
  }

  get(kind: ObjectKind, key: string): ClusterObject | undefined {
    return this.of(kind).get(key);
  }

  private of(kind: ObjectKind): Map<string, ClusterObject> {
    let map = this.objects.get(kind);
    if (!map) this.objects.set(kind, (map = new Map()));
    return map;
  }
}
