/**
 * The seed scenario end to end, in network namespaces this test creates (no route out): the
 * cluster of examples/cluster-state.yaml (`redis-master` 10.96.130.112 and `app` in `default`),
 * clusterdns serving at 10.96.0.10:53 in a "dns" namespace, a real redis-server listening on
 * the redis-master ClusterIP in a "redis" namespace, and "pod" namespaces whose
 * /etc/resolv.conf is what `clusterdns resolv-conf` printed for their manifest. From the pods,
 * glibc (`getent`) and redis-cli resolve `redis-master` and use it.
 *
 * It also measures what a lookup of an external name costs from a default pod, with and
 * without `autopath @kubernetes`: counted by clusterdns's `log` plugin for glibc's getaddrinfo,
 * and by `clusterdns lookup` run inside the pod namespace. The external name is answered by a
 * dnsmasq on the dns namespace's loopback, never by the machine's resolver.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLI_PATH } from '../helpers/clusterdns-process.js';
import { TestNetwork } from './test-network.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const EXAMPLE_STATE = path.resolve('examples/cluster-state.yaml');

/** Pods of the scenario: manifest, and the pod IP its namespace gets. */
const PODS = {
  // The first `app` pod of the example state, so clusterdns knows its namespace by its IP.
  app: {
    ip: '10.244.0.6',
    manifest:
      'kind: Pod\nmetadata:\n  name: app-6c8b9f7d54-2xkqp\n  namespace: default\nspec:\n  containers: []\n',
  },
  custom: {
    ip: '10.244.0.7',
    manifest:
      'kind: Pod\nmetadata:\n  name: app-6c8b9f7d54-w7mzr\n  namespace: default\nspec:\n  dnsPolicy: None\n' +
      '  dnsConfig:\n    nameservers: [10.96.0.10]\n    searches: [default.svc.cluster.local, corp.example]\n' +
      '    options:\n      - name: ndots\n        value: "2"\n      - name: edns0\n',
  },
  shop: {
    ip: '10.244.1.9',
    manifest: 'kind: Pod\nmetadata:\n  name: web\n  namespace: shop\nspec: {}\n',
  },
} as const;

/** A pod in `shop` and its namespace, added to the example cluster for this test. */
const SHOP_STATE = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata:
    name: shop
- apiVersion: v1
  kind: Pod
  metadata:
    name: web
    namespace: shop
  spec:
    containers: []
  status:
    phase: Running
    podIP: 10.244.1.9
    podIPs:
    - ip: 10.244.1.9
`;

function corefile(stateDir: string, autopath: boolean): string {
  return `.:53 {
    bind 10.96.0.10
    errors
    log . "{type} {name} {rcode}"
    prometheus 127.0.0.1:9153
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        state ${stateDir}
        pods verified
        fallthrough in-addr.arpa ip6.arpa
    }
${autopath ? '    autopath @kubernetes\n' : ''}    forward . 127.0.0.1:5353
}
`;
}

/** clusterdns running in the dns namespace, with its query log lines collected. */
class ServerInNamespace {
  readonly queryLines: string[] = [];
  private output = '';

  constructor(readonly child: ChildProcess) {
    let partial = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      this.output += chunk;
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('[INFO] ')) this.queryLines.push(line.slice(7));
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => (this.output += chunk));
  }

  async serving(): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (!this.output.includes('"msg":"serving"')) {
      if (this.child.exitCode !== null) throw new Error(`clusterdns exited: ${this.output}`);
      if (Date.now() > deadline) throw new Error(`clusterdns did not serve: ${this.output}`);
      await sleep(50);
    }
  }

  /** The query lines logged while `action` ran (waits for late lines to be flushed). */
  async queriesDuring(action: () => Promise<unknown>): Promise<string[]> {
    const start = this.queryLines.length;
    await action();
    await sleep(300);
    return this.queryLines.slice(start);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('seed scenario in network namespaces', () => {
  const network = new TestNetwork(`cdns${process.pid % 100000}`);
  const dir = makeTempDir('cdns-e2e-');
  const resolvConfs: Record<string, string> = {};
  const measured: Record<string, number> = {};
  let server: ServerInNamespace | null = null;

  async function startServer(autopath: boolean): Promise<ServerInNamespace> {
    if (server) await network.stop(server.child);
    const conf = path.join(dir, autopath ? 'Corefile.autopath' : 'Corefile');
    fs.writeFileSync(conf, corefile(path.join(dir, 'state'), autopath));
    server = new ServerInNamespace(
      network.spawn('dns', process.execPath, [CLI_PATH, 'serve', '--conf', conf]),
    );
    await server.serving();
    return server;
  }

  before(async () => {
    assert.equal(
      process.getuid?.(),
      0,
      'the seed scenario creates network namespaces: run the tests as root',
    );
    assert.ok(
      fs.existsSync(EXAMPLE_STATE),
      `run the tests from the repository root (${EXAMPLE_STATE})`,
    );
    fs.mkdirSync(path.join(dir, 'state'));
    fs.copyFileSync(EXAMPLE_STATE, path.join(dir, 'state', 'cluster-state.yaml'));
    fs.writeFileSync(path.join(dir, 'state', 'shop.yaml'), SHOP_STATE);
    fs.writeFileSync(path.join(dir, 'node-resolv.conf'), 'nameserver 192.0.2.53\n');
    for (const [name, pod] of Object.entries(PODS)) {
      const manifest = path.join(dir, `${name}.yaml`);
      fs.writeFileSync(manifest, pod.manifest);
      const { stdout } = await run(process.execPath, [
        CLI_PATH,
        'resolv-conf',
        '--pod',
        manifest,
        '--host-resolv',
        path.join(dir, 'node-resolv.conf'),
      ]);
      resolvConfs[name] = stdout;
    }

    await network.createHub();
    await network.addMember('dns', ['10.96.0.10/8']);
    await network.addMember('redis', ['10.96.130.112/8']);
    for (const [name, pod] of Object.entries(PODS)) {
      await network.addMember(name, [`${pod.ip}/8`]);
      network.setResolvConf(name, resolvConfs[name]);
    }
    network.spawn('dns', 'dnsmasq', [
      '-k',
      '--conf-file=/dev/null',
      '--no-resolv',
      '--no-hosts',
      '--user=root',
      '--pid-file=',
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      '--port=5353',
      '--address=/#/',
      '--host-record=example.com,192.0.2.10',
    ]);
    network.spawn('redis', 'redis-server', [
      '--bind',
      '10.96.130.112',
      '--port',
      '6379',
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'no',
    ]);
    await startServer(false);
  });

  after(async () => {
    await network.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
    for (const [name, count] of Object.entries(measured))
      console.log(`# measured: ${name} = ${count} queries`);
  });

  test('resolv-conf wrote each pod file as the kubelet would', () => {
    assert.equal(
      resolvConfs.app,
      'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
    );
    assert.equal(
      resolvConfs.custom,
      'search default.svc.cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:2 edns0\n',
    );
    assert.equal(
      resolvConfs.shop,
      'search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
    );
  });

  test('the pod namespaces have no route to the outside', async () => {
    const routes = await network.exec('app', 'ip', ['route', 'show', 'table', 'all']);
    assert.ok(!/default/.test(routes.stdout), routes.stdout);
    const resolv = await network.exec('app', 'cat', ['/etc/resolv.conf']);
    assert.equal(resolv.stdout, resolvConfs.app);
  });

  test('default pod: glibc resolves redis-master and redis-cli writes and reads a key', async () => {
    const hosts = await network.exec('app', 'getent', ['hosts', 'redis-master']);
    assert.equal(hosts.code, 0, hosts.stderr);
    assert.equal(hosts.stdout, '10.96.130.112   redis-master.default.svc.cluster.local\n');
    const set = await network.exec('app', 'redis-cli', ['-h', 'redis-master', 'SET', 'k', 'v']);
    assert.equal(set.stdout, 'OK\n', set.stderr);
    const get = await network.exec('app', 'redis-cli', ['-h', 'redis-master', 'GET', 'k']);
    assert.equal(get.stdout, 'v\n', get.stderr);
  });

  test('dnsPolicy None pod with its own dnsConfig reaches redis-master', async () => {
    const hosts = await network.exec('custom', 'getent', ['hosts', 'redis-master']);
    assert.equal(
      hosts.stdout,
      '10.96.130.112   redis-master.default.svc.cluster.local\n',
      hosts.stderr,
    );
    const get = await network.exec('custom', 'redis-cli', ['-h', 'redis-master', 'GET', 'k']);
    assert.equal(get.stdout, 'v\n', get.stderr);
  });

  test('a pod in namespace shop reaches redis-master.default', async () => {
    const short = await network.exec('shop', 'getent', ['hosts', 'redis-master']);
    assert.equal(short.code, 2, 'redis-master alone is not in shop');
    const hosts = await network.exec('shop', 'getent', ['hosts', 'redis-master.default']);
    assert.equal(
      hosts.stdout,
      '10.96.130.112   redis-master.default.svc.cluster.local\n',
      hosts.stderr,
    );
    const get = await network.exec('shop', 'redis-cli', ['-h', 'redis-master.default', 'GET', 'k']);
    assert.equal(get.stdout, 'v\n', get.stderr);
  });

  /** Queries clusterdns receives for `getent ahosts NAME` in `pod`, and the lookup's own count. */
  async function measure(
    label: string,
    pod: keyof typeof PODS,
    name: string,
  ): Promise<{ glibc: string[]; lookup: { queries: unknown[]; addresses: string[] } }> {
    const active = server as ServerInNamespace;
    const glibc = await active.queriesDuring(async () => {
      const result = await network.exec(pod, 'getent', ['ahosts', name]);
      assert.equal(result.code, 0, result.stderr);
    });
    // Without --server, lookup asks the pod's nameserver: 10.96.0.10, inside the namespace.
    const out = await network.exec(pod, process.execPath, [
      CLI_PATH,
      'lookup',
      name,
      '--resolv-conf',
      '/etc/resolv.conf',
      '--json',
    ]);
    assert.equal(out.code, 0, out.stderr);
    const lookup = JSON.parse(out.stdout) as { queries: unknown[]; addresses: string[] };
    measured[`${label} (getent ahosts, counted by clusterdns)`] = glibc.length;
    measured[`${label} (clusterdns lookup)`] = lookup.queries.length;
    return { glibc, lookup };
  }

  /** coredns_autopath_success_total, read from the prometheus plugin inside the dns namespace. */
  async function autopathSuccesses(): Promise<number> {
    const metrics = await network.exec('dns', 'curl', ['-s', 'http://127.0.0.1:9153/metrics']);
    const line = metrics.stdout
      .split('\n')
      .find((l) => l.startsWith('coredns_autopath_success_total{server="dns://10.96.0.10:53"}'));
    assert.ok(line, metrics.stdout.slice(0, 2000));
    return Number(line.split(' ').pop());
  }

  test('without autopath: an external name costs 8 queries from a default pod', async () => {
    const { glibc, lookup } = await measure('example.com without autopath', 'app', 'example.com');
    assert.deepEqual(glibc.slice().sort(), [
      'A example.com. NOERROR',
      'A example.com.cluster.local. NXDOMAIN',
      'A example.com.default.svc.cluster.local. NXDOMAIN',
      'A example.com.svc.cluster.local. NXDOMAIN',
      'AAAA example.com. NOERROR',
      'AAAA example.com.cluster.local. NXDOMAIN',
      'AAAA example.com.default.svc.cluster.local. NXDOMAIN',
      'AAAA example.com.svc.cluster.local. NXDOMAIN',
    ]);
    assert.equal(lookup.queries.length, 8);
    assert.deepEqual(lookup.addresses, ['192.0.2.10']);
    const short = await measure(
      'redis-master from default without autopath',
      'app',
      'redis-master',
    );
    assert.equal(short.glibc.length, 2);
    assert.equal(short.lookup.queries.length, 2);
    const shop = await measure(
      'redis-master.default from shop without autopath',
      'shop',
      'redis-master.default',
    );
    assert.equal(shop.glibc.length, 4);
    assert.equal(shop.lookup.queries.length, 4);
  });

  test('with autopath @kubernetes: the same lookup costs 2 queries', async () => {
    await startServer(true);
    const { glibc, lookup } = await measure('example.com with autopath', 'app', 'example.com');
    assert.deepEqual(glibc.slice().sort(), [
      'A example.com.default.svc.cluster.local. NOERROR',
      'AAAA example.com.default.svc.cluster.local. NOERROR',
    ]);
    assert.equal(lookup.queries.length, 2);
    assert.deepEqual(lookup.addresses, ['192.0.2.10']);
    const before = await autopathSuccesses();
    const hosts = await network.exec('app', 'getent', ['ahosts', 'example.com']);
    assert.match(hosts.stdout, /^192\.0\.2\.10 +STREAM example\.com\n/);
    assert.equal(await autopathSuccesses(), before + 2, 'A and AAAA were both autopathed');
    const short = await measure('redis-master from default with autopath', 'app', 'redis-master');
    assert.equal(short.glibc.length, 2);
    assert.equal(short.lookup.queries.length, 2);
    const shop = await measure(
      'redis-master.default from shop with autopath',
      'shop',
      'redis-master.default',
    );
    assert.equal(shop.glibc.length, 2);
    assert.equal(shop.lookup.queries.length, 2);
    const get = await network.exec('shop', 'redis-cli', ['-h', 'redis-master.default', 'GET', 'k']);
    assert.equal(get.stdout, 'v\n', get.stderr);
    // The None pod's first search domain is default's, but it is a known pod of default: the
    // short name is answered on the first try either way.
    const custom = await measure(
      'redis-master from the None pod with autopath',
      'custom',
      'redis-master',
    );
    assert.equal(custom.glibc.length, 2);
  });
});
