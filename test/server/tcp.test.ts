/**
 * DNS over TCP (RFC 7766): several pipelined queries on one connection, the idle timeout, the
 * read timeout for a message that never completes (a client trickling bytes), and the cap on
 * open connections, which closes the oldest idle connection first.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { serveEmptyZone } from './fixtures.js';
import { buildQuery, frame, readHeader, TcpClient, udpExchange } from './raw-dns.js';

const IDLE_MS = 400;
const READ_MS = 400;

describe('tcp', () => {
  let proc: ClusterDnsProcess;
  let port: number;

  before(async () => {
    proc = await serveEmptyZone([
      '--tcp-idle-timeout',
      `${IDLE_MS}ms`,
      '--tcp-read-timeout',
      `${READ_MS}ms`,
      '--tcp-max-connections',
      '3',
    ]);
    port = proc.port;
  });

  after(async () => {
    assert.equal(await proc.stop(), 0);
  });

  it('answers 20 pipelined queries sent in one write, each with its own ID', async () => {
    const client = await TcpClient.connect(port);
    const queries: Buffer[] = [];
    for (let id = 1; id <= 20; id++) {
      queries.push(frame(buildQuery({ id, name: id % 2 ? 'a.example.org' : 'other.test' })));
    }
    client.send(Buffer.concat(queries));
    const replies = await client.waitReplies(20);
    const byId = new Map(replies.map((r) => [readHeader(r).id, readHeader(r).rcode]));
    assert.equal(byId.size, 20);
    for (let id = 1; id <= 20; id++) assert.equal(byId.get(id), id % 2 ? 2 : 5, `id ${id}`);
    client.close();
  });

  it('answers a query split across many writes', async () => {
    const client = await TcpClient.connect(port);
    const bytes = frame(buildQuery({ id: 77 }));
    for (const byte of bytes) {
      client.send(Buffer.from([byte]));
      await new Promise((r) => setTimeout(r, 5));
    }
    const [reply] = await client.waitReplies(1);
    assert.deepEqual([readHeader(reply).id, readHeader(reply).rcode], [77, 2]);
    client.close();
  });

  it('closes an idle connection after the idle timeout, not before', async () => {
    const client = await TcpClient.connect(port);
    client.send(frame(buildQuery({ id: 1 })));
    await client.waitReplies(1);
    const started = Date.now();
    await client.waitClosed(IDLE_MS * 4);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= IDLE_MS - 50, `closed after ${elapsed} ms`);
  });

  it('closes a connection whose message stays incomplete past the read timeout', async () => {
    const client = await TcpClient.connect(port);
    const bytes = frame(buildQuery({ id: 2 }));
    const started = Date.now();
    // One byte every 100 ms keeps the connection busy but never finishes the message in time.
    for (let i = 0; i < bytes.length - 1 && !client.closed; i++) {
      client.send(bytes.subarray(i, i + 1));
      await new Promise((r) => setTimeout(r, 100));
    }
    await client.waitClosed(READ_MS * 6);
    const elapsed = Date.now() - started;
    // The message needed ~3 s of trickling; the read timeout cut it short.
    assert.ok(elapsed >= READ_MS - 50 && elapsed < READ_MS * 5, `closed after ${elapsed} ms`);
    assert.equal(client.replies.length, 0);
  });

  it('closes a connection that sends a frame shorter than a DNS header', async () => {
    const client = await TcpClient.connect(port);
    client.send(frame(buildQuery({ id: 3 })));
    await client.waitReplies(1);
    client.send(Buffer.from([0, 0]));
    await client.waitClosed(1000);
    assert.equal(client.replies.length, 1);
  });

  it('at the connection cap closes the oldest idle connection for a new one', async () => {
    const clients: TcpClient[] = [];
    for (let i = 0; i < 3; i++) {
      const client = await TcpClient.connect(port);
      client.send(frame(buildQuery({ id: 100 + i })));
      await client.waitReplies(1);
      clients.push(client);
    }
    const fourth = await TcpClient.connect(port);
    await clients[0].waitClosed(1000);
    fourth.send(frame(buildQuery({ id: 104 })));
    const [reply] = await fourth.waitReplies(1);
    assert.equal(readHeader(reply).id, 104);
    assert.equal(clients[1].closed || clients[2].closed, false);
    for (const client of [...clients, fourth]) client.close();
  });

  it('keeps answering UDP while TCP connections are held open', async () => {
    const held = await Promise.all([0, 1, 2].map(() => TcpClient.connect(port)));
    for (const client of held) client.send(Buffer.from([0]));
    const reply = await udpExchange(port, buildQuery({ id: 55 }));
    assert.ok(reply);
    assert.equal(readHeader(reply).id, 55);
    for (const client of held) client.close();
  });
});
