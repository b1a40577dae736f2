/**
 * makeTempDir: directories go away on removeTempDir and, failing that, when the process exits,
 * including when it dies of an uncaught error or a failed node:test test.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { liveTempDirs, makeTempDir, removeTempDir } from './temp-dir.js';

const helper = fileURLToPath(new URL('./temp-dir.js', import.meta.url));

/** Runs an ESM snippet in a child node; `made` are the directories it printed, one a line. */
function runChild(args: string[], source: string): { status: number | null; made: string[] } {
  const result = spawnSync(process.execPath, [...args, source], { encoding: 'utf8' });
  const made = result.stdout.split('\n').filter((l) => l.startsWith('/'));
  return { status: result.status, made };
}

const importHelper = `import { makeTempDir } from ${JSON.stringify(helper)};`;

describe('makeTempDir', () => {
  it('makes <tmpdir>/<prefix>XXXXXX and removeTempDir deletes it with its files', () => {
    const before = liveTempDirs();
    const dir = makeTempDir('temp-dir-test-');
    assert.match(path.basename(dir), /^temp-dir-test-[A-Za-z0-9]{6}$/);
    fs.writeFileSync(path.join(dir, 'key.pem'), 'secret');
    assert.equal(liveTempDirs(), before + 1);
    removeTempDir(dir);
    assert.equal(fs.existsSync(dir), false);
    assert.equal(liveTempDirs(), before);
  });

  it('removes leftover directories when the process exits normally', () => {
    const child = runChild(['--input-type=module', '-e'], `${importHelper}
      const a = makeTempDir('temp-dir-test-'); const b = makeTempDir('temp-dir-test-');
      (await import('node:fs')).writeFileSync(a + '/f', 'x');
      console.log(a); console.log(b);`);
    assert.equal(child.status, 0);
    assert.equal(child.made.length, 2);
    assert.deepEqual(child.made.map((d) => fs.existsSync(d)), [false, false]);
  });

  it('removes them when the process dies of an uncaught error', () => {
    const child = runChild(['--input-type=module', '-e'], `${importHelper}
      console.log(makeTempDir('temp-dir-test-'));
      throw new Error('setup failed');`);
    assert.equal(child.status, 1);
    assert.equal(child.made.length, 1);
    assert.equal(fs.existsSync(child.made[0]!), false);
  });

  it('removes them when a node:test test fails', () => {
    const dir = makeTempDir('temp-dir-fixture-');
    try {
      const file = path.join(dir, 'failing.test.mjs');
      fs.writeFileSync(file, `${importHelper}
        import { test } from 'node:test';
        test('fails', () => {
          console.log(makeTempDir('temp-dir-test-'));
          throw new Error('no');
        });`);
      // Without the parent runner's context variable, the child reports in TAP, not V8 frames.
      const { NODE_TEST_CONTEXT: _, ...env } = process.env;
      const result = spawnSync(process.execPath, ['--test', '--test-reporter=tap', file], {
        encoding: 'utf8',
        env,
      });
      assert.equal(result.status, 1);
      // TAP carries the test's console output as comment lines.
      const made = [...result.stdout.matchAll(/^# (\/\S+)$/gm)].map((m) => m[1]!);
      assert.equal(made.length, 1);
      assert.equal(fs.existsSync(made[0]!), false);
    } finally {
      removeTempDir(dir);
    }
  });
});
