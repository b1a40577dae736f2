/**
 * Kubernetes objects as the API serves them, for the test API server: Services (ClusterIP or
 * headless), EndpointSlices, Pods and Namespaces, with the fields a real cluster fills in.
 */
import type { KubeObject } from './object-log.js';

export interface ServiceSpec {
  readonly clusterIP?: string;
  readonly labels?: Record<string, string>;
  readonly port?: number;
}

export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return {
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels }, uid: uid(name) },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

/** A Service; `clusterIP: 'None'` makes it headless. */
export function service(ns: string, name: string, spec: ServiceSpec = {}): KubeObject {
  const clusterIP = spec.clusterIP ?? '10.96.0.10';
  return {
    metadata: { name, namespace: ns, labels: spec.labels ?? { app: name }, uid: uid(name) },
    spec: {
      clusterIP,
      clusterIPs: [clusterIP],
      type: 'ClusterIP',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: [{ name: 'http', port: spec.port ?? 80, protocol: 'TCP', targetPort: 8080 }],
      selector: { app: name },
      sessionAffinity: 'None',
    },
    status: { loadBalancer: {} },
  };
}

/** An EndpointSlice of `serviceName` with one ready endpoint per address. */
export function slice(
  ns: string,
  serviceName: string,
  name: string,
  addresses: readonly string[],
  podNames: readonly string[] = [],
): KubeObject {
  return {
    metadata: {
      name,
      namespace: ns,
      labels: {
        'kubernetes.io/service-name': serviceName,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      },
      uid: uid(name),
    },
    addressType: 'IPv4',
    endpoints: addresses.map((ip, i) => ({
      addresses: [ip],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: `node-${i % 50}`,
      targetRef: { kind: 'Pod', namespace: ns, name: podNames[i] ?? `${serviceName}-${i}` },
    })),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

export function pod(ns: string, name: string, ip: string): KubeObject {
  return {
    metadata: { name, namespace: ns, labels: { app: name.replace(/-\d+$/, '') }, uid: uid(name) },
    spec: {
      containers: [
        { name: 'app', image: 'registry.example/app:1.0', ports: [{ containerPort: 8080 }] },
      ],
      nodeName: 'node-1',
      hostNetwork: false,
    },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: '192.168.0.1' },
  };
}

let counter = 0;
function uid(name: string): string {
  counter++;
  const serial = counter.toString(16).padStart(8, '0');
  return `${serial}-0000-4000-8000-${name.length.toString(16).padStart(12, '0')}`;
}
