/**
 * `clusterdns serve --workers 2`: two processes answer on one port (told apart by the
 * `worker` label of their request counters), a killed worker is replaced and answers again,
 * SIGHUP reloads every worker, SIGTERM stops them all and exits 0, and a worker that cannot
 * start fails the server. On port 0 the workers share the primary's UDP socket; on a fixed
 * port each worker binds its own SO_REUSEPORT batch socket (seen with `ss`).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ClusterDnsProcess, type LogLine } from '../helpers/clusterdns-process.js';
import { dig } from '../helpers/dig.js';
import { writeCorefile } from '../server/fixtures.js';

const NAME = 'web.shop.svc.cluster.local';
const STATE = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: web, namespace: shop}
  spec:
    type: ClusterIP
    clusterIP: 10.96.0.20
    clusterIPs: [10.96.0.20]
    ports:
    - {name: http, port: 80, protocol: TCP}
`;

/** A Corefile serving the state file beside it. */
function corefile(state: string, ttl: number): string {
  return [
    'cluster.local:0 {',
    '  prometheus 127.0.0.1:0',
    '  ready 127.0.0.1:0 {',
    '    monitor continuously',
    '  }',
    '  health 127.0.0.1:0 {',
    '    lameduck 300ms',
    '  }',
    '  kubernetes cluster.local {',
    `    state ${state}`,
    `    ttl ${ttl}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** The "worker serving" lines seen so far, in order. */
function workerServing(proc: ClusterDnsProcess): LogLine[] {
  return proc.lines.filter((l) => l.msg === 'worker serving');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `coredns_dns_requests_total` summed per `worker` label, from one /metrics scrape. */
async function requestsByWorker(metricsPort: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('coredns_dns_requests_total{')) continue;
    const worker = /worker="(\d+)"/.exec(line)?.[1] ?? 'none';
    counts.set(worker, (counts.get(worker) ?? 0) + Number(line.split(' ').pop()));
  }
  return counts;
}

interface ReadyAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * GET /ready on a new connection (so the primary may hand it to either worker). A connection
 * handed to a worker just as it is killed is lost, hence the timeout.
 */
function getReady(port: number): Promise<ReadyAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/ready', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    request.setTimeout(300, () => request.destroy(new Error('no answer in 0.3 s')));
    request.on('error', reject);
  });
}

/** Polls /ready until `match` holds; returns the matching answer. */
async function readyUntil(port: number, match: (a: ReadyAnswer) => boolean): Promise<ReadyAnswer> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answer = await getReady(port).catch((err: Error) => ({ status: 0, body: err.message }));
    if (match(answer)) return answer;
    if (Date.now() > deadline) throw new Error(`/ready stayed ${answer.status} ${answer.body}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Asks `count` times over TCP, one connection each: the primary deals them out in turn. */
async function askOverTcp(port: number, count: number, ttl: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const reply = await dig(NAME, 'A', { port, tcp: true });
    assert.equal(reply.status, 'NOERROR');
    assert.deepEqual(reply.answer, [`${NAME}. ${ttl} IN A 10.96.0.20`]);
  }
}

const run = promisify(execFile);

/** A socket bound to the DNS port, with the PIDs of every process holding it (from `ss -p`). */
interface BoundSocket {
  readonly local: string;
  readonly pids: number[];
}

/** The UDP sockets bound to `port` (`-u`), or the listening TCP ones (`-t`). */
async function socketsOn(port: number, kind: '-u' | '-t'): Promise<BoundSocket[]> {
  const state = kind === '-u' ? '-a' : '-l';
  const { stdout } = await run('ss', ['-H', '-n', '-p', kind, state, 'sport', '=', `:${port}`]);
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => ({
      local: line.trim().split(/\s+/)[3],
      pids: ascending([...new Set([...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])))]),
    }));
}

function ascending(values: number[]): number[] {
  return values.sort((a, b) => a - b);
}

function byFirstPid(a: BoundSocket, b: BoundSocket): number {
  return a.pids[0] - b.pids[0];
}

/** The PID of the worker now serving `slot` (the latest "worker serving" line of that slot). */
function workerPid(proc: ClusterDnsProcess, slot: number): number {
  const lines = workerServing(proc).filter((l) => l.worker === slot);
  return lines[lines.length - 1].pid as number;
}

/** A port free on 127.0.0.1 for both UDP and TCP when checked (another program may take it). */
async function freePort(): Promise<number> {
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  const port = udp.address().port;
  const tcp = net.createServer();
  const tcpFree = await new Promise<boolean>((resolve) => {
    tcp.once('error', () => resolve(false));
    tcp.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (tcpFree) await new Promise((resolve) => tcp.close(resolve));
  await new Promise<void>((resolve) => udp.close(resolve));
  return tcpFree ? port : freePort();
}

/** `serve ARGS --listen 127.0.0.1:PORT` on a free fixed port, trying another one if it is taken. */
async function serveOnFixedPort(args: readonly string[]): Promise<ClusterDnsProcess> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await ClusterDnsProcess.serve([...args, '--listen', `127.0.0.1:${port}`]);
    } catch (err) {
      if (attempt >= 5 || !/EADDRINUSE/.test(String(err))) throw err;
    }
  }
}

/**
 * Asks `count` times over UDP, each from a new `dig` (so from a new source port: SO_REUSEPORT
 * picks a worker's socket by the client's address and port), eight at a time.
 */
async function askFromManyClients(port: number, count: number): Promise<void> {
  for (let done = 0; done < count; done += 8) {
    const batch = Array.from({ length: Math.min(8, count - done) }, () => dig(NAME, 'A', { port }));
    for (const reply of await Promise.all(batch)) {
      assert.equal(reply.status, 'NOERROR');
      assert.deepEqual(reply.answer, [`${NAME}. 5 IN A 10.96.0.20`]);
    }
  }
}

/** Writes the state file and a Corefile serving it; returns the Corefile's path. */
async function writeServerFiles(): Promise<string> {
  const file = await writeCorefile('');
  const state = path.join(path.dirname(file), 'cluster.yaml');
  await fs.writeFile(state, STATE);
  await fs.writeFile(file, corefile(state, 5));
  return file;
}

/** Resolves once both workers have read the cluster state. */
async function bothLoaded(proc: ClusterDnsProcess): Promise<void> {
  for (const worker of [0, 1]) {
    await proc.waitFor((l) => l.msg === 'state loaded' && l.worker === worker);
  }
}

describe('serve --workers 2', () => {
  let file: string;
  let state: string;
  let proc: ClusterDnsProcess;
  let port: number;
  let metricsPort: number;
  let readyPort: number;

  before(async () => {
    file = await writeCorefile('');
    state = path.join(path.dirname(file), 'cluster.yaml');
    await fs.writeFile(state, STATE);
    await fs.writeFile(file, corefile(state, 5));
    const args = ['--conf', file, '--listen', '127.0.0.1:0', '--workers', '2'];
    proc = await ClusterDnsProcess.serve(args);
    port = proc.port;
    // Both workers read the state before the first answers are checked.
    for (const worker of [0, 1]) {
      await proc.waitFor((l) => l.msg === 'state loaded' && l.worker === worker);
    }
    metricsPort = proc.httpPort('prometheus');
    readyPort = proc.httpPort('ready');
  });

  after(async () => {
    await proc.stop('SIGKILL');
  });

  it('logs "serving" once both workers serve, all on the one port', () => {
    const serving = proc.lines.filter((l) => l.msg === 'serving');
    assert.equal(serving.length, 1);
    assert.equal(serving[0].workers, 2);
    const workers = workerServing(proc);
    assert.deepEqual(workers.map((l) => l.worker).sort(), [0, 1]);
    for (const line of workers) {
      assert.deepEqual(line.listeners, [{ address: '127.0.0.1', port }]);
      assert.notEqual(line.pid, proc.child.pid);
    }
    assert.notEqual(workers[0].pid, workers[1].pid);
    const http = proc.lines.filter((l) => l.msg === 'http listening' && l.plugin === 'prometheus');
    const ports = http.map((l) => l.port);
    assert.deepEqual(ports, [metricsPort, metricsPort], 'one shared metrics port');
  });

  it('shares one UDP socket among the workers on port 0', async () => {
    const sockets = await socketsOn(port, '-u');
    assert.equal(sockets.length, 1, 'one socket, read by every worker');
    const holders = [proc.child.pid as number, workerPid(proc, 0), workerPid(proc, 1)];
    assert.deepEqual(sockets[0].pids, ascending(holders), 'held by the primary and both workers');
  });

  it('answers from both workers, and /metrics sums them', async () => {
    const before = await requestsByWorker(metricsPort);
    await askOverTcp(port, 10, 5);
    const udp = await dig(NAME, 'A', { port });
    assert.deepEqual(udp.answer, [`${NAME}. 5 IN A 10.96.0.20`]);

    const counts = await requestsByWorker(metricsPort);
    const added = (w: string): number => (counts.get(w) ?? 0) - (before.get(w) ?? 0);
    assert.deepEqual([...counts.keys()].sort(), ['0', '1'], 'every series names its worker');
    assert.equal(added('0') + added('1'), 11, 'ten TCP queries and one UDP query');
    assert.ok(added('0') >= 5 && added('1') >= 5, `uneven split: ${added('0')}/${added('1')}`);
  });

  it('replaces a killed worker, which then answers', async () => {
    await readyUntil(readyPort, (a) => a.status === 200);
    const victim = workerServing(proc).find((l) => l.worker === 0) as LogLine;
    process.kill(victim.pid as number, 'SIGKILL');
    const notReady = await readyUntil(readyPort, (a) => a.status !== 200 && a.status !== 0);
    assert.equal(notReady.status, 503);
    assert.match(
      notReady.body,
      /^(kubernetes\n)?(rehearsal\n)?workers\n$/,
      'not ready while a slot is empty',
    );

    const exited = await proc.waitFor((l) => l.msg === 'worker exited; restarting');
    assert.equal(exited.level, 40, 'logged at warn');
    assert.equal(exited.slot, 0);
    assert.equal(exited.signal, 'SIGKILL');
    assert.equal(exited.restartInMs, 100);
    const replaced = await proc.waitFor((l) => l.msg === 'worker replaced');
    assert.equal(replaced.slot, 0);
    assert.notEqual(replaced.workerPid, victim.pid);
    assert.ok(isAlive(replaced.workerPid as number));
    // The new worker takes queries once bound, which may be before its state is read.
    await proc.waitFor((l) => l.msg === 'state loaded' && l.pid === replaced.workerPid);
    assert.equal((await readyUntil(readyPort, (a) => a.status === 200)).body, 'OK');

    const before = await requestsByWorker(metricsPort);
    await askOverTcp(port, 6, 5);
    const counts = await requestsByWorker(metricsPort);
    assert.ok((counts.get('0') ?? 0) - (before.get('0') ?? 0) >= 3, 'the new worker answers');
  });

  it('reloads every worker on SIGHUP', async () => {
    await fs.writeFile(file, corefile(state, 60));
    proc.child.kill('SIGHUP');
    await proc.waitFor((l) => l.msg === 'config reloaded' && l.worker === 0);
    await proc.waitFor((l) => l.msg === 'config reloaded' && l.worker === 1);
    await askOverTcp(port, 4, 60);
  });

  it('stops every worker on SIGTERM and exits 0', async () => {
    const pids = workerServing(proc).map((l) => l.pid as number);
    assert.equal(await proc.stop('SIGTERM'), 0);
    const down = proc.lines.filter((l) => l.msg === 'shutting down');
    assert.deepEqual(down.map((l) => [l.worker, l.lameduckMs]).sort(), [[0, 300], [1, 300]]);
    for (const pid of pids) assert.equal(isAlive(pid), false, `worker ${pid} still runs`);
  });
});

describe('serve --workers: startup failures', () => {
  it('exits 1 when the workers cannot start', async () => {
    const file = await writeCorefile('cluster.local:0 {\n  no_such_plugin\n}\n');
    const proc = ClusterDnsProcess.spawn(['serve', '--conf', file, '--workers', '2']);
    assert.equal(await proc.wait(), 1);
    const failed = proc.lines.find((l) => l.msg === 'startup failed' && l.worker === undefined);
    assert.match(String(failed?.err), /^worker [01] stopped before serving \(exit code 1\)$/);
    assert.match(proc.stderr.join(''), new RegExp(`${file}:2`));
  });

  it('rejects a worker count that is not a positive integer', async () => {
    const proc = ClusterDnsProcess.spawn(['serve', '--workers', '0']);
    assert.equal(await proc.wait(), 1);
    assert.match(proc.stderr.join(''), /--workers.*"0" is not a count/);
  });
});

describe('serve --workers 2 on a fixed port: one SO_REUSEPORT batch socket per worker', () => {
  let proc: ClusterDnsProcess;
  let port: number;
  let metricsPort: number;

  before(async () => {
    const file = await writeServerFiles();
    proc = await serveOnFixedPort(['--conf', file, '--workers', '2']);
    port = proc.port;
    await bothLoaded(proc);
    metricsPort = proc.httpPort('prometheus');
  });

  after(async () => {
    await proc.stop('SIGKILL');
  });

  it('binds one UDP socket in each worker and leaves TCP with the primary', async () => {
    const udp = await socketsOn(port, '-u');
    const local = `127.0.0.1:${port}`;
    const workers = ascending([workerPid(proc, 0), workerPid(proc, 1)]);
    const expected = workers.map((pid) => ({ local, pids: [pid] }));
    assert.deepEqual(udp.sort(byFirstPid), expected, 'one socket per worker, held by it alone');
    const tcp = await socketsOn(port, '-t');
    assert.deepEqual(tcp, [{ local: `127.0.0.1:${port}`, pids: [proc.child.pid] }]);
    await askOverTcp(port, 4, 5);
  });

  it('spreads clients over both workers', async () => {
    const before = await requestsByWorker(metricsPort);
    await askFromManyClients(port, 32);
    const counts = await requestsByWorker(metricsPort);
    const added = (w: string): number => (counts.get(w) ?? 0) - (before.get(w) ?? 0);
    assert.equal(added('0') + added('1'), 32);
    assert.ok(added('0') > 0 && added('1') > 0, `one worker took all: ${added('0')}/${added('1')}`);
  });

  it('rebinds the port in a replaced worker while the other holds it', async () => {
    const local = `127.0.0.1:${port}`;
    const victim = workerPid(proc, 1);
    const survivor = workerPid(proc, 0);
    process.kill(victim, 'SIGKILL');
    const replaced = await proc.waitFor((l) => l.msg === 'worker replaced');
    assert.equal(replaced.slot, 1);
    const fresh = replaced.workerPid as number;
    await proc.waitFor((l) => l.msg === 'state loaded' && l.pid === fresh);
    const udp = await socketsOn(port, '-u');
    const expected = ascending([survivor, fresh]).map((pid) => ({ local, pids: [pid] }));
    assert.deepEqual(udp.sort(byFirstPid), expected);

    const before = await requestsByWorker(metricsPort);
    await askFromManyClients(port, 32);
    const counts = await requestsByWorker(metricsPort);
    const added = (w: string): number => (counts.get(w) ?? 0) - (before.get(w) ?? 0);
    assert.equal(added('0') + added('1'), 32);
    assert.ok(added('1') > 0, `the new worker answered none of 32 (worker 0: ${added('0')})`);
  });
});

describe('serve --workers 2 on a fixed port with --udp-io dgram', () => {
  it('shares the primary\'s one UDP socket', async () => {
    const file = await writeServerFiles();
    const proc = await serveOnFixedPort(['--conf', file, '--workers', '2', '--udp-io', 'dgram']);
    try {
      await bothLoaded(proc);
      const sockets = await socketsOn(proc.port, '-u');
      const holders = [proc.child.pid as number, workerPid(proc, 0), workerPid(proc, 1)];
      assert.deepEqual(sockets, [{ local: `127.0.0.1:${proc.port}`, pids: ascending(holders) }]);
      await askFromManyClients(proc.port, 8);
    } finally {
      await proc.stop('SIGKILL');
    }
  });
});

describe('serve --workers 2 on a fixed port held by another socket', () => {
  it('fails startup with a LISTEN error naming the address', async () => {
    const holder = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', resolve));
    const port = holder.address().port;
    try {
      const file = await writeServerFiles();
      const args = ['serve', '--conf', file, '--workers', '2', '--listen', `127.0.0.1:${port}`];
      const proc = ClusterDnsProcess.spawn(args);
      assert.equal(await proc.wait(), 1);
      const failed = proc.lines.find((l) => l.msg === 'startup failed' && l.worker === undefined);
      assert.match(String(failed?.err), /^worker [01] stopped before serving \(exit code 1\)$/);
      const expected = `cannot listen on 127.0.0.1:${port}: EADDRINUSE`;
      const inWorker = proc.lines.find((l) => l.msg === 'startup failed' && l.worker !== undefined);
      assert.equal(inWorker?.code, 'LISTEN');
      assert.equal(inWorker?.err, expected);
      assert.ok(proc.stderr.join('').includes(`clusterdns: ${expected}\n`), proc.stderr.join(''));
    } finally {
      await new Promise<void>((resolve) => holder.close(resolve));
    }
  });
});
