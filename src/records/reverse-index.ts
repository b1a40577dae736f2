/**
 * IP address -> the names that point back to it (PTR targets): Services by ClusterIP, and
 * the endpoint names of every Service with that IP among its ready endpoints.
 *
 * The map holds the Services' own records, not one object per target: targets are built
 * when a PTR question is answered, which keeps 100,000 endpoints from costing 100,000 extra
 * objects.
 */
import type { ServiceInfo } from '../cluster/model.js';
import { canonicalIp } from './ip-names.js';
import { addressOf, type ReadyEndpoint, type ServiceRecord } from './service-endpoints.js';

/**
 * One PTR target: the Service itself (`endpoint` null: `<svc>.<ns>.svc.<zone>`), or one of its
 * endpoints (`<label>.<svc>.<ns>.svc.<zone>`, label chosen by the plugin's options).
 */
export interface ReverseTarget {
  readonly service: ServiceInfo;
  readonly endpoint: ReadyEndpoint | null;
}

export class ReverseIndex {
  private readonly byIp = new Map<string, ServiceRecord | ServiceRecord[]>();

  get size(): number {
    return this.byIp.size;
  }

  /** Records the Service under its ClusterIPs and ready endpoint addresses (canonical). */
  addService(record: ServiceRecord, addresses: ReadonlySet<string>): void {
    for (const ip of addresses) this.add(ip, record);
  }

  /** Forgets the Service under these addresses. */
  removeService(record: ServiceRecord, addresses: ReadonlySet<string>): void {
    for (const ip of addresses) this.remove(ip, record.info);
  }

  clear(): void {
    this.byIp.clear();
  }

  /**
   * The targets for an address (canonical text). A ClusterIP names its Service only; otherwise
   * one target per Service that has the address as a ready endpoint (CoreDNS reverse.go).
   */
  lookup(ip: string): ReverseTarget[] {
    const found = this.byIp.get(ip);
    if (found === undefined) return [];
    const records = Array.isArray(found) ? found : [found];
    const services = records.filter((r) => r.info.clusterIPs.some((c) => canonicalIp(c) === ip));
    if (services.length > 0) return services.map((r) => ({ service: r.info, endpoint: null }));
    const targets: ReverseTarget[] = [];
    for (const record of records) {
      const endpoint = record.endpoints.ready.find((e) => addressOf(e) === ip);
      if (endpoint) targets.push({ service: record.info, endpoint });
    }
    return targets;
  }

  private add(ip: string, record: ServiceRecord): void {
    const found = this.byIp.get(ip);
    if (found === undefined) this.byIp.set(ip, record);
    else if (Array.isArray(found)) found.push(record);
    else this.byIp.set(ip, [found, record]);
  }

  private remove(ip: string, service: ServiceInfo): void {
    const found = this.byIp.get(ip);
    if (found === undefined) return;
    const all = Array.isArray(found) ? found : [found];
    const rest = all.filter((r) => !sameService(r.info, service));
    if (rest.length === 0) this.byIp.delete(ip);
    else this.byIp.set(ip, rest.length === 1 ? rest[0] : rest);
  }
}

function sameService(a: ServiceInfo, b: ServiceInfo): boolean {
  return a.name === b.name && a.namespace === b.namespace;
}
