import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StateFileSource } from '../../src/cluster/state-file-source.js';
import type { ClusterObject, ObjectKind } from '../../src/cluster/model.js';
import { RecordIndex } from '../../src/records/record-index.js';
import { RecordingStore } from './recording-store.js';
import { captureLogs } from './log-capture.js';
import { waitFor } from './state-fixtures.js';

const KINDS: readonly ObjectKind[] = ['Service', 'EndpointSlice', 'Pod', 'Namespace'];

/** The repository's examples/ folder, found upwards from this compiled file, else from cwd. */
function examplesDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'examples');
    if (existsSync(path.join(candidate, 'cluster-state.yaml'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve('examples');
    dir = parent;
  }
}

const STATE = path.join(examplesDir(), 'cluster-state.yaml');

describe('examples/cluster-state.yaml', () => {
  const store = new RecordingStore();
  const index = new RecordIndex({ kinds: KINDS });
  const sources: StateFileSource[] = [];

  before(async () => {
    const options = { kinds: KINDS, namespaces: [], labelSelector: '', namespaceLabelSelector: '' };
    for (const target of [store, index]) {
      const source = new StateFileSource(STATE, options, target, captureLogs().logger);
      sources.push(source);
      source.start();
    }
    await waitFor(() => sources.every((source) => source.synced()));
  });

  after(async () => {
    for (const source of sources) await source.close();
  });

  const value = (kind: ObjectKind, key: string): ClusterObject['value'] | undefined =>
    store.get(kind, key)?.value;

  it('is a kind: List as kubectl prints it', () => {
    const text = readFileSync(STATE, 'utf8');
    assert.match(text, /^kind: List$/m);
    assert.match(text, /^items:$/m);
  });

  it('holds the four minikube namespaces', () => {
    assert.deepEqual(store.keys('Namespace'),
      ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  });

  it('holds every Service form', () => {
    assert.deepEqual(store.keys('Service'), [
      'default/app',
      'default/cache',
      'default/external-db',
      'default/kubernetes',
      'default/redis-master',
      'default/redis-replica',
      'kube-system/kube-dns',
    ]);
    assert.deepEqual(value('Service', 'default/redis-master'), {
      namespace: 'default', name: 'redis-master', kind: 'ClusterIP', clusterIPs: ['10.96.130.112'],
      externalName: '', ports: [{ name: 'redis', port: 6379, protocol: 'tcp' }],
    });
    assert.deepEqual(value('Service', 'default/app'), {
      namespace: 'default', name: 'app', kind: 'ClusterIP', clusterIPs: ['10.96.45.10'],
      externalName: '', ports: [{ name: 'http', port: 80, protocol: 'tcp' }],
    });
    assert.deepEqual(value('Service', 'default/kubernetes'), {
      namespace: 'default', name: 'kubernetes', kind: 'ClusterIP', clusterIPs: ['10.96.0.1'],
      externalName: '', ports: [{ name: 'https', port: 443, protocol: 'tcp' }],
    });
    assert.deepEqual(value('Service', 'kube-system/kube-dns'), {
      namespace: 'kube-system', name: 'kube-dns', kind: 'ClusterIP', clusterIPs: ['10.96.0.10'],
      externalName: '',
      ports: [
        { name: 'dns', port: 53, protocol: 'udp' },
        { name: 'dns-tcp', port: 53, protocol: 'tcp' },
        { name: 'metrics', port: 9153, protocol: 'tcp' },
      ],
    });
    assert.deepEqual(value('Service', 'default/redis-replica'), {
      namespace: 'default', name: 'redis-replica', kind: 'Headless', clusterIPs: [],
      externalName: '', ports: [{ name: 'redis', port: 6379, protocol: 'tcp' }],
    });
    assert.deepEqual(value('Service', 'default/cache'), {
      namespace: 'default', name: 'cache', kind: 'ExternalName', clusterIPs: [],
      externalName: 'redis-master.default.svc.cluster.local', ports: [],
    });
    assert.deepEqual(value('Service', 'default/external-db'), {
      namespace: 'default', name: 'external-db', kind: 'ExternalName', clusterIPs: [],
      externalName: 'db.example.com', ports: [],
    });
  });

  it('holds the endpoints behind each selector Service and the API server', () => {
    const ready = (ip: string, hostname = '', podName = '') =>
      ({ addresses: [ip], hostname, ready: true, podName });
    const endpointsOf = (key: string) => {
      const slice = value('EndpointSlice', key);
      return slice && 'endpoints' in slice ? [slice.serviceName, slice.endpoints, slice.ports] : [];
    };
    assert.deepEqual(endpointsOf('default/kubernetes'),
      ['kubernetes', [ready('192.168.49.2')], [{ name: 'https', port: 8443, protocol: 'tcp' }]]);
    assert.deepEqual(endpointsOf('default/redis-master-vq2ml'), ['redis-master',
      [ready('10.244.0.5', '', 'redis-master-5d8f6b9c7b-q4lzs')],
      [{ name: 'redis', port: 6379, protocol: 'tcp' }]]);
    assert.deepEqual(endpointsOf('default/app-h7x2n'), ['app',
      [
        ready('10.244.0.6', '', 'app-6c8b9f7d54-2xkqp'),
        ready('10.244.0.7', '', 'app-6c8b9f7d54-w7mzr'),
      ],
      [{ name: 'http', port: 8080, protocol: 'tcp' }]]);
    assert.deepEqual(endpointsOf('default/redis-replica-8fk4d'), ['redis-replica',
      [ready('10.244.0.8', 'redis-replica-0', 'redis-replica-0'),
        ready('10.244.0.9', 'redis-replica-1', 'redis-replica-1')],
      [{ name: 'redis', port: 6379, protocol: 'tcp' }]]);
    assert.deepEqual(endpointsOf('kube-system/kube-dns-mz8cq'), ['kube-dns',
      [ready('10.244.0.2', '', 'coredns-7db6d8ff4d-xk9tq')],
      [
        { name: 'dns-tcp', port: 53, protocol: 'tcp' },
        { name: 'dns', port: 53, protocol: 'udp' },
        { name: 'metrics', port: 9153, protocol: 'tcp' },
      ]]);
  });

  it('holds the pods, host-network ones on the node IP', () => {
    assert.equal(store.keys('Pod').length, 12);
    const redis = 'redis-master-5d8f6b9c7b-q4lzs';
    assert.deepEqual(value('Pod', `default/${redis}`),
      { namespace: 'default', name: redis, ips: ['10.244.0.5'], hostNetwork: false });
    const etcd = { name: 'etcd-minikube', ips: ['192.168.49.2'], hostNetwork: true };
    const etcdKey = 'kube-system/etcd-minikube';
    assert.deepEqual(value('Pod', etcdKey), { namespace: 'kube-system', ...etcd });
  });

  it('feeds the record index', () => {
    assert.equal(index.synced(), true);
    assert.deepEqual(index.service('default', 'redis-master')?.info.clusterIPs, ['10.96.130.112']);
    const replicas = index.service('default', 'redis-replica')?.endpoints.ready;
    assert.deepEqual(
      replicas?.map((e) => [e.addresses[0], e.hostname]),
      [['10.244.0.8', 'redis-replica-0'], ['10.244.0.9', 'redis-replica-1']],
    );
    assert.deepEqual(index.reverseTargets('10.96.0.10').map((t) => t.service.name), ['kube-dns']);
    assert.equal(index.podExists('default', '10.244.0.5'), true);
    assert.equal(index.hasNamespace('kube-public'), true);
    const { services, pods, namespaces } = index.stats();
    assert.deepEqual({ services, pods, namespaces }, { services: 7, pods: 12, namespaces: 4 });
  });
});
