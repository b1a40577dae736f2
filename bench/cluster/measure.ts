/**
 * The measurement loops: interleaved capacity rounds (every server once per round, each run
 * on a freshly started server), then interleaved latency rounds, every server at half its
 * median capacity, with the median of each percentile over the rounds.
 *
 * A latency round first runs the same load for a few seconds on the fresh server and only then
 * takes the measured run: the percentiles are those of a server that has been answering, as a
 * replica in a cluster has. The first seconds are timed too and reported on their own, since a
 * JIT-compiled server (clusterdns, the Node ceiling) is slower until its answer path is compiled
 * and its answer cache filled, and a new replica takes its share of queries from the start.
 */
import { runDnsperf, type DnsperfResult } from '../lib/dnsperf.js';
import { processCpuSeconds } from '../lib/process-cpu.js';
import { startServer, type ServerUnderTest, type StartContext } from '../lib/servers.js';
import { median, percentiles } from '../lib/stats.js';

export interface CapacityRun {
  readonly server: string;
  readonly round: number;
  readonly result: Omit<DnsperfResult, 'latenciesUs'>;
  /** Server CPU time (user + system, all threads) per answered query, microseconds. */
  readonly cpuUsPerQuery: number;
  /** Server CPU time over the run's wall time: near 1 when the server was the bottleneck. */
  readonly serverBusy: number;
}

export interface LatencyRun {
  readonly server: string;
  readonly rate: number;
  readonly achievedQps: number;
  readonly lost: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly avgMs: number;
  readonly samples: number;
  /** p99 of each latency round (the figures above are medians over the rounds). */
  readonly p99RoundsMs: readonly number[];
  /** p99 over the first `startSeconds` of load on the fresh server, median over the rounds. */
  readonly startP99Ms: number;
  readonly startP99RoundsMs: readonly number[];
}

type LatencyRound = Omit<LatencyRun, 'p99RoundsMs' | 'startP99RoundsMs'>;

export interface MeasureOptions {
  readonly rounds: number;
  readonly seconds: number;
  readonly latencySeconds: number;
  /** Seconds of the same load before the measured latency run (timed on their own). */
  readonly startSeconds: number;
  readonly log: (line: string) => void;
}

function queryFile(server: ServerUnderTest, ctx: StartContext): string {
  return server.queries === 'external' ? ctx.files.externalQueries : ctx.files.queries;
}

/** Runs `rounds` rounds of A B C ... with a fresh server for every run. */
export async function measureCapacity(
  servers: readonly ServerUnderTest[],
  ctx: StartContext,
  options: MeasureOptions,
): Promise<CapacityRun[]> {
  const runs: CapacityRun[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const server of servers) {
      const running = await startServer(server, ctx);
      try {
        const file = queryFile(server, ctx);
        const cpuBefore = processCpuSeconds(running.pid);
        const { latenciesUs: _, ...result } = await runDnsperf({
          port: running.port,
          queryFile: file,
          seconds: options.seconds,
          cpu: ctx.clientCpu,
        });
        const cpuSeconds = processCpuSeconds(running.pid) - cpuBefore;
        const cpuUsPerQuery = (cpuSeconds * 1e6) / result.completed;
        const serverBusy = cpuSeconds / options.seconds;
        runs.push({ server: server.name, round, result, cpuUsPerQuery, serverBusy });
        options.log(
          `round ${round} ${server.name.padEnd(17)} ${result.qps.toFixed(0).padStart(7)} QPS` +
            `  avg ${result.avgMs.toFixed(3)} ms  ${cpuUsPerQuery.toFixed(2)} CPU µs/query` +
            `  server CPU ${(serverBusy * 100).toFixed(0)}%  lost ${result.lost}`,
        );
      } finally {
        await running.stop();
      }
    }
  }
  return runs;
}

/**
 * For each server, per-query latencies at half of its median capacity from `runs`: `rounds`
 * interleaved rounds (A B C A B C ...), each on a freshly started server, because a single run
 * on a shared machine catches whatever pauses the machine had at that moment.
 */
export async function measureLatency(
  servers: readonly ServerUnderTest[],
  ctx: StartContext,
  runs: readonly CapacityRun[],
  options: MeasureOptions,
): Promise<LatencyRun[]> {
  const rates = new Map<string, number>();
  for (const server of servers) {
    const capacity = median(runs.filter((r) => r.server === server.name).map((r) => r.result.qps));
    if (capacity > 0) rates.set(server.name, Math.round(capacity / 2));
  }
  const rounds = new Map<string, LatencyRound[]>();
  for (let round = 1; round <= options.rounds; round++) {
    for (const server of servers) {
      const rate = rates.get(server.name);
      if (rate === undefined) continue;
      const run = await latencyRound(server, ctx, rate, options);
      rounds.set(server.name, [...(rounds.get(server.name) ?? []), run]);
      options.log(
        `latency round ${round} ${server.name.padEnd(17)} at ${rate} QPS: ` +
          `p50 ${run.p50Ms.toFixed(3)} ms  p99 ${run.p99Ms.toFixed(3)} ms  ` +
          `p99.9 ${run.p999Ms.toFixed(3)} ms  (first ${options.startSeconds} s: ` +
          `p99 ${run.startP99Ms.toFixed(3)} ms)`,
      );
    }
  }
  return [...rounds.values()].map((list) => ({
    ...list[0],
    achievedQps: median(list.map((r) => r.achievedQps)),
    lost: list.reduce((sum, r) => sum + r.lost, 0),
    p50Ms: median(list.map((r) => r.p50Ms)),
    p99Ms: median(list.map((r) => r.p99Ms)),
    p999Ms: median(list.map((r) => r.p999Ms)),
    avgMs: median(list.map((r) => r.avgMs)),
    samples: list.reduce((sum, r) => sum + r.samples, 0),
    p99RoundsMs: list.map((r) => r.p99Ms),
    startP99Ms: median(list.map((r) => r.startP99Ms)),
    startP99RoundsMs: list.map((r) => r.startP99Ms),
  }));
}

async function latencyRound(
  server: ServerUnderTest,
  ctx: StartContext,
  rate: number,
  options: MeasureOptions,
): Promise<LatencyRound> {
  const running = await startServer(server, ctx);
  try {
    const load = {
      port: running.port,
      queryFile: queryFile(server, ctx),
      rate,
      perQuery: true,
      cpu: ctx.clientCpu,
    };
    const start = await runDnsperf({ ...load, seconds: options.startSeconds });
    const [startP99] = percentiles(start.latenciesUs, [99]);
    const result = await runDnsperf({ ...load, seconds: options.latencySeconds });
    const [p50, p99, p999] = percentiles(result.latenciesUs, [50, 99, 99.9]);
    return {
      server: server.name,
      rate,
      achievedQps: result.qps,
      lost: result.lost,
      p50Ms: p50 / 1000,
      p99Ms: p99 / 1000,
      p999Ms: p999 / 1000,
      avgMs: result.avgMs,
      samples: result.latenciesUs.length,
      startP99Ms: startP99 / 1000,
    };
  } finally {
    await running.stop();
  }
}
