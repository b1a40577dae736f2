/**
 * The table of answers, in-process: real state-file source, record index, handler and
 * message writer, queries and answers decoded with dns-packet (UDP with EDNS, UDP without,
 * and TCP sizes).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InProcessKubernetes, type AskOptions } from './in-process.js';
import { maskSerial, TABLE } from './answer-table.js';

describe('kubernetes plugin answers (in-process)', () => {
  let k8s: InProcessKubernetes;
  before(async () => {
    k8s = await InProcessKubernetes.start('cluster.yaml', ['pods insecure']);
  });
  after(() => k8s.close());

  const variants: [string, AskOptions][] = [
    ['udp+edns', { udpSize: 1232 }],
    ['udp', {}],
    ['tcp', { transport: 'tcp' }],
  ];
  for (const [variant, options] of variants) {
    for (const row of TABLE) {
      it(`${variant}: ${row.name} ${row.type} -> ${row.rcode}`, async () => {
        const got = await k8s.ask(row.name, row.type, options);
        const serial = (value: number): boolean => value === k8s.serial;
        assert.equal(got.rcode, row.rcode);
        assert.deepEqual(got.flags, ['qr', 'aa', 'rd']);
        assert.deepEqual(maskSerial(got.answer, serial), row.answer ?? []);
        assert.deepEqual(maskSerial(got.authority, serial), row.authority ?? []);
        assert.deepEqual(got.additional, row.additional ?? []);
      });
    }
  }
});
