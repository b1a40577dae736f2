/**
 * Turns a question inside one of the plugin's zones into an Answer, reading the record index.
 *
 * The names follow the Kubernetes DNS-Based Service Discovery specification, schema 1.1.0;
 * where it is silent, CoreDNS's kubernetes plugin decides (see
 * ../shared/reference/coredns-kubedns-facts.md §1.3). Existing names without the asked type
 * answer NODATA, names that do not exist NXDOMAIN, both with the zone's SOA (RFC 2308).
 *
 * Choices where neither source decides:
 * - ANY gets a minimal answer (RFC 8482 §4.2): the name's address records, or its CNAME, TXT,
 *   PTR or (at the apex) SOA when that is what the name holds; SRV only when asked as SRV.
 * - `dns-version.<zone>` exists, so types other than TXT get NODATA (CoreDNS: NXDOMAIN),
 *   and so do the empty non-terminals `dns.<zone>` and `_<proto>.<svc>.<ns>.svc.<zone>`.
 * - An ExternalName answers its CNAME for every type, SRV included (RFC 1034 §3.6.2; CoreDNS
 *   leaves the CNAME out of SRV answers).
 * - ExternalName loops inside our zones (`a` → `a`, `a` → `b` → `a`): the chain stops at the
 *   first CNAME whose target already owns a CNAME of the answer, so each CNAME appears once,
 *   and the answer is NOERROR with those CNAMEs and nothing else. CoreDNS also answers NOERROR
 *   but leaves every CNAME of a loop out (NODATA with the SOA); we keep them so the client sees
 *   why the name has no address.
 */
import { isIP } from 'node:net';
import type { RecordIndex, ServiceRecord } from '../../records/record-index.js';
import { ipFromDashed, ipFromReverse } from '../../records/ip-names.js';
import { addressOf } from '../../records/service-endpoints.js';
import { Rcode, RRType } from '../../wire/constants.js';
import type { Answer, ResourceRecord } from '../../wire/record.js';
import { addressRecord, negative, positive, soaRecord, wantsAddress } from './answers.js';
import type { KubernetesConfig } from './config.js';
import { EndpointNames } from './endpoint-names.js';
import { srvRecords, type SrvAnswer } from './srv-records.js';
import { isReverseZone, matchZone, under } from './zone-names.js';

/** The schema version the `dns-version` TXT record names (specification §2.2). */
const SCHEMA_VERSION = '1.1.0';
/** The `dns-version` TXT TTL CoreDNS uses, whatever the `ttl` option. */
const SCHEMA_TTL = 28800;
/** ExternalName CNAMEs followed inside our zones before giving up on a long chain. */
const MAX_CHASE = 8;

/** One name being answered: the question's, or an ExternalName target being followed. */
interface Asked {
  readonly name: string;
  readonly zone: string;
  readonly type: number;
  /** Owners of the CNAMEs that led here, in order (empty for the question's own name). */
  readonly chain: readonly string[];
}

export class KubernetesResolver {
  readonly names: EndpointNames;

  constructor(
    private readonly config: KubernetesConfig,
    private readonly index: RecordIndex,
    /** This host's addresses: the `ns.dns.<zone>` records name the Service fronting them. */
    private readonly localAddresses: readonly string[],
  ) {
    this.names = new EndpointNames(config);
  }

  /**
   * Answers `name` (lower case) inside `zone` for `type`. A name that does not exist comes
   * back as NXDOMAIN with no answer records; the caller decides about fallthrough.
   */
  resolve(name: string, zone: string, type: number): Answer {
    return this.lookup(name, zone, type, []);
  }

  private lookup(name: string, zone: string, type: number, chain: readonly string[]): Answer {
    if (name === zone) return this.apex(zone, type);
    if (isReverseZone(zone)) return this.reverse(name, zone, type);
    const q: Asked = { name, zone, type, chain };
    const prefix = zone === '' ? name : name.slice(0, name.length - zone.length - 1);
    const labels = prefix.split('.');
    switch (labels[labels.length - 1]) {
      case 'svc':
        return this.services(q, labels);
      case 'pod':
        return this.pods(q, labels);
      case 'dns-version':
        return labels.length === 1 ? this.schemaVersion(q) : this.nxdomain(zone);
      case 'dns':
        return this.dnsNames(labels, zone, type);
    }
    return this.nxdomain(zone);
  }

  private apex(zone: string, type: number): Answer {
    const soa = this.soa(zone);
    if (type === RRType.SOA || type === RRType.ANY) return positive([soa]);
    if (type !== RRType.NS) return negative(Rcode.NOERROR, soa);
    const host = under('ns.dns', zone);
    const glue = this.nsAddresses().map((ip) => addressRecord(host, ip, this.config.ttl));
    return positive([{ name: zone, type: RRType.NS, ttl: this.config.ttl, target: host }], glue);
  }

  private schemaVersion(q: Asked): Answer {
    if (q.type !== RRType.TXT && q.type !== RRType.ANY) return this.nodata(q.zone);
    return positive([{ name: q.name, type: RRType.TXT, ttl: SCHEMA_TTL, text: [SCHEMA_VERSION] }]);
  }

  /** `dns.<zone>` (an empty non-terminal) and `ns.dns.<zone>`, the name of the NS record. */
  private dnsNames(labels: readonly string[], zone: string, type: number): Answer {
    if (labels.length === 1) return this.nodata(zone);
    if (labels.length !== 2 || labels[0] !== 'ns') return this.nxdomain(zone);
    const host = under('ns.dns', zone);
    const records = this.nsAddresses()
      .filter((ip) => wantsAddress(type, ip))
      .map((ip) => addressRecord(host, ip, this.config.ttl));
    return records.length > 0 ? positive(records) : this.nodata(zone);
  }

  /** `svc.<zone>` and everything below it. `labels` end with 'svc'. */
  private services(q: Asked, labels: readonly string[]): Answer {
    const n = labels.length;
    if (n === 1) return this.nodata(q.zone);
    if (!this.exposed(labels[n - 2])) return this.nxdomain(q.zone);
    if (n === 2) return this.nodata(q.zone);
    const record = this.index.service(labels[n - 2], labels[n - 3]);
    if (!record || this.hidden(record)) return this.nxdomain(q.zone);
    if (n === 3) return this.service(q, record);
    if (record.info.kind === 'ExternalName') return this.nxdomain(q.zone);
    if (n === 4) return this.endpoint(q, record, labels[0]);
    if (n === 5) return this.port(q, record, labels[0], labels[1]);
    return this.nxdomain(q.zone);
  }

  /**
   * Services that answer NXDOMAIN for every name: an ExternalName that is an IP literal (the
   * Kubernetes docs say it is not resolved; CoreDNS skips it) or no writable name, a headless
   * Service without
   * ready endpoints (specification §2.4.1), a ClusterIP Service without ready endpoints under
   * `ignore empty_service`.
   */
  private hidden(record: ServiceRecord): boolean {
    const info = record.info;
    if (info.kind === 'ExternalName') {
      return isIP(info.externalName) !== 0 || !isWritableName(info.externalName);
    }
    const empty = record.endpoints.ready.length === 0;
    if (info.kind === 'Headless') return empty || this.config.noEndpoints;
    return empty && this.config.ignoreEmptyService;
  }

  private service(q: Asked, record: ServiceRecord): Answer {
    const info = record.info;
    if (info.kind === 'ExternalName') return this.cname(q, info.externalName);
    if (q.type === RRType.SRV) {
      const srv = this.srv(q, record, '', '');
      return srv.answer.length > 0 ? positive(srv.answer, srv.additional) : this.nodata(q.zone);
    }
    if (!isAddressQuery(q.type)) return this.nodata(q.zone);
    if (info.kind === 'ClusterIP') return this.addresses(q, info.clusterIPs);
    return this.addresses(q, unique(record.endpoints.ready.map(addressOf)));
  }

  /** `<label>.<svc>.<ns>.svc.<zone>`: one endpoint's name, or `_proto` above SRV names. */
  private endpoint(q: Asked, record: ServiceRecord, label: string): Answer {
    if (label.startsWith('_')) {
      const exists = this.srv(q, record, '', label.slice(1)).answer.length > 0;
      return exists ? this.nodata(q.zone) : this.nxdomain(q.zone);
    }
    if (this.config.noEndpoints) return this.nxdomain(q.zone);
    const matches = record.endpoints.ready.filter((e) => this.names.label(e) === label);
    if (matches.length === 0) return this.nxdomain(q.zone);
    if (!isAddressQuery(q.type)) return this.nodata(q.zone);
    return this.addresses(q, unique(matches.map(addressOf)));
  }

  /** `_<port>._<proto>.<svc>.<ns>.svc.<zone>` (specification §2.3.2, §2.4.2). */
  private port(q: Asked, record: ServiceRecord, port: string, proto: string): Answer {
    if (!port.startsWith('_') || !proto.startsWith('_')) return this.nxdomain(q.zone);
    const srv = this.srv(q, record, port.slice(1), proto.slice(1));
    if (srv.answer.length === 0) return this.nxdomain(q.zone);
    if (q.type !== RRType.SRV && q.type !== RRType.ANY) return this.nodata(q.zone);
    return positive(srv.answer, srv.additional);
  }

  private srv(q: Asked, record: ServiceRecord, port: string, proto: string): SrvAnswer {
    return srvRecords(record, this.names, q.zone, this.config.ttl, q.name, port, proto);
  }

  /**
   * An ExternalName's CNAME. When the target lies in one of our zones its records follow in
   * the same answer, and the rcode is the target's (RFC 1034 §3.6.2, RFC 6604 §2.1); a target
   * that already owns a CNAME of this answer (a loop) ends it with this CNAME.
   */
  private cname(q: Asked, target: string): Answer {
    const ttl = this.config.ttl;
    const record: ResourceRecord = { name: q.name, type: RRType.CNAME, ttl, target };
    if (q.type === RRType.CNAME || q.type === RRType.ANY) return positive([record]);
    const targetZone = matchZone(target, this.config.zones);
    const chain = [...q.chain, q.name];
    if (targetZone === undefined || chain.length > MAX_CHASE || chain.includes(target)) {
      return positive([record]);
    }
    const rest = this.lookup(target, targetZone, q.type, chain);
    return {
      rcode: rest.rcode,
      authoritative: true,
      answer: [record, ...rest.answer],
      authority: rest.authority,
      additional: rest.additional,
    };
  }

  /** `<a-b-c-d>.<ns>.pod.<zone>` per the `pods` option; `labels` end with 'pod'. */
  private pods(q: Asked, labels: readonly string[]): Answer {
    const n = labels.length;
    if (n === 1) return this.nodata(q.zone);
    const exposed = this.config.pods !== 'disabled' && this.exposed(labels[n - 2]);
    if (!exposed) return this.nxdomain(q.zone);
    if (n === 2) return this.nodata(q.zone);
    if (n !== 3) return this.nxdomain(q.zone);
    const ip = ipFromDashed(labels[0]);
    if (ip === null) return this.nxdomain(q.zone);
    if (this.config.pods === 'verified' && !this.index.podExists(labels[1], ip)) {
      return this.nxdomain(q.zone);
    }
    return isAddressQuery(q.type) ? this.addresses(q, [ip]) : this.nodata(q.zone);
  }

  /** PTR names in in-addr.arpa / ip6.arpa zones (specification §2.3.3, §2.4.3). */
  private reverse(name: string, zone: string, type: number): Answer {
    const ipv6 = name.endsWith('.ip6.arpa');
    const suffix = ipv6 ? '.ip6.arpa' : '.in-addr.arpa';
    if (!name.endsWith(suffix)) return this.nxdomain(zone);
    const ip = ipFromReverse(name.slice(0, -suffix.length).split('.'), ipv6);
    const targets = ip === null ? [] : this.index.reverseTargets(ip);
    const ptrs: ResourceRecord[] = [];
    for (const target of targets) {
      if (!this.exposed(target.service.namespace)) continue;
      const ptr = this.names.reverseTarget(target, this.config.primaryZone);
      ptrs.push({ name, type: RRType.PTR, ttl: this.config.ttl, target: ptr });
    }
    if (ptrs.length === 0) return this.nxdomain(zone);
    if (type !== RRType.PTR && type !== RRType.ANY) return this.nodata(zone);
    return positive(ptrs);
  }

  /** A/AAAA records of the asked family (ANY: both, RFC 8482 minimal), or NODATA. */
  private addresses(q: Asked, addresses: readonly string[]): Answer {
    const records: ResourceRecord[] = [];
    for (const address of addresses) {
      if (!wantsAddress(q.type, address)) continue;
      records.push(addressRecord(q.name, address, this.config.ttl));
    }
    return records.length > 0 ? positive(records) : this.nodata(q.zone);
  }

  /**
   * A namespace is exposed when the `namespaces` list (if any) names it and it exists: a
   * Namespace object is known or, unless `namespace_labels` filters Namespaces, it holds a
   * Service (a Service implies its namespace; state files often omit Namespace objects).
   */
  private exposed(namespace: string): boolean {
    const only = this.config.namespaces;
    if (only.length > 0 && !only.includes(namespace)) return false;
    if (this.index.hasNamespace(namespace)) return true;
    return this.config.namespaceLabels === '' && this.index.serviceCount(namespace) > 0;
  }

  /**
   * The addresses of `ns.dns.<zone>`: the ClusterIPs of Services whose endpoints are this
   * host's addresses (this server's own Service), else this host's addresses (CoreDNS ns.go).
   */
  private nsAddresses(): readonly string[] {
    const found: string[] = [];
    for (const local of this.localAddresses) {
      for (const target of this.index.reverseTargets(local)) {
        if (target.endpoint === null) continue;
        for (const ip of target.service.clusterIPs) if (!found.includes(ip)) found.push(ip);
      }
    }
    return found.length > 0 ? found : this.localAddresses;
  }

  private soa(zone: string): ResourceRecord {
    return soaRecord(zone, this.config.ttl, Math.floor(this.index.lastChange / 1000));
  }

  private nodata(zone: string): Answer {
    return negative(Rcode.NOERROR, this.soa(zone));
  }

  private nxdomain(zone: string): Answer {
    return negative(Rcode.NXDOMAIN, this.soa(zone));
  }
}

function isAddressQuery(type: number): boolean {
  return type === RRType.A || type === RRType.AAAA || type === RRType.ANY;
}

/** A name the message writer can encode: 1..253 octets, labels of 1..63 (RFC 1035 §2.3.4). */
function isWritableName(name: string): boolean {
  if (name === '' || name.length > 253) return false;
  return name.split('.').every((label) => label.length > 0 && label.length <= 63);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
