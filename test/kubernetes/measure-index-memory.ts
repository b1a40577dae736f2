/**
 * Measures the record index at scale (not a test): 10,000 Services (half headless), 100,000
 * endpoints in slices of up to 100, 100,000 Pods, each generated as a Kubernetes object and
 * stripped by the real strip functions, then loaded with replaceAll. Prints heapUsed and RSS
 * deltas against CoreDNS's published (pods + services) / 1000 + 54 MB.
 *
 *   node --expose-gc dist/test/kubernetes/measure-index-memory.js [SCALE]
 *
 * SCALE divides every count (10 gives the one-tenth cluster).
 */
import type { ClusterObject, ObjectKind } from '../../src/cluster/model.js';
import { stripObject } from '../../src/cluster/strip.js';
import { RecordIndex } from '../../src/records/record-index.js';

const scale = Number(process.argv[2] ?? '1');
const SERVICES = 10_000 / scale;
const ENDPOINTS = 100_000 / scale;
const PODS = 100_000 / scale;
const NAMESPACES = 100;
const PER_SERVICE = ENDPOINTS / SERVICES;

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with node --expose-gc');
  collect();
  collect();
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

function ip(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

function rawService(i: number): unknown {
  const headless = i % 2 === 1;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: `svc-${i}`,
      namespace: `ns-${i % NAMESPACES}`,
      uid: `uid-${i}`,
      resourceVersion: `${i}`,
    },
    spec: {
      clusterIP: headless ? 'None' : `10.96.${(i >> 8) & 255}.${i & 255}`,
      clusterIPs: headless ? ['None'] : [`10.96.${(i >> 8) & 255}.${i & 255}`],
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
      selector: { app: `svc-${i}` },
    },
  };
}

function rawSlice(i: number): unknown {
  const endpoints = [];
  for (let e = 0; e < PER_SERVICE; e++) {
    const n = i * PER_SERVICE + e;
    endpoints.push({
      addresses: [ip(n + 1)],
      conditions: { ready: true, serving: true, terminating: false },
      hostname: e % 2 === 0 ? `svc-${i}-${e}` : undefined,
      nodeName: `node-${n % 500}`,
      targetRef: {
        kind: 'Pod',
        name: `pod-${n}`,
        namespace: `ns-${i % NAMESPACES}`,
        uid: `pod-uid-${n}`,
      },
    });
  }
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `svc-${i}-abcde`,
      namespace: `ns-${i % NAMESPACES}`,
      labels: { 'kubernetes.io/service-name': `svc-${i}` },
    },
    addressType: 'IPv4',
    endpoints,
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

function rawPod(n: number): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${n}`, namespace: `ns-${Math.floor(n / PER_SERVICE) % NAMESPACES}` },
    spec: { hostNetwork: false, containers: [{ name: 'c', image: 'img' }] },
    status: { phase: 'Running', podIP: ip(n + 1), podIPs: [{ ip: ip(n + 1) }] },
  };
}

function strip(count: number, make: (i: number) => unknown): ClusterObject[] {
  const out: ClusterObject[] = [];
  for (let i = 0; i < count; i++) {
    const object = stripObject(make(i));
    if (object) out.push(object);
  }
  return out;
}

function load(index: RecordIndex, kind: ObjectKind, objects: ClusterObject[]): void {
  index.replaceAll(kind, objects);
  index.markSynced(kind);
}

gc();
const base = process.memoryUsage();
const namespaces = strip(NAMESPACES, (i) => ({
  kind: 'Namespace',
  apiVersion: 'v1',
  metadata: { name: `ns-${i}` },
}));
const services = strip(SERVICES, rawService);
const slices = strip(SERVICES, rawSlice);
const pods = strip(PODS, rawPod);
gc();
const stripped = process.memoryUsage();

const started = performance.now();
const index = new RecordIndex({ kinds: ['Namespace', 'Service', 'EndpointSlice', 'Pod'] });
load(index, 'Namespace', namespaces);
load(index, 'Service', services);
load(index, 'EndpointSlice', slices);
load(index, 'Pod', pods);
const loadMs = performance.now() - started;
gc();
const loaded = process.memoryUsage();

const coreDns = (PODS + SERVICES) / 1000 + 54;
console.log(
  JSON.stringify(
    {
      services: SERVICES,
      endpoints: ENDPOINTS,
      pods: PODS,
      loadMs: Math.round(loadMs),
      strippedObjectsHeapMB: mb(stripped.heapUsed - base.heapUsed),
      indexStructuresHeapMB: mb(loaded.heapUsed - stripped.heapUsed),
      totalHeapMB: mb(loaded.heapUsed - base.heapUsed),
      processRssMB: mb(loaded.rss),
      processHeapUsedMB: mb(loaded.heapUsed),
      coreDnsFormulaMB: coreDns,
      stats: index.stats(),
    },
    null,
    1,
  ),
);
