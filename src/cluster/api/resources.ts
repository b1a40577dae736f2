/**
 * The API resources clusterdns lists and watches, one per model kind.
 */
import type { ObjectKind } from '../model.js';

export interface Resource {
  readonly kind: ObjectKind;
  /** `apiVersion` of the objects, set on list items (the API omits it there). */
  readonly apiVersion: string;
  /** Cluster-wide collection path. */
  readonly path: string;
  /**
   * Objects per LIST page. A page is parsed whole, and the garbage it leaves sets the heap's
   * high-water mark: slices (up to 100 endpoints, ~25 KB of JSON each) and Pods (several KB
   * with managedFields) come in smaller pages. Measured at 10,000 Services and 100,000
   * endpoints: pages of 50 slices instead of 500 lowered RSS after sync from 195 to 159 MB.
   */
  readonly pageSize: number;
  /** Which of the source's label selectors the API applies to this resource, if any. */
  readonly selector: 'labelSelector' | 'namespaceLabelSelector' | null;
}

export const RESOURCES: Readonly<Record<ObjectKind, Resource>> = {
  Service: {
    kind: 'Service',
    apiVersion: 'v1',
    path: '/api/v1/services',
    pageSize: 500,
    selector: 'labelSelector',
  },
  EndpointSlice: {
    kind: 'EndpointSlice',
    apiVersion: 'discovery.k8s.io/v1',
    path: '/apis/discovery.k8s.io/v1/endpointslices',
    pageSize: 50,
    // A slice carries the controller's labels, not its Service's: the selector is applied to
    // slices on the client, by the set of visible Services (see visibility-store.ts).
    selector: null,
  },
  Pod: { kind: 'Pod', apiVersion: 'v1', path: '/api/v1/pods', pageSize: 100, selector: null },
  Namespace: {
    kind: 'Namespace',
    apiVersion: 'v1',
    path: '/api/v1/namespaces',
    pageSize: 500,
    selector: 'namespaceLabelSelector',
  },
};
