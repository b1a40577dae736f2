/**
 * The `acl` plugin in the real process: first matching rule wins; block is REFUSED, filter an
 * empty NOERROR, drop no reply at all; IPv4 and IPv6 networks; names outside the plugin's
 * zones pass untouched. Client addresses vary by binding the test's socket to 127.0.0.2.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import dnsPacket from 'dns-packet';
import { serveCorefile, WEB_NAME, type Served } from './cluster-fixture.js';
import { buildQuery } from './query-builder.js';
import { exchange, renderRecords, viewReply } from './wire-client.js';

const COREFILE = `cluster.local:0 {
    acl svc.cluster.local {
        filter type TXT
        drop type MX net 127.0.0.0/8 ::1
        allow net 127.0.0.2
        block type AAAA net 127.0.0.0/8
        block net ::1/128
    }
    kubernetes cluster.local {
        state STATE
    }
}
`;

type Outcome =
  | { kind: 'answer'; rcode: number; answer: readonly string[]; authority: number }
  | { kind: 'refused' }
  | { kind: 'filtered' }
  | { kind: 'dropped' };

interface AclRow {
  readonly from: '127.0.0.1' | '127.0.0.2' | '::1';
  readonly name: string;
  readonly type: number;
  readonly outcome: Outcome;
  readonly why: string;
}

const A = 1;
const MX = 15;
const TXT = 16;
const AAAA = 28;
const webA = {
  kind: 'answer',
  rcode: 0,
  answer: [`${WEB_NAME} 5 A 10.96.0.20`],
  authority: 0,
} as const;
const nodata = { kind: 'answer', rcode: 0, answer: [], authority: 1 } as const;

const ROWS: readonly AclRow[] = [
  { from: '127.0.0.1', name: WEB_NAME, type: A, outcome: webA, why: 'no rule matches' },
  { from: '127.0.0.1', name: WEB_NAME, type: TXT, outcome: { kind: 'filtered' }, why: 'filter' },
  { from: '127.0.0.1', name: WEB_NAME, type: MX, outcome: { kind: 'dropped' }, why: 'drop' },
  { from: '127.0.0.1', name: WEB_NAME, type: AAAA, outcome: { kind: 'refused' }, why: 'block' },
  { from: '127.0.0.2', name: WEB_NAME, type: AAAA, outcome: nodata, why: 'allow before block' },
  {
    from: '127.0.0.2',
    name: WEB_NAME,
    type: TXT,
    outcome: { kind: 'filtered' },
    why: 'first wins',
  },
  { from: '::1', name: WEB_NAME, type: A, outcome: { kind: 'refused' }, why: 'IPv6 /128 block' },
  { from: '::1', name: WEB_NAME, type: MX, outcome: { kind: 'dropped' }, why: 'IPv6 host drop' },
  {
    from: '::1',
    name: 'dns-version.cluster.local',
    type: TXT,
    outcome: {
      kind: 'answer',
      rcode: 0,
      answer: ['dns-version.cluster.local 28800 TXT 1.1.0'],
      authority: 0,
    },
    why: 'outside the acl zone',
  },
];

describe('acl plugin', () => {
  let served: Served;

  before(async () => {
    served = await serveCorefile(COREFILE, ['--listen', '[::1]:0']);
  });

  after(async () => {
    assert.equal(await served.stop(), 0);
  });

  for (const transport of ['udp', 'tcp'] as const) {
    ROWS.forEach((row, index) => {
      it(`${transport} from ${row.from}: ${row.name} type ${row.type} (${row.why})`, async () => {
        const v6 = row.from === '::1';
        const port = v6 ? served.ports[1] : served.ports[0];
        const host = v6 ? '::1' : '127.0.0.1';
        const id = 0x3000 + index;
        const packet = buildQuery({ id, name: row.name, type: row.type, edns: {} });
        const wait = row.outcome.kind === 'dropped' ? 500 : 2000;
        const reply = await exchange(transport, port, packet, wait, host, row.from);
        assertOutcome(reply, id, row.outcome);
      });
    });
  }
});

function assertOutcome(reply: Buffer | null, id: number, want: Outcome): void {
  if (want.kind === 'dropped') {
    assert.equal(reply, null, 'a dropped query got a reply');
    return;
  }
  assert.ok(reply, 'no reply');
  const view = viewReply(reply);
  assert.equal(view.id, id);
  assert.equal(view.qdcount, 1);
  assert.deepEqual(view.opt?.version, 0, 'OPT echoed');
  const decoded = dnsPacket.decode(reply);
  if (want.kind === 'refused') {
    assert.equal(view.rcode, 5);
    assert.deepEqual([view.ancount, view.nscount, view.aa], [0, 0, false]);
  } else if (want.kind === 'filtered') {
    assert.equal(view.rcode, 0);
    assert.deepEqual([view.ancount, view.nscount, view.aa], [0, 0, false]);
  } else {
    assert.equal(view.rcode, want.rcode);
    assert.equal(view.aa, true);
    assert.deepEqual(renderRecords(decoded.answers), want.answer);
    assert.equal(view.nscount, want.authority);
  }
}
