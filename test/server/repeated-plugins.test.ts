/**
 * Plugins a server block may repeat, as in CoreDNS, behave as CoreDNS's do on a running
 * clusterdns (real dig, two real dnsmasq upstreams): each `forward` stanza answers its own
 * zone and passes the rest to the next one, and repeated `log` lines act as one plugin whose
 * first rule matching the name writes exactly one line.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClusterDnsProcess, type LogLine } from '../helpers/clusterdns-process.js';
import { dig } from '../helpers/dig.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { Dnsmasq } from '../upstreams/dnsmasq.js';

describe('repeated forward and log in one block', () => {
  let first: Dnsmasq;
  let second: Dnsmasq;
  let server: ClusterDnsProcess;
  let dir: string;

  before(async () => {
    first = await Dnsmasq.start(['--address=/a.test/192.0.2.1']);
    // The second upstream knows a.test too, with another address: a reply from it for a.test
    // would show the first stanza was skipped or replaced.
    second = await Dnsmasq.start(['--address=/a.test/192.0.2.99', '--address=/b.test/192.0.2.2']);
    dir = makeTempDir('repeated-');
    const corefile = path.join(dir, 'Corefile');
    fs.writeFileSync(
      corefile,
      '.:0 {\n' +
        '  log a.test "{name} first"\n' +
        '  log . "{name} second"\n' +
        `  forward a.test 127.0.0.1:${first.port}\n` +
        `  forward . 127.0.0.1:${second.port}\n` +
        '}\n',
    );
    server = await ClusterDnsProcess.serve(['--conf', corefile, '--listen', '127.0.0.1:0']);
  });

  after(async () => {
    await server?.stop();
    await first?.stop();
    await second?.stop();
    if (dir) removeTempDir(dir);
  });

  const queryLines = (): string[] =>
    server.lines
      .map((l: LogLine) => l.text)
      .filter((t): t is string => typeof t === 'string' && t.startsWith('[INFO] '));

  it('answers each zone from its own forward stanza, logged once by the first matching rule', async () => {
    const a = await dig('a.test', 'A', { port: server.port });
    assert.equal(a.status, 'NOERROR');
    assert.deepEqual(
      a.answer.map((r) => r.split(' ').slice(-2).join(' ')),
      ['A 192.0.2.1'],
    );
    await server.waitFor((l) => l.text === '[INFO] a.test. first', 5000);

    const b = await dig('b.test', 'A', { port: server.port });
    assert.equal(b.status, 'NOERROR');
    assert.deepEqual(
      b.answer.map((r) => r.split(' ').slice(-2).join(' ')),
      ['A 192.0.2.2'],
    );
    await server.waitFor((l) => l.text === '[INFO] b.test. second', 5000);
    // Lines of one query are written within one event-loop turn; give a stray second line
    // time to show before counting.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(queryLines(), ['[INFO] a.test. first', '[INFO] b.test. second']);
  });
});
