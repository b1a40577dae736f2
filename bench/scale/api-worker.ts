/**
 * The scale benchmark's test API server, run in a worker thread so that its heap (every
 * generated object) and its garbage collections stay out of the thread that times answers.
 *
 * Protocol: workerData is `{ size, dir }`; the worker posts `{ kubeconfig }` once serving,
 * then answers each `{ op: 'update', n }` (a new ClusterIP for one Service) with
 * `{ op: 'updated', n, fqdn, ip }` after the change is written to the watch streams, and
 * `{ op: 'close' }` with `{ op: 'closed' }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TestApiServer } from '../../test/kube-api/server.js';
import { service } from '../../test/kube-api/fixtures.js';
import {
  generateCluster,
  namespaceOf,
  serviceName,
  type ClusterSize,
} from './cluster-data.js';

interface Setup {
  readonly size: ClusterSize;
  readonly dir: string;
}

type Command = { op: 'update'; n: number } | { op: 'close' };

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('api-worker must run in a worker thread');
  const { size, dir } = workerData as Setup;
  const data = generateCluster(size);
  const api = await TestApiServer.start({ bookmarkIntervalMs: 60_000 });
  api.load('namespaces', data.namespaces);
  api.load('services', data.services);
  api.load('endpointslices', data.slices);
  api.load('pods', data.pods);
  port.on('message', (command: Command) => {
    if (command.op === 'close') {
      void api.close().then(() => port.postMessage({ op: 'closed' }));
      return;
    }
    port.postMessage({ op: 'updated', n: command.n, ...update(api, size, command.n) });
  });
  port.postMessage({ op: 'ready', kubeconfig: api.kubeconfig(dir, 'token') });
}

/** Gives a ClusterIP Service a new address: odd indexes in even blocks of ten are ClusterIP. */
function update(api: TestApiServer, size: ClusterSize, n: number): { fqdn: string; ip: string } {
  const index = (n * 20 + 1) % size.services;
  const ns = namespaceOf(index);
  const name = serviceName(index);
  const ip = `10.100.${(n >> 8) & 255}.${n & 255}`;
  api.put('services', service(ns, name, { clusterIP: ip }));
  return { fqdn: `${name}.${ns}.svc.cluster.local`, ip };
}

void main();
