/**
 * CoreDNS's core DNS metric families, with the same names, label names and buckets, so that
 * dashboards and alerts written for CoreDNS work unchanged (CoreDNS `plugin/metrics/vars`).
 *
 * Families are get-or-create on the process registry: every prometheus handler of every block
 * and every reload shares them.
 */
import type { Counter, Gauge } from 'prom-client';
import { counter, gauge, type Registry } from '../../metrics/registry.js';
import { FastCounter, FastHistogram, register } from './fast-metrics.js';

/** Duration buckets: 0.25 ms doubling 16 times, up to 8.192 s (CoreDNS `plugin.TimeBuckets`). */
export const DURATION_BUCKETS: readonly number[] = Array.from(
  { length: 16 },
  (_, i) => 0.00025 * 2 ** i,
);

/** Size buckets in bytes, as CoreDNS uses for request and response sizes. */
export const SIZE_BUCKETS: readonly number[] = [
  0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16e3, 32e3, 48e3, 64e3,
];

export interface DnsFamilies {
  readonly requests: FastCounter;
  readonly doRequests: FastCounter;
  readonly duration: FastHistogram;
  readonly requestSize: FastHistogram;
  readonly responseSize: FastHistogram;
  readonly responses: FastCounter;
  readonly pluginEnabled: Gauge<'server' | 'zone' | 'view' | 'name'>;
  readonly panics: Counter;
}

/** Gets or creates the families on the registry. */
export function dnsFamilies(registry: Registry): DnsFamilies {
  const sizes = [...SIZE_BUCKETS];
  return {
    requests: register(
      registry,
      new FastCounter(
        'coredns_dns_requests_total',
        'DNS queries received, by zone, transport, address family and query type.',
        ['server', 'zone', 'view', 'proto', 'family', 'type'],
      ),
    ),
    doRequests: register(
      registry,
      new FastCounter(
        'coredns_dns_do_requests_total',
        'DNS queries with the DNSSEC OK (DO) bit set.',
        ['server', 'zone', 'view'],
      ),
    ),
    duration: register(
      registry,
      new FastHistogram(
        'coredns_dns_request_duration_seconds',
        'Seconds from receiving a query to having its answer.',
        ['server', 'zone', 'view', 'type'],
        [...DURATION_BUCKETS],
      ),
    ),
    requestSize: register(
      registry,
      new FastHistogram(
        'coredns_dns_request_size_bytes',
        'Size of the queries in bytes.',
        ['server', 'zone', 'view', 'proto'],
        sizes,
      ),
    ),
    responseSize: register(
      registry,
      new FastHistogram(
        'coredns_dns_response_size_bytes',
        'Size of the answers in bytes.',
        ['server', 'zone', 'view', 'proto'],
        sizes,
      ),
    ),
    responses: register(
      registry,
      new FastCounter(
        'coredns_dns_responses_total',
        'DNS answers sent, by rcode and by the plugin that wrote them.',
        ['server', 'zone', 'view', 'rcode', 'plugin'],
      ),
    ),
    pluginEnabled: gauge(registry, {
      name: 'coredns_plugin_enabled',
      help: '1 for each plugin enabled in a server block.',
      labelNames: ['server', 'zone', 'view', 'name'],
    }),
    panics: counter(registry, {
      name: 'coredns_panics_total',
      help: 'Queries whose handling threw and were answered SERVFAIL by the server.',
    }),
  };
}

/**
 * Query types that get their own `type` label value; every other type is `other`. The set is
 * CoreDNS's (plugin/metrics/vars), which keeps the label's cardinality fixed.
 */
export const MONITORED_TYPES: ReadonlyMap<number, string> = new Map([
  [1, 'A'],
  [2, 'NS'],
  [5, 'CNAME'],
  [6, 'SOA'],
  [12, 'PTR'],
  [15, 'MX'],
  [16, 'TXT'],
  [28, 'AAAA'],
  [33, 'SRV'],
  [43, 'DS'],
  [46, 'RRSIG'],
  [47, 'NSEC'],
  [48, 'DNSKEY'],
  [50, 'NSEC3'],
  [65, 'HTTPS'],
  [251, 'IXFR'],
  [252, 'AXFR'],
  [255, 'ANY'],
]);

/** Rcode mnemonics as CoreDNS's DNS library writes them; others are written as numbers. */
const RCODE_NAMES: readonly string[] = [
  'NOERROR',
  'FORMERR',
  'SERVFAIL',
  'NXDOMAIN',
  'NOTIMP',
  'REFUSED',
  'YXDOMAIN',
  'YXRRSET',
  'NXRRSET',
  'NOTAUTH',
  'NOTZONE',
];

/** The `rcode` label value of a 4-bit header rcode. */
export function rcodeLabel(rcode: number): string {
  return RCODE_NAMES[rcode] ?? String(rcode);
}

/** The `zone` label value: CoreDNS writes block zones fully qualified (`.`, `cluster.local.`). */
export function zoneLabel(zone: string): string {
  return zone === '' ? '.' : `${zone}.`;
}
