/**
 * Scaling of `clusterdns serve --workers N`: for each N, a fresh server pinned to the given
 * server CPUs, dnsperf at full rate on the client CPUs, then QPS, CPU per query over all of
 * its processes, each worker's CPU seconds (how the kernel spread the load) and resident
 * memory of the primary and each worker.
 * Usage: `node dist/bench/cluster/workers.js [--counts 1,2] [--server-cpus 1] [--client-cpus 0]
 * [--threads 1] [--clients 4] [--rounds 3] [--seconds 10]`. With two CPUs, as here, every N
 * shares CPU 1, so the run shows the cost of sharing the port and the memory per worker, not a
 * speed-up. The server listens on a fixed free port, so workers use SO_REUSEPORT batch sockets,
 * which the kernel picks per client socket: `--clients` (dnsperf `-c`) is the number of flows.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Command } from 'commander';
import { runDnsperf } from '../lib/dnsperf.js';
import { processCpuSeconds } from '../lib/process-cpu.js';
import { processTree, residentMiB, treeCpuSeconds } from '../lib/process-tree.js';
import { clusterdnsWorkers, startServer, type StartContext } from '../lib/servers.js';
import { median } from '../lib/stats.js';
import { writeDataset } from '../lib/write-dataset.js';

interface Options {
  readonly counts: string;
  readonly serverCpus: string;
  readonly clientCpus: string;
  readonly threads: string;
  readonly clients: string;
  readonly rounds: string;
  readonly seconds: string;
  readonly workDir: string;
}

interface WorkersRun {
  readonly workers: number;
  readonly qps: number;
  readonly cpuUsPerQuery: number;
  readonly primaryMiB: number;
  readonly workerMiB: number[];
  /** CPU seconds each worker used during the run (the single process when N = 1). */
  readonly workerCpuSeconds: number[];
}

async function main(): Promise<void> {
  const options = new Command('workers')
    .option('--counts <list>', 'worker counts to compare', '1,2')
    .option('--server-cpus <list>', 'taskset CPU list for clusterdns', '1')
    .option('--client-cpus <list>', 'taskset CPU list of dnsperf and this harness', '0')
    .option('--threads <n>', 'dnsperf threads (-T)', '1')
    .option('--clients <n>', 'dnsperf client sockets (-c)', '4')
    .option('--rounds <n>', 'interleaved rounds', '3')
    .option('--seconds <n>', 'seconds per run', '10')
    .option('--work-dir <dir>', 'data and scratch files', '/tmp/clusterdns-bench')
    .parse(process.argv)
    .opts<Options>();
  const clientCpu = Number(options.clientCpus.split(/[-,]/)[0]);
  execFileSync('taskset', ['-p', '-c', options.clientCpus, String(process.pid)], {
    stdio: 'ignore',
  });
  const files = writeDataset(path.join(options.workDir, 'data'));
  const ctx: StartContext = {
    files,
    workDir: options.workDir,
    serverCpu: 1,
    clientCpu,
    nodeFlags: [],
  };
  const counts = options.counts.split(',').map(Number);
  const runs: WorkersRun[] = [];
  for (let round = 1; round <= Number(options.rounds); round++) {
    for (const n of counts) {
      const run = await measure(n, options, ctx);
      runs.push(run);
      const workers = run.workerMiB.map((m) => m.toFixed(0)).join('+');
      const cpu = run.workerCpuSeconds.map((c) => c.toFixed(2)).join('+');
      process.stdout.write(
        `round ${round} workers ${n}: ${Math.round(run.qps)} QPS, ` +
          `${run.cpuUsPerQuery.toFixed(1)} CPU µs/query, worker CPU ${cpu} s, RSS primary ` +
          `${run.primaryMiB.toFixed(0)} MiB, workers ${workers || '-'} MiB\n`,
      );
    }
  }
  process.stdout.write('\n' + table(counts, runs) + '\n');
}

async function measure(workers: number, options: Options, ctx: StartContext) {
  const server = clusterdnsWorkers(workers, options.serverCpus);
  const running = await startServer(server, ctx);
  try {
    const pids = processTree(running.pid);
    const cpuBefore = pids.map(processCpuSeconds);
    const result = await runDnsperf({
      port: running.port,
      queryFile: ctx.files.queries,
      seconds: Number(options.seconds),
      cpu: options.clientCpus,
      threads: Number(options.threads),
      clients: Number(options.clients),
    });
    const cpuUsPerQuery = ((treeCpuSeconds(pids) - sum(cpuBefore)) * 1e6) / result.completed;
    const cpuUsed = pids.map((pid, i) => processCpuSeconds(pid) - cpuBefore[i]);
    // With one worker there is no primary: the single process serves.
    const [primary, ...children] = pids.map(residentMiB);
    return {
      workers,
      qps: result.qps,
      cpuUsPerQuery,
      primaryMiB: primary,
      workerMiB: workers === 1 ? [primary] : children,
      workerCpuSeconds: workers === 1 ? cpuUsed : cpuUsed.slice(1),
    };
  } finally {
    await running.stop();
  }
}

function table(counts: readonly number[], runs: readonly WorkersRun[]): string {
  const rows = counts.map((n) => {
    const mine = runs.filter((r) => r.workers === n);
    const qps = median(mine.map((r) => r.qps));
    const cpu = median(mine.map((r) => r.cpuUsPerQuery));
    const perWorker = median(mine.flatMap((r) => r.workerMiB));
    const total = median(mine.map((r) => (n === 1 ? 0 : r.primaryMiB) + sum(r.workerMiB)));
    return (
      `| ${n} | ${Math.round(qps).toLocaleString('en-US')} | ${cpu.toFixed(1)} | ` +
      `${perWorker.toFixed(0)} | ${total.toFixed(0)} |`
    );
  });
  return [
    '| workers | median QPS | CPU µs/query (all processes) | RSS per worker (MiB) | ' +
      'RSS total (MiB) |',
    '|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

main().catch((err: unknown) => {
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`workers bench failed: ${text}\n`);
  process.exitCode = 1;
});
