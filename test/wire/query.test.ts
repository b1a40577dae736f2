import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery } from '../../src/wire/query.js';

/** Builds a query packet from labels given as raw octet arrays or strings. */
function packet(labels: (string | number[])[], opts: { arcount?: number; tail?: number[] } = {}) {
  const parts: number[] = [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, opts.arcount ?? 0];
  for (const label of labels) {
    const bytes = typeof label === 'string' ? [...Buffer.from(label, 'latin1')] : label;
    parts.push(bytes.length, ...bytes);
  }
  parts.push(0, 0, 1, 0, 1, ...(opts.tail ?? []));
  return Buffer.from(parts);
}

test('names are lower-cased and joined by dots', () => {
  const r = parseQuery(packet(['Redis-Master', 'DEFAULT', 'svc', 'cluster', 'local']));
  assert.ok(r.ok);
  assert.equal(r.query.name, 'redis-master.default.svc.cluster.local');
  assert.equal(r.query.labelCount, 5);
  assert.equal(r.query.id, 0x1234);
  assert.equal(r.query.type, 1);
  assert.equal(r.query.edns, null);
});

test('the root name is the empty string', () => {
  const r = parseQuery(packet([]));
  assert.ok(r.ok);
  assert.equal(r.query.name, '');
  assert.equal(r.query.labelCount, 0);
});

test('octets outside letters, digits, - _ * are escaped as \\DDD', () => {
  const r = parseQuery(packet([[0x61, 0x2e, 0x62], [0x5c, 0xc9], 'X']));
  assert.ok(r.ok);
  assert.equal(r.query.name, 'a\\046b.\\092\\201.x');
});

test('a name of exactly 255 octets parses; one of 256 is FORMERR', () => {
  // 3 labels of 63 + one of 61: 4*1 + 63*3 + 61 + 1 (root) = 255 octets.
  const at255 = ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(61)];
  const ok = parseQuery(packet(at255));
  assert.ok(ok.ok);
  assert.equal(ok.query.name.length, 253);
  const over = parseQuery(packet([...at255.slice(0, 3), 'd'.repeat(62)]));
  assert.ok(!over.ok);
  assert.deepEqual([over.error.drop, over.error.rcode, over.error.reason], [false, 1, 'name over 255 octets']);
});

test('labels over 63 octets and pointers in the question are FORMERR', () => {
  const long = Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 64, ...Buffer.alloc(64, 0x61), 0, 0, 1, 0, 1]);
  const r1 = parseQuery(long);
  assert.ok(!r1.ok);
  assert.equal(r1.error.reason, 'bad label type');
  const pointer = Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
  const r2 = parseQuery(pointer);
  assert.ok(!r2.ok);
  assert.deepEqual([r2.error.rcode, r2.error.reason], [1, 'pointer in question']);
});

test('EDNS: size floor 512, version, DO bit, and options located', () => {
  // OPT: root, type 41, class 400, ttl: ext-rcode 0, version 0, DO; rdlen 4, option 65001 len 0.
  const opt = [0, 0, 41, 0x01, 0x90, 0, 0, 0x80, 0, 0, 4, 0xfd, 0xe9, 0, 0];
  const r = parseQuery(packet(['a'], { arcount: 1, tail: opt }));
  assert.ok(r.ok);
  assert.deepEqual(r.query.edns, {
    udpSize: 512,
    version: 0,
    dnssecOk: true,
    optionsOffset: 12 + 3 + 4 + 11,
    optionsLength: 4,
  });
});

test('EDNS version 1 is BADVERS with the OPT kept; two OPTs are FORMERR', () => {
  const opt = [0, 0, 41, 0x04, 0xd0, 0, 1, 0, 0, 0, 0];
  const bad = parseQuery(packet(['a'], { arcount: 1, tail: opt }));
  assert.ok(!bad.ok);
  assert.equal(bad.error.rcode, 16);
  assert.equal(bad.error.edns?.version, 1);
  const two = parseQuery(packet(['a'], { arcount: 2, tail: [...opt, ...opt] }));
  assert.ok(!two.ok);
  assert.equal(two.error.reason, 'more than one OPT');
});

test('short packets and responses are dropped; other opcodes are NOTIMP', () => {
  const short = parseQuery(Buffer.alloc(11));
  assert.ok(!short.ok && short.error.drop);
  const response = packet(['a']);
  response[2] |= 0x80;
  const r = parseQuery(response);
  assert.ok(!r.ok && r.error.drop);
  const notify = packet(['a']);
  notify[2] = (4 << 3) | 1;
  const n = parseQuery(notify);
  assert.ok(!n.ok);
  assert.deepEqual([n.error.drop, n.error.rcode], [false, 4]);
});

test('every truncation of a valid query is refused without throwing', () => {
  const opt = [0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0];
  const full = packet(['svc', 'ns', 'svc', 'cluster', 'local'], { arcount: 1, tail: opt });
  for (let n = 0; n < full.length; n++) {
    const r = parseQuery(full.subarray(0, n));
    assert.equal(r.ok, false, `length ${n}`);
  }
  assert.ok(parseQuery(full).ok);
});

test('NOTIMP keeps the OPT record when the question can be read (RFC 6891 §7)', () => {
  const opt = [0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 0];
  const update = packet(['a'], { arcount: 1, tail: opt });
  update[2] = (5 << 3) | 1;
  const r = parseQuery(update);
  assert.ok(!r.ok);
  assert.deepEqual([r.error.rcode, r.error.edns?.dnssecOk, r.error.edns?.udpSize], [4, true, 1232]);
  const bare = packet(['a']);
  bare[2] = 5 << 3;
  const b = parseQuery(bare);
  assert.ok(!b.ok);
  assert.deepEqual([b.error.rcode, b.error.edns], [4, null]);
});

test('records after the question: pointer loops, forward pointers and bad options are FORMERR', () => {
  // Question `a.` then one answer record whose owner is a pointer to itself (offset 19).
  const loop = packet(['a'], { tail: [0xc0, 19, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0] });
  loop[7] = 1; // ANCOUNT 1
  const r1 = parseQuery(loop);
  assert.ok(!r1.ok);
  assert.deepEqual([r1.error.rcode, r1.error.reason], [1, 'malformed record name']);
  // A pointer forward, past itself.
  const ahead = packet(['a'], { tail: [0xc0, 40, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0] });
  ahead[7] = 1;
  const r2 = parseQuery(ahead);
  assert.ok(!r2.ok);
  assert.equal(r2.error.reason, 'malformed record name');
  // A pointer back to the question is fine.
  const back = packet(['a'], { tail: [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0] });
  back[7] = 1;
  assert.ok(parseQuery(back).ok);
  // OPT whose option claims 0xffff octets inside a 4-octet RDATA.
  const opt = [0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 4, 0, 10, 0xff, 0xff];
  const r3 = parseQuery(packet(['a'], { arcount: 1, tail: opt }));
  assert.ok(!r3.ok);
  assert.deepEqual([r3.error.rcode, r3.error.reason], [1, 'malformed EDNS option']);
  // A well-framed cookie option (8 octets) is accepted.
  const cookie = [0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 12, 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8];
  assert.ok(parseQuery(packet(['a'], { arcount: 1, tail: cookie })).ok);
});
