import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StateFileSource } from '../../src/cluster/state-file-source.js';
import type { ObjectKind } from '../../src/cluster/model.js';
import { RecordIndex } from '../../src/records/record-index.js';
import { captureLogs, WARN } from './log-capture.js';
import {
  namespace,
  service,
  slice,
  stream,
  tempDir,
  waitFor,
} from './state-fixtures.js';
import { closeSourcesAfterEach } from './state-sources.js';

const KINDS: readonly ObjectKind[] = ['Service', 'EndpointSlice', 'Namespace'];
const OPTIONS = { kinds: KINDS, namespaces: [], labelSelector: '', namespaceLabelSelector: '' };

const sources = closeSourcesAfterEach();

describe('state file source feeding the record index', () => {
  it('serves the last good state through a broken file, then the fixed one', async () => {
    const file = path.join(await tempDir(), 'state.yaml');
    await writeFile(file, stream(namespace('shop'), service('shop', 'web', '10.96.0.20'),
      slice('shop', 'web', '10.244.1.5')));
    const index = new RecordIndex({ kinds: KINDS });
    const { logger, entries } = captureLogs();
    const source = new StateFileSource(file, OPTIONS, index, logger);
    sources.push(source);
    source.start();
    await waitFor(() => index.synced());
    const endpoints = () => index.service('shop', 'web')?.endpoints.ready.map((e) => e.addresses[0]);
    assert.deepEqual(index.service('shop', 'web')?.info.clusterIPs, ['10.96.0.20']);
    assert.deepEqual(endpoints(), ['10.244.1.5']);

    await writeFile(file, 'kind: Service\nmetadata: {name: web\n');
    await waitFor(() => entries.some((entry) => entry.level === WARN));
    assert.deepEqual(index.service('shop', 'web')?.info.clusterIPs, ['10.96.0.20']);
    assert.deepEqual(endpoints(), ['10.244.1.5']);
    assert.equal(index.hasNamespace('shop'), true);

    const written = performance.now();
    await writeFile(file, stream(namespace('shop'), service('shop', 'web', '10.96.0.21'),
      slice('shop', 'web', '10.244.1.6')));
    await waitFor(() => index.service('shop', 'web')?.info.clusterIPs[0] === '10.96.0.21', 1000);
    assert.ok(performance.now() - written < 1000);
    assert.deepEqual(endpoints(), ['10.244.1.6']);
    assert.equal(index.synced(), true);
  });
});
