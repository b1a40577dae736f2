/**
 * The long fuzz run: starts `clusterdns serve` on the test cluster and sends it mutated and
 * random packets (default 1,000,000) over UDP and TCP, probing for a correct answer after each
 * batch and reading its resident memory. Prints progress and a JSON summary; exits non-zero
 * when a probe fails, a reply is malformed or the server does not shut down cleanly.
 *
 *   npx tsc -p . && node dist/bench/fuzz/run.js [--packets N] [--seed S] [--batch N]
 *     [--tcp-every N] [--udp-rate PPS]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { CLUSTER_BLOCK, serveCorefile } from '../../test/conformance/cluster-fixture.js';
import { runCampaign } from './campaign.js';
import { probeCluster } from './probe.js';

const { values } = parseArgs({
  options: {
    packets: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '8906' },
    batch: { type: 'string', default: '2000' },
    'tcp-every': { type: 'string', default: '4' },
    'udp-rate': { type: 'string', default: '8000' },
  },
});

async function main(): Promise<number> {
  const served = await serveCorefile(CLUSTER_BLOCK);
  const pid = served.proc.child.pid ?? 0;
  let lastPrint = 0;
  try {
    const result = await runCampaign({
      port: served.port,
      pid,
      packets: Number(values.packets),
      batchSize: Number(values.batch),
      seed: Number(values.seed),
      tcpEvery: Number(values['tcp-every']),
      udpRate: Number(values['udp-rate']),
      probe: (transport) => probeCluster(served.port, transport),
      onBatch: (progress) => {
        if (Date.now() - lastPrint < 10_000) return;
        lastPrint = Date.now();
        const sent = progress.sent.udp + progress.sent.tcp;
        process.stderr.write(`sent ${sent}, RSS ${progress.rss.endKb} KiB\n`);
      },
    });
    const { perBatchKb, ...rss } = result.rss;
    const summary = {
      ...result,
      rss: { ...rss, lastTenBatchesKb: perBatchKb.slice(-10) },
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
    };
    console.log(JSON.stringify(summary, null, 2));
    return result.badReplies === 0 ? 0 : 1;
  } finally {
    const code = await served.stop();
    console.log(`server exit code after the run: ${code}`);
    if (code !== 0) process.exitCode = 1;
  }
}

main().then(
  (code) => {
    process.exitCode ||= code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
