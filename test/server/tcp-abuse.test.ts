/**
 * A client that opens far more TCP connections than the cap cannot take the server down or
 * starve UDP clients: the oldest idle connections are closed to make room, UDP queries keep
 * their latency, and a fresh TCP client is still served.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { serveEmptyZone } from './fixtures.js';
import { buildQuery, frame, readHeader, TcpClient, udpExchange, waitUntil } from './raw-dns.js';

const CAP = 200;
const OPENED = 1000;

describe('tcp connection flood', () => {
  let proc: ClusterDnsProcess;
  let port: number;

  before(async () => {
    proc = await serveEmptyZone(['--tcp-max-connections', String(CAP)]);
    port = proc.port;
  });

  after(async () => {
    assert.equal(await proc.stop(), 0);
  });

  it(`keeps at most ${CAP} of ${OPENED} connections and keeps answering UDP`, async () => {
    const clients: TcpClient[] = [];
    const udpLatencies: number[] = [];
    for (let i = 0; i < OPENED; i++) {
      clients.push(await TcpClient.connect(port));
      if (i % 100 === 99) {
        const started = process.hrtime.bigint();
        const reply = await udpExchange(port, buildQuery({ id: i }), 1000);
        udpLatencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        assert.ok(reply, `UDP unanswered after ${i + 1} connections`);
        assert.equal(readHeader(reply).id, i);
      }
    }
    await waitUntil(() => clients.filter((c) => !c.closed).length <= CAP, 3000, 'the cap');
    const open = clients.filter((c) => !c.closed);
    assert.ok(open.length <= CAP && open.length >= CAP - 5, `${open.length} left open`);
    assert.ok(clients[0].closed, 'the oldest went first');
    assert.ok(!clients[OPENED - 1].closed, 'the newest stays');

    const fresh = await TcpClient.connect(port);
    fresh.send(frame(buildQuery({ id: 4242 })));
    const [reply] = await fresh.waitReplies(1);
    assert.equal(readHeader(reply).id, 4242);
    for (const client of [...clients, fresh]) client.close();
    const worst = Math.max(...udpLatencies);
    assert.ok(worst < 500, `worst UDP latency ${worst.toFixed(1)} ms`);
  });
});
