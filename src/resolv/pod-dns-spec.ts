/**
 * The fields of a Pod manifest that decide its resolv.conf, read from YAML and checked the way
 * the API server would check them (types and presence), so the kubelet model gets clean input.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import { StateFileError } from '../errors.js';

export type DnsPolicy = 'ClusterFirst' | 'ClusterFirstWithHostNet' | 'Default' | 'None';

export interface PodDnsOption {
  readonly name: string;
  /** undefined when the option has no value (written bare, e.g. `edns0`). */
  readonly value: string | undefined;
}

export interface PodDnsConfig {
  readonly nameservers: readonly string[];
  readonly searches: readonly string[];
  readonly options: readonly PodDnsOption[];
}

export interface PodDnsSpec {
  readonly name: string;
  /** `metadata.namespace`, `default` when unset (as `kubectl apply` would place it). */
  readonly namespace: string;
  /**
   * `spec.dnsPolicy` as written; '' when unset (read as ClusterFirst). Any other string is kept
   * so the kubelet model can treat it as the kubelet does.
   */
  readonly dnsPolicy: string;
  readonly hostNetwork: boolean;
  /** `spec.dnsConfig`, null when absent. */
  readonly dnsConfig: PodDnsConfig | null;
}

/** Parses a Pod manifest; throws StateFileError naming file and line for a malformed one. */
export function parsePodDnsSpec(text: string, file: string): PodDnsSpec {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const fail = (node: Node | null | undefined, reason: string): never => {
    const offset = node?.range?.[0];
    const line = offset === undefined ? 0 : lines.linePos(offset).line;
    throw new StateFileError({ file, line }, reason);
  };
  if (doc.errors.length > 0) {
    const line = doc.errors[0].linePos?.[0].line ?? 0;
    throw new StateFileError({ file, line }, doc.errors[0].message.split('\n')[0]);
  }
  const root = doc.contents;
  if (!isMap(root)) return fail(root as Node | null, 'a Pod manifest must be a mapping');
  const reader = new FieldReader(fail);
  const kind = reader.string(root, 'kind');
  if (kind !== null && kind !== 'Pod') fail(root, `kind is ${kind}, expected Pod`);
  const metadata = reader.map(root, 'metadata');
  const spec = reader.map(root, 'spec');
  const dnsConfig = spec ? reader.map(spec, 'dnsConfig') : null;
  return {
    name: (metadata && reader.string(metadata, 'name')) ?? '',
    namespace: (metadata && reader.string(metadata, 'namespace')) || 'default',
    dnsPolicy: (spec && reader.string(spec, 'dnsPolicy')) ?? '',
    hostNetwork: (spec && reader.boolean(spec, 'hostNetwork')) ?? false,
    dnsConfig: dnsConfig ? readDnsConfig(reader, dnsConfig) : null,
  };
}

function readDnsConfig(reader: FieldReader, node: MapNode): PodDnsConfig {
  const options = reader.list(node, 'options').map((item) => {
    if (!isMap(item))
      return reader.fail(item as Node, 'dnsConfig.options entries must be mappings');
    const name = reader.string(item, 'name');
    if (!name) return reader.fail(item, 'dnsConfig.options entry without a name');
    return { name, value: reader.string(item, 'value') ?? undefined };
  });
  return {
    nameservers: reader.list(node, 'nameservers').map((n) => reader.scalarString(n, 'nameservers')),
    searches: reader.list(node, 'searches').map((n) => reader.scalarString(n, 'searches')),
    options,
  };
}

type MapNode = YAMLMap<unknown, unknown>;

/** Typed access to mapping fields; every mistake throws through `fail` with the node's line. */
class FieldReader {
  constructor(readonly fail: (node: Node | null | undefined, reason: string) => never) {}

  private node(parent: MapNode, key: string): Node | null {
    const value = parent.get(key, true) as Node | undefined;
    if (value === undefined) return null;
    if (isScalar(value) && value.value === null) return null;
    return value;
  }

  map(parent: MapNode, key: string): MapNode | null {
    const value = this.node(parent, key);
    if (value === null) return null;
    if (!isMap(value)) return this.fail(value, `${key} must be a mapping`);
    return value as MapNode;
  }

  string(parent: MapNode, key: string): string | null {
    const value = this.node(parent, key);
    if (value === null) return null;
    return this.scalarString(value, key);
  }

  scalarString(value: unknown, key: string): string {
    if (!isScalar(value) || typeof value.value !== 'string') {
      return this.fail(value as Node, `${key} must be a string`);
    }
    return value.value;
  }

  boolean(parent: MapNode, key: string): boolean | null {
    const value = this.node(parent, key);
    if (value === null) return null;
    if (!isScalar(value) || typeof value.value !== 'boolean') {
      return this.fail(value, `${key} must be true or false`);
    }
    return value.value;
  }

  list(parent: MapNode, key: string): unknown[] {
    const value = this.node(parent, key);
    if (value === null) return [];
    if (!isSeq(value)) return this.fail(value, `${key} must be a list`);
    return value.items;
  }
}
