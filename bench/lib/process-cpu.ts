/**
 * CPU time used by a process (all its threads, user plus system), from /proc. The benchmark
 * divides it by the queries answered: CPU per query holds steady when other work on the
 * machine takes CPU away from the server, where queries per second does not.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** Seconds of CPU `pid` has used so far. Throws if the process is gone. */
export function processCpuSeconds(pid: number): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may itself hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name (proc(5)).
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}
