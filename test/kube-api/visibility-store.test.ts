/**
 * VisibilityStore: the namespaces filter and the slice gate behind the Service label selector,
 * as a table of write sequences and the state the index ends with.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterObject } from '../../src/cluster/model.js';
import { VisibilityStore } from '../../src/cluster/api/visibility-store.js';
import { RecordingStore } from './recording-store.js';

const svc = (ns: string, name: string): ClusterObject => ({
  kind: 'Service',
  value: {
    namespace: ns,
    name,
    kind: 'ClusterIP',
    clusterIPs: ['10.0.0.1'],
    externalName: '',
    ports: [],
  },
});
const slice = (ns: string, name: string, serviceName: string): ClusterObject => ({
  kind: 'EndpointSlice',
  value: {
    namespace: ns,
    name,
    serviceName,
    addressType: 'IPv4',
    endpoints: [],
    ports: [],
    fromEndpoints: false,
  },
});

type Step = (store: VisibilityStore) => void;

interface Case {
  readonly name: string;
  readonly namespaces: string[];
  readonly gate: boolean;
  readonly steps: Step[];
  /** Keys in the index afterwards. */
  readonly services: string[];
  readonly slices: string[];
}

const cases: Case[] = [
  {
    name: 'no options: everything passes',
    namespaces: [],
    gate: false,
    steps: [(s) => s.upsert(slice('a', 'x-1', 'x')), (s) => s.upsert(svc('b', 'y'))],
    services: ['b/y'],
    slices: ['a/x-1'],
  },
  {
    name: 'namespaces: other namespaces dropped, in lists too',
    namespaces: ['a'],
    gate: false,
    steps: [
      (s) => s.replaceAll('Service', [svc('a', 'x'), svc('b', 'y')]),
      (s) => s.upsert(svc('b', 'z')),
      (s) => s.upsert(slice('a', 'x-1', 'x')),
    ],
    services: ['a/x'],
    slices: ['a/x-1'],
  },
  {
    name: 'gate: a slice waits for its Service',
    namespaces: [],
    gate: true,
    steps: [(s) => s.upsert(slice('a', 'x-1', 'x')), (s) => s.upsert(svc('a', 'x'))],
    services: ['a/x'],
    slices: ['a/x-1'],
  },
  {
    name: 'gate: slices of an invisible Service stay out',
    namespaces: [],
    gate: true,
    steps: [(s) => s.upsert(svc('a', 'x')), (s) => s.upsert(slice('a', 'y-1', 'y'))],
    services: ['a/x'],
    slices: [],
  },
  {
    name: 'gate: a Service leaving takes its slices; returning brings them back',
    namespaces: [],
    gate: true,
    steps: [
      (s) => s.upsert(svc('a', 'x')),
      (s) => s.upsert(slice('a', 'x-1', 'x')),
      (s) => s.upsert(slice('a', 'x-2', 'x')),
      (s) => s.remove('Service', 'a/x'),
    ],
    services: [],
    slices: [],
  },
  {
    name: 'gate: re-lists in either order agree',
    namespaces: [],
    gate: true,
    steps: [
      (s) => s.replaceAll('EndpointSlice', [slice('a', 'x-1', 'x'), slice('a', 'y-1', 'y')]),
      (s) => s.replaceAll('Service', [svc('a', 'y')]),
    ],
    services: ['a/y'],
    slices: ['a/y-1'],
  },
  {
    name: 'gate: a slice moving to an invisible Service is withdrawn',
    namespaces: [],
    gate: true,
    steps: [
      (s) => s.upsert(svc('a', 'x')),
      (s) => s.upsert(slice('a', 'x-1', 'x')),
      (s) => s.upsert(slice('a', 'x-1', 'y')),
    ],
    services: ['a/x'],
    slices: [],
  },
];

for (const c of cases) {
  test(`VisibilityStore: ${c.name}`, () => {
    const target = new RecordingStore();
    const store = new VisibilityStore(target, c.namespaces, c.gate);
    for (const step of c.steps) step(store);
    assert.deepEqual(target.keys('Service'), c.services);
    assert.deepEqual(target.keys('EndpointSlice'), c.slices);
  });
}

test('VisibilityStore: a returning Service brings back its held slices', () => {
  const target = new RecordingStore();
  const store = new VisibilityStore(target, [], true);
  store.upsert(svc('a', 'x'));
  store.upsert(slice('a', 'x-1', 'x'));
  store.remove('Service', 'a/x');
  assert.deepEqual(target.keys('EndpointSlice'), []);
  store.upsert(svc('a', 'x'));
  assert.deepEqual(target.keys('EndpointSlice'), ['a/x-1']);
});
