/**
 * Issue 5's benchmark: external names through clusterdns's `cache` + `forward`, side by side
 * with dnsmasq configured as the same cache in front of the same upstream (knotd on loopback,
 * serving `example.net` with 1,000 names and a wildcard for misses).
 *
 * Two query files: `hit` asks the 1,000 names (warmed once before the run, so every measured
 * answer comes from the cache) and `miss` asks names never asked before (every answer is a
 * round trip to knotd). Each server is started fresh for each run, pinned to CPU 1; dnsperf
 * and knotd share CPU 0. Runs are interleaved (clusterdns, dnsmasq, clusterdns, ...) and the
 * medians compared, as /work/shared/bench/README.md describes.
 *
 *   node dist/bench/external/run.js [--rounds N] [--seconds S]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runDnsperf, type DnsperfResult } from '../lib/dnsperf.js';
import { waitForAnswer } from '../lib/dns-probe.js';
import { buildExternalDataset, EXTERNAL_ZONE } from '../lib/external-dataset.js';
import { freePort } from '../lib/free-port.js';
import { machineInfo } from '../lib/machine-info.js';
import { PinnedProcess } from '../lib/pinned-process.js';
import { renderKnotConf, renderKnotZone } from '../lib/render-knot.js';
import { CLUSTERDNS_CLI } from '../lib/servers.js';
import { median } from '../lib/stats.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';

const SERVER_CPU = 1;
const CLIENT_CPU = 0;
/** Unique miss names: more than any server answers in one run, so no name is asked twice. */
const MISS_NAMES = 1_500_000;
const PROBE = `host-0.site-0.${EXTERNAL_ZONE}`;

type Mode = 'hit' | 'miss';
type ServerName = 'clusterdns' | 'dnsmasq';

interface Files {
  readonly dir: string;
  readonly hit: string;
  readonly warmup: string;
  readonly miss: string;
}

interface Running {
  readonly port: number;
  stop(): Promise<void>;
}

function argValue(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

function writeFiles(dir: string): { files: Files; zoneText: string } {
  const dataset = buildExternalDataset();
  const hit = path.join(dir, 'hit.txt');
  const warmup = path.join(dir, 'warmup.txt');
  const miss = path.join(dir, 'miss.txt');
  fs.writeFileSync(hit, dataset.queries.join('\n') + '\n');
  fs.writeFileSync(warmup, dataset.records.a.map((r) => `${r.name} A`).join('\n') + '\n');
  const misses: string[] = [];
  for (let i = 0; i < MISS_NAMES; i++) misses.push(`m${i}.miss.${EXTERNAL_ZONE} A`);
  fs.writeFileSync(miss, misses.join('\n') + '\n');
  const zoneText = renderKnotZone(dataset.records) + `*.miss.${EXTERNAL_ZONE}. IN A 198.19.0.1\n`;
  return { files: { dir, hit, warmup, miss }, zoneText };
}

async function startKnot(dir: string, zoneText: string): Promise<Running> {
  const port = await freePort();
  const runDir = path.join(dir, 'knot');
  fs.mkdirSync(runDir, { recursive: true });
  const zoneFile = path.join(runDir, `${EXTERNAL_ZONE}.zone`);
  fs.writeFileSync(zoneFile, zoneText);
  const conf = path.join(runDir, 'knot.conf');
  fs.writeFileSync(conf, renderKnotConf({ port, runDir, zone: EXTERNAL_ZONE, zoneFile }));
  const proc = PinnedProcess.start('knot', CLIENT_CPU, 'knotd', ['-c', conf]);
  await waitForAnswer(port, PROBE);
  // knotd pins its UDP worker itself; put every thread on the client CPU.
  execFileSync('taskset', ['-a', '-p', '-c', String(CLIENT_CPU), String(proc.pid)], {
    stdio: 'ignore',
  });
  return { port, stop: () => proc.stop() };
}

async function startClusterdns(dir: string, upstream: number): Promise<Running> {
  const port = await freePort();
  const corefile = path.join(dir, 'Corefile');
  fs.writeFileSync(
    corefile,
    [
      `.:${port} {`,
      '    bind 127.0.0.1',
      '    cache 300',
      `    forward . 127.0.0.1:${upstream} {`,
      '        max_concurrent 1000',
      '    }',
      '}',
      '',
    ].join('\n'),
  );
  const proc = PinnedProcess.start('clusterdns', SERVER_CPU, process.execPath, [
    CLUSTERDNS_CLI,
    'serve',
    '--conf',
    corefile,
  ]);
  return ready(proc, port);
}

/** dnsmasq as the same cache: 9,984 entries, forwarding to the same upstream. */
async function startDnsmasq(upstream: number): Promise<Running> {
  const port = await freePort();
  const proc = PinnedProcess.start('dnsmasq', SERVER_CPU, 'dnsmasq', [
    '-k',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    `--server=127.0.0.1#${upstream}`,
    '--cache-size=9984',
    '--dns-forward-max=1000',
    `--port=${port}`,
    '--listen-address=127.0.0.1',
    '--bind-interfaces',
    '--pid-file=',
    '--user=root',
  ]);
  return ready(proc, port);
}

async function ready(proc: PinnedProcess, port: number): Promise<Running> {
  try {
    await waitForAnswer(port, PROBE);
  } catch (err) {
    await proc.stop();
    throw new Error(`${proc.label} did not answer: ${proc.tail()}`, { cause: err });
  }
  return { port, stop: () => proc.stop() };
}

async function measure(
  server: ServerName,
  mode: Mode,
  files: Files,
  upstream: number,
  seconds: number,
): Promise<DnsperfResult> {
  const running =
    server === 'clusterdns'
      ? await startClusterdns(files.dir, upstream)
      : await startDnsmasq(upstream);
  try {
    if (mode === 'hit')
      await runDnsperf({ port: running.port, queryFile: files.warmup, runs: 1, cpu: CLIENT_CPU });
    const result = await runDnsperf({
      port: running.port,
      queryFile: mode === 'hit' ? files.hit : files.miss,
      seconds,
      cpu: CLIENT_CPU,
    });
    if (mode === 'miss' && result.sent >= MISS_NAMES) {
      console.warn(`${server} miss run wrapped around the miss file: raise MISS_NAMES`);
    }
    return result;
  } finally {
    await running.stop();
  }
}

async function main(): Promise<void> {
  const rounds = argValue('--rounds', 3);
  const seconds = argValue('--seconds', 10);
  const dir = makeTempDir('bench-external-');
  const { files, zoneText } = writeFiles(dir);
  const knot = await startKnot(dir, zoneText);
  const results = new Map<string, DnsperfResult[]>();
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const mode of ['hit', 'miss'] as const) {
        for (const server of ['clusterdns', 'dnsmasq'] as const) {
          const result = await measure(server, mode, files, knot.port, seconds);
          const key = `${server}/${mode}`;
          results.set(key, [...(results.get(key) ?? []), result]);
          console.log(
            `round ${round} ${key}: ${result.qps.toFixed(0)} QPS, ` +
              `avg ${result.avgMs.toFixed(3)} ms, lost ${result.lost}, rcodes ${JSON.stringify(result.rcodes)}`,
          );
        }
      }
    }
  } finally {
    await knot.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  report(results, rounds, seconds);
}

function report(results: Map<string, DnsperfResult[]>, rounds: number, seconds: number): void {
  const qps = (key: string): number => median((results.get(key) ?? []).map((r) => r.qps));
  const info = machineInfo();
  console.log(`\nmachine: ${JSON.stringify(info)}`);
  console.log(
    `${rounds} interleaved rounds of ${seconds} s; server on CPU ${SERVER_CPU}, dnsperf and knotd on CPU ${CLIENT_CPU}\n`,
  );
  console.log('| queries | clusterdns QPS | dnsmasq QPS | ratio clusterdns/dnsmasq |');
  console.log('|---|---|---|---|');
  for (const mode of ['hit', 'miss'] as const) {
    const ours = qps(`clusterdns/${mode}`);
    const theirs = qps(`dnsmasq/${mode}`);
    console.log(
      `| ${mode === 'hit' ? 'cached (hit)' : 'uncached (miss)'} | ${ours.toFixed(0)} | ${theirs.toFixed(0)} | ${(ours / theirs).toFixed(2)} |`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
