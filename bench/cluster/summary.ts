/**
 * Turns the runs into the figures quoted: per-server medians and the ratios issue 7 sets
 * targets for, each computed within this one run (absolute rates vary by ±25% between runs).
 */
import { median } from '../lib/stats.js';
import type { CapacityRun, LatencyRun } from './measure.js';

export interface ServerSummary {
  readonly server: string;
  readonly runs: number;
  readonly medianQps: number;
  readonly minQps: number;
  readonly maxQps: number;
  readonly medianAvgMs: number;
  /** Median server CPU per answered query, microseconds. */
  readonly medianCpuUs: number;
  /** Median share of one CPU the server used during its runs. */
  readonly medianBusy: number;
  readonly lost: number;
  readonly latency: LatencyRun | undefined;
}

export interface Ratio {
  readonly label: string;
  /** Ratio of the two median rates. */
  readonly value: number;
  /**
   * The same ratio of queries per CPU-second (inverse CPU per query): what the rates would
   * compare as if each server had had its CPU to itself.
   */
  readonly byCpu: number;
  /** Lowest and highest ratio of the two servers within one round. */
  readonly roundMin: number;
  readonly roundMax: number;
  /** The target from issue 7, for the table; undefined when none. */
  readonly target: number | undefined;
}

/** Per-server medians, in the order the servers first appear in `runs`. */
export function summarize(runs: readonly CapacityRun[], latency: readonly LatencyRun[]) {
  const names = [...new Set(runs.map((r) => r.server))];
  return names.map((server): ServerSummary => {
    const mine = runs.filter((r) => r.server === server);
    const results = mine.map((r) => r.result);
    const qps = results.map((r) => r.qps);
    return {
      server,
      runs: mine.length,
      medianQps: median(qps),
      minQps: Math.min(...qps),
      maxQps: Math.max(...qps),
      medianAvgMs: median(results.map((r) => r.avgMs)),
      medianCpuUs: median(mine.map((r) => r.cpuUsPerQuery)),
      medianBusy: median(mine.map((r) => r.serverBusy)),
      lost: results.reduce((sum, r) => sum + r.lost, 0),
      latency: latency.find((l) => l.server === server),
    };
  });
}

const RATIOS: readonly { a: string; b: string; label: string; target?: number }[] = [
  { a: 'clusterdns', b: 'node-ceiling', label: 'clusterdns / Node ceiling', target: 0.9 },
  { a: 'clusterdns', b: 'dnsmasq', label: 'clusterdns / dnsmasq', target: 3 },
  { a: 'clusterdns', b: 'knot', label: 'clusterdns / Knot (1 worker)' },
  { a: 'clusterdns', b: 'clusterdns-dgram', label: 'batch UDP / node:dgram (clusterdns)' },
  { a: 'clusterdns-cache', b: 'clusterdns', label: 'cached external / cluster names', target: 0.8 },
];

/** The ratios whose two servers were both measured. */
export function ratios(runs: readonly CapacityRun[]): Ratio[] {
  const out: Ratio[] = [];
  for (const { a, b, label, target } of RATIOS) {
    const qpsOf = (server: string) => runs.filter((r) => r.server === server);
    const runsA = qpsOf(a);
    const runsB = qpsOf(b);
    if (runsA.length === 0 || runsB.length === 0) continue;
    const perRound = runsA.flatMap((ra) => {
      const rb = runsB.find((r) => r.round === ra.round);
      return rb === undefined ? [] : [ra.result.qps / rb.result.qps];
    });
    const value = median(runsA.map((r) => r.result.qps)) / median(runsB.map((r) => r.result.qps));
    const cpuOf = (list: CapacityRun[]): number => median(list.map((r) => r.cpuUsPerQuery));
    const byCpu = cpuOf(runsB) / cpuOf(runsA);
    out.push({
      label,
      value,
      byCpu,
      roundMin: Math.min(...perRound),
      roundMax: Math.max(...perRound),
      target,
    });
  }
  return out;
}
