/**
 * Names outside the cluster for the cached-external-names measurement: 1,000 A records in
 * `example.net`, served by a loopback upstream behind clusterdns's `cache` and `forward`.
 * Addresses come from 198.18.0.0/15, the range RFC 2544 sets aside for benchmarks.
 */
import { createPrng } from './prng.js';
import type { CeilingRecords } from './ceiling-records.js';

export const EXTERNAL_ZONE = 'example.net';

/** Upstream TTL: long enough that no cached answer expires during a run. */
export const EXTERNAL_TTL = 300;

export interface ExternalDataset {
  readonly records: CeilingRecords;
  /** dnsperf lines, all `NAME A`, uniform over the names. */
  readonly queries: readonly string[];
}

/** Builds `sites` x `hostsPerSite` names and `queryCount` queries over them. */
export function buildExternalDataset(
  sites = 10,
  hostsPerSite = 100,
  queryCount = 100_000,
  seed = 54321,
): ExternalDataset {
  const a: { name: string; ip: string }[] = [];
  for (let site = 0; site < sites; site++) {
    for (let host = 0; host < hostsPerSite; host++) {
      const name = `host-${host}.site-${site}.${EXTERNAL_ZONE}`;
      a.push({ name, ip: `198.18.${site}.${host + 1}` });
    }
  }
  const random = createPrng(seed);
  const queries: string[] = [];
  for (let i = 0; i < queryCount; i++) {
    queries.push(`${a[Math.floor(random() * a.length)].name} A`);
  }
  const soa = {
    mname: `ns.${EXTERNAL_ZONE}`,
    rname: `hostmaster.${EXTERNAL_ZONE}`,
    serial: 1,
    refresh: 7200,
    retry: 1800,
    expire: 86400,
    minimum: EXTERNAL_TTL,
  };
  return { records: { zone: EXTERNAL_ZONE, ttl: EXTERNAL_TTL, soa, a, srv: [] }, queries };
}
