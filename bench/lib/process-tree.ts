/**
 * A process and its descendants (a `--workers` primary and its workers): their pids, resident
 * memory and CPU time, read from /proc and `ps`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { processCpuSeconds } from './process-cpu.js';

/** `pid` followed by all its descendants. */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    out.push(...childrenOf(out[i]));
  }
  return out;
}

function childrenOf(pid: number): number[] {
  try {
    const text = execFileSync('ps', ['--ppid', String(pid), '-o', 'pid='], { encoding: 'utf8' });
    return text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(Number);
  } catch {
    // ps exits 1 when there are no children.
    return [];
  }
}

/** Resident memory of one process in MiB (VmRSS), 0 if it is gone. */
export function residentMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** CPU seconds used by all of `pids` so far. */
export function treeCpuSeconds(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
}
