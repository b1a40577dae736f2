/**
 * The native batch socket's own contract, below the listener: errors a caller can act on,
 * the slot layout JavaScript reads, replies left in slots going back to their senders, and a
 * close from inside the batch callback (the callback's references must outlive the call).
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { describe, it } from 'node:test';
import {
  type BatchEndpoint,
  type BatchUdpAddon,
  batchUdpAddon,
  META_INTS,
} from '../../src/server/batch-udp-addon.js';

function addon(): BatchUdpAddon {
  const loaded = batchUdpAddon();
  if (loaded instanceof Error) throw loaded;
  return loaded;
}

interface Buffers {
  readonly queries: Uint8Array;
  readonly meta: Int32Array;
  readonly replies: Uint8Array;
  readonly replyLength: Int32Array;
}

function buffers(a: BatchUdpAddon): Buffers {
  return {
    queries: new Uint8Array(a.batch * a.slot),
    meta: new Int32Array(a.batch * META_INTS),
    replies: new Uint8Array(a.batch * a.slot),
    replyLength: new Int32Array(a.batch),
  };
}

function start(a: BatchUdpAddon, e: BatchEndpoint, b: Buffers, onBatch: (n: number) => void) {
  a.start(e, b.queries, b.meta, b.replies, b.replyLength, onBatch);
}

/** Sends `payloads` from one client socket and resolves with what comes back within `ms`. */
async function exchange(port: number, payloads: readonly Buffer[], ms = 500): Promise<Buffer[]> {
  const client = dgram.createSocket('udp4');
  const received: Buffer[] = [];
  client.on('message', (msg) => received.push(msg));
  await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
  for (const payload of payloads) client.send(payload, port, '127.0.0.1');
  await new Promise((resolve) => setTimeout(resolve, ms));
  client.close();
  return received;
}

describe('batch UDP addon', () => {
  it('fails to bind with the system error code, and refuses what is not an IP address', () => {
    const a = addon();
    const first = a.open('127.0.0.1', 0, false);
    const port = a.localAddress(first)[1];
    try {
      assert.throws(() => a.open('127.0.0.1', port, false), {
        code: 'EADDRINUSE',
        syscall: 'bind',
      });
      assert.throws(() => a.open('localhost', 0, false), {
        name: 'TypeError',
        message: 'not an IP address',
      });
    } finally {
      a.close(first);
    }
  });

  it('fills one slot per datagram and sends back each reply left in a slot', async () => {
    const a = addon();
    const endpoint = a.open('127.0.0.1', 0, false);
    const b = buffers(a);
    const seen: { length: number; port: number; family: number; text: string }[] = [];
    start(a, endpoint, b, (count) => {
      for (let i = 0; i < count; i++) {
        const base = i * META_INTS;
        const length = b.meta[base];
        const text = Buffer.from(b.queries.subarray(i * a.slot, i * a.slot + length)).toString();
        const address = new Uint8Array(b.meta.buffer, (base + 4) * 4, 4).join('.');
        seen.push({ length, port: b.meta[base + 1], family: b.meta[base + 2], text });
        assert.equal(address, '127.0.0.1');
        assert.equal(b.meta[base + 3], 0);
        assert.equal(a.formatAddress(endpoint, i), '127.0.0.1');
        const reply = Buffer.from(`re:${text}`);
        b.replies.set(reply, i * a.slot);
        b.replyLength[i] = text === 'silent' ? 0 : reply.length;
      }
    });
    try {
      const port = a.localAddress(endpoint)[1];
      const sent = ['one', 'two', 'silent', 'three'].map((t) => Buffer.from(t));
      const replies = (await exchange(port, sent)).map((r) => r.toString()).sort();
      assert.deepEqual(replies, ['re:one', 're:three', 're:two']);
      assert.deepEqual(
        seen.map((s) => [s.text, s.length, s.family]),
        [
          ['one', 3, 4],
          ['two', 3, 4],
          ['silent', 6, 4],
          ['three', 5, 4],
        ],
      );
      assert.equal(new Set(seen.map((s) => s.port)).size, 1);
    } finally {
      a.close(endpoint);
    }
  });

  it('survives a close from inside the batch callback and sends nothing after it', async () => {
    const a = addon();
    const endpoint = a.open('127.0.0.1', 0, false);
    const b = buffers(a);
    let batches = 0;
    start(a, endpoint, b, (count) => {
      batches++;
      b.replies.set(Buffer.from('late'), 0);
      b.replyLength[0] = 4;
      assert.ok(count >= 1);
      a.close(endpoint);
    });
    const port = a.localAddress(endpoint)[1];
    const replies = await exchange(port, [Buffer.from('x')]);
    assert.deepEqual(replies, []);
    assert.equal(batches, 1);
    // Every entry point refuses a closed socket without touching it.
    assert.equal(a.sendTo(endpoint, Buffer.from('y'), '127.0.0.1', port), -9 /* EBADF */);
    assert.throws(() => a.localAddress(endpoint), { name: 'TypeError' });
    a.close(endpoint);
  });
});
