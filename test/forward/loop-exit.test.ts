/**
 * The loop plugin's default reaction in a real process: a forwarding loop makes the process
 * log the problem at error level, naming the upstream, and exit with status 1.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UdpRelay } from '../upstreams/udp-relay.js';

const SCRIPT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../upstreams/loop-process.js',
);

describe('loop in a process', () => {
  it('exits 1 with an error log naming the upstream', async () => {
    const relay = await UdpRelay.start();
    const child = spawn(process.execPath, [SCRIPT, String(relay.port), 'cluster.local'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Record<string, unknown>[] = [];
    let partial = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        lines.push(parsed);
        if (parsed.msg === 'listening') relay.target = parsed.port as number;
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(timer);
    relay.close();
    assert.equal(code, 1);
    const error = lines.find((l) => l.msg === 'forwarding loop detected, exiting');
    assert.ok(error, JSON.stringify(lines));
    assert.equal(error.level, 50);
    assert.equal(error.code, 'LOOP_DETECTED');
    assert.deepEqual(error.upstreams, [`127.0.0.1:${relay.port}`]);
    assert.match((error.err as { message: string }).message, /zone "cluster\.local\."/);
  });
});
