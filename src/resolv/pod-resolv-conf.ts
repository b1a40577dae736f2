/**
 * The kubelet's forming of a pod's DNS settings (kubelet pkg/kubelet/network/dns `GetPodDNS`):
 * the policy picks a base (cluster, host or empty), the pod's `dnsConfig` is merged into it,
 * and the limits are applied. Pure: the host file is passed in already parsed.
 */
import { EMPTY_DNS_CONFIG, type DnsConfig } from './dns-config.js';
import type { PodDnsConfig, PodDnsOption, PodDnsSpec } from './pod-dns-spec.js';
import { fitNameservers, fitSearches, MAX_NAMESERVERS } from './resolv-limits.js';

export interface KubeletDnsSettings {
  /** `--cluster-dns`: the cluster DNS server addresses; empty means none configured. */
  readonly clusterDns: readonly string[];
  /** `--cluster-domain`; '' adds no cluster search domains. */
  readonly clusterDomain: string;
  /** The parsed node file, or null when `--resolv-conf` is the empty string. */
  readonly host: DnsConfig | null;
}

export interface PodResolvConf {
  readonly config: DnsConfig;
  /** Human-readable warnings, the kubelet's `DNSConfigForming`/`MissingClusterDNS` events. */
  readonly warnings: readonly string[];
}

/** Why no resolv.conf can be formed: `None` without a nameserver (API validation rejects it). */
export class PodDnsError extends Error {}

/** The only option the kubelet adds, and only in cluster mode. */
const CLUSTER_OPTIONS = ['ndots:5'];

/**
 * Forms the pod's DNS settings. Option order is deterministic here (the kubelet builds it from
 * a Go map, so its order varies): options keep the order their names first appear in, base
 * options before the pod's, each with the value written last (the pod's wins).
 * Throws PodDnsError for policy None without any nameserver.
 */
export function formPodResolvConf(pod: PodDnsSpec, kubelet: KubeletDnsSettings): PodResolvConf {
  const warnings: string[] = [];
  const mode = policyOf(pod, warnings);
  const base = baseConfig(mode, pod, kubelet, warnings);
  const merged = pod.dnsConfig ? mergeDnsConfig(base, pod.dnsConfig) : base;
  if (merged.nameservers.length === 0 && mode === 'None') {
    throw new PodDnsError('dnsPolicy None requires dnsConfig with at least one nameserver');
  }
  const servers = fitNameservers(merged.nameservers);
  if (servers.dropped.length > 0) {
    warnings.push(
      `Nameserver limits were exceeded (max ${MAX_NAMESERVERS}), omitted: ` +
        `${servers.dropped.join(' ')}; the applied nameserver line is: ${servers.kept.join(' ')}`,
    );
  }
  const searches = fitSearches(merged.searches);
  if (searches.dropped.length > 0) {
    warnings.push(
      `Search Line limits were exceeded, omitted: ${searches.dropped.join(' ')}; ` +
        `the applied search line is: ${searches.kept.join(' ')}`,
    );
  }
  return {
    config: { nameservers: servers.kept, searches: searches.kept, options: merged.options },
    warnings,
  };
}

type PodDnsMode = 'cluster' | 'host' | 'None';

/** kubelet `getPodDNSType`; an unknown policy is logged and treated as ClusterFirst. */
function policyOf(pod: PodDnsSpec, warnings: string[]): PodDnsMode {
  switch (pod.dnsPolicy) {
    case 'None':
      return 'None';
    case 'ClusterFirstWithHostNet':
      return 'cluster';
    case '':
    case 'ClusterFirst':
      return pod.hostNetwork ? 'host' : 'cluster';
    case 'Default':
      return 'host';
    default:
      warnings.push(`invalid dnsPolicy ${JSON.stringify(pod.dnsPolicy)}: using ClusterFirst`);
      return 'cluster';
  }
}

function baseConfig(
  mode: PodDnsMode,
  pod: PodDnsSpec,
  kubelet: KubeletDnsSettings,
  warnings: string[],
): DnsConfig {
  if (mode === 'None') return EMPTY_DNS_CONFIG;
  if (mode === 'cluster' && kubelet.clusterDns.length > 0) {
    return {
      nameservers: [...kubelet.clusterDns],
      searches: clusterSearches(pod.namespace, kubelet),
      options: CLUSTER_OPTIONS,
    };
  }
  if (mode === 'cluster') {
    warnings.push('kubelet has no cluster DNS address (MissingClusterDNS): using policy Default');
  }
  if (kubelet.host === null) {
    // An empty --resolv-conf disables the node file: the kubelet points the pod at the local
    // machine, which per the resolver documentation means "no name servers" (kubelet comment).
    return { nameservers: ['127.0.0.1'], searches: ['.'], options: [] };
  }
  return kubelet.host;
}

/** `<ns>.svc.<zone> svc.<zone> <zone>` then the host's, first occurrence kept. */
function clusterSearches(namespace: string, kubelet: KubeletDnsSettings): string[] {
  const host = kubelet.host?.searches ?? [];
  const zone = kubelet.clusterDomain;
  if (zone === '') return [...host];
  return omitDuplicates([`${namespace}.svc.${zone}`, `svc.${zone}`, zone, ...host]);
}

/** kubelet `appendDNSConfig`: lists appended without duplicates, options merged by name. */
export function mergeDnsConfig(base: DnsConfig, pod: PodDnsConfig): DnsConfig {
  return {
    nameservers: omitDuplicates([...base.nameservers, ...pod.nameservers]),
    searches: omitDuplicates([...base.searches, ...pod.searches]),
    options: mergeOptions(base.options, pod.options),
  };
}

function mergeOptions(base: readonly string[], pod: readonly PodDnsOption[]): string[] {
  const values = new Map<string, string>();
  for (const option of base) {
    const colon = option.indexOf(':');
    if (colon === -1) values.set(option, '');
    else values.set(option.slice(0, colon), option.slice(colon + 1));
  }
  for (const option of pod) values.set(option.name, option.value ?? '');
  return [...values].map(([name, value]) => (value === '' ? name : `${name}:${value}`));
}

function omitDuplicates(list: readonly string[]): string[] {
  return [...new Set(list)];
}
