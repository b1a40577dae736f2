/**
 * Measures `serve --workers N` (a script, not a test): resident memory of the primary and of
 * each worker at a given data size, and dnsperf's rate against N = 1 and N = 2, interleaved.
 * Nothing is pinned: on a 2-core machine dnsperf needs a core too, so the figures show what
 * the machine as a whole gives, not what a second core gives. Method and figures:
 * docs/workers.md.
 *
 *   node dist/test/workers/measure-scaling.js [SERVICES=1000] [ROUNDS=3] [SECONDS=10] [THREADS=1]
 *
 * With ROUNDS=0 only memory is measured.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { DEFAULT_DATASET } from '../../bench/lib/dataset.js';
import { dnsperfArgs, parseSummary } from '../../bench/lib/dnsperf.js';
import { processCpuSeconds } from '../../bench/lib/process-cpu.js';
import { writeDataset, type DatasetFiles } from '../../bench/lib/write-dataset.js';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const [services = 1000, rounds = 3, seconds = 10, threads = 1] = process.argv
  .slice(2)
  .map(Number);

interface Running {
  readonly proc: ClusterDnsProcess;
  readonly port: number;
  readonly workerPids: number[];
}

function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kb) / 1024);
}

/** Proportional set size: shared pages (the node binary, libraries) split among sharers. */
function pssMb(pid: number): number {
  const kb = /Pss:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1];
  return Math.round(Number(kb) / 1024);
}

async function start(files: DatasetFiles, workers: number): Promise<Running> {
  const args = ['--state', files.stateFile, '--listen', '127.0.0.1:0', '--upstream', '127.0.0.1:9'];
  const proc = await ClusterDnsProcess.serve([...args, '--workers', String(workers)], {}, 120_000);
  const loaded = (l: { msg?: string }): boolean => l.msg === 'state loaded';
  while (proc.lines.filter(loaded).length < workers) await new Promise((r) => setTimeout(r, 50));
  const workerPids =
    workers === 1
      ? [proc.child.pid as number]
      : proc.lines.filter((l) => l.msg === 'worker serving').map((l) => l.pid as number);
  return { proc, port: proc.port, workerPids };
}

function memory(running: Running, workers: number): string {
  const pids = [running.proc.child.pid as number, ...(workers === 1 ? [] : running.workerPids)];
  const describe = (measure: (pid: number) => number): string => {
    const [primary, ...each] = pids.map(measure);
    if (workers === 1) return `${primary} MB`;
    const total = primary + each.reduce((a, b) => a + b, 0);
    return `primary ${primary} + workers ${each.join(' + ')} = ${total} MB`;
  };
  return `N=${workers}: RSS ${describe(rssMb)}; PSS ${describe(pssMb)}`;
}

async function dnsperf(port: number, queryFile: string): Promise<ReturnType<typeof parseSummary>> {
  const args = dnsperfArgs({ port, queryFile, seconds, clients: 4, outstanding: 100 });
  args[args.indexOf('-T') + 1] = String(threads);
  const child = spawn('dnsperf', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await new Promise((resolve) => child.once('close', resolve));
  return parseSummary(out);
}

async function measureRound(files: DatasetFiles, workers: number): Promise<void> {
  const running = await start(files, workers);
  const idle = memory(running, workers);
  const pids = [running.proc.child.pid as number, ...running.workerPids];
  const cpuBefore = pids.map(processCpuSeconds);
  const result = await dnsperf(running.port, files.queries);
  const cpu = pids.map((pid, i) => processCpuSeconds(pid) - cpuBefore[i]);
  const workerCpu = workers === 1 ? cpu.slice(0, 1) : cpu.slice(1);
  const total = workers === 1 ? cpu[0] : cpu.reduce((a, b) => a + b, 0);
  const perQueryUs = (total / result.completed) * 1e6;
  console.log(
    `N=${workers}: ${Math.round(result.qps)} QPS, lost ${result.lost}, ` +
      `avg ${result.avgMs.toFixed(2)} ms, worker CPU s ${workerCpu.map((s) => s.toFixed(1))}, ` +
      `primary CPU s ${workers === 1 ? '-' : cpu[0].toFixed(1)}, ` +
      `CPU per query ${perQueryUs.toFixed(1)} µs`,
  );
  console.log(`  idle: ${idle}`);
  console.log(`  after load: ${memory(running, workers)}`);
  await running.proc.stop();
}

async function main(): Promise<void> {
  const dir = makeTempDir('clusterdns-workers-');
  const perNamespace = 100;
  const files = writeDataset(dir, {
    ...DEFAULT_DATASET,
    namespaces: Math.max(1, Math.round(services / perNamespace)),
    servicesPerNamespace: perNamespace,
  });
  const load = os.loadavg()[0].toFixed(1);
  console.log(`${files.dataset.services.length} services, ${os.cpus().length} CPUs, load ${load}`);
  if (rounds === 0) {
    for (const workers of [1, 2]) {
      const running = await start(files, workers);
      console.log(memory(running, workers));
      await running.proc.stop();
    }
    return;
  }
  for (let round = 1; round <= rounds; round++) {
    for (const workers of [1, 2]) await measureRound(files, workers);
  }
}

await main();
