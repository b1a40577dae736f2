/**
 * The chaos run: clusterdns serves a cluster from the test Kubernetes API server and forwards
 * other names to dnsmasq, under steady load from dnsperf plus a recorder that judges every
 * query. Faults are injected one after another: the API watch cut and restored, the API
 * answering 410 Gone and 5xx, the upstream going silent and coming back, and a good and a bad
 * Corefile reload. For each phase it reports every query's outcome (right, SERVFAIL, wrong,
 * unanswered), the worst latency, and the recovery time.
 *
 *   npx tsc -p . && node dist/bench/chaos/run.js
 */
import fs from 'node:fs';
import path from 'node:path';
import { runDnsperf, type DnsperfResult } from '../lib/dnsperf.js';
import { ClusterDnsProcess } from '../../test/helpers/clusterdns-process.js';
import { namespace, service } from '../../test/kube-api/fixtures.js';
import { TestApiServer } from '../../test/kube-api/server.js';
import { Dnsmasq } from '../../test/upstreams/dnsmasq.js';
import { buildQuery } from '../../test/conformance/query-builder.js';
import { udpExchange } from '../../test/conformance/wire-client.js';
import { QueryRecorder, summarize, type Probe, type QueryRecord } from './query-recorder.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';

const WEB = 'web.shop.svc.cluster.local';
const EXT = 'www.ext.test';
/** forward's deadline for one query is 2 s (CoreDNS's default); 1 s of slack for scheduling. */
const UNANSWERED_AFTER_MS = 3000;

const PROBES: readonly Probe[] = [
  { name: WEB, type: 1, expect: 'NOERROR 10.96.0.20' },
  { name: 'nosuch.shop.svc.cluster.local', type: 1, expect: 'NXDOMAIN' },
  { name: EXT, type: 1, expect: 'NOERROR 192.0.2.1' },
];

interface PhaseReport {
  phase: string;
  queries: number;
  ok: number;
  servfail: number;
  wrong: number;
  unanswered: number;
  maxLatencyMs: number;
  /** null: never recovered within 20 s; undefined: nothing to recover from. */
  recoveryMs: number | null | undefined;
  note: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `name` every 20 ms until it answers `expect`; the time that took, or null after 20 s. */
async function timeUntil(port: number, name: string, expect: string): Promise<number | null> {
  const started = Date.now();
  while (Date.now() - started < 20_000) {
    const reply = await udpExchange(port, buildQuery({ name }), 500);
    if (reply && summarize(reply) === expect) return Date.now() - started;
    await sleep(20);
  }
  return null;
}

function corefile(kubeconfig: string, upstream: number, ttl: number): string {
  return [
    'cluster.local:0 {',
    '    kubernetes cluster.local {',
    `        kubeconfig ${kubeconfig}`,
    `        ttl ${ttl}`,
    '    }',
    '}',
    '.:0 {',
    `    forward . 127.0.0.1:${upstream}`,
    '}',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const dir = makeTempDir('clusterdns-chaos-');
  const api = await TestApiServer.start({ bookmarkIntervalMs: 1000 });
  api.load('namespaces', [namespace('shop')]);
  api.load('services', [service('shop', 'web', { clusterIP: '10.96.0.20' })]);
  const upstream = await Dnsmasq.start(['--address=/ext.test/192.0.2.1']);
  const conf = path.join(dir, 'Corefile');
  const kubeconfig = api.kubeconfig(dir);
  fs.writeFileSync(conf, corefile(kubeconfig, upstream.port, 5));
  const proc = await ClusterDnsProcess.serve(['--conf', conf, '--listen', '127.0.0.1:0']);
  await proc.waitFor((l) => l.msg === 'kubernetes synced', 15_000);
  const port = proc.port;

  const queryFile = path.join(dir, 'queries.txt');
  fs.writeFileSync(queryFile, `${WEB} A\nnosuch.shop.svc.cluster.local A\n${EXT} A\n`);
  const steady = runDnsperf({ port, queryFile, seconds: 75, rate: 1000, clients: 4, cpu: 1 });
  const recorder = new QueryRecorder(port, PROBES, 150, UNANSWERED_AFTER_MS);
  recorder.start();
  const recoveries = new Map<string, { ms: number | null | undefined; note: string }>();
  const phase = async (
    name: string,
    act: () => Promise<{ ms: number | null | undefined; note: string }>,
  ): Promise<void> => {
    recorder.phase = name;
    recoveries.set(name, await act());
    await sleep(3000);
  };

  await phase('baseline', async () => {
    await sleep(3000);
    return { ms: undefined, note: 'no fault' };
  });
  await phase('watch cut', async () => {
    await api.stop();
    api.put('services', service('shop', 'cut', { clusterIP: '10.96.1.1' }));
    await sleep(5000);
    await api.restart();
    const ms = await timeUntil(port, 'cut.shop.svc.cluster.local', 'NOERROR 10.96.1.1');
    return { ms, note: 'API down 5 s; a Service added meanwhile; time from restart to its answer' };
  });
  await phase('api 410', async () => {
    api.expireWatches();
    api.put('services', service('shop', 'gone', { clusterIP: '10.96.1.2' }));
    const ms = await timeUntil(port, 'gone.shop.svc.cluster.local', 'NOERROR 10.96.1.2');
    return { ms, note: 'every watch got 410 Gone (history compacted); time to a new Service' };
  });
  await phase('api 5xx', async () => {
    api.failNext(500, 3);
    api.failNext(503, 3);
    api.dropWatches();
    api.put('services', service('shop', 'fivexx', { clusterIP: '10.96.1.3' }));
    const ms = await timeUntil(port, 'fivexx.shop.svc.cluster.local', 'NOERROR 10.96.1.3');
    return { ms, note: 'watches dropped, next 6 requests 500/503; time to a new Service' };
  });
  await phase('upstream silent', async () => {
    process.kill(upstream.pid ?? 0, 'SIGSTOP');
    await sleep(5000);
    process.kill(upstream.pid ?? 0, 'SIGCONT');
    const ms = await timeUntil(port, 'again.ext.test', 'NOERROR 192.0.2.1');
    return { ms, note: 'dnsmasq stopped (SIGSTOP) 5 s; time from SIGCONT to a forwarded answer' };
  });
  await phase('reload good', async () => {
    fs.writeFileSync(conf, corefile(kubeconfig, upstream.port, 7));
    const started = Date.now();
    proc.child.kill('SIGHUP');
    await proc.waitFor((l) => l.msg === 'config reloaded', 10_000);
    return { ms: Date.now() - started, note: 'ttl 5 -> 7, SIGHUP; time to "config reloaded"' };
  });
  await phase('reload bad', async () => {
    fs.writeFileSync(conf, 'cluster.local:0 {\n    kubernetes cluster.local {\n');
    proc.child.kill('SIGHUP');
    await proc.waitFor(
      (l) => typeof l.msg === 'string' && l.msg.startsWith('reload failed'),
      10_000,
    );
    await sleep(2000);
    fs.writeFileSync(conf, corefile(kubeconfig, upstream.port, 7));
    return {
      ms: undefined,
      note: 'unterminated block, SIGHUP: reload refused, old config kept serving',
    };
  });

  await recorder.stop();
  const load = await steady;
  const reports = [...recoveries.keys()].map((name) =>
    report(
      name,
      recorder.records.filter((r) => r.phase === name),
      recoveries.get(name)!,
    ),
  );
  await proc.stop();
  await upstream.stop();
  await api.close();
  fs.rmSync(dir, { recursive: true, force: true });
  print(reports, load);
}

function report(
  phase: string,
  records: QueryRecord[],
  recovery: { ms: number | null | undefined; note: string },
): PhaseReport {
  const count = (outcome: string) => records.filter((r) => r.outcome === outcome).length;
  const wrong = records.filter((r) => r.outcome === 'wrong');
  return {
    phase,
    queries: records.length,
    ok: count('ok'),
    servfail: count('servfail'),
    wrong: wrong.length,
    unanswered: count('unanswered'),
    maxLatencyMs: Math.max(
      0,
      ...records.filter((r) => r.outcome !== 'unanswered').map((r) => r.latencyMs),
    ),
    recoveryMs: recovery.ms,
    note:
      recovery.note +
      (wrong.length
        ? `; wrong: ${wrong
            .slice(0, 3)
            .map((w) => `${w.name}=${w.got}`)
            .join(' ')}`
        : ''),
  };
}

function print(reports: PhaseReport[], load: DnsperfResult): void {
  console.log(
    '| phase | queries | right | SERVFAIL | wrong | unanswered (>3 s) | max latency ms | recovery ms | what |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of reports) {
    console.log(
      `| ${r.phase} | ${r.queries} | ${r.ok} | ${r.servfail} | ${r.wrong} | ${r.unanswered} | ` +
        `${r.maxLatencyMs} | ${recoveryText(r.recoveryMs)} | ${r.note} |`,
    );
  }
  console.log(
    `\ndnsperf steady load: ${load.command}\n` +
      `sent ${load.sent}, completed ${load.completed}, lost ${load.lost}, ${load.qps.toFixed(0)} qps, ` +
      `avg ${load.avgMs.toFixed(2)} ms, max ${load.maxMs.toFixed(1)} ms, rcodes ${JSON.stringify(load.rcodes)}`,
  );
  const bad = reports.reduce((n, r) => n + r.wrong + r.unanswered, 0);
  if (bad > 0) process.exitCode = 1;
}

function recoveryText(ms: number | null | undefined): string {
  if (ms === undefined) return '-';
  return ms === null ? 'not within 20 s' : String(ms);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
