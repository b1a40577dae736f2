/**
 * Renders the data set as the Kubernetes state file clusterdns reads with `--state`: a
 * `kind: List` of Namespaces, ClusterIP Services and their EndpointSlices, the shape
 * `kubectl get ns,svc,endpointslices -A -o json` prints.
 */
import type { BenchService, Dataset } from './dataset.js';

/** The state file's text (JSON, which is also YAML). */
export function renderKubernetesState(dataset: Dataset): string {
  const namespaces = [...new Set(dataset.services.map((s) => s.namespace))];
  const items: unknown[] = [
    ...namespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
    ...dataset.services.map(serviceObject),
    ...dataset.services.map(endpointSliceObject),
  ];
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 1) + '\n';
}

function serviceObject(s: BenchService): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, namespace: s.namespace },
    spec: {
      type: 'ClusterIP',
      clusterIP: s.clusterIP,
      clusterIPs: [s.clusterIP],
      ipFamilies: ['IPv4'],
      ports: [{ name: s.portName, port: s.port, protocol: 'TCP', targetPort: 8080 }],
    },
  };
}

function endpointSliceObject(s: BenchService): unknown {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${s.name}-bench`,
      namespace: s.namespace,
      labels: { 'kubernetes.io/service-name': s.name },
    },
    addressType: 'IPv4',
    endpoints: [{ addresses: [s.endpointIP], conditions: { ready: true } }],
    ports: [{ name: s.portName, port: 8080, protocol: 'TCP' }],
  };
}
