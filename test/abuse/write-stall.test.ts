/**
 * A client that sends many queries and never reads the answers must not hold its connection
 * (and a slot under --tcp-max-connections) forever: once the server's writes are blocked and
 * nothing moves for the idle timeout, the connection is closed like an idle one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CLUSTER_BLOCK,
  serveCorefile,
  WEB_NAME,
  type Served,
} from '../conformance/cluster-fixture.js';
import { buildQuery } from '../conformance/query-builder.js';
import { frame } from '../conformance/wire-client.js';
import { TcpPeer } from './tcp-peer.js';

const IDLE_MS = 300;

describe('tcp client that does not read', () => {
  let served: Served;

  before(async () => {
    served = await serveCorefile(CLUSTER_BLOCK, ['--tcp-idle-timeout', `${IDLE_MS}ms`]);
  });

  after(async () => {
    assert.equal(await served.stop(), 0);
  });

  it('is closed once its answers stop moving for the idle timeout', async () => {
    const peer = await TcpPeer.connect(served.port);
    peer.socket.pause();
    // 300,000 queries (14 MB; answers near 30 MB): far more than the loopback socket buffers
    // of both sides hold, so the server's writes block. The client's own unsent bytes make
    // it notice the server's close even while it does not read.
    const burst = Buffer.concat(
      Array.from({ length: 1000 }, (_, i) => frame(buildQuery({ id: i, name: WEB_NAME }))),
    );
    for (let i = 0; i < 300; i++) peer.write(burst);
    const closedAt = await peer.waitClosed(3000 + IDLE_MS);
    peer.destroy();
    assert.ok(closedAt > 0, 'the connection was still open 3 s after the client stopped reading');
  });
});
