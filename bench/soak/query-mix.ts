/**
 * The soak's query file: the mix a cluster DNS server really sees. Cluster Service names,
 * external names the cache holds, external names it cannot hold (each distinct, cycled more
 * slowly than the cache TTL, so every one is a cache miss), and NXDOMAIN both inside the
 * cluster zone and from upstream. Lines are interleaved so every second carries the mix.
 */
import fs from 'node:fs';

export const SERVICES = 40;

/** Shares of the mix, out of 20 lines. */
const PATTERN = [
  'cluster',
  'cluster',
  'cluster',
  'cluster',
  'cluster',
  'cluster',
  'cluster',
  'cluster',
  'cached',
  'cached',
  'cached',
  'cached',
  'cached',
  'miss',
  'miss',
  'miss',
  'miss',
  'nx-cluster',
  'nx-cluster',
  'nx-upstream',
] as const;

/** Writes `lines` queries to `file` (dnsperf's `NAME TYPE` format). */
export function writeQueryMix(file: string, lines: number): void {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const kind = PATTERN[i % PATTERN.length];
    const n = Math.floor(i / PATTERN.length);
    if (kind === 'cluster') out.push(`svc-${i % SERVICES}.shop.svc.cluster.local A`);
    else if (kind === 'cached') out.push(`www-${i % 100}.ext.test A`);
    else if (kind === 'miss') out.push(`m-${i}.miss.test A`);
    else if (kind === 'nx-cluster') out.push(`nosuch-${n % 500}.shop.svc.cluster.local A`);
    else out.push(`x-${n % 500}.nx.test A`);
  }
  fs.writeFileSync(file, out.join('\n') + '\n');
}
