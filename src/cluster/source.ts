/**
 * A source of cluster state: the state-file loader or the Kubernetes API watch. A source
 * writes stripped objects into a ClusterStore and reports whether it has completed its first
 * full load.
 */
import type { Closable } from '../chain/handler.js';
import type { ObjectKind } from './model.js';

export interface SourceOptions {
  /** Kinds to load; Pods only when a feature needs them (`pods verified`, `autopath`). */
  readonly kinds: readonly ObjectKind[];
  /** Namespaces to expose; empty means all. */
  readonly namespaces: readonly string[];
  /** Label selector for Services (and their slices), Kubernetes syntax; '' for none. */
  readonly labelSelector: string;
  /** Label selector for Namespaces; '' for none. */
  readonly namespaceLabelSelector: string;
}

export interface ClusterSource extends Closable {
  /** Starts loading and watching; returns at once, progress shows in the store. */
  start(): void;
  /** True once every kind has been fully loaded at least once. */
  synced(): boolean;
}
