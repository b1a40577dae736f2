/**
 * The soak: N minutes (default 10) of mixed load at about 70% of the capacity measured just
 * before, while the cluster changes every second (a Service's address each second, one Service
 * added or removed every ten). Per minute it reports answers per rcode, lost queries, latency
 * percentiles and the server's resident memory, then whether memory levelled off and latency
 * drifted. Cluster state comes from the test Kubernetes API server, external names from dnsmasq.
 *
 *   npx tsc -p . && node dist/bench/soak/run.js [--minutes 10] [--load 0.7]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { rssKb } from '../fuzz/rss.js';
import { runDnsperf } from '../lib/dnsperf.js';
import { percentiles } from '../lib/stats.js';
import { ClusterDnsProcess } from '../../test/helpers/clusterdns-process.js';
import { namespace, service } from '../../test/kube-api/fixtures.js';
import { TestApiServer } from '../../test/kube-api/server.js';
import { Dnsmasq } from '../../test/upstreams/dnsmasq.js';
import { SERVICES, writeQueryMix } from './query-mix.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    load: { type: 'string', default: '0.7' },
  },
});

interface Minute {
  minute: number;
  sent: number;
  qps: number;
  lost: number;
  rcodes: Readonly<Record<string, number>>;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  rssKb: number;
  rssMaxKb: number;
}

const ip = (i: number, version: number): string => `10.96.${10 + (version % 200)}.${i + 1}`;

function corefile(kubeconfig: string, upstream: number): string {
  return [
    '.:0 {',
    '    errors',
    '    kubernetes cluster.local {',
    `        kubeconfig ${kubeconfig}`,
    '    }',
    `    forward . 127.0.0.1:${upstream}`,
    '    cache 30 {',
    '        disable success cluster.local',
    '        disable denial cluster.local',
    '    }',
    '}',
    '',
  ].join('\n');
}

/** Changes one Service's address every second; adds or removes `extra` every ten seconds. */
function churn(api: TestApiServer): () => void {
  let tick = 0;
  const timer = setInterval(() => {
    tick++;
    const i = tick % SERVICES;
    api.put('services', service('shop', `svc-${i}`, { clusterIP: ip(i, tick) }));
    if (tick % 20 === 10) api.put('services', service('shop', 'extra', { clusterIP: '10.96.9.9' }));
    if (tick % 20 === 0) api.remove('services', 'shop/extra');
  }, 1000);
  return () => clearInterval(timer);
}

async function main(): Promise<void> {
  const minutes = Number(values.minutes);
  const dir = makeTempDir('clusterdns-soak-');
  const api = await TestApiServer.start({ bookmarkIntervalMs: 5000 });
  api.load('namespaces', [namespace('shop')]);
  api.load(
    'services',
    Array.from({ length: SERVICES }, (_, i) =>
      service('shop', `svc-${i}`, { clusterIP: ip(i, 0) }),
    ),
  );
  const upstream = await Dnsmasq.start([
    '--address=/ext.test/192.0.2.1',
    '--address=/miss.test/192.0.2.2',
    '--address=/nx.test/',
    '--local-ttl=30',
    '--cache-size=0',
  ]);
  const conf = path.join(dir, 'Corefile');
  fs.writeFileSync(conf, corefile(api.kubeconfig(dir), upstream.port));
  const proc = await ClusterDnsProcess.serve(['--conf', conf, '--listen', '127.0.0.1:0']);
  await proc.waitFor((l) => l.msg === 'kubernetes synced', 15_000);
  const pid = proc.child.pid ?? 0;
  const queryFile = path.join(dir, 'queries.txt');
  writeQueryMix(queryFile, 400_000);

  const capacity = await runDnsperf({
    port: proc.port,
    queryFile,
    seconds: 15,
    clients: 4,
    outstanding: 200,
  });
  const rate = Math.round(capacity.qps * Number(values.load));
  console.log(
    `capacity ${capacity.qps.toFixed(0)} qps (lost ${capacity.lost}); soak at ${rate} qps for ${minutes} min`,
  );
  console.log(
    `machine: ${os.cpus().length} x ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  const stopChurn = churn(api);
  const rows: Minute[] = [];
  try {
    for (let minute = 1; minute <= minutes; minute++) {
      let rssMax = 0;
      const sampler = setInterval(() => (rssMax = Math.max(rssMax, rssKb(pid))), 5000);
      const result = await runDnsperf({
        port: proc.port,
        queryFile,
        seconds: 60,
        rate,
        perQuery: true,
      });
      clearInterval(sampler);
      const [p50, p90, p99, p999] = percentiles(result.latenciesUs, [50, 90, 99, 99.9]).map(
        (us) => us / 1000,
      );
      const rss = rssKb(pid);
      const row: Minute = {
        minute,
        sent: result.sent,
        qps: result.qps,
        lost: result.lost,
        rcodes: result.rcodes,
        p50,
        p90,
        p99,
        p999,
        max: result.maxMs,
        rssKb: rss,
        rssMaxKb: Math.max(rssMax, rss),
      };
      rows.push(row);
      printRow(row, minute === 1);
    }
  } finally {
    stopChurn();
    await proc.stop();
    await upstream.stop();
    await api.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  printVerdict(rows);
}

function printRow(row: Minute, header: boolean): void {
  if (header) {
    console.log(
      '| min | sent | qps | lost | NOERROR | NXDOMAIN | SERVFAIL | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | RSS MiB (max) |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  }
  const r = row.rcodes;
  const ms = (v: number): string => v.toFixed(2);
  console.log(
    `| ${row.minute} | ${row.sent} | ${row.qps.toFixed(0)} | ${row.lost} | ${r.NOERROR ?? 0} | ${r.NXDOMAIN ?? 0} | ${r.SERVFAIL ?? 0} | ` +
      `${ms(row.p50)} | ${ms(row.p90)} | ${ms(row.p99)} | ${ms(row.p999)} | ${ms(row.max)} | ` +
      `${(row.rssKb / 1024).toFixed(1)} (${(row.rssMaxKb / 1024).toFixed(1)}) |`,
  );
}

/** Compares the second half of the run with the first: RSS growth and p99 drift. */
function printVerdict(rows: Minute[]): void {
  if (rows.length < 2) return;
  const half = Math.floor(rows.length / 2);
  const maxRss = (list: Minute[]) => Math.max(...list.map((r) => r.rssMaxKb));
  const meanP99 = (list: Minute[]) => list.reduce((n, r) => n + r.p99, 0) / list.length;
  const rssGrowth = maxRss(rows.slice(half)) / maxRss(rows.slice(0, half)) - 1;
  const p99Drift = meanP99(rows.slice(half)) / meanP99(rows.slice(0, half)) - 1;
  console.log(
    `\nRSS max, second half vs first: ${(rssGrowth * 100).toFixed(1)}%; ` +
      `mean p99, second half vs first: ${(p99Drift * 100).toFixed(1)}%`,
  );
  const lost = rows.reduce((n, r) => n + r.lost, 0);
  const servfail = rows.reduce((n, r) => n + (r.rcodes.SERVFAIL ?? 0), 0);
  console.log(`lost ${lost}, SERVFAIL ${servfail} over ${rows.length} min`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
