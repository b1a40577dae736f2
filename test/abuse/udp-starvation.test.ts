/**
 * TCP abuse cannot starve UDP clients: while hundreds of clients trickle one byte at a time,
 * or thousands of connections are opened, every UDP query of a steady stream (200/s) is
 * answered correctly and quickly. The figures are printed as test diagnostics and recorded in
 * docs/hardening.md.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CLUSTER_BLOCK, serveCorefile, type Served } from '../conformance/cluster-fixture.js';
import { connectionFlood, trickle, type Attack } from './attackers.js';
import { measureUdp, type LatencyReport } from './udp-latency.js';

/** UDP stream: 600 queries, 5 ms apart (3 s). */
const QUERIES = 600;
const INTERVAL_MS = 5;
/** Worst 1% of UDP answers under attack must stay below this. */
const P99_LIMIT_MS = 250;

describe('UDP service under TCP abuse', () => {
  let served: Served;
  let baseline: LatencyReport;

  before(async () => {
    served = await serveCorefile(CLUSTER_BLOCK);
    baseline = await measureUdp(served.port, QUERIES, INTERVAL_MS);
  });

  after(async () => {
    assert.equal(await served.stop(), 0);
  });

  const underAttack = async (attack: Attack): Promise<LatencyReport> => {
    await new Promise((r) => setTimeout(r, 300));
    const report = await measureUdp(served.port, QUERIES, INTERVAL_MS);
    await attack.stop();
    return report;
  };

  const assertServed = (report: LatencyReport): void => {
    assert.equal(report.answered, report.sent, JSON.stringify(report));
    assert.equal(report.wrong, 0);
    assert.ok(report.p99Ms < P99_LIMIT_MS, `p99 ${report.p99Ms} ms`);
  };

  it('baseline: every UDP query answered', (t) => {
    t.diagnostic(`baseline ${JSON.stringify(baseline)}`);
    assertServed(baseline);
  });

  it('500 clients trickling one byte every 100 ms', async (t) => {
    const attack = trickle(served.port, 500, 100);
    const report = await underAttack(attack);
    t.diagnostic(`trickle ${JSON.stringify(report)} attack ${JSON.stringify(attack.counts)}`);
    assertServed(report);
    assert.ok(attack.counts.closedByServer >= 500, 'the read timeout (2 s) closed the tricklers');
  });

  it('5000 connections opened 50 at a time', async (t) => {
    const attack = connectionFlood(served.port, 5000, 50);
    const report = await underAttack(attack);
    t.diagnostic(`flood ${JSON.stringify(report)} attack ${JSON.stringify(attack.counts)}`);
    assertServed(report);
    assert.equal(attack.counts.connections, 5000);
    assert.ok(attack.counts.closedByServer >= 4000, 'beyond 1000 the oldest idle were closed');
  });
});
