/**
 * Expected answers for fixtures/cluster.yaml served with `pods insecure` in the zones
 * cluster.local, in-addr.arpa and ip6.arpa (what `clusterdns serve --state ... --pods
 * insecure` configures). Records are written as dig prints them; `SERIAL` stands for the SOA
 * serial, which is the Unix time of the last change.
 */

export interface Row {
  readonly name: string;
  readonly type: string;
  readonly rcode: 'NOERROR' | 'NXDOMAIN';
  readonly answer?: readonly string[];
  readonly authority?: readonly string[];
  readonly additional?: readonly string[];
}

const SOA =
  'cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. SERIAL 7200 1800 86400 5';
const SOA_V4 =
  'in-addr.arpa. 5 IN SOA ns.dns.in-addr.arpa. hostmaster.in-addr.arpa. SERIAL 7200 1800 86400 5';
const SOA_V6 = 'ip6.arpa. 5 IN SOA ns.dns.ip6.arpa. hostmaster.ip6.arpa. SERIAL 7200 1800 86400 5';

const nodata = (name: string, type: string, soa = SOA): Row => ({
  name,
  type,
  rcode: 'NOERROR',
  authority: [soa],
});
const nxdomain = (name: string, type: string, soa = SOA): Row => ({
  name,
  type,
  rcode: 'NXDOMAIN',
  authority: [soa],
});
const yes = (name: string, type: string, answer: string[], additional: string[] = []): Row => ({
  name,
  type,
  rcode: 'NOERROR',
  answer,
  additional,
});

const WEB = 'web.shop.svc.cluster.local.';
const CACHE = 'cache.shop.svc.cluster.local.';
const CACHE_SRV = [
  `0 33 6379 cache-0.${CACHE}`,
  `0 33 6379 10-244-2-2.${CACHE}`,
  `0 33 6379 2001-db8--0.${CACHE}`,
];
const CACHE_GLUE = [
  `cache-0.${CACHE} 5 IN A 10.244.2.1`,
  `cache-0.${CACHE} 5 IN AAAA fd00::2:1`,
  `10-244-2-2.${CACHE} 5 IN A 10.244.2.2`,
  `2001-db8--0.${CACHE} 5 IN AAAA 2001:db8::`,
];
const V6_CACHE_PTR = '0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa';
const V6_CLUSTER_IP_PTR =
  '0.4.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa';

export const TABLE: readonly Row[] = [
  // ClusterIP Service (issue 2, case 2)
  yes('web.shop.svc.cluster.local', 'A', [`${WEB} 5 IN A 10.96.0.20`]),
  nodata('web.shop.svc.cluster.local', 'AAAA'),
  nxdomain('nosuch.shop.svc.cluster.local', 'AAAA'),
  nxdomain('nosuch.shop.svc.cluster.local', 'A'),
  yes('WeB.ShOp.SVC.Cluster.Local', 'A', ['WeB.ShOp.SVC.Cluster.Local. 5 IN A 10.96.0.20']),
  yes('web.shop.svc.cluster.local', 'ANY', [`${WEB} 5 IN A 10.96.0.20`]),
  // TXT, NS, SOA and other types: NODATA for a Service, NXDOMAIN for nothing (cases 5, 6)
  nodata('web.shop.svc.cluster.local', 'TXT'),
  nodata('web.shop.svc.cluster.local', 'NS'),
  nodata('web.shop.svc.cluster.local', 'SOA'),
  nodata('web.shop.svc.cluster.local', 'MX'),
  nodata('web.shop.svc.cluster.local', 'CNAME'),
  nxdomain('nosuch.shop.svc.cluster.local', 'TXT'),
  nxdomain('nosuch.shop.svc.cluster.local', 'NS'),
  // SRV per named port, and on the bare name
  yes(
    '_http._tcp.web.shop.svc.cluster.local',
    'SRV',
    [`_http._tcp.${WEB} 5 IN SRV 0 100 80 ${WEB}`],
    [`${WEB} 5 IN A 10.96.0.20`],
  ),
  yes(
    '_dns._udp.web.shop.svc.cluster.local',
    'SRV',
    [`_dns._udp.${WEB} 5 IN SRV 0 100 53 ${WEB}`],
    [`${WEB} 5 IN A 10.96.0.20`],
  ),
  yes(
    '_assoc._sctp.web.shop.svc.cluster.local',
    'SRV',
    [`_assoc._sctp.${WEB} 5 IN SRV 0 100 9899 ${WEB}`],
    [`${WEB} 5 IN A 10.96.0.20`],
  ),
  yes(
    'web.shop.svc.cluster.local',
    'SRV',
    [
      `${WEB} 5 IN SRV 0 33 80 ${WEB}`,
      `${WEB} 5 IN SRV 0 33 53 ${WEB}`,
      `${WEB} 5 IN SRV 0 33 9899 ${WEB}`,
    ],
    [`${WEB} 5 IN A 10.96.0.20`],
  ),
  nxdomain('_http._udp.web.shop.svc.cluster.local', 'SRV'),
  nxdomain('_nosuch._tcp.web.shop.svc.cluster.local', 'SRV'),
  nodata('_http._tcp.web.shop.svc.cluster.local', 'A'),
  nodata('_tcp.web.shop.svc.cluster.local', 'A'),
  nxdomain('_sctp._udp.web.shop.svc.cluster.local', 'SRV'),
  nxdomain('http.tcp.web.shop.svc.cluster.local', 'SRV'),
  nxdomain('a.b.c.web.shop.svc.cluster.local', 'A'),
  // The ClusterIP's endpoint has a name too (CoreDNS)
  yes('10-244-1-7.web.shop.svc.cluster.local', 'A', [`10-244-1-7.${WEB} 5 IN A 10.244.1.7`]),
  yes('idle.shop.svc.cluster.local', 'A', ['idle.shop.svc.cluster.local. 5 IN A 10.96.0.22']),
  // Headless whose only endpoint is not ready (case 1)
  nxdomain('db.shop.svc.cluster.local', 'A'),
  nxdomain('db-0.db.shop.svc.cluster.local', 'A'),
  nxdomain('_pg._tcp.db.shop.svc.cluster.local', 'SRV'),
  // Headless with IPv4 and IPv6 slices
  yes('cache.shop.svc.cluster.local', 'A', [
    `${CACHE} 5 IN A 10.244.2.1`,
    `${CACHE} 5 IN A 10.244.2.2`,
  ]),
  yes('cache.shop.svc.cluster.local', 'AAAA', [
    `${CACHE} 5 IN AAAA 2001:db8::`,
    `${CACHE} 5 IN AAAA fd00::2:1`,
  ]),
  yes('cache-0.cache.shop.svc.cluster.local', 'A', [`cache-0.${CACHE} 5 IN A 10.244.2.1`]),
  yes('cache-0.cache.shop.svc.cluster.local', 'AAAA', [`cache-0.${CACHE} 5 IN AAAA fd00::2:1`]),
  yes('10-244-2-2.cache.shop.svc.cluster.local', 'A', [`10-244-2-2.${CACHE} 5 IN A 10.244.2.2`]),
  nxdomain('10-244-2-3.cache.shop.svc.cluster.local', 'A'),
  yes('2001-db8--0.cache.shop.svc.cluster.local', 'AAAA', [
    `2001-db8--0.${CACHE} 5 IN AAAA 2001:db8::`,
  ]),
  nodata('2001-db8--0.cache.shop.svc.cluster.local', 'A'),
  nxdomain('nosuch.cache.shop.svc.cluster.local', 'A'),
  yes(
    '_redis._tcp.cache.shop.svc.cluster.local',
    'SRV',
    CACHE_SRV.map((srv) => `_redis._tcp.${CACHE} 5 IN SRV ${srv}`),
    CACHE_GLUE,
  ),
  yes(
    'cache.shop.svc.cluster.local',
    'SRV',
    CACHE_SRV.map((srv) => `${CACHE} 5 IN SRV ${srv}`),
    CACHE_GLUE,
  ),
  // v1 Endpoints only when no EndpointSlice exists
  yes('legacy.shop.svc.cluster.local', 'A', ['legacy.shop.svc.cluster.local. 5 IN A 10.244.4.1']),
  yes('legacy-0.legacy.shop.svc.cluster.local', 'A', [
    'legacy-0.legacy.shop.svc.cluster.local. 5 IN A 10.244.4.1',
  ]),
  nxdomain('legacy-1.legacy.shop.svc.cluster.local', 'A'),
  yes('both.shop.svc.cluster.local', 'A', ['both.shop.svc.cluster.local. 5 IN A 10.244.5.1']),
  // ExternalName (cases 3 and 4)
  yes('api-alias.front.svc.cluster.local', 'A', [
    'api-alias.front.svc.cluster.local. 5 IN CNAME api.store.svc.cluster.local.',
    'api.store.svc.cluster.local. 5 IN A 10.96.0.30',
  ]),
  {
    name: 'api-alias.front.svc.cluster.local',
    type: 'AAAA',
    rcode: 'NOERROR',
    answer: ['api-alias.front.svc.cluster.local. 5 IN CNAME api.store.svc.cluster.local.'],
    authority: [SOA],
  },
  yes('api-alias.front.svc.cluster.local', 'CNAME', [
    'api-alias.front.svc.cluster.local. 5 IN CNAME api.store.svc.cluster.local.',
  ]),
  nxdomain('ip-alias.front.svc.cluster.local', 'A'),
  nxdomain('ip-alias.front.svc.cluster.local', 'CNAME'),
  yes('ext.front.svc.cluster.local', 'A', [
    'ext.front.svc.cluster.local. 5 IN CNAME www.example.com.',
  ]),
  {
    name: 'ghost-alias.front.svc.cluster.local',
    type: 'A',
    rcode: 'NXDOMAIN',
    answer: ['ghost-alias.front.svc.cluster.local. 5 IN CNAME ghost.store.svc.cluster.local.'],
    authority: [SOA],
  },
  nxdomain('x.api-alias.front.svc.cluster.local', 'A'),
  // Dual-stack ClusterIP
  yes('both-stacks.dual.svc.cluster.local', 'A', [
    'both-stacks.dual.svc.cluster.local. 5 IN A 10.96.0.40',
  ]),
  yes('both-stacks.dual.svc.cluster.local', 'AAAA', [
    'both-stacks.dual.svc.cluster.local. 5 IN AAAA fd00:10:96::40',
  ]),
  yes(
    '_https._tcp.both-stacks.dual.svc.cluster.local',
    'SRV',
    [
      '_https._tcp.both-stacks.dual.svc.cluster.local. 5 IN SRV 0 100 443 both-stacks.dual.svc.cluster.local.',
    ],
    [
      'both-stacks.dual.svc.cluster.local. 5 IN A 10.96.0.40',
      'both-stacks.dual.svc.cluster.local. 5 IN AAAA fd00:10:96::40',
    ],
  ),
  // Schema version, apex, NS
  yes('dns-version.cluster.local', 'TXT', ['dns-version.cluster.local. 28800 IN TXT "1.1.0"']),
  nodata('dns-version.cluster.local', 'A'),
  yes('cluster.local', 'SOA', [SOA]),
  yes(
    'cluster.local',
    'NS',
    ['cluster.local. 5 IN NS ns.dns.cluster.local.'],
    ['ns.dns.cluster.local. 5 IN A 10.96.0.10'],
  ),
  nodata('cluster.local', 'A'),
  yes('ns.dns.cluster.local', 'A', ['ns.dns.cluster.local. 5 IN A 10.96.0.10']),
  nodata('ns.dns.cluster.local', 'AAAA'),
  nodata('dns.cluster.local', 'A'),
  // Empty non-terminals and names that do not exist
  nodata('svc.cluster.local', 'A'),
  nodata('pod.cluster.local', 'A'),
  nodata('shop.svc.cluster.local', 'A'),
  nodata('empty.svc.cluster.local', 'A'),
  nxdomain('nosuchns.svc.cluster.local', 'A'),
  nxdomain('web.nosuchns.svc.cluster.local', 'A'),
  nxdomain('*.shop.svc.cluster.local', 'A'),
  nxdomain('*.cluster.local', 'A'),
  nxdomain('foo.cluster.local', 'A'),
  nxdomain('foo.cluster.local', 'TXT'),
  // Pod records, `pods insecure` (case 7)
  yes('10-244-1-7.shop.pod.cluster.local', 'A', [
    '10-244-1-7.shop.pod.cluster.local. 5 IN A 10.244.1.7',
  ]),
  yes('10-244-1-99.shop.pod.cluster.local', 'A', [
    '10-244-1-99.shop.pod.cluster.local. 5 IN A 10.244.1.99',
  ]),
  yes('fd00--1-8.shop.pod.cluster.local', 'AAAA', [
    'fd00--1-8.shop.pod.cluster.local. 5 IN AAAA fd00::1:8',
  ]),
  nodata('10-244-1-7.shop.pod.cluster.local', 'AAAA'),
  nodata('shop.pod.cluster.local', 'A'),
  nxdomain('10-244-1-7.nosuchns.pod.cluster.local', 'A'),
  nxdomain('10-244-1-300.shop.pod.cluster.local', 'A'),
  nxdomain('web-1.shop.pod.cluster.local', 'A'),
  // PTR: ClusterIPs, ready endpoints (one per Service), IPv4 and IPv6
  yes('20.0.96.10.in-addr.arpa', 'PTR', [
    '20.0.96.10.in-addr.arpa. 5 IN PTR web.shop.svc.cluster.local.',
  ]),
  yes('7.1.244.10.in-addr.arpa', 'PTR', [
    '7.1.244.10.in-addr.arpa. 5 IN PTR 10-244-1-7.web.shop.svc.cluster.local.',
  ]),
  yes('1.2.244.10.in-addr.arpa', 'PTR', [
    '1.2.244.10.in-addr.arpa. 5 IN PTR cache-0.cache.shop.svc.cluster.local.',
  ]),
  yes(V6_CACHE_PTR, 'PTR', [`${V6_CACHE_PTR}. 5 IN PTR 2001-db8--0.cache.shop.svc.cluster.local.`]),
  yes(V6_CLUSTER_IP_PTR, 'PTR', [
    `${V6_CLUSTER_IP_PTR}. 5 IN PTR both-stacks.dual.svc.cluster.local.`,
  ]),
  nodata('20.0.96.10.in-addr.arpa', 'A', SOA_V4),
  nxdomain('5.1.244.10.in-addr.arpa', 'PTR', SOA_V4),
  nxdomain('99.99.99.10.in-addr.arpa', 'PTR', SOA_V4),
  nxdomain('96.10.in-addr.arpa', 'PTR', SOA_V4),
  nxdomain(
    '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
    'PTR',
    SOA_V6,
  ),
  yes('in-addr.arpa', 'SOA', [SOA_V4]),
];

/** Replaces the SOA serial in rendered records with `SERIAL` after checking it. */
export function maskSerial(
  records: readonly string[],
  serial: (value: number) => boolean,
): string[] {
  return records.map((record) =>
    record.replace(
      /( IN SOA \S+ \S+ )(\d+)( )/,
      (_all, head: string, value: string, tail: string) => {
        if (!serial(Number(value))) throw new Error(`unexpected SOA serial ${value} in ${record}`);
        return `${head}SERIAL${tail}`;
      },
    ),
  );
}
