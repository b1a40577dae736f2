/**
 * The short fuzz run of the test suite: 20,000 mutated and random packets over UDP and TCP
 * against the real process. After every batch a correct answer must still come; every reply
 * must be a well-formed response; resident memory must stay bounded; and the process must
 * still shut down cleanly. The long run (1,000,000 packets) is bench/fuzz/run.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCampaign } from '../../bench/fuzz/campaign.js';
import { probeCluster } from '../../bench/fuzz/probe.js';
import { CLUSTER_BLOCK, serveCorefile, type Served } from '../conformance/cluster-fixture.js';

const PACKETS = 20_000;
/** Growth allowed over the resident size after start-up (the heap settles in this). */
const RSS_GROWTH_LIMIT_KB = 64 * 1024;

describe('short fuzz', () => {
  let served: Served;

  before(async () => {
    served = await serveCorefile(CLUSTER_BLOCK);
  });

  after(async () => {
    assert.equal(await served.stop(), 0, 'clean shutdown after the fuzz');
  });

  for (const seed of [1, 2]) {
    it(`survives ${PACKETS / 2} packets from seed ${seed}`, async () => {
      const result = await runCampaign({
        port: served.port,
        pid: served.proc.child.pid ?? 0,
        packets: PACKETS / 2,
        batchSize: 1000,
        seed,
        tcpEvery: 3,
        udpRate: 8000,
        probe: (transport) => probeCluster(served.port, transport),
      });
      assert.equal(result.sent.udp + result.sent.tcp, PACKETS / 2);
      assert.ok(result.sent.tcp >= 3000, `TCP packets ${result.sent.tcp}`);
      assert.equal(result.badReplies, 0, 'malformed replies');
      assert.ok(result.replies.udp > 0 && result.replies.tcp > 0, JSON.stringify(result.replies));
      assert.ok(Object.keys(result.strategies).length === 10, JSON.stringify(result.strategies));
      const growth = result.rss.maxKb - result.rss.startKb;
      assert.ok(
        growth < RSS_GROWTH_LIMIT_KB,
        `RSS grew ${growth} KiB (${JSON.stringify(result.rss)})`,
      );
    });
  }
});
