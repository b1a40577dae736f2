/**
 * CHAOS-class identity queries (RFC 4892) against the real process. Without the `chaos`
 * plugin they are REFUSED, even where a `forward` would pass them to an upstream that reveals
 * its own version (dnsmasq does); with `chaos VERSION AUTHORS...` they get exactly the
 * configured TXT answers, and the software version is never given unless configured.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import { after, before, describe, it } from 'node:test';
import dnsPacket from 'dns-packet';
import { Dnsmasq } from '../upstreams/dnsmasq.js';
import { serveCorefile, type Served } from './cluster-fixture.js';
import { buildQuery } from './query-builder.js';
import { exchange, renderRecords, viewReply } from './wire-client.js';

const CH = 3;
const TXT = 16;

interface ChaosRow {
  readonly name: string;
  readonly type?: number;
  readonly rcode: number;
  readonly answer: readonly string[];
}

async function ask(served: Served, transport: 'udp' | 'tcp', row: ChaosRow, edns: boolean) {
  const packet = buildQuery({
    id: 0x4343,
    name: row.name,
    type: row.type ?? TXT,
    qclass: CH,
    edns: edns ? { flags: 0x8000 } : undefined,
  });
  const reply = await exchange(transport, served.port, packet);
  assert.ok(reply, `no reply to ${row.name}`);
  const view = viewReply(reply);
  assert.equal(view.id, 0x4343);
  assert.equal(view.rcode, row.rcode, `rcode of ${row.name}`);
  assert.equal(view.qdcount, 1);
  assert.equal(view.ancount, row.answer.length);
  assert.equal(view.nscount, 0);
  if (edns)
    assert.deepEqual(view.opt, {
      udpSize: 1232,
      extendedRcode: 0,
      version: 0,
      flags: 0x8000,
      options: [],
    });
  else assert.equal(view.opt, null);
  const decoded = dnsPacket.decode(reply);
  assert.deepEqual(renderRecords(decoded.answers), row.answer);
  for (const rr of decoded.answers ?? []) assert.equal((rr as { class?: string }).class, 'CH');
  if (row.answer.length > 0) assert.equal(view.aa, true);
}

function runRows(getServed: () => Served, rows: readonly ChaosRow[]): void {
  for (const transport of ['udp', 'tcp'] as const) {
    for (const edns of [false, true]) {
      for (const row of rows) {
        const what = `${row.name} ${row.type ?? TXT}`;
        it(`${transport}${edns ? ' +edns' : ''}: CH ${what} is ${row.rcode}`, async () => {
          await ask(getServed(), transport, row, edns);
        });
      }
    }
  }
}

describe('CHAOS queries without the chaos plugin', () => {
  let upstream: Dnsmasq;
  let served: Served;

  before(async () => {
    upstream = await Dnsmasq.start(['--address=/x.test/192.0.2.1']);
    served = await serveCorefile(`.:0 {\n    forward . 127.0.0.1:${upstream.port}\n}\n`);
  });

  after(async () => {
    assert.equal(await served.stop(), 0);
    await upstream.stop();
  });

  it('forwards IN queries to the upstream (the CH rows below are not a dead upstream)', async () => {
    const reply = await exchange('udp', served.port, buildQuery({ name: 'a.x.test' }));
    assert.ok(reply);
    assert.deepEqual(renderRecords(dnsPacket.decode(reply).answers), ['a.x.test 0 A 192.0.2.1']);
  });

  runRows(
    () => served,
    ['version.bind', 'id.server'].map((name) => ({ name, rcode: 5, answer: [] })),
  );
});

describe('the chaos plugin with a version and authors', () => {
  let served: Served;
  const host = os.hostname();

  before(async () => {
    served = await serveCorefile(`.:0 {\n    chaos clusterdns-test Alice "Bob B."\n}\n`);
  });

  after(async () => {
    assert.equal(await served.stop(), 0);
  });

  runRows(
    () => served,
    [
      { name: 'version.bind', rcode: 0, answer: ['version.bind 0 TXT clusterdns-test'] },
      { name: 'VERSION.Server', rcode: 0, answer: ['VERSION.Server 0 TXT clusterdns-test'] },
      {
        name: 'authors.bind',
        rcode: 0,
        answer: ['authors.bind 0 TXT Alice', 'authors.bind 0 TXT Bob B.'],
      },
      { name: 'hostname.bind', rcode: 0, answer: [`hostname.bind 0 TXT ${host}`] },
      { name: 'id.server', rcode: 0, answer: [`id.server 0 TXT ${host}`] },
      { name: 'version.bind', type: 1, rcode: 5, answer: [] },
      { name: 'other.bind', rcode: 5, answer: [] },
    ],
  );
});

describe('the chaos plugin without arguments', () => {
  let served: Served;

  before(async () => {
    served = await serveCorefile(`.:0 {\n    chaos\n}\n`);
  });

  after(async () => {
    assert.equal(await served.stop(), 0);
  });

  runRows(
    () => served,
    [
      { name: 'version.bind', rcode: 5, answer: [] },
      { name: 'version.server', rcode: 5, answer: [] },
      { name: 'authors.bind', rcode: 5, answer: [] },
      { name: 'id.server', rcode: 0, answer: [`id.server 0 TXT ${os.hostname()}`] },
    ],
  );
});
