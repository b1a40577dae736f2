/**
 * The kubernetes plugin configured by a Corefile in the real `clusterdns serve` process: one
 * state source shared by two server blocks, configuration errors naming file and line, and
 * the behaviour before the state has ever loaded (SERVFAIL instead of NXDOMAIN after
 * startup_timeout, readiness reported by the `ready` plugin).
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { dig } from '../helpers/dig.js';
import { FIXTURES } from './in-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const FIXTURE = path.join(FIXTURES, 'cluster.yaml');

describe('kubernetes in a Corefile', () => {
  let dir: string;
  before(async () => {
    dir = makeTempDir('clusterdns-corefile-');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function corefile(name: string, text: string): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, text);
    return file;
  }

  it('shares one state source between server blocks with the same settings', async () => {
    const conf = await corefile(
      'Corefile.shared',
      [
        'cluster.local:0 {',
        '  bind 127.0.0.1',
        `  kubernetes {\n    state ${FIXTURE}\n    ttl 7\n  }`,
        '}',
        'example.internal:0 {',
        '  bind 127.0.0.1',
        `  kubernetes {\n    state ${FIXTURE}\n  }`,
        '}',
        '',
      ].join('\n'),
    );
    const server = await ClusterDnsProcess.serve(['--conf', conf]);
    try {
      await server.waitFor((line) => line.msg === 'state loaded');
      const first = await dig('web.shop.svc.cluster.local', 'A', { port: server.port });
      assert.deepEqual(first.answer, ['web.shop.svc.cluster.local. 7 IN A 10.96.0.20']);
      const serving = server.lines.find((line) => line.msg === 'serving');
      const ports = (serving?.listeners as { port: number }[]).map((l) => l.port);
      const other = ports.find((port) => port !== server.port) ?? server.port;
      const second = await dig('web.shop.svc.example.internal', 'A', { port: other });
      assert.deepEqual(second.answer, ['web.shop.svc.example.internal. 5 IN A 10.96.0.20']);
      assert.equal(server.lines.filter((line) => line.msg === 'state loaded').length, 1);
    } finally {
      await server.stop();
    }
  });

  it('refuses to start on a bad option, naming the Corefile line', async () => {
    const conf = await corefile(
      'Corefile.bad',
      [
        'cluster.local:0 {',
        '  kubernetes {',
        `    state ${FIXTURE}`,
        '    colour blue',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    const proc = ClusterDnsProcess.spawn(['serve', '--conf', conf]);
    const code = await proc.wait();
    assert.notEqual(code, 0);
    assert.match(
      proc.output(),
      new RegExp(`${conf}:4: kubernetes: unknown property \\\\?"colour\\\\?"`),
    );
  });

  it('before the state ever loads: SERVFAIL for unknown names after startup_timeout, not ready', async () => {
    const missing = path.join(dir, 'not-there.yaml');
    const conf = await corefile(
      'Corefile.unsynced',
      [
        'cluster.local:0 {',
        '  bind 127.0.0.1',
        '  ready 127.0.0.1:0',
        `  kubernetes {\n    state ${missing}\n    startup_timeout 300ms\n  }`,
        '}',
        '',
      ].join('\n'),
    );
    const server = await ClusterDnsProcess.serve(['--conf', conf]);
    try {
      const answer = await dig('web.shop.svc.cluster.local', 'A', { port: server.port });
      assert.equal(answer.status, 'SERVFAIL');
      const apex = await dig('cluster.local', 'SOA', { port: server.port });
      assert.equal(apex.status, 'NOERROR');
      const ready = await fetch(`http://127.0.0.1:${server.httpPort('ready')}/ready`);
      assert.equal(ready.status, 503);
      assert.match(await ready.text(), /kubernetes/);
      await writeFile(
        missing,
        '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}\n',
      );
      await server.waitFor((line) => line.msg === 'state loaded', 5000);
      const after = await dig('web.shop.svc.cluster.local', 'A', { port: server.port });
      assert.equal(after.status, 'NXDOMAIN');
      const nowReady = await fetch(`http://127.0.0.1:${server.httpPort('ready')}/ready`);
      assert.equal(nowReady.status, 200);
    } finally {
      await server.stop();
    }
  });
});
