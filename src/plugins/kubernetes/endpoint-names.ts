/**
 * The DNS names of Services and their endpoints, as the plugin's options choose them.
 */
import type { ServiceInfo } from '../../cluster/model.js';
import { dashedIp } from '../../records/ip-names.js';
import type { ReverseTarget } from '../../records/reverse-index.js';
import { addressOf, type ReadyEndpoint } from '../../records/service-endpoints.js';
import type { KubernetesConfig } from './config.js';
import { under } from './zone-names.js';

/** Pod names this long or longer are not used as labels (CoreDNS `endpoint_pod_names`). */
const MAX_POD_LABEL = 63;

export class EndpointNames {
  constructor(private readonly config: Pick<KubernetesConfig, 'endpointPodNames'>) {}

  /**
   * The label of an endpoint: its hostname; else, with `endpoint_pod_names`, its pod's name
   * when shorter than 64 characters and free of dots (a pod name may be a multi-label DNS
   * subdomain, which cannot be one label); else its dashed IP (specification §2.1 leaves the
   * system-assigned form open; this is CoreDNS's).
   */
  label(endpoint: ReadyEndpoint): string {
    if (endpoint.hostname !== '') return endpoint.hostname;
    const pod = endpoint.podName;
    const usable = pod !== '' && pod.length <= MAX_POD_LABEL && !pod.includes('.');
    if (this.config.endpointPodNames && usable) return pod;
    return dashedIp(addressOf(endpoint));
  }

  /** `<svc>.<ns>.svc.<zone>`. */
  service(info: ServiceInfo, zone: string): string {
    return under(`${info.name}.${info.namespace}.svc`, zone);
  }

  /** The PTR target for a reverse-map entry, in `zone` (the plugin's primary zone). */
  reverseTarget(target: ReverseTarget, zone: string): string {
    const service = this.service(target.service, zone);
    return target.endpoint === null ? service : `${this.label(target.endpoint)}.${service}`;
  }
}
