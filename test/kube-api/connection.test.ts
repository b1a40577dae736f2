/**
 * The connection layer: kubeconfig resolution from flags and environment, and the lightweight
 * credential path checked against client-node's own KubeConfig.applyToHTTPSOptions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { resolveApiConfig } from '../../src/cluster/api/api-config.js';
import { loadConnection } from '../../src/cluster/api/connection.js';
import { ClusterDnsError } from '../../src/errors.js';
import { createPki } from './certs.js';
import { writeKubeconfig, type KubeconfigAuth } from './kubeconfig.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const pki = createPki();
const server = {
  url: 'https://127.0.0.1:6443',
  pki,
  tokens: { admin: 'admin-token-1', limited: 'x' },
};

test('resolveApiConfig follows flag, KUBECONFIG, ~/.kube/config, then in-cluster', () => {
  const none = () => false;
  const home = (file: string) => file === '/home/u/.kube/config';
  assert.deepEqual(resolveApiConfig({ kubeconfig: '/a', context: 'c' }, { KUBECONFIG: '/b' }), {
    kubeconfig: '/a',
    context: 'c',
  });
  assert.deepEqual(resolveApiConfig({ endpoint: 'http://127.0.0.1:8001' }, { KUBECONFIG: '/b' }), {
    endpoint: 'http://127.0.0.1:8001',
  });
  assert.deepEqual(resolveApiConfig({}, { KUBECONFIG: `:/b${path.delimiter}/c` }, none), {
    kubeconfig: '/b',
    context: undefined,
  });
  assert.deepEqual(resolveApiConfig({}, { HOME: '/home/u' }, home), {
    kubeconfig: '/home/u/.kube/config',
    context: undefined,
  });
  assert.deepEqual(
    resolveApiConfig({}, { HOME: '/home/u', KUBERNETES_SERVICE_HOST: 'fd00::1' }, none),
    {
      inCluster: {
        host: 'fd00::1',
        port: '443',
        tokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
        caFile: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
      },
    },
  );
  assert.throws(
    () => resolveApiConfig({}, {}, none),
    (err: ClusterDnsError) => err.code === 'KUBE_CONFIG',
  );
});

for (const auth of ['token', 'cert', 'token+cert', 'exec', 'token-file'] as KubeconfigAuth[]) {
  test(`${auth}: the light path applies what KubeConfig.applyToHTTPSOptions applies`, async () => {
    const dir = makeTempDir('kube-conn-');
    const file = writeKubeconfig(dir, server, auth);
    const connection = await loadConnection({ kubeconfig: file });
    const ours: https.RequestOptions = { headers: {} };
    await connection.apply(ours);
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    const theirs: https.RequestOptions = { headers: {} };
    await kc.applyToHTTPSOptions(theirs);
    assert.equal(connection.server.href, 'https://127.0.0.1:6443/');
    assert.equal(String(ours.ca), String(theirs.ca));
    assert.equal(String(ours.cert ?? ''), String(theirs.cert ?? ''));
    assert.equal(String(ours.key ?? ''), String(theirs.key ?? ''));
    const authorization = (ours.headers as Record<string, string>).Authorization;
    const expected = (theirs.headers as Record<string, string>).Authorization?.trim();
    assert.equal(authorization, expected);
    assert.equal(authorization === undefined, auth === 'cert');
    assert.equal(JSON.stringify(connection.description).includes('admin-token-1'), false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

test('a malformed kubeconfig names the file and position, never the text', async () => {
  const dir = makeTempDir('kube-conn-');
  const file = path.join(dir, 'broken.yaml');
  fs.writeFileSync(file, 'users:\n- name: u\n  user:\n    token: "secret-value-42\n  bad: [\n');
  await assert.rejects(loadConnection({ kubeconfig: file }), (err: ClusterDnsError) => {
    assert.equal(err.code, 'KUBE_CONFIG');
    assert.match(err.message, new RegExp(`^${file}: invalid YAML at line \\d+, column \\d+$`));
    assert.ok(!err.message.includes('secret-value-42'));
    return true;
  });
  const missing = path.join(dir, 'missing');
  await assert.rejects(loadConnection({ kubeconfig: missing }), /cannot read: ENOENT/);
  fs.writeFileSync(file, 'current-context: nope\ncontexts: []\nclusters: []\nusers: []\n');
  await assert.rejects(loadConnection({ kubeconfig: file }), /context "nope" not found/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('in-cluster settings read the service-account token file and CA', async () => {
  const dir = makeTempDir('kube-conn-');
  fs.writeFileSync(path.join(dir, 'token'), 'sa-token\n');
  fs.writeFileSync(path.join(dir, 'ca.crt'), pki.caCert);
  const connection = await loadConnection({
    inCluster: {
      host: '10.96.0.1',
      port: '443',
      tokenFile: path.join(dir, 'token'),
      caFile: path.join(dir, 'ca.crt'),
    },
  });
  const options: https.RequestOptions = {};
  await connection.apply(options);
  assert.equal(connection.server.href, 'https://10.96.0.1/');
  assert.equal((options.headers as Record<string, string>).Authorization, 'Bearer sa-token');
  assert.equal(String(options.ca), pki.caCert.toString());
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a user entry the light path lacks (basic auth) goes through KubeConfig itself', async () => {
  const dir = makeTempDir('kube-conn-');
  const file = path.join(dir, 'basic.yaml');
  fs.writeFileSync(file, [
    'current-context: c',
    'contexts: [{name: c, context: {cluster: k, user: u}}]',
    'clusters: [{name: k, cluster: {server: "https://127.0.0.1:6443"}}]',
    'users: [{name: u, user: {username: alice, password: wonderland}}]',
    '',
  ].join('\n'));
  const connection = await loadConnection({ kubeconfig: file });
  const options: https.RequestOptions = {};
  await connection.apply(options);
  assert.equal(connection.description.full, 'yes');
  assert.equal(options.auth, 'alice:wonderland');
  assert.ok(!JSON.stringify(connection.description).includes('wonderland'));
  fs.rmSync(dir, { recursive: true, force: true });
});
