import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StateFileSource } from '../../src/cluster/state-file-source.js';
import type { SourceOptions } from '../../src/cluster/source.js';
import { RecordingStore } from './recording-store.js';
import { captureLogs } from './log-capture.js';
import {
  namespace,
  pod,
  service,
  slice,
  stream,
  tempDir,
  waitFor,
} from './state-fixtures.js';
import { ALL, closeSourcesAfterEach } from './state-sources.js';

// Two namespaces, each with a labelled and an unlabelled Service with slices and a pod.
const STATE = stream(
  namespace('shop', 'env: prod'),
  namespace('lab', 'env: test'),
  namespace('bare'),
  service('shop', 'web', '10.96.0.20', 'tier: front'),
  service('shop', 'db', '10.96.0.21', 'tier: back'),
  service('lab', 'web', '10.96.0.30', 'tier: front'),
  service('bare', 'web', '10.96.0.40'),
  slice('shop', 'web', '10.244.1.5'),
  slice('shop', 'db', '10.244.1.6'),
  slice('lab', 'web', '10.244.2.5'),
  slice('shop', 'gone', '10.244.1.9'),
  pod('shop', 'web-0', '10.244.1.5'),
  pod('lab', 'web-0', '10.244.2.5'),
);

const sources = closeSourcesAfterEach();

async function load(options: Partial<SourceOptions>, text = STATE): Promise<RecordingStore> {
  const file = path.join(await tempDir(), 'state.yaml');
  await writeFile(file, text);
  const store = new RecordingStore();
  const source = new StateFileSource(file, { ...ALL, ...options }, store, captureLogs().logger);
  sources.push(source);
  source.start();
  await waitFor(() => source.synced());
  return store;
}

function writtenKinds(store: RecordingStore): string[] {
  return store.calls.flatMap((call) => (call.op === 'replaceAll' ? [call.kind] : []));
}

describe('state file source: filters', () => {
  it('loads everything without filters', async () => {
    const store = await load({});
    assert.deepEqual(store.keys('Service'), ['bare/web', 'lab/web', 'shop/db', 'shop/web']);
    assert.deepEqual(store.keys('EndpointSlice'),
      ['lab/web-x1', 'shop/db-x1', 'shop/gone-x1', 'shop/web-x1']);
    assert.deepEqual(store.keys('Namespace'), ['bare', 'lab', 'shop']);
    assert.deepEqual(store.keys('Pod'), ['lab/web-0', 'shop/web-0']);
  });

  it('loads and marks only the kinds asked for', async () => {
    // A malformed Pod does not matter when Pods are not loaded.
    const badPod = pod('shop', 'broken', 'not-an-ip');
    const store = await load({ kinds: ['Service', 'EndpointSlice', 'Namespace'] },
      stream(STATE, badPod));
    assert.deepEqual(writtenKinds(store).sort(), ['EndpointSlice', 'Namespace', 'Service']);
    assert.deepEqual([...store.synced].sort(), ['EndpointSlice', 'Namespace', 'Service']);
    assert.deepEqual(store.keys('Pod'), []);
  });

  it('keeps only the namespaces listed', async () => {
    const store = await load({ namespaces: ['lab'] });
    assert.deepEqual(store.keys('Service'), ['lab/web']);
    assert.deepEqual(store.keys('EndpointSlice'), ['lab/web-x1']);
    assert.deepEqual(store.keys('Namespace'), ['lab']);
    assert.deepEqual(store.keys('Pod'), ['lab/web-0']);
  });

  it('selects Services by label, slices following their Service', async () => {
    const store = await load({ labelSelector: 'tier in (front)' });
    assert.deepEqual(store.keys('Service'), ['lab/web', 'shop/web']);
    assert.deepEqual(store.keys('EndpointSlice'), ['lab/web-x1', 'shop/web-x1']);
    assert.deepEqual(store.keys('Namespace'), ['bare', 'lab', 'shop']);
    assert.deepEqual(store.keys('Pod'), ['lab/web-0', 'shop/web-0']);
  });

  it('treats != as matching Services without the label', async () => {
    const store = await load({ labelSelector: 'tier!=front' });
    assert.deepEqual(store.keys('Service'), ['bare/web', 'shop/db']);
    assert.deepEqual(store.keys('EndpointSlice'), ['shop/db-x1']);
  });

  it('hides every object of namespaces whose labels do not match', async () => {
    const store = await load({ namespaceLabelSelector: 'env=prod' });
    assert.deepEqual(store.keys('Namespace'), ['shop']);
    assert.deepEqual(store.keys('Service'), ['shop/db', 'shop/web']);
    assert.deepEqual(store.keys('EndpointSlice'), ['shop/db-x1', 'shop/gone-x1', 'shop/web-x1']);
    assert.deepEqual(store.keys('Pod'), ['shop/web-0']);
  });

  it('reads Namespace labels even when Namespaces are not loaded', async () => {
    const store = await load({ kinds: ['Service'], namespaceLabelSelector: 'env' });
    assert.deepEqual(store.keys('Service'), ['lab/web', 'shop/db', 'shop/web']);
    assert.deepEqual(writtenKinds(store), ['Service']);
  });

  it('combines all filters', async () => {
    const store = await load({
      namespaces: ['shop', 'lab'],
      labelSelector: 'tier=front',
      namespaceLabelSelector: 'env notin (test)',
    });
    assert.deepEqual(store.keys('Service'), ['shop/web']);
    assert.deepEqual(store.keys('EndpointSlice'), ['shop/web-x1']);
    assert.deepEqual(store.keys('Namespace'), ['shop']);
  });
});
