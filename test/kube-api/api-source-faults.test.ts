/**
 * ApiSource under API faults: dropped, hung and expired watches, error statuses, slow
 * answers, an API that is down at start, and bad credentials. In every case the store never
 * loses what it knew (no removal, no shrinking re-list) and the source recovers by itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { service } from './fixtures.js';
import { harness, LEVEL, metric, until, type Harness } from './harness.js';

const WATCHED = 3;

/** True when the store was never told to forget anything it had after `from` calls. */
function nothingLost(h: Harness, from: number): boolean {
  return h.store.calls.slice(from).every((call) => {
    if (call.op === 'remove') return false;
    return call.op !== 'replaceAll' || call.count >= 2;
  });
}

async function synced(h: Harness): Promise<number> {
  await until('sync', () => h.source.synced());
  await until('watches', () => h.api.openWatches === WATCHED);
  return h.store.calls.length;
}

async function changeArrives(h: Harness, ip: string): Promise<void> {
  h.api.put('services', service('default', 'web', { clusterIP: ip, labels: { dns: 'yes' } }));
  await until(`web at ${ip}`, () => {
    const object = h.store.get('Service', 'default/web');
    return object?.kind === 'Service' && object.value.clusterIPs[0] === ip;
  });
}

const outageLines = (h: Harness) =>
  h.logs.filter((l) => l.level >= LEVEL.warn || l.msg === 'kubernetes api available again');

test('a dropped watch resumes from the last resourceVersion without re-listing', async () => {
  const h = await harness();
  try {
    const from = await synced(h);
    await changeArrives(h, '10.96.0.21');
    const lists = h.api.requests.filter((r) => !r.query.has('watch')).length;
    const version = String(h.api.log.version);
    const watches = () => h.api.requests.filter((r) => r.query.has('watch')).length;
    const before = watches();
    h.api.dropWatches();
    await until('rewatch', () => watches() === before + WATCHED);
    const resumed = h.api.requests.filter((r) => r.path === '/api/v1/services').at(-1);
    assert.equal(resumed?.query.get('watch'), '1');
    assert.equal(resumed?.query.get('resourceVersion'), version);
    await changeArrives(h, '10.96.0.22');
    assert.equal(h.api.requests.filter((r) => !r.query.has('watch')).length, lists);
    assert.ok(nothingLost(h, from));
  } finally {
    await h.close();
  }
});

test('a hung watch is restarted by the watchdog and misses nothing', async () => {
  const h = await harness();
  try {
    const from = await synced(h);
    h.api.hangWatches();
    // Written while the stream is hung: delivered by the restarted watch's replay.
    h.api.put('services', service('default', 'late', { clusterIP: '10.96.0.50' }));
    await until('late arrives', () => h.store.get('Service', 'default/late') !== undefined, 5000);
    assert.ok(h.logs.some((l) => l.reason === 'Silent' && l.level === LEVEL.warn));
    await until('recovery logged', () =>
      h.logs.some((l) => l.msg === 'kubernetes api available again'));
    assert.ok(nothingLost(h, from));
  } finally {
    await h.close();
  }
});

test('a watch that is silent from the start is restarted too', async () => {
  const h = await harness();
  try {
    const from = await synced(h);
    h.api.faults.hangNewWatches = true;
    h.api.dropWatches();
    await new Promise((resolve) => setTimeout(resolve, 1200));
    assert.ok(h.logs.some((l) => l.reason === 'Silent'));
    h.api.faults.hangNewWatches = false;
    await changeArrives(h, '10.96.0.23');
    assert.ok(nothingLost(h, from));
  } finally {
    await h.close();
  }
});

test('410 Gone on a watch re-lists and replaces the state at once', async () => {
  const h = await harness();
  try {
    const from = await synced(h);
    const lists = h.api.requests.filter((r) => !r.query.has('watch')).length;
    h.api.put('services', service('default', 'api', { clusterIP: '10.96.0.30' }));
    await until('api', () => h.store.get('Service', 'default/api') !== undefined);
    h.api.expireWatches();
    await until('relisted', () => h.store.calls.filter((c) => c.op === 'replaceAll').length >= 6);
    assert.equal(h.api.requests.filter((r) => !r.query.has('watch')).length, lists + WATCHED);
    assert.deepEqual(h.store.keys('Service'), ['default/api', 'default/web', 'team-a/db']);
    assert.ok(nothingLost(h, from));
    // A 410 is routine: no warning, no outage.
    assert.deepEqual(outageLines(h), []);
    await until('watches', () => h.api.openWatches === WATCHED);
    await changeArrives(h, '10.96.0.24');
  } finally {
    await h.close();
  }
});

test('an expired continue token (410 on a list) starts the list again', async () => {
  const h = await harness({}, 'token', false);
  try {
    h.api.failNext(410, 1, 'list');
    h.source.start();
    await until('sync', () => h.source.synced());
    assert.deepEqual(h.store.keys('Service'), ['default/web', 'team-a/db']);
  } finally {
    await h.close();
  }
});

test('5xx answers: one warning, one recovery line, one outage counted, state kept', async () => {
  const h = await harness();
  try {
    const from = await synced(h);
    h.api.failNext(503, 6, 'watch');
    h.api.dropWatches();
    await until('recovered', () => h.logs.some((l) => l.msg === 'kubernetes api available again'));
    await until('watches', () => h.api.openWatches === WATCHED);
    await changeArrives(h, '10.96.0.25');
    const lines = outageLines(h);
    assert.deepEqual(lines.map((l) => [l.level, l.msg]), [
      [LEVEL.warn, 'kubernetes api unavailable'],
      [LEVEL.info, 'kubernetes api available again'],
    ]);
    assert.equal(lines[0].synced, true);
    assert.equal(await metric(h.registry, 'clusterdns_kubernetes_api_outages_total'), 1);
    assert.ok(nothingLost(h, from));
  } finally {
    await h.close();
  }
});

test('slow answers still sync and deliver changes', async () => {
  const h = await harness({}, 'token', false);
  try {
    h.api.faults.delayMs = 300;
    h.source.start();
    await until('sync', () => h.source.synced());
    await until('watches', () => h.api.openWatches === WATCHED);
    await changeArrives(h, '10.96.0.26');
  } finally {
    await h.close();
  }
});

test('an API down at start: not synced until it comes up on the same port', async () => {
  const h = await harness({}, 'token', false);
  try {
    await h.api.stop();
    h.source.start();
    await until('failure logged', () => h.logs.some((l) => l.msg === 'kubernetes api unavailable'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(h.source.synced(), false);
    assert.equal(await metric(h.registry, 'clusterdns_kubernetes_synced'), 0);
    const warning = h.logs.find((l) => l.msg === 'kubernetes api unavailable');
    assert.equal(warning?.synced, false);
    assert.equal(warning?.reason, 'ECONNREFUSED');
    await h.api.restart();
    await until('sync', () => h.source.synced());
    assert.deepEqual(h.store.keys('Service'), ['default/web', 'team-a/db']);
    assert.equal(await metric(h.registry, 'clusterdns_kubernetes_synced'), 1);
    assert.equal(h.logs.filter((l) => l.msg === 'kubernetes api unavailable').length, 1);
  } finally {
    await h.close();
  }
});

test('the API going down after sync keeps the state and recovers when it returns', async () => {
  const h = await harness();
  try {
    const from = await synced(h);
    await h.api.stop();
    await until('outage', () => h.logs.some((l) => l.msg === 'kubernetes api unavailable'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(h.source.synced(), true);
    assert.deepEqual(h.store.keys('Service'), ['default/web', 'team-a/db']);
    await h.api.restart();
    await until('watches', () => h.api.openWatches === WATCHED);
    await changeArrives(h, '10.96.0.27');
    assert.equal(h.logs.filter((l) => l.msg === 'kubernetes api unavailable').length, 1);
    assert.equal(h.logs.filter((l) => l.msg === 'kubernetes api available again').length, 1);
    assert.ok(nothingLost(h, from));
  } finally {
    await h.close();
  }
});

for (const [auth, code, reason] of [
  ['bad-token', 401, 'Unauthorized'],
  ['limited', 403, 'Forbidden'],
] as const) {
  test(`${code} from the API: one clear error naming the status, without the token`, async () => {
    const h = await harness({}, auth);
    try {
      await until('error', () => h.logs.some((l) => l.level === LEVEL.error));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const errors = h.logs.filter((l) => l.level === LEVEL.error);
      assert.equal(errors.length, 1);
      assert.equal(errors[0].msg, 'kubernetes api denied access: check credentials and RBAC');
      assert.equal(errors[0].status, code);
      assert.equal(errors[0].reason, reason);
      assert.equal(h.source.synced(), false);
      const text = h.rawLogs.join('');
      assert.ok(!text.includes('not-a-valid-token'));
      assert.ok(!text.includes(h.api.tokens.limited));
    } finally {
      await h.close();
    }
  });
}

test('a failing exec credential plugin: one error, its output never logged', async () => {
  const h = await harness({}, 'exec-fails');
  try {
    await until('error', () => h.logs.some((l) => l.level === LEVEL.error));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const errors = h.logs.filter((l) => l.level === LEVEL.error);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].reason, 'CredentialsUnavailable');
    assert.equal(errors[0].failure, 'credentials');
    assert.equal(h.api.requests.length, 0);
    assert.ok(!h.rawLogs.join('').includes('leaked-secret-from-plugin'));
  } finally {
    await h.close();
  }
});
