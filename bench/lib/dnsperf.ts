/**
 * Runs dnsperf pinned to one CPU and reads its summary: rate, latency, losses and rcodes. In
 * verbose mode (`-v`) it also collects every query's latency.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { makeTempDir } from '../../test/helpers/temp-dir.js';

export interface DnsperfOptions {
  readonly port: number;
  readonly queryFile: string;
  /** `-l`: seconds to run; omit to run through the file `runs` times. */
  readonly seconds?: number;
  /** `-n`: passes through the file. */
  readonly runs?: number;
  /** `-Q`: queries per second limit. */
  readonly rate?: number;
  /** `-v`: collect each query's latency. */
  readonly perQuery?: boolean;
  /** CPU or taskset CPU list for dnsperf (default 0). */
  readonly cpu?: number | string;
  readonly clients?: number;
  /** `-T`: client threads (default 1). */
  readonly threads?: number;
  readonly outstanding?: number;
}

export interface DnsperfResult {
  readonly sent: number;
  readonly completed: number;
  readonly lost: number;
  readonly qps: number;
  /** Latencies in milliseconds. */
  readonly avgMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly stddevMs: number;
  readonly rcodes: Readonly<Record<string, number>>;
  /** Per-query latencies in microseconds, only with `perQuery`. */
  readonly latenciesUs: Float64Array;
  readonly command: string;
}

/** The dnsperf argument list for `options` (the client side of every measurement). */
export function dnsperfArgs(options: DnsperfOptions): string[] {
  const args = ['-s', '127.0.0.1', '-p', String(options.port), '-d', options.queryFile];
  if (options.seconds !== undefined) args.push('-l', String(options.seconds));
  if (options.runs !== undefined) args.push('-n', String(options.runs));
  const clients = String(options.clients ?? 4);
  const threads = String(options.threads ?? 1);
  args.push('-c', clients, '-T', threads, '-q', String(options.outstanding ?? 100));
  if (options.rate !== undefined) args.push('-Q', String(Math.round(options.rate)));
  if (options.perQuery) args.push('-v');
  return args;
}

/**
 * Runs dnsperf to completion; rejects if it fails or prints no summary. Output goes to a file
 * first, so that reading hundreds of thousands of verbose lines never competes with the run.
 */
export async function runDnsperf(options: DnsperfOptions): Promise<DnsperfResult> {
  const cpu = String(options.cpu ?? 0);
  const args = dnsperfArgs(options);
  const dir = makeTempDir('dnsperf-');
  const outFile = path.join(dir, 'out.txt');
  const out = await open(outFile, 'w');
  const command = `taskset -c ${cpu} dnsperf ${args.join(' ')}`;
  try {
    const child = spawn('taskset', ['-c', cpu, 'dnsperf', ...args], {
      stdio: ['ignore', out.fd, 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    await out.close();
    const { summary, latenciesUs } = await readOutput(outFile);
    try {
      return { ...parseSummary(summary), latenciesUs, command };
    } catch (err) {
      throw new Error(`dnsperf exited ${code}: ${stderr}`, { cause: err });
    }
  } finally {
    await out.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Splits dnsperf's output into the summary text and the per-query latencies (µs). */
async function readOutput(file: string): Promise<{ summary: string; latenciesUs: Float64Array }> {
  const summary: string[] = [];
  let latencies: Float64Array = new Float64Array(1 << 16);
  let count = 0;
  const lines = createInterface({ input: createReadStream(file) });
  for await (const line of lines) {
    const latency = line.startsWith('> ') ? perQueryLatencyUs(line) : undefined;
    if (latency === undefined) {
      summary.push(line);
      continue;
    }
    if (count === latencies.length) latencies = grow(latencies);
    latencies[count++] = latency;
  }
  return { summary: summary.join('\n'), latenciesUs: latencies.subarray(0, count) };
}

/** `> NOERROR name A 0.000123` -> 123 (µs); undefined for other `>` lines (e.g. timeouts). */
function perQueryLatencyUs(line: string): number | undefined {
  const seconds = Number(line.slice(line.lastIndexOf(' ') + 1));
  return Number.isFinite(seconds) && line.split(' ').length >= 5 ? seconds * 1e6 : undefined;
}

function grow(values: Float64Array): Float64Array {
  const bigger = new Float64Array(values.length * 2);
  bigger.set(values);
  return bigger;
}

type Summary = Omit<DnsperfResult, 'latenciesUs' | 'command'>;

/** Reads dnsperf 2.x's "Statistics" block. */
export function parseSummary(text: string): Summary {
  const field = (pattern: RegExp): RegExpMatchArray => {
    const match = text.match(pattern);
    if (match === null) throw new Error(`dnsperf output lacks ${pattern.source}`);
    return match;
  };
  const latency = field(/Average Latency \(s\):\s+([\d.]+) \(min ([\d.]+), max ([\d.]+)\)/);
  const rcodes: Record<string, number> = {};
  const rcodeLine = text.match(/Response codes:\s+(.*)/)?.[1] ?? '';
  for (const m of rcodeLine.matchAll(/([A-Z]+) (\d+)/g)) rcodes[m[1]] = Number(m[2]);
  return {
    sent: Number(field(/Queries sent:\s+(\d+)/)[1]),
    completed: Number(field(/Queries completed:\s+(\d+)/)[1]),
    lost: Number(field(/Queries lost:\s+(\d+)/)[1]),
    qps: Number(field(/Queries per second:\s+([\d.]+)/)[1]),
    avgMs: Number(latency[1]) * 1000,
    minMs: Number(latency[2]) * 1000,
    maxMs: Number(latency[3]) * 1000,
    stddevMs: Number(field(/Latency StdDev \(s\):\s+([\d.]+)/)[1]) * 1000,
    rcodes,
  };
}
