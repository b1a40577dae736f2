/**
 * The search path of a pod, as the kubernetes plugin gives it to autopath (CoreDNS
 * plugin/kubernetes/autopath.go): `<ns>.svc.<zone> svc.<zone> <zone>`, then '' for the bare
 * name. The namespace comes from the client pod, found by source address in the pod index,
 * which exists only with `pods verified`.
 *
 * Known difference: CoreDNS inserts the search domains of its own /etc/resolv.conf before the
 * bare name (standing in for the node's, which the kubelet appends to every pod's list).
 * clusterdns does not, so its answers never depend on the file of the machine it runs on;
 * pods whose nodes have search domains still walk those themselves after an NXDOMAIN.
 */
import type { DnsRequest } from '../../chain/request.js';
import { matchZone } from '../kubernetes/zone-names.js';

export interface SearchPathProvider {
  /**
   * The search list of the client that sent `request`, ending with '' (the bare name), or null
   * when the server cannot know it (unknown client, host network, name outside its zones).
   */
  searchPath(request: DnsRequest): readonly string[] | null;
  /** Why the provider can never answer (e.g. pods not verified); null when it can. */
  readonly disabledReason: string | null;
}

/** The client pod as the record index reports it (RecordIndex.podByIp). */
export interface ClientPod {
  readonly namespace: string;
  readonly hostNetwork: boolean;
}

export interface KubernetesSearchPathOptions {
  /** The kubernetes plugin's zones (normalized: lower case, no trailing dot, root ''). */
  readonly zones: readonly string[];
  /** True with `pods verified`: without the pod watch no client can be identified. */
  readonly podsVerified: boolean;
  readonly podByIp: (ip: string) => ClientPod | undefined;
}

/** Builds the `@kubernetes` search-path provider from the kubernetes plugin's zones and pods. */
export function kubernetesSearchPath(options: KubernetesSearchPathOptions): SearchPathProvider {
  return {
    disabledReason: options.podsVerified ? null : 'the kubernetes plugin needs "pods verified"',
    searchPath(request: DnsRequest): readonly string[] | null {
      if (!options.podsVerified) return null;
      const zone = matchZone(request.query.name, options.zones);
      if (zone === undefined) return null;
      const pod = options.podByIp(clientIp(request.clientAddress));
      // A host-network pod has the node's address, shared with every other such pod: it
      // cannot be told apart, and its resolv.conf is usually the node's (no cluster search).
      if (!pod || pod.hostNetwork) return null;
      const cluster =
        zone === ''
          ? [`${pod.namespace}.svc`, 'svc']
          : [`${pod.namespace}.svc.${zone}`, `svc.${zone}`, zone];
      return [...cluster, ''];
    },
  };
}

/** An IPv4 client on a dual-stack socket arrives as `::ffff:a.b.c.d`. */
function clientIp(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
