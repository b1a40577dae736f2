/**
 * The test API server itself speaks the protocol the production code relies on: checked here
 * with plain HTTPS requests, so a bug in the server cannot hide a bug in the client.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { namespace, service } from './fixtures.js';
import { TestApiServer } from './server.js';

const api = await TestApiServer.start();
after(() => api.close());
api.load('namespaces', [namespace('a'), namespace('b')]);
api.load('services', [
  service('a', 'one', { labels: { tier: 'web' } }),
  service('a', 'two', { labels: { tier: 'db' } }),
  service('b', 'three', { labels: { tier: 'web' } }),
]);

interface Reply {
  readonly status: number;
  readonly body: string;
}

function get(path: string, auth: 'admin' | 'limited' | 'none' | 'cert' = 'admin'): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (auth === 'admin' || auth === 'limited') headers.Authorization = `Bearer ${api.tokens[auth]}`;
  const tls = auth === 'cert' ? { cert: api.pki.clientCert, key: api.pki.clientKey } : {};
  return new Promise((resolve, reject) => {
    https
      .get(`${api.url}${path}`, { ca: api.pki.caCert, headers, ...tls }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** Opens a watch and collects event lines until `count` arrived. */
function watch(path: string, count: number): Promise<{ type: string; object: any }[]> {
  return new Promise((resolve, reject) => {
    const events: { type: string; object: any }[] = [];
    const headers = { Authorization: `Bearer ${api.tokens.admin}` };
    const request = https.get(`${api.url}${path}`, { ca: api.pki.caCert, headers }, (response) => {
      let partial = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) events.push(JSON.parse(line));
        if (events.length >= count) {
          request.destroy();
          resolve(events);
        }
      });
    });
    request.on('error', (err) => (events.length >= count ? undefined : reject(err)));
  });
}

const names = (body: string) =>
  (JSON.parse(body).items as { metadata: { name: string } }[]).map((i) => i.metadata.name);

test('401 without credentials, 403 without permission, client certificates accepted', async () => {
  const none = await get('/api/v1/services', 'none');
  assert.equal(none.status, 401);
  assert.equal(JSON.parse(none.body).reason, 'Unauthorized');
  const limited = await get('/api/v1/services', 'limited');
  assert.equal(limited.status, 403);
  assert.equal(JSON.parse(limited.body).reason, 'Forbidden');
  assert.equal((await get('/api/v1/services', 'cert')).status, 200);
});

test('lists cluster-wide and per namespace, with selectors, items without kind', async () => {
  const all = await get('/api/v1/services');
  const list = JSON.parse(all.body);
  assert.equal(list.kind, 'ServiceList');
  assert.equal(list.metadata.resourceVersion, String(api.log.version));
  assert.deepEqual(names(all.body), ['one', 'two', 'three']);
  assert.equal(list.items[0].kind, undefined);
  assert.deepEqual(names((await get('/api/v1/namespaces/a/services')).body), ['one', 'two']);
  assert.deepEqual(names((await get('/api/v1/services?labelSelector=tier%3Dweb')).body), [
    'one',
    'three',
  ]);
  assert.deepEqual(names((await get('/api/v1/services?labelSelector=tier%20notin%20(web)')).body), [
    'two',
  ]);
});

test('pages with limit and continue; an expired token gets 410', async () => {
  const first = JSON.parse((await get('/api/v1/services?limit=2')).body);
  assert.equal(first.items.length, 2);
  assert.equal(first.metadata.remainingItemCount, 1);
  const token = encodeURIComponent(first.metadata.continue);
  const second = JSON.parse((await get(`/api/v1/services?limit=2&continue=${token}`)).body);
  assert.deepEqual(second.items.map((i: any) => i.metadata.name), ['three']);
  assert.equal(second.metadata.continue, undefined);
  const again = await get(`/api/v1/services?limit=2&continue=${token}`);
  assert.equal(again.status, 410);
  assert.equal(JSON.parse(again.body).reason, 'Expired');
});

test('watches replay from a version, send selector transitions, and 410 when too old', async () => {
  const version = api.log.version;
  const selected = `resourceVersion=${version}&labelSelector=tier%3Dweb`;
  const events = watch(`/api/v1/services?watch=1&${selected}`, 3);
  await new Promise((resolve) => setTimeout(resolve, 50));
  api.put('services', service('a', 'two', { labels: { tier: 'web' } }));
  api.put('services', service('a', 'one', { labels: { tier: 'db' } }));
  api.remove('services', 'b/three');
  const seen = await events;
  assert.deepEqual(seen.map((e) => [e.type, e.object.kind, e.object.metadata.name]), [
    ['ADDED', 'Service', 'two'],
    ['DELETED', 'Service', 'one'],
    ['DELETED', 'Service', 'three'],
  ]);
  const replay = await watch(`/api/v1/services?watch=1&resourceVersion=${version}`, 3);
  assert.deepEqual(replay.map((e) => e.type), ['MODIFIED', 'MODIFIED', 'DELETED']);
  api.log.compact();
  const gone = await watch(`/api/v1/services?watch=1&resourceVersion=${version}`, 1);
  assert.equal(gone[0].type, 'ERROR');
  assert.equal(gone[0].object.code, 410);
});
