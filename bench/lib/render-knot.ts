/**
 * Renders the data set for Knot DNS: a zone file and a configuration with one UDP worker, one
 * TCP worker and one background worker, so that Knot runs on one core like the others.
 */
import type { CeilingRecords } from './ceiling-records.js';

/** The zone file text, from the same records the ceiling serves. */
export function renderKnotZone(records: CeilingRecords): string {
  const { soa, zone, ttl } = records;
  const lines = [
    `$ORIGIN ${zone}.`,
    `$TTL ${ttl}`,
    `@ IN SOA ${soa.mname}. ${soa.rname}. ${soa.serial} ${soa.refresh} ${soa.retry} ` +
      `${soa.expire} ${soa.minimum}`,
    `@ IN NS ${soa.mname}.`,
  ];
  for (const r of records.a) lines.push(`${r.name}. IN A ${r.ip}`);
  for (const s of records.srv) {
    lines.push(`${s.name}. IN SRV ${s.priority} ${s.weight} ${s.port} ${s.target}.`);
  }
  return lines.join('\n') + '\n';
}

export interface KnotConfOptions {
  readonly port: number;
  /** Directory for knotd's runtime files (socket, database). */
  readonly runDir: string;
  readonly zone: string;
  readonly zoneFile: string;
}

/** The knotd configuration text. */
export function renderKnotConf(options: KnotConfOptions): string {
  return [
    'server:',
    `    rundir: "${options.runDir}"`,
    `    listen: 127.0.0.1@${options.port}`,
    '    udp-workers: 1',
    '    tcp-workers: 1',
    '    background-workers: 1',
    'log:',
    '  - target: stderr',
    '    any: error',
    'database:',
    `    storage: "${options.runDir}"`,
    'zone:',
    `  - domain: ${options.zone}`,
    `    file: "${options.zoneFile}"`,
    // The zone is read-only input: knotd must never write it back or journal it.
    '    zonefile-sync: -1',
    '    journal-content: none',
    '',
  ].join('\n');
}
