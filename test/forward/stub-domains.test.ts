/**
 * Stub domains as kube-dns's stubDomains become in CoreDNS: a server block per domain with its
 * own forward. The real clusterdns process routes `consul.local` to a second clusterdns (the
 * stub domain's server, itself forwarding to dnsmasq) and everything else to knotd.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { dig } from '../helpers/dig.js';
import { Dnsmasq } from '../upstreams/dnsmasq.js';
import { Knot } from '../upstreams/knot.js';
import { makeTempDir } from '../helpers/temp-dir.js';

function corefile(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('stub domains through a second clusterdns', () => {
  let dir: string;
  let dnsmasq: Dnsmasq;
  let knot: Knot;
  let stub: ClusterDnsProcess;
  let main: ClusterDnsProcess;
  let mainPort: number;
  before(async () => {
    dir = makeTempDir('stub-');
    dnsmasq = await Dnsmasq.start([
      '--host-record=web.consul.local,10.150.0.7',
      '--local-ttl=30',
      '--local=/consul.local/',
    ]);
    knot = await Knot.start([
      {
        name: 'example.test',
        text: '@ 3600 SOA ns admin 1 3600 600 86400 60\n@ 3600 NS ns\nns 3600 A 192.0.2.100\nwww 300 A 192.0.2.10',
      },
    ]);
    stub = await ClusterDnsProcess.serve([
      '--conf',
      corefile(
        dir,
        'Corefile.stub',
        [
          'consul.local:0 {',
          '  bind 127.0.0.1',
          `  forward . 127.0.0.1:${dnsmasq.port}`,
          '}',
          '',
        ].join('\n'),
      ),
    ]);
    const stubPort = stub.port;
    main = await ClusterDnsProcess.serve([
      '--conf',
      corefile(
        dir,
        'Corefile',
        [
          '.:0 {',
          '  bind 127.0.0.1',
          `  forward . 127.0.0.1:${knot.port}`,
          '  cache 30',
          '}',
          'consul.local:0 {',
          '  bind 127.0.0.1',
          `  forward . 127.0.0.1:${stubPort}`,
          '  cache 30',
          '}',
          '',
        ].join('\n'),
      ),
    ]);
    mainPort = main.port;
  });
  after(async () => {
    await main?.stop();
    await stub?.stop();
    await dnsmasq?.stop();
    await knot?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers stub-domain names through the stub server, other names upstream', async () => {
    const web = await dig('web.consul.local', 'A', { port: mainPort });
    assert.equal(web.status, 'NOERROR', main.output());
    assert.deepEqual(web.answer, ['web.consul.local. 30 IN A 10.150.0.7']);
    const missing = await dig('nope.consul.local', 'A', { port: mainPort });
    assert.equal(missing.status, 'NXDOMAIN');
    const www = await dig('www.example.test', 'A', { port: mainPort, tcp: true });
    assert.deepEqual(www.answer, ['www.example.test. 30 IN A 192.0.2.10'], 'cache 30 caps the TTL');
  });
});
