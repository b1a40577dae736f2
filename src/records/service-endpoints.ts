/**
 * The ready endpoints of one Service, merged from all of its EndpointSlices. Built once per
 * change of the Service's slices, read by every query about the Service.
 */
import type { EndpointInfo, EndpointSliceInfo, PortInfo, ServiceInfo } from '../cluster/model.js';
import { canonicalIp } from './ip-names.js';

/**
 * One ready address of a Service: an EndpointInfo with exactly one address, in canonical
 * form. It is the source's own object whenever that already holds (controllers write one
 * address per endpoint), so merging costs no copy per endpoint.
 */
export type ReadyEndpoint = EndpointInfo;

/** The address of a ready endpoint. */
export function addressOf(endpoint: ReadyEndpoint): string {
  return endpoint.addresses[0];
}

/** Endpoints that share one list of ports (a Service's slices nearly always do). */
export interface PortGroup {
  readonly ports: readonly PortInfo[];
  readonly endpoints: readonly ReadyEndpoint[];
}

export interface ServiceEndpoints {
  /** Every ready address once, both families, in slice order. */
  readonly ready: readonly ReadyEndpoint[];
  /** The same endpoints grouped by their slices' ports, for SRV answers. */
  readonly groups: readonly PortGroup[];
}

/** A Service with its merged ready endpoints, as the plugin reads it. */
export interface ServiceRecord {
  readonly info: ServiceInfo;
  readonly endpoints: ServiceEndpoints;
}

export const NO_ENDPOINTS: ServiceEndpoints = Object.freeze({ ready: [], groups: [] });

/**
 * Merges a Service's slices. Real EndpointSlices win: slices converted from v1 Endpoints are
 * used only when the Service has no real slice (the rule; CoreDNS reads slices only).
 * Endpoints with `ready: false` are left out (discovery.k8s.io/v1: DNS publishes ready ones;
 * publishNotReadyAddresses already shows as ready=true). The same address and hostname seen
 * in two slices (a slice being split or moved) is kept once: RFC 2181 §5 forbids duplicate
 * records in an RRset.
 */
export function mergeEndpoints(slices: Iterable<EndpointSliceInfo>): ServiceEndpoints {
  const chosen = chooseSlices(slices);
  if (chosen.length === 0) return NO_ENDPOINTS;
  if (chosen.length === 1) return fromOneSlice(chosen[0]);

  const ready: ReadyEndpoint[] = [];
  const seen = new Set<string>();
  const seenInGroup = new Set<string>();
  const groups = new Map<string, { ports: readonly PortInfo[]; endpoints: ReadyEndpoint[] }>();
  for (const slice of chosen) {
    const key = portsKey(slice.ports);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports: slice.ports, endpoints: [] }));
    for (const endpoint of slice.endpoints) {
      if (!endpoint.ready) continue;
      for (const entry of singleAddressed(endpoint)) {
        const id = `${addressOf(entry)}/${entry.hostname}`;
        if (!seen.has(id)) {
          seen.add(id);
          ready.push(entry);
        }
        if (!seenInGroup.has(`${key}|${id}`)) {
          seenInGroup.add(`${key}|${id}`);
          group.endpoints.push(entry);
        }
      }
    }
  }
  if (ready.length === 0) return NO_ENDPOINTS;
  return { ready, groups: [...groups.values()].filter((g) => g.endpoints.length > 0) };
}

/** The common case, one slice: its ready endpoints are the only port group. */
function fromOneSlice(slice: EndpointSliceInfo): ServiceEndpoints {
  const ready: ReadyEndpoint[] = [];
  const seen = new Set<string>();
  for (const endpoint of slice.endpoints) {
    if (!endpoint.ready) continue;
    for (const entry of singleAddressed(endpoint)) {
      const id = `${addressOf(entry)}/${entry.hostname}`;
      if (seen.has(id)) continue;
      seen.add(id);
      ready.push(entry);
    }
  }
  if (ready.length === 0) return NO_ENDPOINTS;
  return { ready, groups: [{ ports: slice.ports, endpoints: ready }] };
}

/** The endpoint itself when it has one canonical address, else one copy per address. */
function singleAddressed(endpoint: EndpointInfo): readonly ReadyEndpoint[] {
  const { addresses } = endpoint;
  if (addresses.length === 1 && canonicalIp(addresses[0]) === addresses[0]) return [endpoint];
  return addresses.map((address) => ({ ...endpoint, addresses: [canonicalIp(address)] }));
}

function chooseSlices(slices: Iterable<EndpointSliceInfo>): EndpointSliceInfo[] {
  const real: EndpointSliceInfo[] = [];
  const legacy: EndpointSliceInfo[] = [];
  for (const slice of slices) (slice.fromEndpoints ? legacy : real).push(slice);
  const chosen = real.length > 0 ? real : legacy;
  // Slice names give a stable order, so answers do not change with arrival order.
  return chosen.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function portsKey(ports: readonly PortInfo[]): string {
  return ports
    .map((p) => `${p.name}/${p.protocol}/${p.port}`)
    .sort()
    .join(',');
}
