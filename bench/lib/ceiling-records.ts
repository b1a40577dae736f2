/**
 * The records file the Node ceiling server answers from: one zone's A and SRV records and its
 * SOA, as plain JSON.
 */
import type { Dataset, SoaFields } from './dataset.js';

export interface CeilingRecords {
  readonly zone: string;
  readonly ttl: number;
  readonly soa: SoaFields;
  readonly a: readonly { readonly name: string; readonly ip: string }[];
  readonly srv: readonly {
    readonly name: string;
    readonly priority: number;
    readonly weight: number;
    readonly port: number;
    readonly target: string;
  }[];
}

/** The cluster data set as ceiling records: one A per Service, one SRV per port. */
export function ceilingRecordsFor(dataset: Dataset): CeilingRecords {
  return {
    zone: dataset.zone,
    ttl: dataset.ttl,
    soa: dataset.soa,
    a: dataset.services.map((s) => ({ name: s.fqdn, ip: s.clusterIP })),
    // Priority 0, weight 100 for a single SRV record: CoreDNS's choice, kept by clusterdns.
    srv: dataset.services.map((s) => ({
      name: s.srvName,
      priority: 0,
      weight: 100,
      port: s.port,
      target: s.fqdn,
    })),
  };
}
