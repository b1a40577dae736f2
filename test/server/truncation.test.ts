/**
 * Answers too large for the client's UDP size come with TC set and the records that fit; the
 * same query over TCP gets every record. dig and c-ares (which retries over TCP on TC) see the
 * whole set. The large answer is a headless Service with 100 ready endpoints.
 */
import assert from 'node:assert/strict';
import { promises as dnsPromises } from 'node:dns';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { dig } from '../helpers/dig.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const COUNT = 100;
const addresses = Array.from(
  { length: COUNT },
  (_, i) => `10.244.${Math.floor(i / 50)}.${(i % 50) + 1}`,
);

function stateYaml(): string {
  const endpoints = addresses.map(
    (ip) => `  - addresses: ["${ip}"]\n    conditions: {ready: true}`,
  );
  const namespace = ['apiVersion: v1', 'kind: Namespace', 'metadata: {name: shop}'];
  const service = [
    'apiVersion: v1',
    'kind: Service',
    'metadata: {name: big, namespace: shop}',
    'spec:',
    '  clusterIP: None',
    '  ports: [{name: http, port: 80, protocol: TCP}]',
  ];
  const slice = [
    'apiVersion: discovery.k8s.io/v1',
    'kind: EndpointSlice',
    'metadata:',
    '  name: big-1',
    '  namespace: shop',
    '  labels: {kubernetes.io/service-name: big}',
    'addressType: IPv4',
    'ports: [{name: http, port: 80, protocol: TCP}]',
    'endpoints:',
    ...endpoints,
  ];
  return [namespace, service, slice].map((lines) => lines.join('\n')).join('\n---\n');
}

describe('truncation', () => {
  let proc: ClusterDnsProcess;
  let port: number;
  const name = 'big.shop.svc.cluster.local';

  before(async () => {
    const dir = makeTempDir('clusterdns-trunc-');
    const state = path.join(dir, 'state.yaml');
    await fs.writeFile(state, stateYaml());
    // The upstream is a closed port: nothing in this test leaves the cluster zone.
    proc = await ClusterDnsProcess.serve([
      '--state',
      state,
      '--upstream',
      '127.0.0.1:9',
      '--listen',
      '127.0.0.1:0',
    ]);
    port = proc.port;
    await proc.waitFor((l) => l.msg === 'state loaded', 5000);
  });

  after(async () => {
    assert.equal(await proc.stop(), 0);
  });

  it('sets TC over UDP without EDNS and keeps what fits in 512 octets', async () => {
    const result = await dig(name, 'A', { port, noEdns: true, extra: ['+ignore'] });
    assert.equal(result.status, 'NOERROR');
    assert.deepEqual(result.flags, ['qr', 'aa', 'tc', 'rd']);
    assert.ok(
      result.answer.length > 0 && result.answer.length < COUNT,
      `${result.answer.length} records`,
    );
    const size = Number(/MSG SIZE\s+rcvd: (\d+)/.exec(result.raw)?.[1]);
    assert.ok(size <= 512, `reply of ${size} octets`);
  });

  it('sets TC over UDP with EDNS 1232 and fits in it', async () => {
    const result = await dig(name, 'A', { port, bufsize: 1232, extra: ['+ignore'] });
    assert.ok(result.flags.includes('tc'));
    const size = Number(/MSG SIZE\s+rcvd: (\d+)/.exec(result.raw)?.[1]);
    assert.ok(size <= 1232 && size > 512, `reply of ${size} octets`);
  });

  it('serves every record over TCP', async () => {
    const result = await dig(name, 'A', { port, tcp: true });
    assert.equal(result.status, 'NOERROR');
    assert.deepEqual(result.flags, ['qr', 'aa', 'rd']);
    const got = result.answer.map((r) => r.split(' ')[4]).sort();
    assert.deepEqual(got, [...addresses].sort());
    assert.ok(result.answer.every((r) => r.startsWith(`${name}. 5 IN A `)));
  });

  it('lets dig fall back to TCP on TC and get everything', async () => {
    const result = await dig(name, 'A', { port, noEdns: true });
    assert.equal(result.answer.length, COUNT);
  });

  it('lets c-ares fall back to TCP on TC and get everything', async () => {
    const resolver = new dnsPromises.Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${port}`]);
    const got = await resolver.resolve4(name);
    assert.deepEqual([...got].sort(), [...addresses].sort());
  });
});
