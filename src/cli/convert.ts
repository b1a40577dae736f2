/**
 * `clusterdns convert kube-dns CONFIGMAP.yaml`: prints the Corefile equivalent to a kube-dns
 * ConfigMap (stubDomains, upstreamNameservers). Reading and printing only; the translation is
 * src/config/kube-dns-convert.ts.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { convertKubeDnsConfigMap } from '../config/kube-dns-convert.js';

interface Output {
  write(text: string): unknown;
}

export function register(program: Command): void {
  program
    .command('convert')
    .description("print a Corefile equivalent to another DNS server's configuration")
    .argument('<from>', "the configuration's kind: kube-dns")
    .argument('<file>', 'the kube-dns ConfigMap (YAML)')
    .option('--cluster-domain <domain>', 'the cluster domain', 'cluster.local')
    .action((from: string, file: string, flags: { clusterDomain: string }) => {
      process.exitCode = runConvert(
        from,
        file,
        flags.clusterDomain,
        process.stdout,
        process.stderr,
      );
    });
}

/**
 * Runs the command; returns the exit code (0, or 1 with the reason on stderr). Ignored settings
 * are reported on stderr as `warning: ...` lines and do not change the exit code.
 */
export function runConvert(
  from: string,
  file: string,
  clusterDomain: string,
  stdout: Output,
  stderr: Output,
): number {
  if (from !== 'kube-dns') {
    stderr.write(`clusterdns convert: unknown source "${from}" (supported: kube-dns)\n`);
    return 1;
  }
  try {
    const text = readFileSync(file, 'utf8');
    const domain = clusterDomain.toLowerCase().replace(/\.$/, '');
    const warn = (message: string) => stderr.write(`warning: ${message}\n`);
    stdout.write(convertKubeDnsConfigMap(text, file, { clusterDomain: domain, warn }));
    return 0;
  } catch (err) {
    stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
}
