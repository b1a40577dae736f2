/**
 * The Markdown block that records a benchmark result: machine, command, method, the medians
 * table and the ratios table. Written into docs/performance.md and bench/README.md between
 * marker comments, and printed at the end of a run.
 */
import type { CpuPauses } from '../lib/cpu-pauses.js';
import type { MachineInfo } from '../lib/machine-info.js';
import type { CheckResult } from '../lib/verify-answers.js';
import type { Ratio, ServerSummary } from './summary.js';

export interface ReportInput {
  readonly machine: MachineInfo;
  readonly command: string;
  readonly dnsperfCommand: string;
  readonly rounds: number;
  readonly seconds: number;
  readonly latencySeconds: number;
  readonly startSeconds: number;
  readonly summaries: readonly ServerSummary[];
  readonly ratios: readonly Ratio[];
  readonly verification: ReadonlyMap<string, readonly CheckResult[]>;
  /** Pauses a busy loop saw on the server CPU just before the runs. */
  readonly pauses: CpuPauses;
  /** Relative link to the chart, or '' for none. */
  readonly chart: string;
}

export const BEGIN_MARKER = '<!-- bench-results:begin -->';
export const END_MARKER = '<!-- bench-results:end -->';

/** The whole results block (without the markers). */
export function renderReport(input: ReportInput): string {
  const m = input.machine;
  const lines = [
    `Measured ${m.date.slice(0, 16).replace('T', ' ')} UTC on ${m.cpus} CPUs (${m.cpuModel}),`,
    `${m.kernel}, Node.js ${m.node}, dnsperf ${m.dnsperf}, Knot ${m.knot}, dnsmasq ${m.dnsmasq}.`,
    '',
    `Command: \`${input.command}\``,
    '',
    `Each server pinned to CPU 1, dnsperf to CPU 0; ${input.rounds} interleaved rounds of ` +
      `${input.seconds} s, every run on a freshly started server. Client:`,
    `\`${input.dnsperfCommand}\`. Latency percentiles: ${input.rounds} interleaved rounds per ` +
      `server at half its median QPS (\`-Q\`), every query timed (\`-v\`): on a freshly started ` +
      `server, ${input.startSeconds} s of that load timed on their own (the first seconds of a ` +
      `new replica), then the measured ${input.latencySeconds} s; median of each percentile ` +
      'over the rounds (p99 of each round in brackets).',
    '',
    pausesLine(input.pauses),
    '',
  ];
  if (input.chart !== '') lines.push(`![QPS and latency per server](${input.chart})`, '');
  lines.push(...medianTable(input.summaries, input.startSeconds), '');
  lines.push(...ratioTable(input.ratios), '', ...latencyVerdict(input.summaries), '');
  lines.push(...verificationLines(input.verification));
  return lines.join('\n');
}

function pausesLine(p: CpuPauses): string {
  return (
    `Before the runs, a busy loop on the server CPU was paused ${p.pausesOver1ms} times for ` +
    `more than 1 ms in ${p.seconds} s (longest ${p.longestMs.toFixed(1)} ms, ` +
    `${(p.lostShare * 100).toFixed(1)}% of the time lost in pauses over 0.2 ms): other work on ` +
    'the machine, which every server of the run shares.'
  );
}

/** The latency target of the speed issue (p99 under 1 ms at half capacity), per clusterdns. */
function latencyVerdict(summaries: readonly ServerSummary[]): string[] {
  const lines: string[] = [];
  for (const s of summaries) {
    if (!s.server.startsWith('clusterdns') || s.latency === undefined) continue;
    const p99 = s.latency.p99Ms;
    const verdict = p99 < LATENCY_TARGET_MS ? 'met' : 'not met';
    lines.push(
      `- ${s.server}: p99 at half load ${ms(p99)} ms (target < ${LATENCY_TARGET_MS} ms: ` +
        `${verdict}); in the first seconds after start ${ms(s.latency.startP99Ms)} ms.`,
    );
  }
  return lines.length === 0 ? [] : ['Latency at half load:', '', ...lines];
}

const LATENCY_TARGET_MS = 1;

function medianTable(summaries: readonly ServerSummary[], startSeconds: number): string[] {
  const rows = summaries.map((s) => {
    const l = s.latency;
    const rounds = l === undefined ? '' : ` (${l.p99RoundsMs.map(ms).join(', ')})`;
    const half =
      l === undefined ? '-' : `${ms(l.p50Ms)} / ${ms(l.p99Ms)}${rounds} / ${ms(l.p999Ms)}`;
    const rate = l === undefined ? '-' : String(l.rate);
    const start =
      l === undefined ? '-' : `${ms(l.startP99Ms)} (${l.startP99RoundsMs.map(ms).join(', ')})`;
    return (
      `| ${s.server} | ${qps(s.medianQps)} | ${qps(s.minQps)}-${qps(s.maxQps)} | ` +
      `${s.medianCpuUs.toFixed(1)} | ${qps(1e6 / s.medianCpuUs)} | ` +
      `${(s.medianBusy * 100).toFixed(0)}% | ` +
      `${ms(s.medianAvgMs)} | ${rate} | ${half} | ${start} | ${s.lost} |`
    );
  });
  return [
    '| server | median QPS | range | CPU µs/query | queries per CPU-second | server CPU use | ' +
      'avg latency, full load (ms) | half-load rate (QPS) | ' +
      `p50 / p99 / p99.9 at half load (ms) | p99 in the first ${startSeconds} s (ms) | lost |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ];
}

function ratioTable(ratios: readonly Ratio[]): string[] {
  const rows = ratios.map((r) => {
    const target = r.target === undefined ? '-' : `≥ ${r.target}`;
    const verdict = r.target === undefined ? '' : r.value >= r.target ? ' (met)' : ' (not met)';
    const range = `${r.roundMin.toFixed(2)}-${r.roundMax.toFixed(2)}`;
    const cpuVerdict = r.target === undefined ? '' : r.byCpu >= r.target ? ' (met)' : ' (not met)';
    return (
      `| ${r.label} | ${r.value.toFixed(2)}${verdict} | ${range} | ` +
      `${r.byCpu.toFixed(2)}${cpuVerdict} | ${target} |`
    );
  });
  return [
    '| ratio | of median QPS | QPS, per round | of queries per CPU-second | target |',
    '|---|---:|---:|---:|---:|',
    ...rows,
  ];
}

function verificationLines(verification: ReadonlyMap<string, readonly CheckResult[]>): string[] {
  if (verification.size === 0) return ['Answers were not verified in this run.', ''];
  const lines = ['Answer check before measuring (dig, sample queries of each kind):', ''];
  for (const [server, checks] of verification) {
    const failed = checks.filter((c) => !c.ok);
    const status =
      failed.length === 0
        ? `all ${checks.length} checks pass`
        : `${failed.length} of ${checks.length} checks differ: ` +
          failed.map((c) => `${c.check} (${c.detail})`).join('; ');
    lines.push(`- ${server}: ${status}`);
  }
  lines.push('');
  return lines;
}

function qps(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function ms(value: number): string {
  return Number.isFinite(value) ? value.toFixed(3) : '-';
}

/** `text` with the block between the markers replaced by `block`; throws if markers lack. */
export function replaceBlock(text: string, block: string): string {
  const begin = text.indexOf(BEGIN_MARKER);
  const end = text.indexOf(END_MARKER);
  if (begin < 0 || end < begin) {
    throw new Error(`markers ${BEGIN_MARKER} ... ${END_MARKER} missing`);
  }
  return `${text.slice(0, begin + BEGIN_MARKER.length)}\n${block}\n${text.slice(end)}`;
}
