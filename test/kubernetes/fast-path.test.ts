/**
 * The fast path (replayed wire answers) against the general path: for every row of the
 * answer table and every way a query can differ without changing the answer's content
 * (ID, letter case, RD, CD, EDNS size, transport), the replayed bytes equal the bytes the
 * general path writes for the same query.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DnsRequest } from '../../src/chain/request.js';
import { KubernetesHandler } from '../../src/plugins/kubernetes/handler.js';
import { RecordIndex } from '../../src/records/record-index.js';
import { parseQuery } from '../../src/wire/query.js';
import { TABLE } from './answer-table.js';
import { InProcessKubernetes, NEXT, queryPacket, render, type AskOptions } from './in-process.js';

function mixCase(name: string): string {
  return [...name].map((c, i) => (i % 2 === 0 ? c.toUpperCase() : c)).join('');
}

async function serve(handler: KubernetesHandler, wire: Buffer, tcp = false): Promise<Buffer> {
  const parsed = parseQuery(wire);
  if (!parsed.ok) throw new Error(parsed.error.reason);
  const request = new DnsRequest(parsed.query, wire, tcp ? 'tcp' : 'udp', '127.0.0.1', 1, 0n);
  const reply = await handler.serve(request);
  assert.ok(reply);
  assert.equal(request.answeredBy, 'kubernetes');
  return reply;
}

describe('fast path replays exactly what the general path writes', () => {
  let k8s: InProcessKubernetes;
  let general: KubernetesHandler;
  before(async () => {
    k8s = await InProcessKubernetes.start('cluster.yaml', ['pods insecure']);
    general = new KubernetesHandler(k8s.config, k8s.index, NEXT, {
      synced: () => true,
      startupDeadline: 0,
      localAddresses: ['127.0.0.1'],
      cache: false,
    });
  });
  after(() => k8s.close());

  const variants: [string, AskOptions, boolean][] = [
    ['edns', { udpSize: 1232 }, false],
    ['edns+do', { udpSize: 4096, dnssecOk: true }, false],
    ['no edns', {}, false],
    ['tcp', {}, true],
  ];
  for (const [variant, options, tcp] of variants) {
    for (const row of TABLE) {
      it(`${variant}: ${row.name} ${row.type}`, async () => {
        const first = queryPacket(row.name, row.type, { ...options, id: 1 });
        await serve(k8s.handler, first, tcp);
        const kept = k8s.handler.cachedAnswers;
        const second = queryPacket(mixCase(row.name), row.type, {
          ...options,
          id: 0xbeef,
          checkingDisabled: true,
          recursionDesired: false,
        });
        const fast = await serve(k8s.handler, second, tcp);
        assert.equal(k8s.handler.cachedAnswers, kept, 'the second query was a replay');
        assert.ok(kept > 0);
        const slow = await serve(general, second, tcp);
        assert.deepEqual(fast, slow);
        assert.equal(fast.readUInt16BE(0), 0xbeef);
      });
    }
  }

  it('does not keep truncated answers and replays only what fits the asker', async () => {
    const index = new RecordIndex({ kinds: [] });
    index.upsert({
      kind: 'Service',
      value: {
        namespace: 'big',
        name: 'many',
        kind: 'Headless',
        clusterIPs: [],
        externalName: '',
        ports: [],
      },
    });
    const endpoints = Array.from({ length: 60 }, (_, i) => ({
      addresses: [`10.1.0.${i + 1}`],
      hostname: '',
      ready: true,
      podName: '',
    }));
    index.upsert({
      kind: 'EndpointSlice',
      value: {
        namespace: 'big',
        name: 'many-1',
        serviceName: 'many',
        addressType: 'IPv4',
        endpoints,
        ports: [],
        fromEndpoints: false,
      },
    });
    const cached = new KubernetesHandler(k8s.config, index, NEXT, {
      synced: () => true,
      startupDeadline: 0,
      localAddresses: [],
    });
    const plain = new KubernetesHandler(k8s.config, index, NEXT, {
      synced: () => true,
      startupDeadline: 0,
      localAddresses: [],
      cache: false,
    });
    const small = queryPacket('many.big.svc.cluster.local', 'A', {});
    const truncated = await serve(cached, small);
    assert.deepEqual(render(truncated).flags, ['qr', 'aa', 'tc', 'rd']);
    assert.equal(cached.cachedAnswers, 0);
    const whole = await serve(cached, small, true);
    assert.equal(render(whole).answer.length, 60);
    assert.equal(cached.cachedAnswers, 1);
    // The kept TCP answer (976 bytes) does not fit 512: the general path answers with TC.
    assert.deepEqual(await serve(cached, small), await serve(plain, small));
    assert.deepEqual(await serve(cached, small, true), await serve(plain, small, true));
  });

  it('drops kept answers when the data changes', async () => {
    const wire = queryPacket('web.shop.svc.cluster.local', 'A', { udpSize: 1232 });
    await serve(k8s.handler, wire);
    k8s.index.upsert({
      kind: 'Service',
      value: {
        namespace: 'shop',
        name: 'web',
        kind: 'ClusterIP',
        clusterIPs: ['10.96.0.99'],
        externalName: '',
        ports: [],
      },
    });
    assert.deepEqual(render(await serve(k8s.handler, wire)).answer, [
      'web.shop.svc.cluster.local. 5 IN A 10.96.0.99',
    ]);
  });
});
