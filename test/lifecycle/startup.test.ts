/**
 * Startup failures stop the process before it serves, with a clear reason: a bad Corefile
 * names file and line; a taken address names the address; flags that contradict each other
 * name the flag. Nothing is left listening.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { describe, it } from 'node:test';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { writeCorefile } from '../server/fixtures.js';

async function failedStart(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const proc = ClusterDnsProcess.spawn(['serve', ...args]);
  const code = await proc.wait();
  assert.equal(proc.lines.filter((l) => l.msg === 'serving').length, 0);
  return { code, stderr: proc.stderr.join('') };
}

describe('startup failures', () => {
  it('names the file and line of an unknown plugin', async () => {
    const conf = await writeCorefile('example.org:0 {\n  ready 127.0.0.1:0\n  whatever\n}\n');
    const { code, stderr } = await failedStart(['--conf', conf, '--listen', '127.0.0.1:0']);
    assert.equal(code, 1);
    assert.equal(stderr, `clusterdns: ${conf}:3: unknown plugin "whatever"\n`);
  });

  it('names the address that is taken', async () => {
    const taken = dgram.createSocket('udp4');
    await new Promise<void>((r) => taken.bind(0, '127.0.0.1', r));
    const port = taken.address().port;
    const conf = await writeCorefile('example.org:0 {\n}\n');
    const { code, stderr } = await failedStart(['--conf', conf, '--listen', `127.0.0.1:${port}`]);
    taken.close();
    assert.equal(code, 1);
    assert.equal(stderr, `clusterdns: cannot listen on 127.0.0.1:${port}: EADDRINUSE\n`);
  });

  it('refuses cluster flags together with --conf', async () => {
    const conf = await writeCorefile('example.org:0 {\n}\n');
    const { code, stderr } = await failedStart(['--conf', conf, '--zone', 'x.local']);
    assert.equal(code, 1);
    assert.equal(stderr, 'clusterdns: command line:0: --zone cannot be combined with --conf\n');
  });

  it('refuses a malformed --listen address', async () => {
    const { code, stderr } = await failedStart([
      '--listen',
      'localhost',
      '--upstream',
      '127.0.0.1',
    ]);
    assert.equal(code, 1);
    assert.match(stderr, /--listen:0: listen address "localhost": expected HOST:PORT/);
  });
});
