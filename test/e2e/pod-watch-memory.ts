/**
 * Measures what the pods watch behind `pods verified` / autopath costs in memory: V8 heapUsed
 * after garbage collection, before and after 100,000 pods are stripped (as the watch strips
 * each API object) and indexed by IP. Not a test (no assertion on machine-dependent numbers);
 * run with:  node --expose-gc dist/test/e2e/pod-watch-memory.js [PODS]
 */
import { stripPod } from '../../src/cluster/strip-pod.js';
import { RecordIndex } from '../../src/records/record-index.js';

const count = Number(process.argv[2] ?? 100_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

/** A v1 Pod as the API sends it, with the fields a watch event carries that DNS ignores. */
function rawPod(i: number): Record<string, unknown> {
  const namespace = `team-${i % 200}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `app-${(i * 7919).toString(36)}-${(i % 99991).toString(36).padStart(5, 'x')}`,
      namespace,
      uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      labels: { app: `app-${i % 500}`, 'pod-template-hash': (i * 31).toString(36) },
      resourceVersion: String(1_000_000 + i),
    },
    spec: {
      nodeName: `node-${i % 5000}`,
      containers: [{ name: 'main', image: 'registry.example/app:1' }],
    },
    status: {
      phase: 'Running',
      podIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      podIPs: [{ ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` }],
    },
  };
}

function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

const index = new RecordIndex({ kinds: ['Pod'] });
const before = heapUsed();
for (let i = 0; i < count; i++) {
  const pod = stripPod(rawPod(i));
  if (pod) index.upsert({ kind: 'Pod', value: pod });
}
const after = heapUsed();
const probe = index.podByIp('10.1.134.159');
const mib = (after - before) / 1024 / 1024;
console.log(
  JSON.stringify({
    pods: index.stats().pods,
    heapUsedDeltaMiB: Number(mib.toFixed(1)),
    bytesPerPod: Math.round((after - before) / count),
    probe,
  }),
);
