/**
 * Kubernetes objects reduced to the fields DNS needs. Sources (state files, the API watch)
 * strip objects into these shapes as they arrive; nothing downstream sees an API object.
 */

export type PortProtocol = 'tcp' | 'udp' | 'sctp';

export interface PortInfo {
  /** The port's name; '' for an unnamed port (which gets no SRV record). */
  readonly name: string;
  readonly port: number;
  readonly protocol: PortProtocol;
}

export type ServiceKind = 'ClusterIP' | 'Headless' | 'ExternalName';

export interface ServiceInfo {
  readonly namespace: string;
  readonly name: string;
  readonly kind: ServiceKind;
  /** `spec.clusterIPs` (or `spec.clusterIP`), IPv4 and IPv6; empty for Headless. */
  readonly clusterIPs: readonly string[];
  /** `spec.externalName`, lower case, no trailing dot; '' unless kind is ExternalName. */
  readonly externalName: string;
  readonly ports: readonly PortInfo[];
}

export interface EndpointInfo {
  /** The endpoint's addresses (controllers write exactly one). */
  readonly addresses: readonly string[];
  /** `hostname`, or '' when unset. */
  readonly hostname: string;
  /** `conditions.ready`, with unset read as true (discovery.k8s.io/v1 API guidance). */
  readonly ready: boolean;
  /** Name of the target Pod (for `endpoint_pod_names`), '' when unknown. */
  readonly podName: string;
}

/**
 * One EndpointSlice (or a v1 Endpoints object converted to the same shape). Slices of one
 * Service are merged by `serviceName` (the `kubernetes.io/service-name` label).
 */
export interface EndpointSliceInfo {
  readonly namespace: string;
  /** The slice's own name (an Endpoints object is keyed `endpoints/<name>`). */
  readonly name: string;
  readonly serviceName: string;
  readonly addressType: 'IPv4' | 'IPv6';
  readonly endpoints: readonly EndpointInfo[];
  readonly ports: readonly PortInfo[];
  /** True when converted from v1 Endpoints: used only for a Service without any slice. */
  readonly fromEndpoints: boolean;
}

export interface PodInfo {
  readonly namespace: string;
  readonly name: string;
  /** `status.podIPs` (or `status.podIP`). */
  readonly ips: readonly string[];
  readonly hostNetwork: boolean;
}

export interface NamespaceInfo {
  readonly name: string;
}

export type ObjectKind = 'Service' | 'EndpointSlice' | 'Pod' | 'Namespace';

export type ClusterObject =
  | { readonly kind: 'Service'; readonly value: ServiceInfo }
  | { readonly kind: 'EndpointSlice'; readonly value: EndpointSliceInfo }
  | { readonly kind: 'Pod'; readonly value: PodInfo }
  | { readonly kind: 'Namespace'; readonly value: NamespaceInfo };

/**
 * What a source of cluster state writes to. Implemented by the record index. Keys are
 * `namespace/name` (Namespaces: `name`).
 */
export interface ClusterStore {
  /** Adds or replaces one object. */
  upsert(object: ClusterObject): void;
  /** Deletes one object; deleting an unknown key does nothing. */
  remove(kind: ObjectKind, key: string): void;
  /** Replaces every object of a kind at once (a full list, a reloaded state file). */
  replaceAll(kind: ObjectKind, objects: readonly ClusterObject[]): void;
  /** Marks a kind as fully listed; the store is synced when every watched kind is. */
  markSynced(kind: ObjectKind): void;
}
