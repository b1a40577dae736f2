/**
 * Measures the watch layer alone, in this process: clusterdns's ApiSource (stripping into a
 * store that only keeps the stripped objects) against `@kubernetes/client-node`'s informers
 * (which keep whole API objects), syncing Services, EndpointSlices and Namespaces from the test
 * API server (in a worker thread, so its heap is not counted). Prints sync time, retained heap
 * after a full GC, and RSS growth including the library import.
 *
 *   npx tsc -p . &&
 *     node --expose-gc dist/bench/scale/informer-compare.js source|informer [tenth|full]
 */
import fs from 'node:fs';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { pino } from 'pino';
import { RecordingStore } from '../../test/kube-api/recording-store.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';

const SIZES = {
  tenth: { services: 1_000, endpoints: 10_000 },
  full: { services: 10_000, endpoints: 100_000 },
};

async function main(): Promise<void> {
  const mode = process.argv[2] === 'informer' ? 'informer' : 'source';
  const size = SIZES[process.argv[3] === 'tenth' ? 'tenth' : 'full'];
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const dir = makeTempDir('informer-compare-');
  const api = new Worker(new URL('./api-worker.js', import.meta.url), {
    workerData: { size, dir },
  });
  const [{ kubeconfig }] = (await once(api, 'message')) as [{ kubeconfig: string }];
  gc();
  const before = process.memoryUsage();
  const started = performance.now();
  const stop = mode === 'source' ? await syncSource(kubeconfig) : await syncInformers(kubeconfig);
  const syncMs = performance.now() - started;
  gc();
  gc();
  const after = process.memoryUsage();
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  console.log(JSON.stringify({
    mode,
    size,
    syncMs: Math.round(syncMs),
    retainedHeapMb: mb(after.heapUsed - before.heapUsed),
    rssGrowthMb: mb(after.rss - before.rss),
  }));
  await stop();
  api.postMessage({ op: 'close' });
  await once(api, 'message');
  await api.terminate();
  fs.rmSync(dir, { recursive: true, force: true });
}

async function syncSource(kubeconfig: string): Promise<() => Promise<void>> {
  const { ApiSource } = await import('../../src/cluster/api/api-source.js');
  const source = new ApiSource(
    { kubeconfig },
    {
      kinds: ['Service', 'EndpointSlice', 'Namespace'],
      namespaces: [],
      labelSelector: '',
      namespaceLabelSelector: '',
    },
    new RecordingStore(),
    pino({ level: 'warn' }),
  );
  source.start();
  while (!source.synced()) await new Promise((resolve) => setTimeout(resolve, 10));
  return async () => source.close();
}

async function syncInformers(kubeconfig: string): Promise<() => Promise<void>> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
  const informers = [
    k8s.makeInformer(kc, '/api/v1/services', () => core.listServiceForAllNamespaces()),
    k8s.makeInformer(kc, '/apis/discovery.k8s.io/v1/endpointslices', () =>
      discovery.listEndpointSliceForAllNamespaces()),
    k8s.makeInformer(kc, '/api/v1/namespaces', () => core.listNamespace()),
  ];
  // start() resolves once the (unpaged) list is in the cache and the watch request is sent.
  await Promise.all(informers.map((informer) => informer.start()));
  return async () => {
    await Promise.all(informers.map((informer) => informer.stop()));
  };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
