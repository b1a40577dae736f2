/**
 * Reduces raw Kubernetes objects (parsed YAML/JSON from a state file, or objects from the API)
 * to the model of model.ts, keeping only what DNS needs. Pure: no I/O, no clock.
 *
 * Shared by the state-file source and the Kubernetes API watch. Filters that need labels
 * (label selectors) run on the raw objects before stripping, since labels are not kept.
 */
import type { ClusterObject } from './model.js';
import { FieldReader, isJsonMap } from './field-reader.js';
import { rawKind, readMetadata } from './object-meta.js';
import { stripService } from './strip-service.js';
import { stripEndpointSlice } from './strip-endpoint-slice.js';
import { stripEndpoints } from './strip-endpoints.js';
import { stripPod } from './strip-pod.js';

export { rawKind, type RawKind } from './object-meta.js';

/**
 * Strips one object into the model objects it stands for: none for a kind DNS ignores or an
 * object DNS must not serve (a slice without Service label or of type FQDN, a deleted or
 * finished Pod), one for most objects, and one or more slices for a v1 Endpoints object.
 *
 * Throws InvalidObjectError (code STATE_INVALID) for an object of a kind DNS reads whose
 * fields are unusable (no name, a bad IP, a port out of range); its `field` names the
 * offending field.
 */
export function stripObjects(raw: unknown): ClusterObject[] {
  const kind = rawKind(raw);
  if (kind === null || !isJsonMap(raw)) return [];
  switch (kind) {
    case 'Service':
      return [{ kind: 'Service', value: stripService(raw) }];
    case 'EndpointSlice': {
      const slice = stripEndpointSlice(raw);
      return slice === null ? [] : [{ kind: 'EndpointSlice', value: slice }];
    }
    case 'Endpoints':
      return stripEndpoints(raw).map((value) => ({ kind: 'EndpointSlice', value }));
    case 'Pod': {
      const pod = stripPod(raw);
      return pod === null ? [] : [{ kind: 'Pod', value: pod }];
    }
    case 'Namespace': {
      const { name } = readMetadata(new FieldReader('Namespace'), raw, false, true);
      return [{ kind: 'Namespace', value: { name } }];
    }
  }
}

/**
 * Strips one object of a kind that stands for at most one model object (Service,
 * EndpointSlice, Pod, Namespace); null when it is ignored or not to be served, which a watch
 * should treat as a removal of the object's key. For v1 Endpoints, which may stand for
 * several slices, use stripObjects. Throws like stripObjects.
 */
export function stripObject(raw: unknown): ClusterObject | null {
  return stripObjects(raw)[0] ?? null;
}

/** The store key of a model object: `namespace/name`, or the name for a Namespace. */
export function objectKey(object: ClusterObject): string {
  if (object.kind === 'Namespace') return object.value.name;
  return `${object.value.namespace}/${object.value.name}`;
}
