/**
 * The loop plugin in the real process, started from a kubeadm-style Corefile: an upstream that
 * is down (a closed port: every probe fails) is not a loop, so the process keeps serving; a
 * real loop (forward to a relay that sends the queries back to us) stops it with status 1,
 * naming the upstream.
 *
 * Regression: the probes the plugin sent itself used to count as "seen", so three failed
 * probes against a dead upstream made the process exit with "came back from :0".
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { dig } from '../helpers/dig.js';
import { writeCorefile } from '../server/fixtures.js';
import { UdpRelay } from '../upstreams/udp-relay.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const STATE = [
  'apiVersion: v1',
  'kind: Service',
  'metadata: {name: web, namespace: shop}',
  'spec: {clusterIP: 10.96.0.20, clusterIPs: [10.96.0.20], ports: [{name: http, port: 80}]}',
].join('\n');

async function corefile(upstream: string): Promise<string> {
  const dir = makeTempDir('clusterdns-loop-');
  const state = path.join(dir, 'state.yaml');
  await fs.writeFile(state, STATE);
  return writeCorefile(`.:53 {
    errors
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       state ${state}
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    forward . ${upstream} {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    loadbalance
}
`);
}

describe('loop in a process started from a Corefile', () => {
  it('keeps serving when the upstream is down', async () => {
    // Port 9 (discard) on loopback: nothing listens, every forwarded query fails.
    const conf = await corefile('127.0.0.1:9');
    const proc = await ClusterDnsProcess.serve(['--conf', conf, '--listen', '127.0.0.1:0']);
    try {
      await proc.waitFor((l) => l.msg === 'state loaded', 5000);
      // The first probe goes out after 0.1 s and fails ones follow every 0.5 s: by 2.5 s more
      // than three have failed, which used to end the process.
      await new Promise((r) => setTimeout(r, 2500));
      const external = await dig('www.example.test', 'A', { port: proc.port });
      assert.equal(external.status, 'SERVFAIL');
      assert.deepEqual(external.answer, []);
      const cluster = await dig('web.shop.svc.cluster.local', 'A', { port: proc.port });
      assert.equal(cluster.status, 'NOERROR');
      assert.deepEqual(cluster.answer, ['web.shop.svc.cluster.local. 30 IN A 10.96.0.20']);
      assert.equal(
        proc.lines.some((l) => l.msg === 'forwarding loop detected, exiting'),
        false,
      );
    } finally {
      assert.equal(await proc.stop(), 0, 'still running until stopped, then exits 0');
    }
  });

  it('exits 1 naming the upstream when the queries come back', async () => {
    const relay = await UdpRelay.start();
    const upstream = `127.0.0.1:${relay.port}`;
    const conf = await corefile(upstream);
    const proc = await ClusterDnsProcess.serve(['--conf', conf, '--listen', '127.0.0.1:0']);
    relay.target = proc.port;
    try {
      const timer = setTimeout(() => proc.child.kill('SIGKILL'), 20_000);
      const code = await proc.wait();
      clearTimeout(timer);
      assert.equal(code, 1);
      const error = proc.lines.find((l) => l.msg === 'forwarding loop detected, exiting');
      assert.ok(error, JSON.stringify(proc.lines));
      assert.equal(error.level, 50);
      assert.equal(error.code, 'LOOP_DETECTED');
      assert.deepEqual(error.upstreams, [upstream]);
      const message = (error.err as { message: string }).message;
      assert.match(message, /^forwarding loop detected for zone "\."/);
      assert.match(message, /came back from 127\.0\.0\.1:\d+ via upstream/);
      assert.ok(message.includes(`via upstream ${upstream};`), message);
      assert.ok(relay.relayed >= 3, `${relay.relayed} probes relayed`);
    } finally {
      relay.close();
      await proc.stop();
    }
  });
});
