import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StateFileSource } from '../../src/cluster/state-file-source.js';
import type { SourceOptions } from '../../src/cluster/source.js';
import { LabelSelectorError } from '../../src/errors.js';
import { RecordingStore } from './recording-store.js';
import { captureLogs, ERROR, INFO, WARN, type LogEntry } from './log-capture.js';
import {
  namespace,
  pod,
  service,
  slice,
  sleep,
  stream,
  tempDir,
  waitFor,
} from './state-fixtures.js';
import { ALL, closeSourcesAfterEach } from './state-sources.js';

const sources = closeSourcesAfterEach();

function start(target: string, options: SourceOptions = ALL) {
  const store = new RecordingStore();
  const { logger, entries } = captureLogs();
  const source = new StateFileSource(target, options, store, logger);
  sources.push(source);
  source.start();
  return { source, store, entries };
}

const SHOP = stream(
  namespace('shop'),
  service('shop', 'web', '10.96.0.20'),
  slice('shop', 'web', '10.244.1.5'),
  pod('shop', 'web-0', '10.244.1.5'),
);

/** The messages of the info lines, in order. */
function infoMessages(entries: readonly LogEntry[]): string[] {
  return entries.filter((entry) => entry.level === INFO).map((entry) => entry.msg);
}

function rejected(entries: readonly LogEntry[]): LogEntry[] {
  return entries.filter((entry) => entry.msg.startsWith('state file rejected'));
}

describe('state file source: loading', () => {
  it('loads a multi-document file and marks every kind synced', async () => {
    const file = path.join(await tempDir(), 'state.yaml');
    await writeFile(file, SHOP);
    const { source, store, entries } = start(file);
    assert.equal(source.synced(), false);
    await waitFor(() => source.synced());
    assert.deepEqual(store.keys('Service'), ['shop/web']);
    assert.deepEqual(store.keys('EndpointSlice'), ['shop/web-x1']);
    assert.deepEqual(store.keys('Pod'), ['shop/web-0']);
    assert.deepEqual(store.keys('Namespace'), ['shop']);
    assert.deepEqual([...store.synced].sort(), ['EndpointSlice', 'Namespace', 'Pod', 'Service']);
    assert.equal(store.count('replaceAll'), 4);
    assert.deepEqual(store.get('Service', 'shop/web')?.value, {
      namespace: 'shop',
      name: 'web',
      kind: 'ClusterIP',
      clusterIPs: ['10.96.0.20'],
      externalName: '',
      ports: [{ name: 'http', port: 80, protocol: 'tcp' }],
    });
    const loaded = entries.find((entry) => entry.msg === 'state loaded');
    assert.equal(loaded?.level, 30);
    assert.deepEqual(loaded?.objects, { Service: 1, EndpointSlice: 1, Pod: 1, Namespace: 1 });
  });

  it('loads the state files of a directory, not other files or subdirectories', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'a.yaml'), service('shop', 'a', '10.96.0.1'));
    await writeFile(path.join(dir, 'b.yml'), service('shop', 'b', '10.96.0.2'));
    const items = [{ kind: 'Namespace', metadata: { name: 'shop' } }];
    const json = { apiVersion: 'v1', kind: 'List', items };
    await writeFile(path.join(dir, 'c.JSON'), JSON.stringify(json));
    await writeFile(path.join(dir, 'README.md'), 'kind: Service\n');
    await writeFile(path.join(dir, '.d.yaml'), service('shop', 'hidden', '10.96.0.4'));
    await mkdir(path.join(dir, 'sub'));
    await writeFile(path.join(dir, 'sub', 'e.yaml'), service('shop', 'nested', '10.96.0.5'));
    const { source, store } = start(dir);
    await waitFor(() => source.synced());
    assert.deepEqual(store.keys('Service'), ['shop/a', 'shop/b']);
    assert.deepEqual(store.keys('Namespace'), ['shop']);
  });

  it('counts an object defined twice once, the later file winning', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, '1.yaml'), service('shop', 'web', '10.96.0.1'));
    await writeFile(path.join(dir, '2.yaml'), service('shop', 'web', '10.96.0.2'));
    const { source, store } = start(dir);
    await waitFor(() => source.synced());
    const call = store.calls.find((c) => c.op === 'replaceAll' && c.kind === 'Service');
    assert.equal(call?.op === 'replaceAll' && call.objects.length, 1);
    const web = store.get('Service', 'shop/web');
    assert.deepEqual(web?.kind === 'Service' && web.value.clusterIPs, ['10.96.0.2']);
  });

  it('converts v1 Endpoints into slices marked fromEndpoints', async () => {
    const file = path.join(await tempDir(), 'state.yaml');
    const endpoints = `kind: Endpoints
apiVersion: v1
metadata: {name: web, namespace: shop}
subsets:
- addresses: [{ip: 10.244.1.5, hostname: web-0}]
  notReadyAddresses: [{ip: 10.244.1.6}]
  ports: [{name: http, port: 8080}]
`;
    await writeFile(file, stream(service('shop', 'web', '10.96.0.20'), endpoints));
    const { source, store } = start(file);
    await waitFor(() => source.synced());
    assert.deepEqual(store.get('EndpointSlice', 'shop/endpoints/web')?.value, {
      namespace: 'shop',
      name: 'endpoints/web',
      serviceName: 'web',
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.244.1.5'], hostname: 'web-0', ready: true, podName: '' },
        { addresses: ['10.244.1.6'], hostname: '', ready: false, podName: '' },
      ],
      ports: [{ name: 'http', port: 8080, protocol: 'tcp' }],
      fromEndpoints: true,
    });
  });

  it('stays unsynced while the path is missing and loads it once it appears', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'later.yaml');
    const { source, store, entries } = start(file);
    await waitFor(() => rejected(entries).length > 0);
    const [entry] = rejected(entries);
    assert.equal(entry.level, ERROR);
    assert.deepEqual(
      [entry.msg, entry.path, entry.file, 'line' in entry, entry.reason],
      ['state file rejected, no cluster state loaded', file, file, false,
        'no such file or directory'],
    );
    await sleep(400);
    assert.equal(source.synced(), false);
    assert.equal(store.calls.length, 0);
    assert.equal(rejected(entries).length, 1, 'a missing path is reported once');
    await writeFile(file, SHOP);
    await waitFor(() => source.synced(), 1000);
    assert.deepEqual(store.keys('Service'), ['shop/web']);
    // Before the first load, `state loaded` is the recovery line; no second one.
    assert.deepEqual(infoMessages(entries), ['state loaded']);
  });

  it('rejects an unparsable label selector at construction', () => {
    const { logger } = captureLogs();
    const options = { ...ALL, labelSelector: 'app in web' };
    assert.throws(() => new StateFileSource('x.yaml', options, new RecordingStore(), logger),
      LabelSelectorError);
  });
});

describe('state file source: changes', () => {
  it('keeps the last good state when a file breaks, and names file and line', async () => {
    const file = path.join(await tempDir(), 'state.yaml');
    await writeFile(file, SHOP);
    const { source, store, entries } = start(file);
    await waitFor(() => source.synced());
    const before = store.calls.length;
    await writeFile(file, `${service('shop', 'web', '10.96.0.21')}  oops: [\n`);
    await waitFor(() => rejected(entries).length > 0);
    const [entry] = rejected(entries);
    assert.equal(entry.level, WARN);
    assert.equal(entry.msg, 'state file rejected, keeping the last good state');
    assert.equal(entry.file, file);
    assert.equal(entry.line, 13);
    assert.equal(typeof entry.reason, 'string');
    assert.equal(store.calls.length, before, 'nothing was written to the store');
    const web = store.get('Service', 'shop/web');
    assert.deepEqual(web?.kind === 'Service' && web.value.clusterIPs, ['10.96.0.20']);
    assert.deepEqual(store.keys('Pod'), ['shop/web-0']);
  });

  it('reports a breakage once, and again after it was undone and repeated', async () => {
    const file = path.join(await tempDir(), 'state.yaml');
    await writeFile(file, SHOP);
    const { source, store, entries } = start(file);
    await waitFor(() => source.synced());
    const before = store.calls.length;
    const broken = `${SHOP}kind: [\n`;
    await writeFile(file, broken);
    await waitFor(() => rejected(entries).length === 1);
    await writeFile(file, `${broken}\n`.trimEnd() + '\n');
    await sleep(400);
    assert.equal(rejected(entries).length, 1, 'the same broken content is reported once');
    await writeFile(file, SHOP);
    await sleep(400);
    await writeFile(file, broken);
    await waitFor(() => rejected(entries).length === 2);
    assert.equal(store.calls.length, before, 'the restored content equals the served state');
  });

  it('rejects a malformed object at the line of the bad field', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'a.yaml'), SHOP);
    const { source, store, entries } = start(dir);
    await waitFor(() => source.synced());
    const bad = service('shop', 'api', '10.96.0.30').replace('port: 80', 'port: 70000');
    await writeFile(path.join(dir, 'b.yaml'), stream(namespace('other'), bad));
    await waitFor(() => rejected(entries).length > 0);
    const [entry] = rejected(entries);
    assert.equal(entry.file, path.join(dir, 'b.yaml'));
    assert.equal(entry.line, 17);
    assert.equal(entry.reason,
      'Service shop/api: spec.ports[0].port must be an integer from 1 to 65535, got 70000');
    assert.deepEqual(store.keys('Namespace'), ['shop'], 'the good file alone is not applied');
  });

  it('names the line of a bad field in a kubectl -o json file', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'a.yaml'), SHOP);
    const { source, entries } = start(dir);
    await waitFor(() => source.synced());
    const bad = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' },
      status: { phase: 'Running', podIP: '10.244.1.300' } };
    const list = { apiVersion: 'v1', kind: 'List', items: [bad], metadata: {} };
    await writeFile(path.join(dir, 'b.json'), JSON.stringify(list, null, 4));
    await waitFor(() => rejected(entries).length > 0);
    const [entry] = rejected(entries);
    assert.equal(entry.file, path.join(dir, 'b.json'));
    assert.equal(entry.line, 14);
    assert.equal(entry.reason, 'Pod shop/p: status.podIP "10.244.1.300" is not an IP address');
  });

  it('applies a change within one second', async (t) => {
    const file = path.join(await tempDir(), 'state.yaml');
    await writeFile(file, SHOP);
    const { source, store } = start(file);
    await waitFor(() => source.synced());
    const delays: number[] = [];
    for (let i = 1; i <= 5; i++) {
      let arrived = 0;
      store.onReplace = (kind) => {
        if (kind === 'Service' && arrived === 0) arrived = performance.now();
      };
      const written = performance.now();
      await writeFile(file, stream(SHOP, service('shop', `new-${i}`, `10.96.1.${i}`)));
      await waitFor(() => arrived > 0, 2000);
      delays.push(arrived - written);
      assert.ok(store.keys('Service').includes(`shop/new-${i}`));
    }
    const report = `change delays ${delays.map(Math.round).join(', ')} ms`;
    t.diagnostic(report);
    assert.ok(Math.max(...delays) < 1000, report);
  });

  it('sees a ConfigMap-style symlink swap (through the poll)', async (t) => {
    const dir = await tempDir();
    await mkdir(path.join(dir, '..v1'));
    await writeFile(path.join(dir, '..v1', 'state.yaml'), SHOP);
    await symlink('..v1', path.join(dir, '..data'));
    await symlink(path.join('..data', 'state.yaml'), path.join(dir, 'state.yaml'));
    const { source, store } = start(path.join(dir, 'state.yaml'));
    await waitFor(() => source.synced());
    await mkdir(path.join(dir, '..v2'));
    await writeFile(path.join(dir, '..v2', 'state.yaml'), service('shop', 'v2', '10.96.0.2'));
    await symlink('..v2', path.join(dir, '..data_tmp'));
    const swapped = performance.now();
    await rename(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
    await waitFor(() => store.keys('Service').includes('shop/v2'), 1000);
    const delay = performance.now() - swapped;
    t.diagnostic(`symlink swap seen after ${Math.round(delay)} ms`);
    assert.ok(delay < 1000);
    assert.deepEqual(store.keys('Pod'), []);
  });

  it('sees a file replaced by rename, as editors save', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'state.yaml');
    await writeFile(file, SHOP);
    const { source, store } = start(file);
    await waitFor(() => source.synced());
    await writeFile(path.join(dir, '.state.yaml.tmp'), service('shop', 'renamed', '10.96.0.3'));
    await rename(path.join(dir, '.state.yaml.tmp'), file);
    await waitFor(() => store.keys('Service').includes('shop/renamed'), 1000);
    assert.deepEqual(store.keys('Service'), ['shop/renamed']);
  });

  it('does not rewrite the store when the content is unchanged', async () => {
    const file = path.join(await tempDir(), 'state.yaml');
    await writeFile(file, SHOP);
    const { source, store } = start(file);
    await waitFor(() => source.synced());
    const before = store.calls.length;
    await writeFile(file, SHOP);
    await sleep(600);
    assert.equal(store.calls.length, before);
  });

  it('names the file and line of an alias bomb in a directory, and logs the recovery', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'a.yaml'), SHOP);
    const { source, store, entries } = start(dir);
    await waitFor(() => source.synced());
    const before = store.calls.length;
    const bomb = ['kind: Pod', 'a: &a [x, x, x, x, x, x, x, x, x, x]'];
    // Each level repeats the one before ten times: 10^4 copies from a few hundred bytes.
    for (let i = 0; i < 4; i++) {
      const previous = i === 0 ? 'a' : `b${i - 1}`;
      bomb.push(`b${i}: &b${i} [${Array(10).fill(`*${previous}`).join(', ')}]`);
    }
    await writeFile(path.join(dir, 'bomb.yaml'), `# an alias bomb\n${bomb.join('\n')}\n`);
    await waitFor(() => rejected(entries).length > 0);
    const [entry] = rejected(entries);
    assert.deepEqual(
      [entry.level, entry.path, entry.file, entry.line, entry.reason],
      [WARN, dir, path.join(dir, 'bomb.yaml'), 2,
        'YAML aliases expand to more than 100 copies (an alias bomb?)'],
    );
    await rm(path.join(dir, 'bomb.yaml'));
    await waitFor(() => infoMessages(entries).includes('state recovered'));
    await sleep(400);
    const recovered = entries.filter((e) => e.msg === 'state recovered');
    assert.equal(recovered.length, 1, 'the recovery is logged once');
    assert.deepEqual(
      [recovered[0].path, recovered[0].files, recovered[0].objects, recovered[0].changed],
      [dir, 1, { Service: 1, EndpointSlice: 1, Pod: 1, Namespace: 1 }, false],
    );
    assert.deepEqual(infoMessages(entries), ['state loaded', 'state recovered']);
    assert.equal(store.calls.length, before, 'the restored state was already being served');
  });

  it('logs one recovery line when a broken file is fixed with new content', async () => {
    const file = path.join(await tempDir(), 'state.yaml');
    await writeFile(file, SHOP);
    const { source, store, entries } = start(file);
    await waitFor(() => source.synced());
    await writeFile(file, `${SHOP}kind: [\n`);
    await waitFor(() => rejected(entries).length === 1);
    await writeFile(file, stream(SHOP, service('shop', 'api', '10.96.0.30')));
    await waitFor(() => store.keys('Service').includes('shop/api'));
    await sleep(400);
    assert.deepEqual(infoMessages(entries), ['state loaded', 'state recovered']);
    const [recovered] = entries.filter((e) => e.msg === 'state recovered');
    assert.deepEqual(
      [recovered.path, recovered.files, recovered.objects, recovered.changed],
      [file, 1, { Service: 2, EndpointSlice: 1, Pod: 1, Namespace: 1 }, true],
    );
    await writeFile(file, stream(SHOP, service('shop', 'api', '10.96.0.31')));
    await waitFor(() => infoMessages(entries).length === 3);
    assert.equal(infoMessages(entries)[2], 'state reloaded', 'an ordinary change after it');
  });

  it('logs a recovery when a removed state file comes back unchanged', async () => {
    const file = path.join(await tempDir(), 'state.yaml');
    await writeFile(file, SHOP);
    const { source, entries } = start(file);
    await waitFor(() => source.synced());
    await rm(file);
    await waitFor(() => rejected(entries).length === 1);
    const [entry] = rejected(entries);
    assert.deepEqual([entry.level, entry.file, 'line' in entry, entry.reason],
      [WARN, file, false, 'no such file or directory']);
    await writeFile(file, SHOP);
    await waitFor(() => infoMessages(entries).includes('state recovered'));
    assert.deepEqual(infoMessages(entries), ['state loaded', 'state recovered']);
  });

  it('keeps the state when the path disappears, and stops watching on close', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'state.yaml');
    await writeFile(file, SHOP);
    const { source, store, entries } = start(file);
    await waitFor(() => source.synced());
    await rm(file);
    await waitFor(() => rejected(entries).length > 0);
    assert.equal(rejected(entries)[0].level, WARN);
    assert.deepEqual(store.keys('Service'), ['shop/web']);
    await source.close();
    const before = store.calls.length;
    await writeFile(file, service('shop', 'after-close', '10.96.0.9'));
    await sleep(600);
    assert.equal(store.calls.length, before);
  });
});
