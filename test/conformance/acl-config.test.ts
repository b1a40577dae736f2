/**
 * `clusterdns check` on Corefiles with bad `acl` blocks: each error names the file, the line
 * of the offending rule and the problem; good ones pass.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CLI_PATH } from '../helpers/clusterdns-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const CASES: readonly { rules: string; error: string | null }[] = [
  { rules: 'block type A AAAA net 10.0.0.0/8 fd00::/8', error: null },
  { rules: 'filter net * type *', error: null },
  { rules: 'allow type TYPE65280 net 192.0.2.1', error: null },
  { rules: 'permit net 10.0.0.0/8', error: "acl: unknown option 'permit'" },
  { rules: 'block net 10.0.0.0/33', error: 'acl: "10.0.0.0/33" has a prefix length outside 0..32' },
  { rules: 'block net fd00::/129', error: 'acl: "fd00::/129" has a prefix length outside 0..128' },
  {
    rules: 'block net 10.0.0.300',
    error: 'acl: "10.0.0.300" is not an IP address or CIDR network',
  },
  { rules: 'block type BOGUS', error: 'acl: "BOGUS" is not a query type' },
  { rules: 'block type', error: 'acl: "type" needs at least one QTYPE' },
  { rules: 'block net', error: 'acl: "net" needs at least one CIDR' },
  { rules: 'block A', error: 'acl: expected "type" or "net" before "A"' },
];

function check(corefile: string): { code: number | null; stderr: string; file: string } {
  const dir = makeTempDir('clusterdns-acl-');
  const file = path.join(dir, 'Corefile');
  fs.writeFileSync(file, corefile);
  const run = spawnSync(process.execPath, [CLI_PATH, 'check', '--conf', file], {
    encoding: 'utf8',
  });
  fs.rmSync(dir, { recursive: true, force: true });
  return { code: run.status, stderr: run.stderr, file };
}

describe('acl configuration errors', () => {
  for (const row of CASES) {
    it(`${row.rules} -> ${row.error ?? 'OK'}`, () => {
      const result = check(`.:53 {\n    acl {\n        ${row.rules}\n    }\n}\n`);
      if (row.error === null) {
        assert.equal(result.code, 0, result.stderr);
        return;
      }
      assert.equal(result.code, 1);
      const first = result.stderr.split('\n')[0];
      assert.ok(first.startsWith(`${result.file}:3: `), first);
      assert.ok(first.includes(row.error), first);
    });
  }

  it('an acl without rules names its own line', () => {
    const result = check('.:53 {\n    errors\n    acl\n}\n');
    assert.equal(result.code, 1);
    assert.equal(result.stderr.split('\n')[0], `${result.file}:3: acl: needs at least one rule`);
  });
});
