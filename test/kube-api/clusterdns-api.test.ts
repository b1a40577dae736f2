/**
 * The real `clusterdns serve` process fed by the test API server, queried with `dig`: the
 * initial sync, a change reaching answers (its delay is measured), each API fault with no
 * wrong answer at any moment and recovery without a restart, the unsynced start (SERVFAIL,
 * not ready), and credentials kept out of the logs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { dig } from '../helpers/dig.js';
import { service } from './fixtures.js';
import { seed } from './harness.js';
import { AnswerWatch, addressBecomes, answerBecomes, answerOf } from './answer-watch.js';
import { TestApiServer } from './server.js';
import type { KubeconfigAuth } from './kubeconfig.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const WEB = 'web.default.svc.cluster.local';
const answer = (ip: string) => `NOERROR|${WEB}. 5 IN A ${ip}`;

interface Running {
  readonly api: TestApiServer;
  readonly proc: ClusterDnsProcess;
  readonly dir: string;
  close(): Promise<void>;
}

async function run(auth: KubeconfigAuth = 'token', apiDown = false): Promise<Running> {
  const api = await TestApiServer.start({ bookmarkIntervalMs: 1000 });
  seed(api);
  if (apiDown) await api.stop();
  const dir = makeTempDir('clusterdns-api-');
  const corefile = path.join(dir, 'Corefile');
  fs.writeFileSync(corefile, [
    'cluster.local {',
    '  ready 127.0.0.1:0',
    '  kubernetes cluster.local {',
    `    kubeconfig ${api.kubeconfig(dir, auth)}`,
    '    startup_timeout 1s',
    '  }',
    '}',
    '',
  ].join('\n'));
  const proc = await ClusterDnsProcess.serve([
    '--conf', corefile, '--listen', '127.0.0.1:0', '--log-level', 'debug',
  ]);
  return {
    api,
    proc,
    dir,
    async close() {
      await proc.stop();
      await api.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function synced(r: Running): Promise<void> {
  await r.proc.waitFor((l) => l.msg === 'kubernetes synced');
  await until(() => r.api.openWatches === 3);
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function setWeb(api: TestApiServer, ip: string): void {
  api.put('services', service('default', 'web', { clusterIP: ip, labels: { dns: 'yes' } }));
}

async function readyStatus(proc: ClusterDnsProcess): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${proc.httpPort('ready')}/ready`);
  await response.text();
  return response.status;
}

test('serves the synced state, and an API change reaches answers within 500 ms', async (t) => {
  const r = await run();
  try {
    await synced(r);
    assert.equal(answerOf(await dig(WEB, 'A', { port: r.proc.port })), answer('10.96.0.20'));
    const db = await dig('db.team-a.svc.cluster.local', 'A', { port: r.proc.port });
    assert.deepEqual(db.answer, ['db.team-a.svc.cluster.local. 5 IN A 10.1.1.1']);
    assert.equal(await readyStatus(r.proc), 200);
    const delays: number[] = [];
    for (let i = 1; i <= 20; i++) {
      setWeb(r.api, `10.96.1.${i}`);
      delays.push(await addressBecomes(r.proc.port, WEB, `10.96.1.${i}`));
    }
    delays.sort((a, b) => a - b);
    const [median, max] = [delays[10].toFixed(1), delays[19].toFixed(1)];
    t.diagnostic(`change-to-answer delay ms: median ${median}, max ${max}`);
    assert.ok(delays[19] < 500, `delays ${delays}`);
    assert.equal(answerOf(await dig(WEB, 'A', { port: r.proc.port })), answer('10.96.1.20'));
  } finally {
    await r.close();
  }
});

test('dropped watches, 410 and 5xx: never a wrong answer, changes still arrive', async () => {
  const r = await run();
  try {
    await synced(r);
    const allowed = new Set([answer('10.96.0.20'), answer('10.96.2.1'), answer('10.96.2.2'),
      answer('10.96.2.3')]);
    const watch = new AnswerWatch(r.proc.port, WEB, 'A', allowed);
    r.api.dropWatches();
    setWeb(r.api, '10.96.2.1');
    await answerBecomes(r.proc.port, WEB, 'A', answer('10.96.2.1'));
    r.api.expireWatches();
    setWeb(r.api, '10.96.2.2');
    await answerBecomes(r.proc.port, WEB, 'A', answer('10.96.2.2'));
    r.api.failNext(500, 4, 'watch');
    r.api.dropWatches();
    setWeb(r.api, '10.96.2.3');
    await answerBecomes(r.proc.port, WEB, 'A', answer('10.96.2.3'));
    await watch.stop();
    assert.deepEqual(watch.wrong, []);
    assert.ok(watch.count > 5);
  } finally {
    await r.close();
  }
});

test('API down after sync: last state keeps serving, one warning, recovery on return', async () => {
  const r = await run();
  try {
    await synced(r);
    const watch = new AnswerWatch(r.proc.port, WEB, 'A', new Set([answer('10.96.0.20'),
      answer('10.96.3.1')]));
    await r.api.stop();
    await r.proc.waitFor((l) => l.msg === 'kubernetes api unavailable');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(await readyStatus(r.proc), 200);
    await r.api.restart();
    setWeb(r.api, '10.96.3.1');
    await answerBecomes(r.proc.port, WEB, 'A', answer('10.96.3.1'));
    await r.proc.waitFor((l) => l.msg === 'kubernetes api available again');
    await watch.stop();
    assert.deepEqual(watch.wrong, []);
    const warnings = r.proc.lines.filter((l) => (l.level ?? 0) >= 40);
    assert.deepEqual(warnings.map((l) => l.msg), ['kubernetes api unavailable']);
  } finally {
    await r.close();
  }
});

test('API down at start: SERVFAIL for unknown names and not ready, until synced', async () => {
  const r = await run('token', true);
  try {
    await r.proc.waitFor((l) => l.msg === 'kubernetes api unavailable');
    const missing = await dig('nope.default.svc.cluster.local', 'A', { port: r.proc.port });
    assert.equal(missing.status, 'SERVFAIL');
    assert.deepEqual(missing.answer, []);
    assert.equal(await readyStatus(r.proc), 503);
    await r.api.restart();
    await r.proc.waitFor((l) => l.msg === 'kubernetes synced', 10_000);
    const after = await dig('nope.default.svc.cluster.local', 'A', { port: r.proc.port });
    assert.equal(after.status, 'NXDOMAIN');
    assert.equal(answerOf(await dig(WEB, 'A', { port: r.proc.port })), answer('10.96.0.20'));
    assert.equal(await readyStatus(r.proc), 200);
  } finally {
    await r.close();
  }
});

test('a bad token: one clear error naming 401, and the token never printed', async () => {
  const r = await run('bad-token');
  try {
    const error = await r.proc.waitFor((l) => l.level === 50);
    assert.equal(error.msg, 'kubernetes api denied access: check credentials and RBAC');
    assert.equal(error.status, 401);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(r.proc.lines.filter((l) => l.level === 50).length, 1);
    assert.equal((await dig(WEB, 'A', { port: r.proc.port })).status, 'SERVFAIL');
    assert.ok(!r.proc.output().includes('not-a-valid-token'));
  } finally {
    await r.close();
  }
});

test('debug logs never contain the token or the client key, through faults', async () => {
  const r = await run('token+cert');
  try {
    await synced(r);
    r.api.dropWatches();
    await r.api.stop();
    await r.proc.waitFor((l) => l.msg === 'kubernetes api unavailable');
    await r.api.restart();
    await r.proc.waitFor((l) => l.msg === 'kubernetes api available again');
    await r.proc.stop();
    const text = [...r.proc.lines.map((l) => JSON.stringify(l)), ...r.proc.stderr].join('\n');
    assert.ok(r.proc.lines.some((l) => l.level === 20), 'debug lines were logged');
    const key = r.api.pki.clientKey.toString();
    const keyBody = key.split('\n').filter((line) => line && !line.startsWith('-----'));
    const secrets = [r.api.tokens.admin, r.api.pki.clientKey.toString('base64'), ...keyBody];
    for (const secret of secrets) assert.ok(!text.includes(secret), 'a secret was logged');
  } finally {
    await r.close();
  }
});
