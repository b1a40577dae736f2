/**
 * The facts about the machine a benchmark result depends on: cores, CPU model, kernel and
 * Node.js version, and the versions of the reference servers.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly kernel: string;
  readonly node: string;
  readonly dnsperf: string;
  readonly knot: string;
  readonly dnsmasq: string;
  readonly date: string;
}

/** Reads the machine's description; a tool that cannot be asked shows as 'unknown'. */
export function machineInfo(now: Date = new Date()): MachineInfo {
  const cpuinfo = safe(() => readFileSync('/proc/cpuinfo', 'utf8'));
  return {
    cpus: os.cpus().length,
    cpuModel: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? 'unknown',
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    dnsperf: firstMatch(['dnsperf', '-h'], /Version (\S+)/),
    knot: firstMatch(['knotd', '--version'], /version (\S+)/),
    dnsmasq: firstMatch(['dnsmasq', '--version'], /version (\S+)/),
    date: now.toISOString(),
  };
}

function firstMatch(command: readonly string[], pattern: RegExp): string {
  const output = safe(() => {
    const [file, ...args] = command;
    // dnsperf -h exits non-zero; its text is still what we want.
    try {
      return execFileSync(file, args, { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      return `${e.stdout ?? ''}${e.stderr ?? ''}`;
    }
  });
  return pattern.exec(output)?.[1] ?? 'unknown';
}

function safe(read: () => string): string {
  try {
    return read();
  } catch {
    return '';
  }
}
