/**
 * Scale benchmark (a script, not a test): serves a generated cluster from the test API server,
 * starts the real `clusterdns serve` against it, and reports the time to the first full sync,
 * resident memory after sync (with and without a Pod watch), and the delay from an API update
 * to a changed DNS answer, at full size and at one tenth, beside CoreDNS's published formulas.
 *
 *   npx tsc -p . && node dist/bench/scale/run.js [--updates N] [--only tenth|full]
 *     [--node-options '--max-semi-space-size=2']
 *
 * RSS is read from /proc twice: 3 s after the sync, and 30 s after it (V8's memory reducer
 * returns the pages that parsing the lists left behind only once the process is idle).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Resolver } from 'node:dns/promises';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { ClusterDnsProcess } from '../../test/helpers/clusterdns-process.js';
import type { ClusterSize } from './cluster-data.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';

interface Result {
  readonly label: string;
  readonly size: ClusterSize;
  readonly pods: boolean;
  readonly syncMs: number;
  readonly sourceSyncMs: number;
  readonly rssMb: number;
  readonly settledMb: number;
  readonly peakMb: number;
  readonly p50: number;
  readonly p99: number;
}

const SIZES: Record<string, ClusterSize> = {
  tenth: { services: 1_000, endpoints: 10_000 },
  full: { services: 10_000, endpoints: 100_000 },
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const updates = Number(flag(args, '--updates') ?? '1000');
  const only = flag(args, '--only');
  const nodeOptions = flag(args, '--node-options');
  const env = nodeOptions ? { NODE_OPTIONS: nodeOptions } : {};
  const results: Result[] = [];
  for (const [label, size] of Object.entries(SIZES)) {
    if (only && only !== label) continue;
    for (const pods of [false, true]) {
      results.push(await measure(label, size, pods, updates, env));
    }
  }
  printTable(results, updates, nodeOptions ?? '');
}

async function measure(
  label: string,
  size: ClusterSize,
  pods: boolean,
  updates: number,
  env: NodeJS.ProcessEnv,
): Promise<Result> {
  const dir = makeTempDir('clusterdns-scale-');
  const api = new Worker(new URL('./api-worker.js', import.meta.url), {
    workerData: { size, dir },
  });
  const [ready] = (await once(api, 'message')) as [{ kubeconfig: string }];
  const corefile = path.join(dir, 'Corefile');
  fs.writeFileSync(corefile, [
    'cluster.local {',
    '  kubernetes cluster.local {',
    `    kubeconfig ${ready.kubeconfig}`,
    pods ? '    pods verified' : '',
    '  }',
    '}',
    '',
  ].join('\n'));
  const started = performance.now();
  const proc = await ClusterDnsProcess.serve(['--conf', corefile, '--listen', '127.0.0.1:0'], env);
  try {
    const synced = await proc.waitFor((l) => l.msg === 'kubernetes synced', 600_000);
    const syncMs = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const { rss } = memory(proc.child.pid ?? 0);
    await new Promise((resolve) => setTimeout(resolve, 27_000));
    const settled = memory(proc.child.pid ?? 0);
    const delays = await updateDelays(api, proc.port, updates);
    const result = {
      label,
      size,
      pods,
      syncMs,
      sourceSyncMs: Number(synced.durationMs),
      rssMb: rss,
      settledMb: settled.rss,
      peakMb: settled.peak,
      p50: percentile(delays, 0.5),
      p99: percentile(delays, 0.99),
    };
    console.error(JSON.stringify(result));
    return result;
  } finally {
    await proc.stop();
    api.postMessage({ op: 'close' });
    await once(api, 'message');
    await api.terminate();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Asks the API worker to change a ClusterIP Service's address, then polls DNS until the answer
 * shows it. The delay counts from the request to the worker, so it includes the worker's
 * message hop (~0.1 ms) and its writing of the watch event.
 */
async function updateDelays(api: Worker, port: number, updates: number): Promise<number[]> {
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  const delays: number[] = [];
  for (let n = 0; n < updates; n++) {
    const started = performance.now();
    api.postMessage({ op: 'update', n });
    const [{ fqdn, ip }] = (await once(api, 'message')) as [{ fqdn: string; ip: string }];
    for (;;) {
      const answer = await resolver.resolve4(fqdn).catch(() => []);
      if (answer.length === 1 && answer[0] === ip) break;
      if (performance.now() - started > 10_000) throw new Error(`${fqdn} never became ${ip}`);
    }
    delays.push(performance.now() - started);
  }
  return delays;
}

function memory(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** CoreDNS's published memory formulas (deployment: Scaling_CoreDNS.md), in MB. */
function coreDnsMb(size: ClusterSize, pods: boolean): number {
  const objects = size.endpoints + size.services; // one Pod per endpoint
  return pods ? objects / 250 + 56 : objects / 1000 + 54;
}

function printTable(results: readonly Result[], updates: number, nodeOptions: string): void {
  console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}, ` +
    `${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}; ${updates} updates; ` +
    `NODE_OPTIONS=${nodeOptions || '(none)'}`);
  console.log('| size | services / endpoints / pods | pods watched | first sync (s) | ' +
    'RSS 3 s / 30 s after sync (MB) | peak RSS (MB) | CoreDNS formula (MB) | ' +
    'update→answer p50 / p99 (ms) |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(`| ${r.label} | ${r.size.services} / ${r.size.endpoints} / ${r.size.endpoints} | ` +
      `${r.pods ? 'yes (pods verified)' : 'no'} | ${(r.syncMs / 1000).toFixed(2)} ` +
      `(source ${(r.sourceSyncMs / 1000).toFixed(2)}) | ` +
      `${r.rssMb.toFixed(0)} / ${r.settledMb.toFixed(0)} | ` +
      `${r.peakMb.toFixed(0)} | ${coreDnsMb(r.size, r.pods).toFixed(0)} | ` +
      `${r.p50.toFixed(2)} / ${r.p99.toFixed(2)} |`);
  }
}

function flag(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
