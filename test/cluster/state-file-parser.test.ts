import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseStateText } from '../../src/cluster/state-file-parser.js';
import { StateFileError } from '../../src/errors.js';

/** (kind, name, line) of each parsed object. */
function summary(text: string): [string, string, number][] {
  return parseStateText(text, 'state.yaml').map((object) => {
    const raw = object.raw as { kind: string; metadata?: { name?: string } };
    return [raw.kind, raw.metadata?.name ?? '', object.line];
  });
}

function assertError(text: string, line: number, reason: string | RegExp): void {
  assert.throws(
    () => parseStateText(text, 'dir/state.yaml'),
    (error: unknown) => {
      assert.ok(error instanceof StateFileError);
      assert.equal(error.code, 'STATE_PARSE');
      assert.deepEqual(error.position, { file: 'dir/state.yaml', line });
      if (typeof reason === 'string') assert.equal(error.reason, reason);
      else assert.match(error.reason, reason);
      assert.equal(error.message, `dir/state.yaml:${line}: ${error.reason}`);
      return true;
    },
  );
}

describe('state file forms', () => {
  it('reads a single document', () => {
    const text = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n';
    assert.deepEqual(summary(text), [['Namespace', 'shop', 1]]);
    const [object] = parseStateText(text, 'state.yaml');
    const expected = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
    assert.deepEqual(object.raw, expected);
    assert.equal(object.file, 'state.yaml');
  });

  it('reads a multi-document stream, skipping empty documents', () => {
    const text = [
      '# the shop',
      '---',
      'kind: Namespace',
      'metadata: {name: shop}',
      '---',
      '---',
      '# only a comment',
      '---',
      'kind: Service',
      'metadata:',
      '  name: web',
      '  namespace: shop',
      '...',
    ].join('\n');
    assert.deepEqual(summary(text), [
      ['Namespace', 'shop', 3],
      ['Service', 'web', 9],
    ]);
  });

  it('reads a kind: List and lists nested in it', () => {
    const text = [
      'apiVersion: v1',
      'items:',
      '- apiVersion: v1',
      '  kind: Service',
      '  metadata:',
      '    name: web',
      '- apiVersion: v1',
      '  kind: ServiceList',
      '  items:',
      '  - kind: Service',
      '    metadata: {name: db}',
      '  - kind: List',
      '    items:',
      '    - kind: Pod',
      '      metadata: {name: db-0}',
      '- kind: Namespace',
      '  metadata: {name: shop}',
      'kind: List',
      'metadata:',
      '  resourceVersion: ""',
    ].join('\n');
    assert.deepEqual(summary(text), [
      ['Service', 'web', 3],
      ['Service', 'db', 10],
      ['Pod', 'db-0', 14],
      ['Namespace', 'shop', 16],
    ]);
  });

  it('reads JSON as kubectl -o json prints it', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      ],
    };
    const text = JSON.stringify(list, null, 4);
    assert.deepEqual(summary(text), [
      ['Service', 'web', 5],
      ['Namespace', 'shop', 13],
    ]);
    assert.deepEqual(parseStateText(text, 'x.json')[1].raw, list.items[1]);
  });

  it('finds lines in JSON only when asked, and keeps JSON semantics for duplicate keys', () => {
    const text = '{\n  "kind": "List",\n  "items": [\n    {\n      "kind": "Service",\n' +
      '      "metadata": {"name": "web"},\n      "spec": {"ports": [{"port": 0}]}\n    }\n  ]\n}\n';
    const [object] = parseStateText(text, 'x.json');
    assert.equal(object.line, 4);
    assert.equal(object.lineOf(['spec', 'ports', 0, 'port']), 7);
    assert.equal(object.lineOf(['metadata', 'name']), 6);
    const duplicate = parseStateText('{"kind": "Pod", "kind": "Namespace"}', 'x.json');
    assert.deepEqual(duplicate.map((o) => o.raw), [{ kind: 'Namespace' }]);
  });

  it('treats an empty file as no objects', () => {
    assert.deepEqual(summary(''), []);
    assert.deepEqual(summary('# nothing yet\n'), []);
  });

  it('finds the line of a field, or of its nearest present parent', () => {
    const text = [
      'kind: Service',
      'metadata:',
      '  name: web',
      'spec:',
      '  ports:',
      '  - name: http',
      '    port: 80',
      '  - name: grpc',
      '    port: 70000',
    ].join('\n');
    const [object] = parseStateText(text, 'state.yaml');
    assert.equal(object.lineOf(['spec', 'ports', 1, 'port']), 9);
    assert.equal(object.lineOf(['spec', 'ports', 0]), 6);
    assert.equal(object.lineOf(['metadata', 'namespace']), 3);
    assert.equal(object.lineOf(['status', 'phase']), 1);
    assert.equal(object.lineOf([]), 1);
  });
});

describe('state file errors', () => {
  it('reports YAML syntax errors with their line', () => {
    assertError('kind: Service\nmetadata:\n  name: web\n   namespace: shop\n', 3,
      'Nested mappings are not allowed in compact mappings');
    assertError('kind: Service\nmetadata: {name: web\n', 2,
      'Flow map in block collection must be sufficiently indented and end with a }');
    assertError('---\nkind: Pod\nkind: Pod\n', 3, 'Map keys must be unique');
    assertError('kind: Service\n\tmetadata: x\n', 2, 'Tabs are not allowed as indentation');
  });

  it('reports JSON syntax errors with their line', () => {
    assertError('{\n  "kind": "Service",\n  "metadata": {"name": "web"\n}\n', 4,
      'Flow map must end with a }');
  });

  it('reports JSON objects without kind with their line', () => {
    assertError('{\n  "kind": "List",\n  "items": [\n    {"metadata": {}}\n  ]\n}\n', 4,
      'object has no kind');
  });

  it('rejects documents and list items that are not objects', () => {
    assertError('kind: Namespace\nmetadata: {name: a}\n---\n- a\n- b\n', 4,
      'expected a Kubernetes object (a mapping)');
    assertError('kind: List\nitems:\n- kind: Pod\n- just text\n', 4,
      'expected a Kubernetes object (a mapping)');
    assertError('apiVersion: v1\nmetadata:\n  name: web\n', 1, 'object has no kind');
  });

  it('caps alias expansion', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 12; i++) {
      const previous = i === 0 ? 'a' : `b${i - 1}`;
      lines.push(`${'b'.repeat(i + 1)}: &b${i} [*${previous}, *${previous}]`);
    }
    lines.push('kind: Pod');
    const reason = 'YAML aliases expand to more than 100 copies (an alias bomb?)';
    assertError(lines.join('\n'), 1, reason);
    // In a later document, the line is that document's first line.
    assertError(`kind: Namespace\nmetadata: {name: a}\n---\n${lines.join('\n')}\n`, 4, reason);
  });
});
