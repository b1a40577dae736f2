/**
 * Protocol conformance of the real `clusterdns serve` process, row by row from
 * protocol-table.ts, over UDP and TCP: exact rcode, flags, counts and OPT for each query, and
 * after every malformed one a correct answer still comes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import dnsPacket from 'dns-packet';
import { CLUSTER_BLOCK, serveCorefile, WEB_NAME, type Served } from './cluster-fixture.js';
import { FORMERR, PROTOCOL_ROWS, type Expected } from './protocol-table.js';
import { buildQuery } from './query-builder.js';
import { TcpPeer } from '../abuse/tcp-peer.js';
import { exchange, frame, renderRecords, viewReply, type Transport } from './wire-client.js';

/** How long a dropped query is watched for a reply. */
const SILENCE_MS = 500;

describe('protocol conformance (RFC 8906, RFC 6891, RFC 7766)', () => {
  let served: Served;

  before(async () => {
    served = await serveCorefile(CLUSTER_BLOCK);
  });

  after(async () => {
    assert.equal(await served.stop(), 0);
  });

  for (const transport of ['udp', 'tcp'] as const) {
    PROTOCOL_ROWS.forEach((row, index) => {
      it(`${transport}: ${row.name}`, async () => {
        const id = 0x5000 + index;
        const wait = row.expect === 'dropped' ? SILENCE_MS : 2000;
        const reply = await exchange(transport, served.port, row.packet(id), wait);
        if (row.expect === 'dropped') {
          assert.equal(reply, null, 'a reply came to a packet that must be dropped');
        } else if (row.expect === 'formerr-or-dropped') {
          if (reply !== null) assertFormerr(reply, id);
        } else {
          assert.ok(reply, 'no reply');
          assertReply(reply, id, row.expect);
        }
        await assertStillAnswers(transport, served.port);
      });
    });
  }

  it('tcp: pipelined queries in one segment are each answered (RFC 7766 §6.2.1.1)', async () => {
    const peer = await TcpPeer.connect(served.port);
    const ids = [0x6001, 0x6002, 0x6003];
    peer.write(Buffer.concat(ids.map((id) => frame(buildQuery({ id, name: WEB_NAME })))));
    const replies = await peer.waitReplies(3, 2000);
    peer.destroy();
    assert.deepEqual(replies.map((r) => viewReply(r).id).sort(), ids);
    for (const reply of replies) {
      assert.deepEqual(renderRecords(dnsPacket.decode(reply).answers), [
        `${WEB_NAME} 5 A 10.96.0.20`,
      ]);
    }
  });

  it('tcp: a query split across segments is answered once whole', async () => {
    const peer = await TcpPeer.connect(served.port);
    const bytes = frame(buildQuery({ id: 0x6100, name: WEB_NAME }));
    const cuts = [0, 1, 2, 13, bytes.length];
    for (let i = 1; i < cuts.length; i++) {
      peer.write(bytes.subarray(cuts[i - 1], cuts[i]));
      await new Promise((r) => setTimeout(r, 20));
    }
    const [reply] = await peer.waitReplies(1, 2000);
    peer.destroy();
    assert.equal(viewReply(reply).id, 0x6100);
    assert.equal(viewReply(reply).ancount, 1);
  });
});

function assertReply(reply: Buffer, id: number, want: Expected): void {
  const got = viewReply(reply);
  assert.equal(got.id, id);
  assert.equal(got.qr, true, 'QR');
  assert.equal(got.opcode, (reply.readUInt16BE(2) >> 11) & 0xf);
  assert.equal(got.rcode, want.rcode, 'rcode');
  if (want.aa !== undefined) assert.equal(got.aa, want.aa, 'AA');
  assert.equal(got.tc, false, 'TC');
  assert.equal(got.z, false, 'Z must be zero in replies (RFC 1035 §4.1.1)');
  assert.equal(got.rd, true, 'RD echoed');
  assert.equal(got.qdcount, want.qdcount, 'QDCOUNT');
  assert.equal(got.ancount, want.ancount, 'ANCOUNT');
  assert.equal(got.nscount, want.nscount, 'NSCOUNT');
  assert.equal(got.arcount, want.opt ? 1 : 0, 'ARCOUNT');
  if (want.opt === null) assert.equal(got.opt, null, 'OPT present');
  else assert.deepEqual(got.opt, { udpSize: 1232, ...want.opt });
  const decoded = dnsPacket.decode(reply);
  if (want.answer) {
    assert.deepEqual(renderRecords(decoded.answers), want.answer);
  }
  if (want.authorityTypes) {
    assert.deepEqual(
      (decoded.authorities ?? []).map((a) => a.type),
      want.authorityTypes,
    );
  }
}

function assertFormerr(reply: Buffer, id: number): void {
  const got = viewReply(reply);
  assert.equal(got.id, id);
  assert.equal(got.qr, true);
  assert.equal(got.rcode, FORMERR);
  assert.equal(got.ancount, 0);
}

/** After any row, a plain query must still get the right answer on the same transport. */
export async function assertStillAnswers(transport: Transport, port: number): Promise<void> {
  const reply = await exchange(transport, port, buildQuery({ id: 0x7777, name: WEB_NAME }), 2000);
  assert.ok(reply, `no answer after the row (${transport})`);
  const decoded = dnsPacket.decode(reply);
  assert.equal(decoded.id, 0x7777);
  assert.equal(viewReply(reply).rcode, 0);
  assert.deepEqual(renderRecords(decoded.answers), [`${WEB_NAME} 5 A 10.96.0.20`]);
}
