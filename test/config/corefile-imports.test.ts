/**
 * `import FILE-or-GLOB` and loadCorefile: files resolved relative to the importing file, globs in
 * the last path element, errors naming the imported file and line, and cycles through files.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadCorefile, parseCorefile, readCorefile } from '../../src/config/corefile.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let dir: string;

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

describe('Corefile imports', () => {
  before(() => {
    dir = makeTempDir('corefile-');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('pastes a file relative to the importing file, keeping its own lines', () => {
    write('conf/plugins.conf', '# shared\nerrors\ncache 30\n');
    const main = write('conf/Corefile', '.:53 {\n  import plugins.conf\n  log\n}\n');
    const [block] = loadCorefile(main);
    const lines = block.directives.map((d) => `${d.name}@${path.basename(d.file)}:${d.line}`);
    assert.deepEqual(lines, ['errors@plugins.conf:2', 'cache@plugins.conf:3', 'log@Corefile:3']);
  });

  it('imports server blocks from a glob in sorted order; no match adds nothing', () => {
    write('blocks/b.server', 'b.test {\n  whoami\n}\n');
    write('blocks/a.server', 'a.test {\n  whoami\n}\n');
    write('blocks/skip.txt', 'c.test {\n}\n');
    const main = write(
      'Corefile.glob',
      '.:53 {\n  import custom/*.override\n}\nimport blocks/*.server\n',
    );
    const { blocks, files } = readCorefile(main);
    assert.deepEqual(
      blocks.map((b) => b.keys.join(' ')),
      ['.:53', 'a.test:53', 'b.test:53'],
    );
    assert.deepEqual(
      files.map((f) => path.relative(dir, f)),
      ['Corefile.glob', 'blocks/a.server', 'blocks/b.server'],
    );
  });

  it('reports an error inside an imported file with that file and line', () => {
    write('bad.conf', 'errors\nlog "open\n');
    const main = write('Corefile.bad', '.:53 {\n  import bad.conf\n}\n');
    assert.throws(() => loadCorefile(main), {
      message: `${path.join(dir, 'bad.conf')}:2: unterminated quoted string`,
    });
  });

  it('names a missing file', () => {
    const main = write('Corefile.missing', '.:53 {\n  import extra/plugins.conf\n}\n');
    assert.throws(() => loadCorefile(main), {
      message: `${main}:2: import extra/plugins.conf: no such file`,
    });
  });

  it('refuses wildcards before the last path element', () => {
    assert.throws(() => parseCorefile('.:53 {\n  import */x.conf\n}', path.join(dir, 'C')), {
      message: `${path.join(dir, 'C')}:2: import */x.conf: wildcards are allowed in the last path element only`,
    });
  });

  it('detects a cycle through files', () => {
    const a = write('cycle/a.conf', 'import b.conf\n');
    const b = write('cycle/b.conf', 'errors\nimport a.conf\n');
    const main = write('cycle/Corefile', '.:53 {\n  import a.conf\n}\n');
    assert.throws(() => loadCorefile(main), {
      message: `${b}:2: import cycle: ${a} -> ${b} -> ${a}`,
    });
  });

  it('detects a file importing the Corefile itself', () => {
    const main = write('self/Corefile', '.:53 {\n  errors\n}\nimport Corefile\n');
    assert.throws(() => loadCorefile(main), {
      message: `${main}:4: import cycle: ${main} -> ${main}`,
    });
  });

  it('reads {$ENV} from the process environment in loadCorefile', () => {
    process.env.CLUSTERDNS_TEST_ZONE = 'env.test';
    const main = write('Corefile.env', '{$CLUSTERDNS_TEST_ZONE} {\n  whoami\n}\n');
    assert.deepEqual(loadCorefile(main)[0].keys, ['env.test:53']);
    delete process.env.CLUSTERDNS_TEST_ZONE;
  });

  it('names an unreadable Corefile', () => {
    const missing = path.join(dir, 'nope', 'Corefile');
    assert.throws(() => loadCorefile(missing), {
      message: `${missing}:0: cannot read Corefile (ENOENT)`,
    });
  });
});
