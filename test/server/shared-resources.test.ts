/**
 * Shared resources are counted by reference across configuration generations: a reload that
 * acquires the same key reuses the live resource, which closes when the last holder lets go.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SharedResourcePool } from '../../src/chain/shared-resources.js';

class Watch {
  closed = 0;
  close(): void {
    this.closed++;
  }
}

describe('shared resources', () => {
  it('keeps one resource alive across generations and closes it after the last', async () => {
    const pool = new SharedResourcePool();
    let created = 0;
    const make = (): Watch => {
      created++;
      return new Watch();
    };
    const first = pool.scope();
    const a = first.acquire('kube:default', make);
    assert.equal(first.acquire('kube:default', make), a, 'twice in one generation');
    const second = pool.scope();
    assert.equal(second.acquire('kube:default', make), a, 'the reload reuses the watch');
    assert.equal(created, 1);
    await first.release();
    assert.equal(a.closed, 0, 'still held by the new generation');
    await second.release();
    assert.equal(a.closed, 1);
    assert.equal(pool.size, 0);
    await second.release();
    assert.equal(a.closed, 1, 'releasing twice closes once');
  });

  it('creates a new resource for a new key and refuses use after release', async () => {
    const pool = new SharedResourcePool();
    const scope = pool.scope();
    const a = scope.acquire('a', () => new Watch());
    const b = scope.acquire('b', () => new Watch());
    assert.notEqual(a, b);
    await scope.release();
    assert.deepEqual([a.closed, b.closed], [1, 1]);
    assert.throws(() => scope.acquire('c', () => new Watch()), /after release/);
  });
});
