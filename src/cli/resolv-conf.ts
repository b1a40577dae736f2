/**
 * `clusterdns resolv-conf`: prints the /etc/resolv.conf the kubelet would give a pod.
 * Flag parsing and file reading only; the rules live in src/resolv/.
 */
import type { Command } from 'commander';
import { renderResolvConf } from '../resolv/dns-config.js';
import { formPodResolvFromFiles, type PodResolvFlags } from './pod-resolv-input.js';

export function register(program: Command): void {
  program
    .command('resolv-conf')
    .description('print the /etc/resolv.conf the kubelet would write for a pod')
    .requiredOption('--pod <file>', 'Pod manifest (YAML)')
    .option('--cluster-dns <ips>', 'kubelet --cluster-dns, comma-separated', '10.96.0.10')
    .option('--cluster-domain <domain>', 'kubelet --cluster-domain', 'cluster.local')
    .option('--host-resolv <file>', "kubelet --resolv-conf ('' for none)", '/etc/resolv.conf')
    .action((flags: PodResolvFlags) => {
      process.exitCode = runResolvConf(flags, process.stdout, process.stderr);
    });
}

interface Output {
  write(text: string): unknown;
}

/** Runs the command; returns the exit code (0, or 1 with the reason on stderr). */
export function runResolvConf(flags: PodResolvFlags, stdout: Output, stderr: Output): number {
  try {
    const formed = formPodResolvFromFiles(flags);
    for (const warning of formed.warnings) stderr.write(`warning: ${warning}\n`);
    stdout.write(renderResolvConf(formed.config));
    return 0;
  } catch (err) {
    stderr.write(`clusterdns resolv-conf: ${(err as Error).message}\n`);
    return 1;
  }
}
