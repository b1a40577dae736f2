/**
 * Queries in flight on one TCP connection: answers go out as soon as they are ready, out of
 * order (RFC 7766 §6.2.1.1), and beyond the per-connection limit the server stops reading
 * that connection until answers drain, without holding up other connections.
 *
 * Slow answers come from `forward` to a silent upstream: a UDP socket and a TCP listener on
 * one loopback port that read queries and never answer, so forwarded queries stay in flight
 * until forward gives up (its 2 s read timeout).
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { writeCorefile } from './fixtures.js';
import { buildQuery, frame, readHeader, TcpClient } from './raw-dns.js';

/** UDP and TCP on one loopback port that read and never answer; retries when TCP is taken. */
async function silentUpstream(
  onConnection: (c: net.Socket) => void,
): Promise<[dgram.Socket, net.Server]> {
  for (;;) {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
    socket.on('message', () => undefined);
    const server = net.createServer((conn) => onConnection(conn.on('error', () => undefined)));
    const listening = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(socket.address().port, '127.0.0.1', () => resolve(true));
    });
    if (listening) return [socket, server];
    socket.close();
  }
}

describe('tcp queries in flight', () => {
  let proc: ClusterDnsProcess;
  let port: number;
  const silent: dgram.Socket[] = [];
  const silentTcp: net.Server[] = [];
  const held: net.Socket[] = [];

  before(async () => {
    // One silent upstream per test: forward answers at once for an upstream it saw fail.
    for (let i = 0; i < 2; i++) {
      const [socket, server] = await silentUpstream((conn) => held.push(conn));
      silent.push(socket);
      silentTcp.push(server);
    }
    const conf = await writeCorefile(
      `slow.test:0 {\n  forward . 127.0.0.1:${silent[0].address().port}\n}\n` +
        `slow2.test:0 {\n  forward . 127.0.0.1:${silent[1].address().port}\n}\n` +
        'fast.test:0 {\n}\n',
    );
    proc = await ClusterDnsProcess.serve([
      '--conf',
      conf,
      '--listen',
      '127.0.0.1:0',
      '--tcp-max-inflight',
      '2',
    ]);
    port = proc.port;
  });

  after(async () => {
    assert.equal(await proc.stop(), 0);
    for (const socket of silent) socket.close();
    for (const conn of held) conn.destroy();
    for (const server of silentTcp) server.close();
  });

  it('answers a fast query before an earlier slow one on the same connection', async () => {
    const client = await TcpClient.connect(port);
    client.send(
      Buffer.concat([
        frame(buildQuery({ id: 1, name: 'a.slow.test' })),
        frame(buildQuery({ id: 2, name: 'a.fast.test' })),
      ]),
    );
    const [first] = await client.waitReplies(1, 1000);
    assert.equal(readHeader(first).id, 2);
    const [, second] = await client.waitReplies(2, 5000);
    assert.deepEqual([readHeader(second).id, readHeader(second).rcode], [1, 2]);
    client.close();
  });

  it('stops reading a connection at the in-flight limit, not other connections', async () => {
    const client = await TcpClient.connect(port);
    const started = Date.now();
    client.send(
      Buffer.concat([
        frame(buildQuery({ id: 11, name: 'a.slow2.test' })),
        frame(buildQuery({ id: 12, name: 'b.slow2.test' })),
        frame(buildQuery({ id: 13, name: 'a.fast.test' })),
      ]),
    );
    const other = await TcpClient.connect(port);
    other.send(frame(buildQuery({ id: 21, name: 'b.fast.test' })));
    const [quick] = await other.waitReplies(1, 1000);
    assert.equal(readHeader(quick).id, 21);
    assert.ok(Date.now() - started < 1000, 'another connection is not held up');

    const replies = await client.waitReplies(3, 6000);
    const order = replies.map((r) => readHeader(r).id);
    assert.notEqual(order[0], 13, `the fast query waited for a slow one to finish: ${order}`);
    assert.deepEqual([...order].sort(), [11, 12, 13]);
    const elapsed = Date.now() - started;
    assert.ok(
      elapsed >= 1500,
      `the fast query was answered after ${elapsed} ms, once a slow one gave up`,
    );
    client.close();
    other.close();
  });
});
