/**
 * The loop plugin with a real forward: a forwarding loop built with a UDP relay is found and
 * reported naming the upstream; with a real upstream (dnsmasq) the probe is answered and the
 * check turns itself off.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterDnsError } from '../../src/errors.js';
import { setup as forwardSetup } from '../../src/plugins/forward/setup.js';
import { LoopHandler } from '../../src/plugins/loop/loop-handler.js';
import { setup as loopSetup } from '../../src/plugins/loop/setup.js';
import { ConfigError } from '../../src/errors.js';
import {
  build,
  ChainServer,
  directive,
  refuseAll,
  TestContext,
} from '../upstreams/chain-harness.js';
import { Dnsmasq } from '../upstreams/dnsmasq.js';
import { UdpRelay } from '../upstreams/udp-relay.js';

describe('loop', () => {
  it('finds a forwarding loop and names the upstream', async () => {
    const relay = await UdpRelay.start();
    const context = new TestContext({ zones: ['example.test'], port: 53, server: 'dns://:53' });
    const forward = build(
      forwardSetup,
      directive('forward', ['.', `127.0.0.1:${relay.port}`]),
      refuseAll,
      context,
    );
    let found: ClusterDnsError | null = null;
    const loop = new LoopHandler('example.test', forward, {
      logger: context.logger,
      onLoop: (err) => {
        found = err;
      },
      firstProbeMs: 10,
    });
    context.addClosable(loop);
    const server = await ChainServer.start(() => loop);
    relay.target = server.port;
    try {
      const deadline = Date.now() + 8000;
      while (found === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(found, 'loop detected');
      const err = found as ClusterDnsError;
      assert.equal(err.code, 'LOOP_DETECTED');
      assert.match(
        err.message,
        new RegExp(
          `^forwarding loop detected for zone "example\\.test\\.": the probe "\\d+\\.\\d+\\.example\\.test\\. HINFO"`,
        ),
      );
      assert.match(err.message, new RegExp(`via upstream 127\\.0\\.0\\.1:${relay.port}`));
      assert.equal(loop.probeName.endsWith('.example.test'), true);
    } finally {
      await server.close();
      await context.close();
      relay.close();
    }
  });

  it('turns itself off once a real upstream answered the probe', async () => {
    const dnsmasq = await Dnsmasq.start(['--address=/#/192.0.2.1']);
    const context = new TestContext();
    const forward = build(
      forwardSetup,
      directive('forward', ['.', `127.0.0.1:${dnsmasq.port}`]),
      refuseAll,
      context,
    );
    let found = false;
    const loop = new LoopHandler('', forward, {
      logger: context.logger,
      onLoop: () => (found = true),
      firstProbeMs: 10,
    });
    context.addClosable(loop);
    try {
      await new Promise((r) => setTimeout(r, 600));
      assert.equal(found, false);
      // Disabled: even the probe name now passes straight through without counting.
      assert.equal((loop as unknown as { done: boolean }).done, true);
    } finally {
      await context.close();
      await dnsmasq.stop();
    }
  });

  it('takes no arguments', () => {
    const block = { zones: [''], port: 53, server: 'dns://:53' };
    assert.throws(
      () => loopSetup.parse(directive('loop', ['x'], [], 12), block),
      (e: unknown) =>
        e instanceof ConfigError && /^test\.Corefile:12: loop: expects 0 argument/.test(e.message),
    );
  });
});
