/**
 * The benchmark's data set: N namespaces of M ClusterIP Services in one zone, each with one
 * named TCP port (so one SRV record), and a fixed query mix over them. Every server under test
 * is fed a rendering of this one model, so they all answer the same records.
 */
import { createPrng } from './prng.js';

export interface SoaFields {
  readonly mname: string;
  readonly rname: string;
  readonly serial: number;
  readonly refresh: number;
  readonly retry: number;
  readonly expire: number;
  readonly minimum: number;
}

export interface BenchService {
  readonly namespace: string;
  readonly name: string;
  /** `<name>.<namespace>.svc.<zone>`, no trailing dot. */
  readonly fqdn: string;
  readonly clusterIP: string;
  /** IP of the Service's one endpoint (used only by the Kubernetes rendering). */
  readonly endpointIP: string;
  readonly portName: string;
  readonly port: number;
  /** `_<portName>._tcp.<fqdn>`. */
  readonly srvName: string;
}

export interface QueryMix {
  readonly a: number;
  readonly srv: number;
  readonly nxdomain: number;
}

export interface Dataset {
  readonly zone: string;
  readonly ttl: number;
  readonly soa: SoaFields;
  readonly services: readonly BenchService[];
  /** dnsperf lines, `NAME TYPE`. */
  readonly queries: readonly string[];
  readonly mix: QueryMix;
}

export interface DatasetOptions {
  readonly namespaces: number;
  readonly servicesPerNamespace: number;
  readonly queryCount: number;
  readonly seed: number;
  readonly ttl: number;
}

/** The shape issue 7 measures: 10 x 100 services, 100,000 queries, TTL 30. */
export const DEFAULT_DATASET: DatasetOptions = {
  namespaces: 10,
  servicesPerNamespace: 100,
  queryCount: 100_000,
  seed: 12345,
  ttl: 30,
};

export const ZONE = 'cluster.local';

/** Builds the data set; the same options always give the same services and queries. */
export function buildDataset(options: DatasetOptions = DEFAULT_DATASET): Dataset {
  const services: BenchService[] = [];
  for (let ns = 0; ns < options.namespaces; ns++) {
    for (let svc = 0; svc < options.servicesPerNamespace; svc++) {
      services.push(benchService(ns, svc));
    }
  }
  const { queries, mix } = buildQueries(options);
  return { zone: ZONE, ttl: options.ttl, soa: soaFor(options.ttl), services, queries, mix };
}

function benchService(ns: number, svc: number): BenchService {
  const fqdn = `svc-${svc}.ns-${ns}.svc.${ZONE}`;
  return {
    namespace: `ns-${ns}`,
    name: `svc-${svc}`,
    fqdn,
    clusterIP: `10.96.${ns}.${svc + 1}`,
    endpointIP: `10.244.${ns}.${svc + 1}`,
    portName: 'http',
    port: 80,
    srvName: `_http._tcp.${fqdn}`,
  };
}

// The SOA the Kubernetes DNS specification and CoreDNS give the cluster zone; MINIMUM follows
// the TTL. The serial differs per server (CoreDNS uses a timestamp), so checks ignore it.
function soaFor(ttl: number): SoaFields {
  return {
    mname: `ns.dns.${ZONE}`,
    rname: `hostmaster.${ZONE}`,
    serial: 1,
    refresh: 7200,
    retry: 1800,
    expire: 86400,
    minimum: ttl,
  };
}

// 80% A for existing Services, 10% SRV for their port, 10% A for names that do not exist.
function buildQueries(options: DatasetOptions): { queries: string[]; mix: QueryMix } {
  const random = createPrng(options.seed);
  const queries: string[] = [];
  let a = 0;
  let srv = 0;
  let nxdomain = 0;
  for (let i = 0; i < options.queryCount; i++) {
    const kind = random();
    const ns = Math.floor(random() * options.namespaces);
    const svc = Math.floor(random() * options.servicesPerNamespace);
    if (kind < 0.8) {
      queries.push(`svc-${svc}.ns-${ns}.svc.${ZONE} A`);
      a++;
    } else if (kind < 0.9) {
      queries.push(`_http._tcp.svc-${svc}.ns-${ns}.svc.${ZONE} SRV`);
      srv++;
    } else {
      queries.push(`nosuch-${svc}.ns-${ns}.svc.${ZONE} A`);
      nxdomain++;
    }
  }
  return { queries, mix: { a, srv, nxdomain } };
}
