/**
 * `clusterdns check` and `clusterdns serve` judge a Corefile alike: the Corefile-wide checks
 * (a plugin repeated in one block, `bind` values, a zone served twice on one address) give
 * both the same `FILE:LINE: problem` and exit code 1; what CoreDNS lets a block repeat
 * (`bind`, `acl`, `log`, `forward`) both accept. Real executables, nothing mocked.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

let dir: string;

function writeConf(text: string): string {
  const file = path.join(dir, `Corefile-${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(file, text);
  return file;
}

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(args: string[]): Promise<Outcome & { served: boolean }> {
  const proc = ClusterDnsProcess.spawn(args);
  const code = await proc.wait();
  const stdout = proc.lines
    .map((l) => (typeof l.text === 'string' ? l.text : JSON.stringify(l)))
    .join('\n');
  const served = proc.lines.some((l) => l.msg === 'serving');
  return { code, stdout, stderr: proc.stderr.join(''), served };
}

/** `check --conf FILE`. */
async function check(file: string): Promise<Outcome> {
  const { code, stdout, stderr } = await run(['check', '--conf', file]);
  return { code, stdout, stderr };
}

/** `serve --conf FILE` on loopback; expected to stop before serving. */
async function serveRefused(file: string): Promise<Outcome> {
  const result = await run(['serve', '--conf', file, '--listen', '127.0.0.1:0']);
  assert.equal(result.served, false, 'serve must stop before serving');
  return { code: result.code, stdout: '', stderr: result.stderr };
}

/** Both commands refuse `text` with `problem` at `line` of the file. */
async function bothRefuse(text: string, problem: (file: string) => string): Promise<void> {
  const file = writeConf(text);
  const checked = await check(file);
  assert.deepEqual(
    [checked.code, checked.stdout, checked.stderr],
    [1, '', `${problem(file)}\n`],
    'check',
  );
  const served = await serveRefused(file);
  assert.deepEqual([served.code, served.stderr], [1, `clusterdns: ${problem(file)}\n`], 'serve');
}

describe('check and serve agree', () => {
  before(() => {
    dir = makeTempDir('check-serve-');
  });
  after(() => removeTempDir(dir));

  it('refuses a second cache in one block, at the second line', () =>
    bothRefuse(
      '.:0 {\n  cache 30\n  errors\n  cache 60\n}\n',
      (f) => `${f}:4: plugin "cache" can only be used once per server block (first used at ${f}:2)`,
    ));

  it('refuses a second kubernetes block in one server block', () =>
    bothRefuse(
      'cluster.local:0 {\n  kubernetes cluster.local {\n    pods insecure\n  }\n' +
        '  kubernetes cluster.local {\n    pods verified\n  }\n}\n',
      (f) =>
        `${f}:5: plugin "kubernetes" can only be used once per server block ` +
        `(first used at ${f}:2)`,
    ));

  // Every plugin clusterdns has that CoreDNS refuses or silently collapses when repeated.
  const onceOnly = [
    'autopath @kubernetes',
    'cache',
    'chaos',
    'errors',
    'health 127.0.0.1:0',
    'hosts',
    'loadbalance',
    'loop',
    'prometheus 127.0.0.1:0',
    'ready 127.0.0.1:0',
    'reload',
  ];
  for (const line of onceOnly) {
    const name = line.split(' ')[0];
    it(`check refuses ${name} twice in one block`, async () => {
      const file = writeConf(`.:0 {\n  ${line}\n  ${line}\n}\n`);
      const result = await check(file);
      assert.deepEqual(
        [result.code, result.stdout, result.stderr],
        [
          1,
          '',
          `${file}:3: plugin "${name}" can only be used once per server block ` +
            `(first used at ${file}:2)\n`,
        ],
      );
    });
  }

  it('allows one plugin in each of two blocks', async () => {
    const file = writeConf('example.org:0 {\n  cache 30\n}\nexample.net:0 {\n  cache 60\n}\n');
    assert.deepEqual(await check(file), { code: 0, stdout: 'OK', stderr: '' });
  });

  it('accepts what CoreDNS lets a block repeat: bind, acl, log, forward', async () => {
    const file = writeConf(
      '.:0 {\n  bind 127.0.0.1\n  bind ::1\n' +
        '  acl example.org {\n    block type AAAA\n  }\n  acl {\n    allow\n  }\n' +
        '  log example.org\n  log .\n' +
        '  forward example.org 127.0.0.1:5301\n  forward . 127.0.0.1:5302\n}\n',
    );
    assert.deepEqual(await check(file), { code: 0, stdout: 'OK', stderr: '' });
  });

  it('reports a bind value that is no IP address from check as serve does', () =>
    bothRefuse(
      '.:0 {\n  bind 1.2.3.4.5\n  errors\n}\n',
      (f) =>
        `${f}:2: bind "1.2.3.4.5": expected an IPv4 or IPv6 address ` +
        '(interface names are not supported)',
    ));

  it('reports a bind interface name from check as serve does', () =>
    bothRefuse(
      '.:0 {\n  errors\n  bind lo\n}\n',
      (f) =>
        `${f}:3: bind "lo": expected an IPv4 or IPv6 address ` +
        '(interface names are not supported)',
    ));
});
