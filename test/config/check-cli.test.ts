/**
 * `clusterdns check --conf FILE` run as the real executable: `OK` and exit 0 for a valid
 * Corefile (kubeadm's two defaults among them), `FILE:LINE: problem` on stderr and exit 1 for
 * syntax errors, unknown plugins, bad options and unreadable files.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { KUBEADM_COREFILE, KUBEADM_COREFILE_OLD } from './kubeadm-corefiles.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let dir: string;

async function check(
  text: string | null,
): Promise<{ code: number | null; stdout: string; stderr: string; file: string }> {
  const file = path.join(dir, `Corefile-${Math.random().toString(36).slice(2)}`);
  if (text !== null) fs.writeFileSync(file, text);
  const proc = ClusterDnsProcess.spawn(['check', '--conf', file]);
  const code = await proc.wait();
  const stdout = proc.lines
    .map((l) => (typeof l.text === 'string' ? l.text : JSON.stringify(l)))
    .join('\n');
  return { code, stdout, stderr: proc.stderr.join(''), file };
}

describe('clusterdns check', () => {
  before(() => {
    dir = makeTempDir('check-');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints OK for a valid Corefile and starts nothing', async () => {
    const text =
      '.:53 {\n  errors {\n    consolidate 5m "timeout$" warning\n  }\n  log\n  health {\n    lameduck 5s\n  }\n  ready\n  prometheus :9153\n}\n';
    const result = await check(text);
    assert.deepEqual([result.code, result.stdout, result.stderr], [0, 'OK', '']);
  });

  it("accepts kubeadm's default Corefile", async () => {
    const result = await check(KUBEADM_COREFILE);
    assert.deepEqual([result.code, result.stdout, result.stderr], [0, 'OK', '']);
  });

  it("accepts kubeadm's older Corefile with a bare cache 30", async () => {
    const result = await check(KUBEADM_COREFILE_OLD);
    assert.deepEqual([result.code, result.stdout, result.stderr], [0, 'OK', '']);
  });

  const failures: [string, string, (file: string) => string][] = [
    [
      'a missing brace',
      '.:53 {\n  errors\n',
      (f) => `${f}:1: missing '}': the block opened here is not closed`,
    ],
    [
      'an unterminated quote',
      '.:53 {\n  log . "{remote}\n}\n',
      (f) => `${f}:2: unterminated quoted string`,
    ],
    [
      'an unknown plugin',
      '.:53 {\n  errors\n  bogus on\n}\n',
      (f) => `${f}:3: unknown plugin "bogus"`,
    ],
    [
      'a bad option value',
      '.:53 {\n  errors {\n    consolidate soon x\n  }\n}\n',
      (f) => `${f}:3: consolidate: "soon" is not a duration (e.g. 5s, 1m30s)`,
    ],
    [
      'an unknown option',
      '.:53 {\n  log {\n    colour red\n  }\n}\n',
      (f) => `${f}:3: log: unknown option "colour"`,
    ],
    [
      'a duplicate zone',
      '.:53 {\n}\n.:53 {\n}\n',
      (f) => `${f}:3: zone .:53 is already served by the block at ${f}:1`,
    ],
  ];
  for (const [name, text, message] of failures) {
    it(`reports ${name} as FILE:LINE: problem and exits 1`, async () => {
      const result = await check(text);
      assert.deepEqual(
        [result.code, result.stdout, result.stderr],
        [1, '', `${message(result.file)}\n`],
      );
    });
  }

  it('reports an unreadable file', async () => {
    const result = await check(null);
    assert.deepEqual(
      [result.code, result.stderr],
      [1, `${result.file}:0: cannot read Corefile (ENOENT)\n`],
    );
  });
});
