/**
 * Measures how often a CPU is taken away from a busy process: a loop on the server CPU reads
 * the clock as fast as it can, and every gap over a threshold is a pause (another process, the
 * hypervisor). Recorded with each result, because such pauses set a floor under every server's
 * p99 latency on a shared machine.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CpuPauses {
  readonly seconds: number;
  /** Gaps of more than 1 ms. */
  readonly pausesOver1ms: number;
  readonly longestMs: number;
  /** Share of the time spent in gaps of more than 0.2 ms. */
  readonly lostShare: number;
}

const THRESHOLD_MS = 0.2;

/** Busy-loops for `seconds` in this process and reports the gaps. */
export function measurePausesHere(seconds: number): CpuPauses {
  let last = performance.now();
  const end = last + seconds * 1000;
  let over1 = 0;
  let longest = 0;
  let lost = 0;
  for (;;) {
    const now = performance.now();
    if (now > end) break;
    const gap = now - last;
    last = now;
    if (gap <= THRESHOLD_MS) continue;
    lost += gap;
    if (gap > 1) over1++;
    if (gap > longest) longest = gap;
  }
  return { seconds, pausesOver1ms: over1, longestMs: longest, lostShare: lost / (seconds * 1000) };
}

/** Runs the busy loop in a child process pinned to `cpu`. */
export async function measurePauses(cpu: number, seconds: number): Promise<CpuPauses> {
  const main = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cpu-pauses-main.js');
  const args = ['-c', String(cpu), process.execPath, main, String(seconds)];
  const { stdout } = await run('taskset', args);
  return JSON.parse(stdout) as CpuPauses;
}
