/**
 * The TCP limits of `clusterdns serve` (RFC 7766 §6.2.3, §10), configured by its flags and
 * observed from outside: idle connections closed after --tcp-idle-timeout, connections stuck
 * mid-message (a one-byte-at-a-time trickle included) closed after --tcp-read-timeout, at most
 * --tcp-max-inflight unanswered queries read per connection, and beyond
 * --tcp-max-connections the oldest idle connection closed first.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  CLUSTER_BLOCK,
  serveCorefile,
  WEB_NAME,
  type Served,
} from '../conformance/cluster-fixture.js';
import { buildQuery } from '../conformance/query-builder.js';
import { frame, viewReply } from '../conformance/wire-client.js';
import { TcpPeer, until } from './tcp-peer.js';

const IDLE_MS = 300;
const READ_MS = 300;
const MAX_INFLIGHT = 4;
/**
 * The server's sweep runs every quarter timeout; the rest of the slack is for scheduling on a
 * busy shared machine. What matters is that the close comes, and not before the timeout.
 */
const SLACK_MS = 1000;

const webQuery = (id: number): Buffer => frame(buildQuery({ id, name: WEB_NAME }));
const slowQuery = (id: number): Buffer => frame(buildQuery({ id, name: `q${id}.slow.test` }));

describe('tcp timeouts and in-flight limit', () => {
  let served: Served;
  let silent: dgram.Socket;
  let silentTcp: net.Server;
  const held: net.Socket[] = [];

  before(async () => {
    // An upstream that takes queries over UDP and TCP and never answers: forwarded queries
    // stay in flight until the forward deadline.
    silentTcp = net.createServer((socket) => held.push(socket.on('error', () => undefined)));
    await new Promise<void>((r) => silentTcp.listen(0, '127.0.0.1', r));
    const port = (silentTcp.address() as net.AddressInfo).port;
    silent = dgram.createSocket('udp4');
    await new Promise<void>((r) => silent.bind(port, '127.0.0.1', r));
    const corefile = `${CLUSTER_BLOCK}slow.test:0 {\n    forward . 127.0.0.1:${port}\n}\n`;
    served = await serveCorefile(corefile, [
      '--tcp-idle-timeout',
      `${IDLE_MS}ms`,
      '--tcp-read-timeout',
      `${READ_MS}ms`,
      '--tcp-max-inflight',
      String(MAX_INFLIGHT),
    ]);
  });

  after(async () => {
    assert.equal(await served.stop(), 0);
    silent.close();
    for (const socket of held) socket.destroy();
    silentTcp.close();
  });

  it(`closes a connection idle for ${IDLE_MS} ms`, async () => {
    const peer = await TcpPeer.connect(served.port);
    peer.write(webQuery(1));
    await peer.waitReplies(1, 1000);
    const answeredAt = Date.now();
    const closedAt = await peer.waitClosed(2000);
    assert.equal(peer.replies.length, 1);
    assert.ok(closedAt > 0, 'never closed');
    const idle = closedAt - answeredAt;
    assert.ok(idle >= IDLE_MS - 20 && idle < IDLE_MS + SLACK_MS, `closed after ${idle} ms idle`);
  });

  it('keeps a connection that asks every 100 ms open past the idle timeout', async () => {
    const peer = await TcpPeer.connect(served.port);
    for (let i = 0; i < 12; i++) {
      peer.write(webQuery(i));
      await new Promise((r) => setTimeout(r, 100));
    }
    await peer.waitReplies(12, 1000);
    assert.equal(peer.closed, false);
    assert.deepEqual(
      peer.replies.map((r) => viewReply(r).id),
      [...Array(12).keys()],
    );
    peer.destroy();
  });

  it(`closes a connection whose message stays incomplete for ${READ_MS} ms`, async () => {
    const peer = await TcpPeer.connect(served.port);
    const startedAt = Date.now();
    peer.write(webQuery(2).subarray(0, 7));
    const closedAt = await peer.waitClosed(2000);
    const stuck = closedAt - startedAt;
    assert.ok(
      closedAt > 0 && stuck >= READ_MS - 20 && stuck < READ_MS + SLACK_MS,
      `closed after ${stuck} ms`,
    );
    assert.equal(peer.replies.length, 0);
  });

  it('closes a client that trickles one byte every 50 ms before its message completes', async () => {
    const peer = await TcpPeer.connect(served.port);
    const bytes = webQuery(3);
    const startedAt = Date.now();
    let written = 0;
    while (!peer.closed && written < bytes.length) {
      peer.write(bytes.subarray(written, written + 1));
      written++;
      await new Promise((r) => setTimeout(r, 50));
    }
    const held = peer.closedAt - startedAt;
    assert.ok(peer.closed, 'the trickle completed a whole message');
    assert.ok(written < bytes.length, `${written} of ${bytes.length} bytes written`);
    assert.ok(held < READ_MS + SLACK_MS, `held the connection ${held} ms`);
    assert.equal(peer.replies.length, 0);
  });

  it(`reads at most ${MAX_INFLIGHT} unanswered queries per connection`, async () => {
    const blocked = await TcpPeer.connect(served.port);
    const free = await TcpPeer.connect(served.port);
    const sentAt = Date.now();
    // MAX_INFLIGHT queries that hang on the silent upstream, then one the cluster answers.
    for (let i = 0; i < MAX_INFLIGHT; i++) blocked.write(slowQuery(100 + i));
    blocked.write(webQuery(200));
    for (let i = 0; i < MAX_INFLIGHT - 1; i++) free.write(slowQuery(300 + i));
    free.write(webQuery(400));

    await until(() => free.replies.length >= 1, 1000);
    const freeIds = free.replies.map((r) => viewReply(r).id);
    assert.deepEqual(freeIds, [400], 'below the limit the cluster answer overtakes the slow ones');
    assert.equal(blocked.replies.length, 0, 'at the limit the next query waits');

    await until(() => blocked.replies.some((r) => viewReply(r).id === 200), 10_000);
    const heldMs = Date.now() - sentAt;
    const first = viewReply(blocked.replies[0]);
    assert.ok(first.id >= 100 && first.id < 100 + MAX_INFLIGHT, 'a slow query was answered first');
    assert.equal(first.rcode, 2, 'SERVFAIL at the forward deadline');
    assert.ok(heldMs >= 1000, `held only ${heldMs} ms: read before a slot was free`);
    await blocked.waitReplies(MAX_INFLIGHT + 1, 10_000);
    const rcodes = blocked.replies.map((r) => [viewReply(r).id, viewReply(r).rcode]);
    assert.deepEqual(
      rcodes.sort((a, b) => a[0] - b[0]),
      [
        [100, 2],
        [101, 2],
        [102, 2],
        [103, 2],
        [200, 0],
      ],
    );
    blocked.destroy();
    free.destroy();
  });
});

describe('tcp connection limit', () => {
  const CAP = 20;
  let served: Served;

  before(async () => {
    served = await serveCorefile(CLUSTER_BLOCK, ['--tcp-max-connections', String(CAP)]);
  });

  after(async () => {
    assert.equal(await served.stop(), 0);
  });

  it('closes the oldest idle connection first, never a busy one', async () => {
    const peers: TcpPeer[] = [];
    for (let i = 0; i < CAP; i++) {
      const peer = await TcpPeer.connect(served.port);
      // The first five stay busy: half a message each. The rest answered one query: idle.
      if (i < 5) peer.write(webQuery(i).subarray(0, 5));
      else {
        peer.write(webQuery(i));
        await peer.waitReplies(1, 1000);
      }
      peers.push(peer);
    }
    const extra = await TcpPeer.connect(served.port);
    extra.write(webQuery(999));
    const [reply] = await extra.waitReplies(1, 1000);
    assert.equal(viewReply(reply).id, 999);
    await until(() => peers.some((p) => p.closed), 1000);
    assert.deepEqual(
      peers.map((p, i) => (p.closed ? i : -1)).filter((i) => i >= 0),
      [5],
      'exactly the oldest idle one closed',
    );
    for (const peer of [...peers, extra]) peer.destroy();
  });
});
