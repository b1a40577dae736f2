/**
 * ApiSource against the test API server: the initial paged list, the watch that follows it,
 * authentication methods, and the options that narrow what is kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { service, slice, pod } from './fixtures.js';
import { harness, metric, until } from './harness.js';

test('lists every kind, marks them synced, then watches from the list version', async () => {
  const h = await harness();
  try {
    await until('sync', () => h.source.synced());
    assert.deepEqual(h.store.keys('Namespace'), ['default', 'team-a']);
    assert.deepEqual(h.store.keys('Service'), ['default/web', 'team-a/db']);
    assert.deepEqual(h.store.keys('EndpointSlice'), ['default/web-abc12', 'team-a/db-xyz34']);
    assert.deepEqual(h.store.get('Service', 'default/web'), {
      kind: 'Service',
      value: {
        namespace: 'default',
        name: 'web',
        kind: 'ClusterIP',
        clusterIPs: ['10.96.0.20'],
        externalName: '',
        ports: [{ name: 'http', port: 80, protocol: 'tcp' }],
      },
    });
    assert.deepEqual([...h.store.synced].sort(), ['EndpointSlice', 'Namespace', 'Service']);
    assert.equal(h.store.keys('Pod').length, 0);
    const version = String(h.api.log.version);
    await until('three watches', () => h.api.openWatches === 3);
    const watches = h.api.requests.filter((r) => r.query.get('watch') === '1');
    assert.equal(watches.length, 3);
    for (const watch of watches) {
      assert.equal(watch.query.get('resourceVersion'), version);
      assert.equal(watch.query.get('allowWatchBookmarks'), 'true');
      assert.equal(watch.query.get('timeoutSeconds'), '60');
    }
    assert.equal(await metric(h.registry, 'clusterdns_kubernetes_synced'), 1);
    assert.equal(h.logs.filter((l) => l.msg === 'kubernetes synced').length, 1);
  } finally {
    await h.close();
  }
});

test('pages lists with limit=500 and continue tokens', async () => {
  const h = await harness({}, 'token', false);
  try {
    const many = Array.from({ length: 1234 }, (_, i) =>
      service('bulk', `svc-${String(i).padStart(4, '0')}`, {
        clusterIP: `10.97.${i >> 8}.${i & 255}`,
      }),
    );
    h.api.load('services', many);
    h.source.start();
    await until('sync', () => h.source.synced());
    assert.equal(h.store.keys('Service').length, 1234 + 2);
    const lists = h.api.requests.filter(
      (r) => r.path === '/api/v1/services' && !r.query.has('watch'),
    );
    assert.deepEqual(
      lists.map((r) => [r.query.get('limit'), r.query.has('continue')]),
      [['500', false], ['500', true], ['500', true]],
    );
  } finally {
    await h.close();
  }
});

for (const auth of ['cert', 'exec', 'token-file'] as const) {
  test(`authenticates with ${auth} credentials from the kubeconfig`, async () => {
    const h = await harness({}, auth);
    try {
      await until('sync', () => h.source.synced());
      assert.ok(h.api.requests.every((r) => r.identity === 'admin' && r.status === 200));
    } finally {
      await h.close();
    }
  });
}

test('applies ADDED, MODIFIED and DELETED events as they arrive', async () => {
  const h = await harness();
  try {
    await until('sync', () => h.source.synced());
    await until('watches', () => h.api.openWatches === 3);
    h.api.put('services', service('default', 'api', { clusterIP: '10.96.0.30' }));
    await until('added', () => h.store.get('Service', 'default/api') !== undefined);
    h.api.put('services', service('default', 'api', { clusterIP: '10.96.0.31' }));
    await until('modified', () => {
      const object = h.store.get('Service', 'default/api');
      return object?.kind === 'Service' && object.value.clusterIPs[0] === '10.96.0.31';
    });
    h.api.put('endpointslices', slice('default', 'web', 'web-abc12', ['10.1.0.9']));
    await until('slice modified', () => {
      const object = h.store.get('EndpointSlice', 'default/web-abc12');
      if (object?.kind !== 'EndpointSlice') return false;
      return object.value.endpoints[0].addresses[0] === '10.1.0.9';
    });
    h.api.remove('services', 'default/api');
    await until('deleted', () => h.store.get('Service', 'default/api') === undefined);
    assert.deepEqual(h.store.keys('Service'), ['default/web', 'team-a/db']);
  } finally {
    await h.close();
  }
});

test('namespaces option keeps only objects of the listed namespaces', async () => {
  const h = await harness({ namespaces: ['team-a'] });
  try {
    await until('sync', () => h.source.synced());
    assert.deepEqual(h.store.keys('Namespace'), ['team-a']);
    assert.deepEqual(h.store.keys('Service'), ['team-a/db']);
    assert.deepEqual(h.store.keys('EndpointSlice'), ['team-a/db-xyz34']);
    await until('watches', () => h.api.openWatches === 3);
    h.api.put('services', service('default', 'hidden', { clusterIP: '10.96.0.40' }));
    h.api.put('services', service('team-a', 'shown', { clusterIP: '10.96.0.41' }));
    await until('shown', () => h.store.get('Service', 'team-a/shown') !== undefined);
    assert.equal(h.store.get('Service', 'default/hidden'), undefined);
  } finally {
    await h.close();
  }
});

test('label selector goes to the API for Services and gates their slices', async () => {
  const h = await harness({ labelSelector: 'dns=yes' });
  try {
    await until('sync', () => h.source.synced());
    assert.deepEqual(h.store.keys('Service'), ['default/web']);
    assert.deepEqual(h.store.keys('EndpointSlice'), ['default/web-abc12']);
    const listed = h.api.requests.find((r) => r.path === '/api/v1/services');
    assert.equal(listed?.query.get('labelSelector'), 'dns=yes');
    const slices = h.api.requests.find((r) => r.path.endsWith('/endpointslices'));
    assert.equal(slices?.query.has('labelSelector'), false);
    await until('watches', () => h.api.openWatches === 3);
    // The Service gains the label: it and its held-back slice appear.
    h.api.put('services', service('team-a', 'db', { clusterIP: 'None', labels: { dns: 'yes' } }));
    await until('db visible', () => h.store.get('EndpointSlice', 'team-a/db-xyz34') !== undefined);
    assert.deepEqual(h.store.keys('Service'), ['default/web', 'team-a/db']);
    // It loses the label: the API sends DELETED, and its slice goes too.
    h.api.put('services', service('team-a', 'db', { clusterIP: 'None', labels: {} }));
    await until('db hidden', () => h.store.get('EndpointSlice', 'team-a/db-xyz34') === undefined);
    assert.deepEqual(h.store.keys('Service'), ['default/web']);
  } finally {
    await h.close();
  }
});

test('namespace label selector is passed to the Namespace list and watch', async () => {
  const h = await harness({ namespaceLabelSelector: 'dns=on' });
  try {
    await until('sync', () => h.source.synced());
    assert.deepEqual(h.store.keys('Namespace'), ['team-a']);
    const namespaces = h.api.requests.filter((r) => r.path === '/api/v1/namespaces');
    assert.ok(namespaces.length >= 1);
    for (const r of namespaces) assert.equal(r.query.get('labelSelector'), 'dns=on');
  } finally {
    await h.close();
  }
});

test('watches Pods only when asked, and drops terminated ones', async () => {
  const kinds = ['Service', 'EndpointSlice', 'Namespace', 'Pod'] as const;
  const h = await harness({ kinds }, 'token', false);
  try {
    h.api.load('pods', [pod('default', 'web-0', '10.1.0.1'), pod('default', 'web-1', '10.1.0.2')]);
    h.source.start();
    await until('sync', () => h.source.synced());
    assert.deepEqual(h.store.keys('Pod'), ['default/web-0', 'default/web-1']);
    await until('watches', () => h.api.openWatches === 4);
    const done = pod('default', 'web-1', '10.1.0.2');
    (done.status as Record<string, unknown>).phase = 'Succeeded';
    h.api.put('pods', done);
    await until('removed', () => h.store.get('Pod', 'default/web-1') === undefined);
  } finally {
    await h.close();
  }
});
