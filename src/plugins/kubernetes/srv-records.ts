/**
 * SRV records of a Service with their address glue: one per named port for a ClusterIP
 * Service (target: the Service), one per ready endpoint and named port for a headless Service
 * (target: the endpoint's name). Specification §2.3.2 and §2.4.2; priority 0 and weight
 * 100 / N as CoreDNS writes them (the specification leaves both open).
 */
import type { PortInfo } from '../../cluster/model.js';
import type { ServiceRecord } from '../../records/record-index.js';
import { addressOf } from '../../records/service-endpoints.js';
import { RRType } from '../../wire/constants.js';
import type { ResourceRecord } from '../../wire/record.js';
import { addressRecord } from './answers.js';
import type { EndpointNames } from './endpoint-names.js';

export interface SrvAnswer {
  readonly answer: ResourceRecord[];
  readonly additional: ResourceRecord[];
}

interface Entry {
  readonly target: string;
  readonly port: number;
  readonly addresses: readonly string[];
}

/**
 * The SRV records at `owner` for ports named `port` with protocol `proto` (each '' matches
 * any). Unnamed ports never give SRV records. A target and port seen twice are written once.
 */
export function srvRecords(
  record: ServiceRecord,
  names: EndpointNames,
  zone: string,
  ttl: number,
  owner: string,
  port: string,
  proto: string,
): SrvAnswer {
  const entries = new Map<string, Entry>();
  const add = (target: string, number: number, addresses: readonly string[]): void => {
    const key = `${target}|${number}`;
    const found = entries.get(key);
    if (!found) entries.set(key, { target, port: number, addresses });
    else entries.set(key, { ...found, addresses: [...found.addresses, ...addresses] });
  };
  const info = record.info;
  const service = names.service(info, zone);
  if (info.kind === 'ClusterIP') {
    for (const p of info.ports) if (matches(p, port, proto)) add(service, p.port, info.clusterIPs);
  } else if (info.kind === 'Headless') {
    for (const group of record.endpoints.groups) {
      for (const endpoint of group.endpoints) {
        for (const p of group.ports) {
          if (!matches(p, port, proto)) continue;
          add(`${names.label(endpoint)}.${service}`, p.port, [addressOf(endpoint)]);
        }
      }
    }
  }
  return build([...entries.values()], owner, ttl);
}

function build(entries: readonly Entry[], owner: string, ttl: number): SrvAnswer {
  const weight = entries.length > 0 ? Math.floor(100 / entries.length) : 0;
  const answer: ResourceRecord[] = [];
  const additional: ResourceRecord[] = [];
  const glued = new Set<string>();
  for (const entry of entries) {
    const srv = { priority: 0, weight, port: entry.port, target: entry.target };
    answer.push({ name: owner, type: RRType.SRV, ttl, srv });
    for (const address of entry.addresses) {
      const key = `${entry.target}|${address}`;
      if (glued.has(key)) continue;
      glued.add(key);
      additional.push(addressRecord(entry.target, address, ttl));
    }
  }
  return { answer, additional };
}

function matches(p: PortInfo, port: string, proto: string): boolean {
  if (p.name === '') return false;
  return (port === '' || p.name.toLowerCase() === port) && (proto === '' || p.protocol === proto);
}
