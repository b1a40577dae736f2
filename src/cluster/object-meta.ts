/**
 * Recognising Kubernetes objects and reading their metadata. The lenient readers (rawKind,
 * rawLabels, ...) serve filters that run before stripping and never throw; readMetadata is
 * the strict form used while stripping.
 */
import { isJsonMap, type FieldReader, type JsonMap } from './field-reader.js';
import { intern } from './intern.js';

/** The kinds DNS reads; v1 Endpoints is converted to EndpointSlices when stripped. */
export type RawKind = 'Service' | 'EndpointSlice' | 'Endpoints' | 'Pod' | 'Namespace';

const CORE_KINDS: ReadonlySet<string> = new Set(['Service', 'Endpoints', 'Pod', 'Namespace']);

/**
 * The kind of a raw object, or null when DNS ignores it. The API group is checked so that a
 * custom resource named like a core kind (Knative's `serving.knative.dev/v1` Service) is not
 * mistaken for it; a missing apiVersion (hand-written files) is read as the usual group.
 */
export function rawKind(raw: unknown): RawKind | null {
  if (!isJsonMap(raw) || typeof raw.kind !== 'string') return null;
  const version = typeof raw.apiVersion === 'string' ? raw.apiVersion : undefined;
  if (raw.kind === 'EndpointSlice') {
    const discovery = version === undefined || version.startsWith('discovery.k8s.io/');
    return discovery ? 'EndpointSlice' : null;
  }
  if (!CORE_KINDS.has(raw.kind)) return null;
  return version === undefined || version === 'v1' ? (raw.kind as RawKind) : null;
}

function rawMetadata(raw: unknown): JsonMap {
  return isJsonMap(raw) && isJsonMap(raw.metadata) ? raw.metadata : {};
}

/** `metadata.namespace`, with kubectl's default `default` when unset. */
export function rawNamespace(raw: unknown): string {
  const namespace = rawMetadata(raw).namespace;
  return typeof namespace === 'string' && namespace !== '' ? namespace : 'default';
}

/** `metadata.name`, or '' when unset. */
export function rawName(raw: unknown): string {
  const name = rawMetadata(raw).name;
  return typeof name === 'string' ? name : '';
}

/** `metadata.labels` with non-string values left out; empty when unset. */
export function rawLabels(raw: unknown): ReadonlyMap<string, string> {
  const labels = rawMetadata(raw).labels;
  const result = new Map<string, string>();
  if (!isJsonMap(labels)) return result;
  for (const [key, value] of Object.entries(labels)) {
    if (typeof value === 'string') result.set(key, value);
  }
  return result;
}

/** The label naming an EndpointSlice's Service (discovery.k8s.io/v1). */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

// RFC 1123 label, the form Kubernetes requires of namespace and Service names, since both
// become labels of DNS names.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** True when `text` is a lowercase RFC 1123 DNS label. */
export function isDnsLabel(text: string): boolean {
  return DNS_LABEL.test(text);
}

export interface Metadata {
  /** The namespace; '' for a cluster-scoped kind. */
  readonly namespace: string;
  readonly name: string;
}

/**
 * Reads `metadata.name` (required) and, when `namespaced`, `metadata.namespace` (kubectl's
 * `default` when unset). With `nameIsDnsLabel`, the name must be a DNS label because it
 * becomes part of DNS names; a namespace always must.
 */
export function readMetadata(
  reader: FieldReader,
  raw: JsonMap,
  namespaced: boolean,
  nameIsDnsLabel: boolean,
): Metadata {
  const metadata = reader.map(raw.metadata, ['metadata']);
  if (metadata === undefined) return reader.fail(['metadata'], 'metadata is missing');
  const name = reader.requiredString(metadata.name, ['metadata', 'name']);
  reader.objectName = name;
  if (nameIsDnsLabel && !isDnsLabel(name)) {
    reader.fail(['metadata', 'name'], `metadata.name "${name}" is not a DNS label`);
  }
  if (!namespaced) return { namespace: '', name: intern(name) };
  const path = ['metadata', 'namespace'];
  const namespace = reader.optionalString(metadata.namespace, path) || 'default';
  reader.objectName = `${namespace}/${name}`;
  if (!isDnsLabel(namespace)) {
    reader.fail(path, `metadata.namespace "${namespace}" is not a DNS label`);
  }
  return { namespace: intern(namespace), name };
}
