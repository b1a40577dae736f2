/**
 * The Node ceiling must answer exactly what the benchmark data set defines, or it would be a
 * yardstick that does less work than the servers it measures. Queried with the real dig and
 * dnsperf, whose summary the benchmark parses.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type dgram from 'node:dgram';
import { buildDataset } from '../../bench/lib/dataset.js';
import { ceilingRecordsFor } from '../../bench/lib/ceiling-records.js';
import { listenCeiling } from '../../bench/lib/ceiling-server.js';
import { runDnsperf } from '../../bench/lib/dnsperf.js';
import { percentiles } from '../../bench/lib/stats.js';
import { dig } from '../helpers/dig.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const dataset = buildDataset({
  namespaces: 2,
  servicesPerNamespace: 3,
  queryCount: 200,
  seed: 7,
  ttl: 30,
});
const SOA =
  'cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 30';
const SVC_0_NS_1 = 'svc-0.ns-1.svc.cluster.local.';

describe('node ceiling server', () => {
  let socket: dgram.Socket;
  let port: number;

  before(async () => {
    ({ socket, port } = await listenCeiling(ceilingRecordsFor(dataset), '127.0.0.1', 0));
  });
  after(() => socket.close());

  const cases = [
    {
      name: 'svc-1.ns-0.svc.cluster.local',
      type: 'A',
      status: 'NOERROR',
      answer: ['svc-1.ns-0.svc.cluster.local. 30 IN A 10.96.0.2'],
      authority: [],
      additional: [],
    },
    {
      name: 'SVC-2.Ns-1.svc.cluster.local',
      type: 'A',
      status: 'NOERROR',
      answer: ['SVC-2.Ns-1.svc.cluster.local. 30 IN A 10.96.1.3'],
      authority: [],
      additional: [],
    },
    {
      name: '_http._tcp.svc-0.ns-1.svc.cluster.local',
      type: 'SRV',
      status: 'NOERROR',
      answer: [`_http._tcp.${SVC_0_NS_1} 30 IN SRV 0 100 80 ${SVC_0_NS_1}`],
      authority: [],
      additional: [`${SVC_0_NS_1} 30 IN A 10.96.1.1`],
    },
    {
      name: 'nosuch.ns-0.svc.cluster.local',
      type: 'A',
      status: 'NXDOMAIN',
      answer: [],
      authority: [SOA],
      additional: [],
    },
    {
      name: 'svc-1.ns-0.svc.cluster.local',
      type: 'AAAA',
      status: 'NOERROR',
      answer: [],
      authority: [SOA],
      additional: [],
    },
    {
      name: 'example.org',
      type: 'A',
      status: 'REFUSED',
      answer: [],
      authority: [],
      additional: [],
    },
  ];
  for (const c of cases) {
    it(`answers ${c.name} ${c.type} with ${c.status}`, async () => {
      const got = await dig(c.name, c.type, { port, noEdns: true, extra: ['+norec'] });
      assert.equal(got.status, c.status);
      assert.deepEqual(got.answer, c.answer);
      assert.deepEqual(got.authority, c.authority);
      assert.deepEqual(got.additional, c.additional);
      assert.deepEqual(got.flags, c.status === 'REFUSED' ? ['qr'] : ['qr', 'aa']);
    });
  }

  it('answers every query of a dnsperf run, with the rcodes of the query mix', async () => {
    const dir = makeTempDir('ceiling-test-');
    const queryFile = path.join(dir, 'queries.txt');
    writeFileSync(queryFile, dataset.queries.join('\n') + '\n');
    const result = await runDnsperf({ port, queryFile, runs: 1, perQuery: true });
    assert.equal(result.sent, 200);
    assert.equal(result.completed, 200);
    assert.equal(result.lost, 0);
    assert.deepEqual(result.rcodes, {
      NOERROR: dataset.mix.a + dataset.mix.srv,
      NXDOMAIN: dataset.mix.nxdomain,
    });
    assert.equal(result.latenciesUs.length, 200);
    const [p50, p100] = percentiles(result.latenciesUs, [50, 100]);
    assert.ok(p50 > 0 && p50 <= p100, `p50 ${p50} µs, max ${p100} µs`);
    assert.equal(p100, Math.max(...result.latenciesUs));
  });
});

describe('percentiles', () => {
  it('uses the nearest rank', () => {
    const values = Float64Array.from([5, 1, 4, 2, 3, 10, 9, 8, 7, 6]);
    assert.deepEqual(percentiles(values, [10, 50, 90, 99, 100]), [1, 5, 9, 10, 10]);
    assert.deepEqual(percentiles(new Float64Array(0), [50]), [NaN]);
  });
});
