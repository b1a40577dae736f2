/**
 * Renders the data set for dnsmasq: a hosts file for the A records and a configuration with
 * one `srv-host` line per SRV record, answering the zone locally and forwarding nothing.
 */
import type { CeilingRecords } from './ceiling-records.js';

/** The hosts file text (`IP NAME` lines). */
export function renderDnsmasqHosts(records: CeilingRecords): string {
  return records.a.map((r) => `${r.ip} ${r.name}`).join('\n') + '\n';
}

/** The configuration text; `hostsFile` is the absolute path of the hosts file. */
export function renderDnsmasqConf(records: CeilingRecords, hostsFile: string): string {
  const lines = [
    'no-resolv',
    'no-hosts',
    'no-poll',
    `local=/${records.zone}/`,
    `addn-hosts=${hostsFile}`,
    `local-ttl=${records.ttl}`,
    `auth-ttl=${records.ttl}`,
  ];
  for (const s of records.srv) {
    lines.push(`srv-host=${s.name},${s.target},${s.port},${s.priority},${s.weight}`);
  }
  return lines.join('\n') + '\n';
}
