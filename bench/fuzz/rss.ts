/** Resident memory of a process, from /proc/PID/status (Linux). */
import { readFileSync } from 'node:fs';

/** VmRSS of `pid` in KiB; throws when the process is gone. */
export function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}
