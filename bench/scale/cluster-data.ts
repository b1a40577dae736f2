/**
 * The synthetic cluster of the scale benchmark: `services` Services in 100 namespaces, half of
 * them headless; `endpoints` endpoints in EndpointSlices of 100 (each owned by its own
 * Service, alternately headless and ClusterIP); and one Pod per endpoint, with the same IP.
 */
import { namespace, pod, service, slice } from '../../test/kube-api/fixtures.js';
import type { KubeObject } from '../../test/kube-api/server.js';

export interface ClusterSize {
  readonly services: number;
  readonly endpoints: number;
}

export interface ClusterData {
  readonly namespaces: KubeObject[];
  readonly services: KubeObject[];
  readonly slices: KubeObject[];
  readonly pods: KubeObject[];
}

export const SLICE_SIZE = 100;
const NAMESPACES = 100;

export function namespaceOf(index: number): string {
  return `ns-${index % NAMESPACES}`;
}

export function serviceName(index: number): string {
  return `svc-${index}`;
}

/** Services with endpoints are spread evenly; every other one of them is headless. */
export function generateCluster(size: ClusterSize): ClusterData {
  const sliceCount = Math.ceil(size.endpoints / SLICE_SIZE);
  const stride = Math.max(1, Math.floor(size.services / sliceCount));
  const namespaces = Array.from({ length: NAMESPACES }, (_, i) => namespace(`ns-${i}`));
  const services: KubeObject[] = [];
  const slices: KubeObject[] = [];
  const pods: KubeObject[] = [];
  let endpoint = 0;
  for (let i = 0; i < size.services; i++) {
    const headless = Math.floor(i / stride) % 2 === 0 ? i % 2 === 0 : i % 2 === 1;
    const ns = namespaceOf(i);
    const name = serviceName(i);
    services.push(service(ns, name, { clusterIP: headless ? 'None' : clusterIp(i) }));
    if (i % stride !== 0 || slices.length >= sliceCount) continue;
    const ips: string[] = [];
    const names: string[] = [];
    for (let k = 0; k < SLICE_SIZE && endpoint < size.endpoints; k++, endpoint++) {
      ips.push(podIp(endpoint));
      names.push(`${name}-${k}`);
      pods.push(pod(ns, `${name}-${k}`, podIp(endpoint)));
    }
    slices.push(slice(ns, name, `${name}-abcde`, ips, names));
  }
  return { namespaces, services, slices, pods };
}

export function clusterIp(index: number): string {
  return `10.96.${(index >> 8) & 255}.${index & 255}`;
}

function podIp(index: number): string {
  return `10.${64 + (index >> 16)}.${(index >> 8) & 255}.${index & 255}`;
}
